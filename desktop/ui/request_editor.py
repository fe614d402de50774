"""The request editor: the §8.1.1.1 facts of one request, with typed input kept as a draft.

Typed but unsaved text is written to the encrypted store as a draft a moment after each change and when the
store locks, so nothing typed is lost to the idle lock, a crash or a restart (issue 2).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.requests.model import Request, RequestingAuthority
from desktop.store import Repository, StoreError

NEW = "new"
DRAFT_DELAY_MS = 1500


class RequestEditor(QWidget):
    saved = Signal(int)

    def __init__(self, repo: Repository, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._repo = repo
        self._request_id: int | None = None
        self._base = Request()
        self._loading = False
        self._build()
        self._draft_timer = QTimer(self, singleShot=True, interval=DRAFT_DELAY_MS)
        self._draft_timer.timeout.connect(self.save_draft)
        self.open_new()

    def _build(self) -> None:
        self.heading = QLabel()
        self.reference = _line("Reference", "the post's own number; left empty, one is given")
        self.authority = _line("Requesting authority", "agency or entity requesting (§8.1.1.1)")
        self.country = _line("Country", "two-letter code, e.g. CA or MX")
        self.country.setMaxLength(2)
        self.information = _text("Information requested", "the specific information requested (§8.1.1.1)")
        self.reason = _text("Reason", "why, and how it supports their official duties (§8.1.1.1)")
        self.deliver_to = _line("Deliver to", "where the information should be sent (§8.1.1.1)")
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setAccessibleName("Editor status")
        self.save_button = QPushButton("&Save request")
        self.save_button.setAccessibleName("Save request")
        form = QFormLayout()
        form.addRow("&Reference", self.reference)
        form.addRow("Requesting &authority", self.authority)
        form.addRow("&Country", self.country)
        form.addRow("&Information requested", self.information)
        form.addRow("R&eason", self.reason)
        form.addRow("&Deliver to", self.deliver_to)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addLayout(form)
        layout.addWidget(self.save_button)
        layout.addWidget(self.status)
        layout.addStretch(1)
        for field in self._fields().values():
            signal = field.textChanged
            signal.connect(self._changed)
        self.save_button.clicked.connect(self.save)

    def _fields(self) -> dict[str, QLineEdit | QPlainTextEdit]:
        return {
            "reference": self.reference,
            "authority": self.authority,
            "country": self.country,
            "information_requested": self.information,
            "reason": self.reason,
            "deliver_to": self.deliver_to,
        }

    @property
    def request_id(self) -> int | None:
        return self._request_id

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
        values = _values_of(request)
        draft = self._repo.load_draft(self.draft_key)
        self._show(draft or values)
        self.heading.setText(f"<h3>{'New request' if request_id is None else request.reference}</h3>")
        self.status.setText("Restored what you had typed but not saved." if draft else "")

    def _show(self, values: dict[str, str]) -> None:
        self._loading = True
        for name, field in self._fields().items():
            text = values.get(name, "")
            field.setPlainText(text) if isinstance(field, QPlainTextEdit) else field.setText(text)
        self._loading = False

    def _current(self) -> dict[str, str]:
        return {
            name: field.toPlainText() if isinstance(field, QPlainTextEdit) else field.text()
            for name, field in self._fields().items()
        }

    def _changed(self, *_args: Any) -> None:
        if not self._loading:
            self._draft_timer.start()

    def has_unsaved_input(self) -> bool:
        return self._current() != _values_of(self._base)

    def save_draft(self) -> None:
        """Keeps what is typed (encrypted, in the store); drops the draft when it equals what is saved."""
        self._draft_timer.stop()
        if self.has_unsaved_input():
            self._repo.save_draft(self.draft_key, self._current())
        else:
            self._repo.discard_draft(self.draft_key)

    def save(self) -> None:
        request = _apply(self._base, self._current())
        try:
            if self._request_id is None:
                request_id = self._repo.add_request(request)
            else:
                self._repo.update_request(self._request_id, request)
                request_id = self._request_id
        except StoreError as error:
            self.status.setText(str(error))
            return
        self._repo.discard_draft(self.draft_key)
        self._open(request_id, self._repo.get_request(request_id).request)
        self.status.setText(f"Saved {date.today().isoformat()}.")
        self.saved.emit(request_id)

    def clear(self) -> None:
        """Empties every field without touching the draft (used on lock, after the draft is saved)."""
        self._draft_timer.stop()
        self._show({})
        self.heading.clear()
        self.status.clear()


def _values_of(request: Request) -> dict[str, str]:
    authority = request.requesting_authority or RequestingAuthority()
    return {
        "reference": request.reference,
        "authority": authority.name,
        "country": authority.country,
        "information_requested": request.information_requested,
        "reason": request.reason,
        "deliver_to": request.deliver_to,
    }


def _apply(base: Request, values: dict[str, str]) -> Request:
    authority = base.requesting_authority or RequestingAuthority()
    authority = replace(authority, name=values["authority"].strip(), country=values["country"].strip().upper())
    return replace(
        base,
        reference=values["reference"].strip(),
        requesting_authority=authority if (authority.name or authority.country) else base.requesting_authority,
        information_requested=values["information_requested"],
        reason=values["reason"],
        deliver_to=values["deliver_to"].strip(),
    )


def _line(name: str, hint: str) -> QLineEdit:
    field = QLineEdit()
    field.setAccessibleName(name)
    field.setPlaceholderText(hint)
    return field


def _text(name: str, hint: str) -> QPlainTextEdit:
    field = QPlainTextEdit()
    field.setAccessibleName(name)
    field.setPlaceholderText(hint)
    field.setTabChangesFocus(True)
    field.setMaximumHeight(90)
    return field
