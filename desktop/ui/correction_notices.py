"""The accounting tab's "Record corrected…" (5 U.S.C. 552a(c)(4), SPEC A4): a record of the open request that was
disclosed is noted as corrected, and every recipient who received it gets a drafted notice, shown one at a time
with Copy and "Save as text…". The notices are sent by the user; nothing leaves from here.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.accounting.disclosed import DisclosedRecord, disclosed_records
from desktop.accounting.notices import CorrectionNotice, draft_correction_notices, mark_corrected, recipients_of
from desktop.store import Repository, StoreError
from desktop.ui.draft_text import DraftText
from desktop.ui.past_date import as_date, past_date_box

ITEM_ROLE = Qt.ItemDataRole.UserRole + 1


class CorrectionNoticesDialog(QDialog):
    corrected = Signal(int)  # record id

    def __init__(self, repo: Repository, request_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Record corrected: notify every recipient")
        self.resize(900, 600)
        self._repo, self._request_id = repo, request_id
        self.notices: list[CorrectionNotice] = []
        self.records = QListWidget()
        self.records.setAccessibleName("Records of this request that were disclosed")
        self.records.currentItemChanged.connect(self._record_chosen)
        self.records.setMaximumHeight(110)
        self.corrected_on = past_date_box("Date the record was corrected")
        self.correction = QPlainTextEdit()
        self.correction.setAccessibleName("What was corrected")
        self.correction.setPlaceholderText("What was wrong and what it now reads; each recipient is told this")
        self.correction.setFixedHeight(70)
        self.record_button = QPushButton("Record the correction and &draft the notices")
        self.record_button.setAccessibleName("Record the correction and draft a notice to every recipient")
        self.record_button.clicked.connect(self.record)
        self.recipients = QListWidget()
        self.recipients.setAccessibleName("Recipients who received the record")
        self.recipients.currentRowChanged.connect(self._recipient_chosen)
        self.notice = DraftText("Correction notice to the selected recipient")
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setAccessibleName("Correction status")
        self._lay_out()
        self.reload()

    def _lay_out(self) -> None:
        form = QFormLayout()
        form.addRow("&Record", self.records)
        form.addRow("&Corrected on", self.corrected_on)
        form.addRow("&What was corrected", self.correction)
        row = QHBoxLayout()
        row.addWidget(self.status, 1)
        row.addWidget(self.record_button)
        lower = QHBoxLayout()
        recipients = QVBoxLayout()
        recipients.addWidget(QLabel("Who received it (552a(c)(4)):"))
        recipients.addWidget(self.recipients, 1)
        lower.addLayout(recipients, 1)
        lower.addWidget(self.notice, 2)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.button(QDialogButtonBox.StandardButton.Close).setAccessibleName("Close the correction notices")
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(row)
        layout.addLayout(lower, 1)
        layout.addWidget(close)

    def reload(self) -> None:
        self.records.clear()
        for found in disclosed_records(self._repo, self._request_id):
            corrected = f", corrected {found.corrected_on}" if found.corrected_on else ""
            item = QListWidgetItem(f"{found.filename} (in {found.packets} packet(s){corrected})")
            item.setData(ITEM_ROLE, found)
            self.records.addItem(item)
        if self.records.count():
            self.records.setCurrentRow(0)
        else:
            self.status.setText("No record of this request was disclosed: there is nobody to notify.")
        self._update()

    def chosen(self) -> DisclosedRecord | None:
        item = self.records.currentItem()
        found = item.data(ITEM_ROLE) if item is not None else None
        return found if isinstance(found, DisclosedRecord) else None

    def select_record(self, record_id: int) -> None:
        for row in range(self.records.count()):
            found = self.records.item(row).data(ITEM_ROLE)
            if isinstance(found, DisclosedRecord) and found.id == record_id:
                self.records.setCurrentRow(row)

    def _record_chosen(self, *_: object) -> None:
        """Before the correction is recorded: who would be told."""
        self.notices = []
        self.notice.clear()
        self.recipients.clear()
        chosen = self.chosen()
        for each in recipients_of(self._repo, chosen.id) if chosen else []:
            self.recipients.addItem(f"{each.name}, {each.address} ({len(each.deliveries)} disclosure(s))")
        self._update()

    def _update(self) -> None:
        self.record_button.setEnabled(self.chosen() is not None)

    def record(self) -> list[CorrectionNotice]:
        chosen = self.chosen()
        if chosen is None:
            return []
        text = self.correction.toPlainText()
        try:
            # Drafted first: a correction without its description is refused before anything is written.
            notices = draft_correction_notices(self._repo, chosen.id, text)
            mark_corrected(self._repo, chosen.id, as_date(self.corrected_on.date()))
        except StoreError as error:
            self.status.setText(f"Not recorded. {error}")
            return []
        self.notices = notices
        self.recipients.clear()
        for notice in notices:
            self.recipients.addItem(f"{notice.recipient.name}, {notice.recipient.address}")
        self.recipients.setCurrentRow(0)
        item = self.records.currentItem()
        if item is not None:
            item.setText(f"{chosen.filename} (in {chosen.packets} packet(s), corrected "
                         f"{self.corrected_on.date().toString('yyyy-MM-dd')})")
        self.status.setText(f"Correction of {chosen.filename} recorded; {len(notices)} notice(s) drafted, one per "
                            "recipient. Send each; they are not sent from here.")
        self.corrected.emit(chosen.id)
        return notices

    def _recipient_chosen(self, row: int) -> None:
        if 0 <= row < len(self.notices):
            self.notice.set_text(self.notices[row].text, f"correction-notice-{row + 1}.txt")

    def clear(self) -> None:
        self.notice.clear()
        self.notices = []
        self.recipients.clear()
        self.records.clear()
        self.correction.clear()
        self.status.clear()
