"""The request editor: every interchange field, grouped as the directive's checklist groups them (SPEC C1).

Typed but unsaved input is written to the encrypted store as a draft a moment after each change and when the
store locks, so nothing typed is lost to the idle lock, a crash or a restart (issue 2). The registries fill the
authority, agreement and official from what the post already knows (SPEC C3).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from PySide6.QtCore import QPoint, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from desktop.requests.form import GROUPS, FormError, Kind, request_from, values_of
from desktop.requests.model import Coordination, Request
from desktop.store import Repository, StoreError
from desktop.store.registries import Agreement, Authority, Official, list_entries
from desktop.ui.form_widgets import FieldEditor, editor_for, highlight

NEW = "new"
DRAFT_DELAY_MS = 1500
_THIRD_AGENCY_FIELDS = ("third_agency.name", "third_agency.consent_obtained", "third_agency.sole_owner")


class RequestEditor(QWidget):
    saved = Signal(int)
    values_changed = Signal()

    def __init__(self, repo: Repository, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._repo = repo
        self._request_id: int | None = None
        self._base = Request()
        self._loading = False
        self._highlighted: FieldEditor | None = None
        self.editors: dict[str, FieldEditor] = {}
        self.pickers: dict[type, QComboBox] = {}
        self._build()
        self._draft_timer = QTimer(self, singleShot=True, interval=DRAFT_DELAY_MS)
        self._draft_timer.timeout.connect(self.save_draft)
        self.reload_registries()
        self.open_new()

    def _build(self) -> None:
        self.heading = QLabel()
        self.heading.setAccessibleName("Request heading")
        body = QWidget()
        column = QVBoxLayout(body)
        for group in GROUPS:
            column.addWidget(self._group(group.title, group.fields))
        column.addStretch(1)
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll_area.setWidget(body)
        self.scroll_area.setAccessibleName("Request fields")
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setAccessibleName("Editor status")
        self.save_button = QPushButton("&Save request")
        self.save_button.setAccessibleName("Save request")
        self.save_button.clicked.connect(self.save)
        self.revert_button = QPushButton("Revert to saved")
        self.revert_button.setAccessibleName("Revert to the saved request")
        self.revert_button.clicked.connect(self.revert)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.revert_button)
        buttons.addWidget(self.status, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.scroll_area, 1)
        layout.addLayout(buttons)
        self.editors["third_agency"].changed.connect(self._enable_third_agency)

    def _group(self, title: str, specs: Any) -> QGroupBox:
        box = QGroupBox(title)
        box.setAccessibleName(title)
        form = QFormLayout(box)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for spec in specs:
            editor = editor_for(spec)
            editor.changed.connect(self._changed)
            self.editors[spec.path] = editor
            label = QLabel("" if spec.kind is Kind.BOOL else spec.label)
            label.setWordWrap(True)
            label.setMaximumWidth(170)
            label.setBuddy(editor.focusProxy() or editor)
            form.addRow(label, self._with_picker(spec.path, editor))
        return box

    def _with_picker(self, path: str, editor: FieldEditor) -> QWidget:
        """The authority, agreement and official fields can be filled from the registries."""
        kinds = {"requesting_authority.name": Authority, "agreement": Agreement, "disclosing_official.name": Official}
        if path not in kinds:
            return editor
        picker = QComboBox()
        picker.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        picker.setMinimumContentsLength(10)
        picker.setAccessibleName(f"Choose {editor.spec.label.lower()} from the registry")
        picker.activated.connect(lambda index, p=picker: self._pick(p.itemData(index)))
        self.pickers[kinds[path]] = picker
        holder = QWidget()
        row = QHBoxLayout(holder)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(editor, 2)
        row.addWidget(picker, 1)
        return holder

    def reload_registries(self) -> None:
        for kind, picker in self.pickers.items():
            picker.clear()
            picker.addItem("From the registry…", None)
            for entry in list_entries(self._repo, kind):
                if getattr(entry, "active", True):
                    picker.addItem(str(getattr(entry, "title", None) or getattr(entry, "name", "")), entry)

    def _pick(self, entry: Authority | Agreement | Official | None) -> None:
        if isinstance(entry, Authority):
            self._set_values({
                "requesting_authority.name": entry.name, "requesting_authority.country": entry.country,
                "requesting_authority.kind": entry.kind or "", "requesting_authority.address": entry.address,
                "requesting_authority.violated_assurances": entry.violated_assurances,
            })
        elif isinstance(entry, Agreement):
            self._set_values({"agreement": entry.title})
        elif isinstance(entry, Official):
            self._set_values({
                "disclosing_official.name": entry.name, "disclosing_official.position": entry.position.value,
                "disclosing_official.grade": entry.grade, "disclosing_official.supervisory": entry.supervisory,
            })

    def _set_values(self, values: dict[str, Any]) -> None:
        for path, value in values.items():
            self.editors[path].set_value(value)

    @property
    def request_id(self) -> int | None:
        return self._request_id

    @property
    def base(self) -> Request:
        return self._base

    @property
    def draft_key(self) -> str:
        return f"request-editor:{self._request_id if self._request_id is not None else NEW}"

    def open_new(self) -> None:
        self._open(None, Request())

    def open_request(self, request_id: int) -> None:
        self.save_draft()
        self._open(request_id, self._repo.get_request(request_id).request)

    def _open(self, request_id: int | None, request: Request) -> None:
        self._request_id, self._base = request_id, request
        draft = self._repo.load_draft(self.draft_key)
        self._show({**values_of(request), **(draft or {})})
        self.heading.setText(f"<h3>{'New request' if request_id is None else request.reference}</h3>")
        self.status.setText("Restored what you had typed but not saved." if draft else "")
        self.values_changed.emit()

    def revert(self) -> None:
        self._repo.discard_draft(self.draft_key)
        self._open(self._request_id, self._base)

    def _show(self, values: dict[str, Any]) -> None:
        self._loading = True
        for path, editor in self.editors.items():
            editor.set_value(values.get(path))
        self._loading = False
        self._enable_third_agency()

    def values(self) -> dict[str, Any]:
        return {path: editor.value() for path, editor in self.editors.items()}

    def current_request(self) -> Request:
        """The request as typed so far (FormError names the field that cannot be read)."""
        return request_from(self.values(), self._base)

    def set_coordination(self, coordination: Coordination) -> None:
        """Coordination records are saved on their own; the editor keeps them so a save does not undo them."""
        self._base = replace(self._base, coordination=coordination)
        self.values_changed.emit()

    def _changed(self) -> None:
        if not self._loading:
            self._draft_timer.start()
            self.values_changed.emit()

    def _enable_third_agency(self) -> None:
        on = bool(self.editors["third_agency"].value())
        for path in _THIRD_AGENCY_FIELDS:
            self.editors[path].setEnabled(on)

    def has_unsaved_input(self) -> bool:
        return self.values() != values_of(self._base)

    def save_draft(self) -> None:
        """Keeps what is typed (encrypted, in the store); drops the draft when it equals what is saved."""
        self._draft_timer.stop()
        if self.has_unsaved_input():
            self._repo.save_draft(self.draft_key, self.values())
        else:
            self._repo.discard_draft(self.draft_key)

    def save(self) -> None:
        try:
            request = self.current_request()
            if self._request_id is None:
                request_id = self._repo.add_request(request)
            else:
                self._repo.update_request(self._request_id, request)
                request_id = self._request_id
        except FormError as error:
            self.status.setText(f"Not saved. {error}")
            self.focus_field(error.path)
            return
        except StoreError as error:
            self.status.setText(f"Not saved. {error}")
            return
        self._repo.discard_draft(self.draft_key)
        self._open(request_id, self._repo.get_request(request_id).request)
        self.status.setText(f"Saved {date.today().isoformat()}.")
        self.saved.emit(request_id)

    def focus_field(self, path: str) -> bool:
        """Scrolls to a field, focuses it and marks it (the checklist's "take me there")."""
        editor = self.editors.get(path)
        if editor is None:
            return False
        if self._highlighted is not None:
            highlight(self._highlighted, False)
        if not editor.isEnabled() and path.startswith("third_agency."):
            self.editors["third_agency"].set_value(True)
        body = self.scroll_area.widget()
        top = editor.mapTo(body, QPoint(0, 0)).y() if body is not None else 0
        self.scroll_area.verticalScrollBar().setValue(max(0, top - 80))  # vertical only: the labels stay in view
        editor.setFocus()
        highlight(editor, True)
        self._highlighted = editor
        return True

    def clear(self) -> None:
        """Empties every field without touching the draft (used on lock, after the draft is saved)."""
        self._draft_timer.stop()
        self._loading = True
        for editor in self.editors.values():
            editor.set_value(None)
        self._loading = False
        self.heading.clear()
        self.status.clear()
