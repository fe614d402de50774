"""The registries: foreign authorities, agreements, disclosing officials (SPEC C3).

Marking an authority as having violated the §10.1 assurances blocks its requests (§7.3.1.2); the change and the
requests it reaches are saved in one transaction.
"""

from __future__ import annotations

from dataclasses import fields, replace
from typing import Any

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.requests.form import AUTHORITY_KINDS, POSITIONS
from desktop.store import Repository, StoreError
from desktop.store.registries import (
    AGREEMENT_KINDS,
    Agreement,
    Authority,
    Entry,
    Official,
    list_entries,
    official_domains,
    save_entry,
)
from desktop.ui.form_widgets import NOT_GIVEN, DateField

# field → (label, editor kind, choices)
LAYOUTS: dict[type, dict[str, tuple[str, str, tuple[tuple[str, str], ...]]]] = {
    Authority: {
        "name": ("Name", "line", ()), "country": ("Country (two letters)", "line", ()),
        "kind": ("Kind", "choice", AUTHORITY_KINDS), "address": ("Address", "line", ()),
        "violated_assurances": ("Has violated the §10.1 assurances (blocks its requests, §7.3.1.2)", "bool", ()),
        "standing_note": ("Standing note", "line", ()),
        "official_domains": ("Official e-mail domains (fn 25), e.g. cbsa-asfc.gc.ca", "line", ()),
    },
    Agreement: {
        "title": ("Title", "line", ()), "kind": ("Kind", "choice", tuple((k, k.upper()) for k in AGREEMENT_KINDS)),
        "country": ("Country", "line", ()), "signed_on": ("Signed on", "date", ()),
        "effective_on": ("In force from", "date", ()), "expires_on": ("Expires on", "date", ()),
        "contact": ("Agency representative (§11.1.3)", "line", ()), "notes": ("Notes", "line", ()),
    },
    Official: {
        "name": ("Name", "line", ()), "position": ("Position (§7.3.1.1)", "choice", POSITIONS),
        "grade": ("GS grade", "grade", ()), "supervisory": ("Supervisory position", "bool", ()),
        "delegation_ref": ("Written further delegation (fn 22)", "line", ()), "office": ("Office", "line", ()),
        "email": ("E-mail", "line", ()), "active": ("Active", "bool", ()),
    },
}
TITLES = {Authority: "Foreign authorities", Agreement: "Agreements", Official: "Disclosing officials"}


class RegistryTab(QWidget):
    changed = Signal()

    def __init__(self, repo: Repository, kind: type[Entry], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._repo, self._kind = repo, kind
        self._current: Entry | None = None
        self.entries = QListWidget()
        self.entries.setAccessibleName(TITLES[kind])
        self.entries.currentItemChanged.connect(lambda item, _old: self._show(item.data(256) if item else None))
        self.inputs: dict[str, QWidget] = {}
        form = QFormLayout()
        for name, (label, editor, choices) in LAYOUTS[kind].items():
            widget = _input(editor, choices, label)
            self.inputs[name] = widget
            form.addRow("" if editor == "bool" else label, widget)
        self.new_button = QPushButton("&New")
        self.new_button.setAccessibleName(f"New entry in {TITLES[kind].lower()}")
        self.new_button.clicked.connect(lambda: self._show(None))
        self.save_button = QPushButton("&Save entry")
        self.save_button.setAccessibleName(f"Save entry in {TITLES[kind].lower()}")
        self.save_button.clicked.connect(self.save)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setAccessibleName(f"{TITLES[kind]} status")
        buttons = QHBoxLayout()
        buttons.addWidget(self.new_button)
        buttons.addWidget(self.save_button)
        buttons.addStretch(1)
        right = QVBoxLayout()
        right.addLayout(form)
        right.addLayout(buttons)
        right.addWidget(self.status)
        right.addStretch(1)
        layout = QHBoxLayout(self)
        layout.addWidget(self.entries, 1)
        layout.addLayout(right, 2)
        self.reload()

    def reload(self) -> None:
        self.entries.clear()
        for entry in list_entries(self._repo, self._kind):
            text = str(getattr(entry, "title", None) or entry.name)
            if getattr(entry, "violated_assurances", False):
                text += " — violated assurances"
            item = QListWidgetItem(text)
            item.setData(256, entry)
            self.entries.addItem(item)
        self._show(None)

    def _show(self, entry: Entry | None) -> None:
        self._current = entry
        blank: Entry = self._kind(**{f.name: "" for f in fields(self._kind) if f.name in ("name", "title")})  # type: ignore[arg-type]
        for name, widget in self.inputs.items():
            _set(widget, getattr(entry or blank, name))

    def values(self) -> dict[str, Any]:
        return {name: _get(widget) for name, widget in self.inputs.items()}

    def save(self) -> None:
        values = self.values()
        key = "title" if self._kind is Agreement else "name"
        if not str(values[key]).strip():
            self.status.setText(f"Give the entry a {key} first.")
            return
        if self._kind is Agreement and not values["kind"]:
            self.status.setText("Choose the kind of agreement (CMAA, MLAT, USMCA, …) first.")
            return
        values[key] = str(values[key]).strip()
        if "country" in values:
            values["country"] = str(values["country"]).strip().upper()
        entry = replace(self._current, **values) if self._current else self._kind(**values)
        try:
            save_entry(self._repo, _typed(entry))
        except (StoreError, ValueError) as error:
            self.status.setText(f"Not saved. {error}")
            return
        self.status.setText(f"Saved {values[key]}.")
        self.reload()
        self.changed.emit()


class RegistriesDialog(QDialog):
    changed = Signal()

    def __init__(self, repo: Repository, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Registries")
        self.resize(900, 520)
        self.tabs = QTabWidget()
        self.tabs.tabBar().setAccessibleName("Registries")
        self.pages = {kind: RegistryTab(repo, kind) for kind in (Authority, Agreement, Official)}
        for kind, page in self.pages.items():
            self.tabs.addTab(page, TITLES[kind])
            page.changed.connect(self.changed)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.button(QDialogButtonBox.StandardButton.Close).setAccessibleName("Close the registries")
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(close)


def _typed(entry: Entry) -> Entry:
    from desktop.requests.model import AuthorityKind, OfficialPosition

    if isinstance(entry, Authority):
        return replace(entry, kind=AuthorityKind(entry.kind) if entry.kind else None,
                       official_domains=official_domains(entry.official_domains))
    if isinstance(entry, Official):
        return replace(entry, position=OfficialPosition(entry.position or "other"))
    return entry


def _input(editor: str, choices: tuple[tuple[str, str], ...], label: str) -> QWidget:
    widget: QWidget
    if editor == "bool":
        widget = QCheckBox(label)
    elif editor == "choice":
        widget = QComboBox()
        widget.addItem("— not stated —", "")
        for value, text in choices:
            widget.addItem(text, str(value))
    elif editor == "date":
        widget = DateField()
    elif editor == "grade":
        widget = QSpinBox()
        widget.setRange(0, 15)
        widget.setPrefix("GS-")
        widget.setSpecialValueText("not given")
    else:
        widget = QLineEdit()
    widget.setAccessibleName(label)
    return widget


def _set(widget: QWidget, value: Any) -> None:
    if isinstance(widget, QCheckBox):
        widget.setChecked(bool(value))
    elif isinstance(widget, QComboBox):
        widget.setCurrentIndex(max(widget.findData(str(value or "")), 0))
    elif isinstance(widget, QDateEdit):
        parsed = QDate.fromString(str(value or ""), "yyyy-MM-dd")
        widget.setDate(parsed if parsed.isValid() else NOT_GIVEN)
    elif isinstance(widget, QSpinBox):
        widget.setValue(int(value or 0))
    elif isinstance(widget, QLineEdit):
        widget.setText(", ".join(value) if isinstance(value, tuple) else str(value or ""))


def _get(widget: QWidget) -> Any:
    if isinstance(widget, QCheckBox):
        return widget.isChecked()
    if isinstance(widget, QComboBox):
        return widget.currentData() or None
    if isinstance(widget, QDateEdit):
        return None if widget.date() == NOT_GIVEN else widget.date().toString("yyyy-MM-dd")
    if isinstance(widget, QSpinBox):
        return widget.value() or None
    return widget.text() if isinstance(widget, QLineEdit) else None
