"""Coordination records (SPEC C2, directive Step 3): who was consulted, when, their reference, a note.

Recording one is its own user action (one transaction with its audit entry) and clears its finding. Typed but
unrecorded entries are kept as a draft, like the request editor's.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDateEdit,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.requests.form import COORDINATION_LABELS
from desktop.requests.model import COORDINATION_ITEMS
from desktop.store import Repository, StoreError

HEADERS = ("Consulted / confirmed", "Who", "On", "Their reference", "Note", "")


class CoordinationRow:
    def __init__(self, item: str) -> None:
        label, section = COORDINATION_LABELS[item]
        self.item = item
        self.done = QCheckBox(f"{label} ({section})")
        self.done.setAccessibleName(f"{label}: done")
        self.who = _line(f"{label}: who", "name and office")
        self.on = QDateEdit(QDate.currentDate())
        self.on.setCalendarPopup(True)
        self.on.setDisplayFormat("yyyy-MM-dd")
        self.on.setAccessibleName(f"{label}: date")
        self.reference = _line(f"{label}: reference", "e-mail subject, memo number")
        self.note = _line(f"{label}: note", "")
        self.save = QPushButton("Record")
        self.save.setAccessibleName(f"Record {label}")

    def widgets(self) -> list[QWidget]:
        return [self.done, self.who, self.on, self.reference, self.note, self.save]

    def values(self) -> dict[str, Any]:
        return {"done": self.done.isChecked(), "who": self.who.text(), "done_on": self.on.date().toString("yyyy-MM-dd"),
                "reference": self.reference.text(), "note": self.note.text()}

    def set_values(self, values: dict[str, Any]) -> None:
        self.done.setChecked(bool(values.get("done")))
        self.who.setText(str(values.get("who") or ""))
        when = QDate.fromString(str(values.get("done_on") or ""), "yyyy-MM-dd")
        self.on.setDate(when if when.isValid() else QDate.currentDate())
        self.reference.setText(str(values.get("reference") or ""))
        self.note.setText(str(values.get("note") or ""))


class CoordinationPanel(QWidget):
    recorded = Signal(int)  # the request id, after a record is saved

    def __init__(self, repo: Repository, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._repo = repo
        self._request_id: int | None = None
        self._saved: dict[str, dict[str, Any]] = {}
        self.rows = {item: CoordinationRow(item) for item in COORDINATION_ITEMS}
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setAccessibleName("Coordination status")
        grid = QGridLayout()
        for column, header in enumerate(HEADERS):
            grid.addWidget(QLabel(f"<b>{header}</b>"), 0, column)
        for line, row in enumerate(self.rows.values(), start=1):
            for column, widget in enumerate(row.widgets()):
                grid.addWidget(widget, line, column)
            row.save.clicked.connect(lambda _checked=False, item=row.item: self.record(item))
        for column, stretch in ((1, 2), (3, 2), (4, 3)):
            grid.setColumnStretch(column, stretch)
        layout = QVBoxLayout(self)
        layout.addLayout(grid)
        layout.addWidget(self.status)
        layout.addStretch(1)
        self.show_request(None)

    @property
    def draft_key(self) -> str:
        return f"coordination:{self._request_id}"

    def show_request(self, request_id: int | None) -> None:
        self.save_draft()
        self._request_id = request_id
        self._saved = self._repo.coordination_records(request_id) if request_id is not None else {}
        draft = self._repo.load_draft(self.draft_key) if request_id is not None else None
        for item, row in self.rows.items():
            row.set_values((draft or {}).get(item) or self._saved.get(item, {}))
            for widget in row.widgets():
                widget.setEnabled(request_id is not None)
        self.status.setText("Save the request first; then record who was consulted." if request_id is None else
                            ("Restored what you had typed but not recorded." if draft else ""))

    def record(self, item: str) -> None:
        if self._request_id is None:
            return
        values = self.rows[item].values()
        try:
            self._repo.set_coordination(
                self._request_id, item, values["done"], who=values["who"].strip(),
                done_on=date.fromisoformat(values["done_on"]), reference=values["reference"].strip(),
                note=values["note"].strip(),
            )
        except StoreError as error:
            self.status.setText(f"Not recorded. {error}")
            return
        self._saved = self._repo.coordination_records(self._request_id)
        label = COORDINATION_LABELS[item][0]
        self.status.setText(f"Recorded: {label} {'done' if values['done'] else 'not done'}.")
        self.save_draft()
        self.recorded.emit(self._request_id)

    def _typed(self) -> dict[str, dict[str, Any]]:
        """Rows whose typed values differ from what is recorded."""
        typed = {}
        for item, row in self.rows.items():
            values, saved = row.values(), self._saved.get(item)
            recorded = saved and all(values[k] == (saved.get(k) or "") for k in ("who", "reference", "note"))
            if values["done"] != bool(saved and saved.get("done")) or not (recorded or _blank(values)):
                typed[item] = values
        return typed

    def save_draft(self) -> None:
        if self._request_id is None:
            return
        typed = self._typed()
        if typed:
            self._repo.save_draft(self.draft_key, typed)
        else:
            self._repo.discard_draft(self.draft_key)

    def focus_item(self, item: str) -> None:
        row = self.rows.get(item)
        if row is not None:
            row.done.setFocus()

    def clear(self) -> None:
        self._request_id = None
        for row in self.rows.values():
            row.set_values({})


def _blank(values: dict[str, Any]) -> bool:
    return not any(str(values[k]).strip() for k in ("who", "reference", "note"))


def _line(name: str, hint: str) -> QLineEdit:
    field = QLineEdit()
    field.setAccessibleName(name)
    field.setPlaceholderText(hint)
    return field
