"""Onward disclosure permissions, in the accounting tab (§8.1.5, §10.1.1, SPEC I2).

What CBP provided may go to no other party without CBP's prior express written permission. The panel lists the
foreign authority's written requests to share a packet of the open request further, and CBP's written answer to
each; an answer is recorded once (a new request from the authority is a new line).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from enum import IntEnum
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.accounting.onward import (
    OnwardPermission,
    OnwardRequest,
    permissions_for,
    record_onward_answer,
    record_onward_request,
)
from desktop.packets.finalize import PacketRow, list_packets
from desktop.store import Repository, StoreError
from desktop.ui.packets_model import bates_range
from desktop.ui.past_date import as_date, past_date_box
from desktop.ui.rows_model import RowsModel
from desktop.ui.widgets import rows_table

MAX_DOCUMENT_BYTES = 50 * 1024 * 1024  # a scanned letter or an e-mail; not a records dump
DECISIONS = (("granted", "Granted"), ("denied", "Refused"))
LETTER_FILTER = "Letters and e-mails (*.pdf *.eml *.msg *.txt *.png *.jpg);;All files (*)"


class Column(IntEnum):
    ASKED_ON = 0
    ASKED_BY = 1
    SHARE_WITH = 2
    PURPOSE = 3
    PACKET = 4
    DECISION = 5
    DECIDED_ON = 6
    ANSWERED_BY = 7
    ANSWER = 8


def _decision(permission: OnwardPermission) -> str:
    return {"pending": "awaiting CBP's answer", "granted": "granted", "denied": "refused"}.get(
        permission.decision, permission.decision)


HEADERS: dict[Column, tuple[str, Callable[[OnwardPermission], str]]] = {
    Column.ASKED_ON: ("Asked on", lambda p: p.asked_on),
    Column.ASKED_BY: ("Asked by", lambda p: p.asked_by),
    Column.SHARE_WITH: ("To share with", lambda p: p.third_party),
    Column.PURPOSE: ("What and why", lambda p: p.purpose),
    Column.PACKET: ("Packet", lambda p: f"#{p.packet_id}" if p.packet_id is not None else ""),
    Column.DECISION: ("CBP's answer", _decision),
    Column.DECIDED_ON: ("Answered on", lambda p: p.decided_on or ""),
    Column.ANSWERED_BY: ("By", lambda p: p.answered_by),
    Column.ANSWER: ("Written answer, reference", lambda p: p.answer),
}


def _line(name: str, placeholder: str = "") -> QLineEdit:
    edit = QLineEdit()
    edit.setAccessibleName(name)
    edit.setPlaceholderText(placeholder)
    return edit


class _DocumentDialog(QDialog):
    """A small form with an optional attached letter (kept in the store with the permission), Save and Cancel."""

    def __init__(self, title: str, document_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.document: bytes | None = None
        self.form = QFormLayout()
        self.attach_button = QPushButton(f"A&ttach {document_name}…")
        self.attach_button.setAccessibleName(f"Attach {document_name} (kept encrypted in the store)")
        self.attach_button.clicked.connect(self.attach)
        self.attached = QLabel("No document attached.")
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.problem.setTextFormat(Qt.TextFormat.PlainText)
        self.problem.setAccessibleName("What stops saving")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Save).setAccessibleName(f"Save: {title}")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setAccessibleName("Cancel")
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        row = QHBoxLayout()
        row.addWidget(self.attached, 1)
        row.addWidget(self.attach_button)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addLayout(row)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)

    def attach(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, self.attach_button.accessibleName(), "", LETTER_FILTER)
        if not name:
            return
        path = Path(name)
        try:
            with open(path, "rb") as handle:
                data = handle.read(MAX_DOCUMENT_BYTES + 1)
        except OSError as error:
            self.problem.setText(f"{path.name} cannot be read ({error.strerror}).")
            return
        if len(data) > MAX_DOCUMENT_BYTES:
            self.problem.setText(f"{path.name} is larger than 50 MB; attach the letter itself.")
            return
        self.document = data
        self.attached.setText(f"Attached {path.name} ({len(data):,} bytes).")

    def save(self) -> None:
        try:
            self.record()
        except StoreError as error:
            self.problem.setText(f"Not saved. {error}")
            return
        self.accept()

    def record(self) -> None:
        raise NotImplementedError


class OnwardRequestDialog(_DocumentDialog):
    """The foreign authority's written request to share a packet further (§8.1.5)."""

    def __init__(self, repo: Repository, packets: Sequence[PacketRow], parent: QWidget | None = None) -> None:
        super().__init__("Request to share further", "their written request", parent)
        self._repo = repo
        self.permission_id: int | None = None
        self.packet = QComboBox()
        self.packet.setAccessibleName("Packet they want to share")
        for row in reversed(packets):  # the newest, usually the one in force, first
            state = "" if row.state == "final" else f", superseded by #{row.superseded_by}"
            self.packet.addItem(f"#{row.id}, {(row.finalized_at or '')[:10]}, {bates_range(row)}{state}", row.id)
        self.asked_on = past_date_box("Date of their written request")
        self.asked_by = _line("Who asked", "name and position at the foreign authority")
        self.third_party = _line("To whom they want to give it", "the other agency or authority")
        self.purpose = QPlainTextEdit()
        self.purpose.setAccessibleName("What they want to share, and why")
        self.purpose.setFixedHeight(70)
        for label, widget in (("&Packet", self.packet), ("&Dated", self.asked_on), ("Asked &by", self.asked_by),
                              ("To &whom", self.third_party), ("&What and why", self.purpose)):
            self.form.addRow(label, widget)

    def record(self) -> None:
        self.permission_id = record_onward_request(self._repo, OnwardRequest(
            packet_id=int(self.packet.currentData()), asked_on=as_date(self.asked_on.date()),
            asked_by=self.asked_by.text(), third_party=self.third_party.text(),
            purpose=self.purpose.toPlainText(), document=self.document))


class OnwardAnswerDialog(_DocumentDialog):
    """CBP's written answer (§10.1.1: express prior written permission), recorded once."""

    def __init__(self, repo: Repository, permission: OnwardPermission, parent: QWidget | None = None) -> None:
        super().__init__("CBP's written answer", "CBP's letter", parent)
        self._repo, self._permission = repo, permission
        asked = QLabel(f"{permission.asked_by} asked on {permission.asked_on} to share with "
                       f"{permission.third_party}: {permission.purpose}")
        asked.setWordWrap(True)
        asked.setTextFormat(Qt.TextFormat.PlainText)
        self.decision = QComboBox()
        self.decision.setAccessibleName("CBP's decision")
        for value, text in DECISIONS:
            self.decision.addItem(text, value)
        self.decided_on = past_date_box("Date of CBP's written answer")
        self.answered_by = _line("Answered by", "the CBP official who signed the answer")
        self.answer = _line("Reference of the written answer", "letter or e-mail reference, and its terms")
        for label, widget in (("Request", asked), ("&Decision", self.decision), ("&Dated", self.decided_on),
                              ("Answered &by", self.answered_by), ("&Reference", self.answer)):
            self.form.addRow(label, widget)

    def record(self) -> None:
        record_onward_answer(self._repo, self._permission.id, str(self.decision.currentData()),
                             as_date(self.decided_on.date()), self.answer.text(), self.answered_by.text(),
                             document=self.document)


class OnwardPanel(QGroupBox):
    recorded = Signal(int)  # request id

    def __init__(self, repo: Repository, parent: QWidget | None = None) -> None:
        super().__init__("Onward disclosure permissions (§8.1.5, §10.1.1)", parent)
        self._repo = repo
        self._request_id: int | None = None
        self._packets: list[PacketRow] = []
        self.dialog: _DocumentDialog | None = None
        self.model = RowsModel(HEADERS)
        self.table = rows_table(self.model, "Requests to share further, and CBP's answers")
        self.table.selectionModel().selectionChanged.connect(self._update)
        self.ask_button = QPushButton("Record a re&quest to share…")
        self.ask_button.setAccessibleName("Record the foreign authority's written request to share further")
        self.ask_button.clicked.connect(self.open_request)
        self.answer_button = QPushButton("Record CBP's a&nswer…")
        self.answer_button.setAccessibleName("Record CBP's written answer to the selected request")
        self.answer_button.clicked.connect(self.open_answer)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setAccessibleName("Onward disclosure status")
        row = QHBoxLayout()
        row.addWidget(self.status, 1)
        row.addWidget(self.ask_button)
        row.addWidget(self.answer_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addLayout(row)
        self._update()

    def show_request(self, request_id: int | None) -> None:
        self._request_id = request_id
        self._packets = list_packets(self._repo, request_id) if request_id is not None else []
        self.model.set_rows(permissions_for(self._repo, request_id) if request_id is not None else [])
        self.status.setText("" if self._packets or request_id is None else
                            "Nothing was sent yet: a request to share further concerns a finalized packet.")
        self._update()

    def selected(self) -> OnwardPermission | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row(rows[0].row()) if rows else None

    def _update(self, *_: object) -> None:
        chosen = self.selected()
        self.ask_button.setEnabled(bool(self._packets))
        self.answer_button.setEnabled(chosen is not None and chosen.decision == "pending")

    def open_request(self) -> OnwardRequestDialog | None:
        if not self._packets:
            return None
        dialog = OnwardRequestDialog(self._repo, self._packets, self)
        self._open(dialog)
        return dialog

    def open_answer(self) -> OnwardAnswerDialog | None:
        chosen = self.selected()
        if chosen is None or chosen.decision != "pending":
            return None
        dialog = OnwardAnswerDialog(self._repo, chosen, self)
        self._open(dialog)
        return dialog

    def _open(self, dialog: _DocumentDialog) -> None:
        self._close_dialog()
        self.dialog = dialog
        dialog.accepted.connect(self._saved)
        dialog.setModal(True)
        dialog.show()

    def _saved(self) -> None:
        if self._request_id is None:
            return
        self.show_request(self._request_id)
        self.status.setText("Recorded. The information may go to no other party without CBP's prior express "
                            "written permission (§10.1.1).")
        self.recorded.emit(self._request_id)

    def _close_dialog(self) -> None:
        if self.dialog is not None:
            self.dialog.reject()
            self.dialog.deleteLater()
            self.dialog = None

    def clear(self) -> None:
        self._close_dialog()
        self._request_id = None
        self._packets = []
        self.model.clear()
        self.status.clear()
        self._update()
