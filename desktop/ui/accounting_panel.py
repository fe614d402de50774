"""The accounting tab (SPEC A1): the open request's DHS-191 entries, printed or corrected; and the Post menu's
"Accounting for an individual…" dialog (552a(c)(3), SPEC A4).

Entries are immutable: "Correct" records a new entry that supersedes the chosen one, with a reason, and both stay
listed. A PDF is written only where the user saves it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from enum import IntEnum
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.accounting import Entry, correct_entry, entries
from desktop.accounting.dhs191_pdf import render_entry_pdf
from desktop.accounting.individual import Individual, disclosures_of, find_individuals, individual_report
from desktop.store import Repository, StoreError
from desktop.store.fileio import atomic_write_bytes
from desktop.ui.correction_notices import CorrectionNoticesDialog
from desktop.ui.onward_panel import OnwardPanel
from desktop.ui.rows_model import RowsModel
from desktop.ui.widgets import rows_table


class Column(IntEnum):
    INDIVIDUAL = 0
    IDENTIFIER = 1
    DISCLOSED = 2
    DISCLOSURE = 3
    RECIPIENT = 4
    B7 = 5
    STATE = 6
    SYNCED = 7


def _state(entry: Entry) -> str:
    if entry.superseded_by:
        return "superseded (corrected)"
    return f"correction: {entry.correction_reason}" if entry.supersedes else "current"


HEADERS: dict[Column, tuple[str, Callable[[Entry], str]]] = {
    Column.INDIVIDUAL: ("Individual", lambda e: e.individual_name),
    Column.IDENTIFIER: ("Identifier", lambda e: e.individual_identifier),
    Column.DISCLOSED: ("Disclosed", lambda e: e.disclosed_on.isoformat()),
    Column.DISCLOSURE: ("Bates range", lambda e: e.disclosure_id),
    Column.RECIPIENT: ("Recipient", lambda e: e.recipient_name),
    Column.B7: ("(b)(7)", lambda e: "yes" if e.b7 else ""),
    Column.STATE: ("State", _state),
    Column.SYNCED: ("Privacy Office", lambda e: "acknowledged" if e.acknowledged_at else "not yet synced"),
}


class EntriesModel(RowsModel[Entry]):
    """DHS-191 entries as rows, oldest first; ID_ROLE gives an entry's UUID."""

    def __init__(self) -> None:
        super().__init__(HEADERS, row_id=lambda e: e.uuid)


def save_pdf(parent: QWidget, title: str, suggested: str, render: Callable[[], bytes]) -> Path | None:
    """Asks where, then renders and writes; nothing touches the disk unless the user chose a file (SPEC S1)."""
    name, _ = QFileDialog.getSaveFileName(parent, title, suggested, "PDF (*.pdf)")
    if not name:
        return None
    path = Path(name)
    atomic_write_bytes(path, render())
    return path


class AccountingPanel(QWidget):
    corrected = Signal(int)  # an entry of this request id was corrected

    def __init__(self, repo: Repository, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._repo = repo
        self._request_id: int | None = None
        self.model = EntriesModel()
        self.table = rows_table(self.model, "DHS-191 entries of this request")
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.print_button = QPushButton("&Print entry…")
        self.print_button.setAccessibleName("Save the selected entry as a DHS-191 PDF")
        self.print_button.clicked.connect(self.print_selected)
        self.correct_button = QPushButton("C&orrect entry…")
        self.correct_button.setAccessibleName("Record a correction that supersedes the selected entry")
        self.correct_button.clicked.connect(self.open_correction)
        self.record_corrected_button = QPushButton("Record correc&ted…")
        self.record_corrected_button.setAccessibleName("A disclosed record was corrected: notify every recipient")
        self.record_corrected_button.clicked.connect(self.open_record_corrected)
        self.notices_dialog: CorrectionNoticesDialog | None = None
        self.onward = OnwardPanel(repo)  # §8.1.5: requests to share a packet further, and CBP's answers
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setAccessibleName("Accounting status")
        self.correction_dialog: CorrectionDialog | None = None
        buttons = QHBoxLayout()
        note = QLabel("One entry per individual whose PII was disclosed (5 U.S.C. 552a(c)(1), §10.2); kept 5 years "
                      "(§10.2.1).")
        note.setWordWrap(True)  # the three buttons beside it fit a laptop screen (section 8)
        buttons.addWidget(note, 1)
        buttons.addWidget(self.print_button)
        buttons.addWidget(self.correct_button)
        buttons.addWidget(self.record_corrected_button)
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status)
        layout.addWidget(self.onward, 1)
        self._update_buttons()

    def show_request(self, request_id: int | None) -> None:
        self._request_id = request_id
        found = entries(self._repo, request_id=request_id) if request_id is not None else []
        self.model.set_rows(found)
        self.onward.show_request(request_id)
        if request_id is not None and not found:
            self.status.setText("No DHS-191 entry yet: entries are made when a packet with PII is finalized.")
        else:
            self.status.clear()
        self._update_buttons()

    def selected(self) -> Entry | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row(rows[0].row()) if rows else None

    def select_row(self, row: int) -> None:
        self.table.selectRow(row)

    def _update_buttons(self, *_: object) -> None:
        entry = self.selected()
        self.print_button.setEnabled(entry is not None)
        self.correct_button.setEnabled(entry is not None and entry.superseded_by is None)
        self.record_corrected_button.setEnabled(self._request_id is not None)

    def print_selected(self) -> Path | None:
        entry = self.selected()
        if entry is None:
            return None
        post = entry.post or self._repo.setting("post_name")
        path = save_pdf(self, "Save the DHS-191 entry", f"DHS-191-{entry.uuid}.pdf",
                        lambda: render_entry_pdf(entry, post, entry.packet_sha256))
        if path is not None:
            self.status.setText(f"Saved {path.name}. It holds personal data: keep it on an encrypted drive.")
        return path

    def open_correction(self) -> CorrectionDialog | None:
        entry = self.selected()
        if entry is None or entry.superseded_by is not None:
            return None
        self.correction_dialog = CorrectionDialog(self._repo, entry, self)
        self.correction_dialog.accepted.connect(self._corrected)
        self.correction_dialog.setModal(True)
        self.correction_dialog.show()
        return self.correction_dialog

    def open_record_corrected(self) -> CorrectionNoticesDialog | None:
        """552a(c)(4): a record of this request that was disclosed was corrected; every recipient is notified."""
        if self._request_id is None:
            return None
        self._close_notices()
        self.notices_dialog = CorrectionNoticesDialog(self._repo, self._request_id, self)
        self.notices_dialog.setModal(True)
        self.notices_dialog.show()
        return self.notices_dialog

    def _close_notices(self) -> None:
        if self.notices_dialog is not None:
            self.notices_dialog.clear()
            self.notices_dialog.reject()
            self.notices_dialog.deleteLater()
            self.notices_dialog = None

    def _corrected(self) -> None:
        dialog = self.correction_dialog
        if dialog is None or dialog.result_entry is None:
            return
        self.show_request(self._request_id)
        self.status.setText(f"Correction recorded as entry {dialog.result_entry.uuid}; the earlier entry is kept, "
                            "marked superseded.")
        if self._request_id is not None:
            self.corrected.emit(self._request_id)

    def clear(self) -> None:
        if self.correction_dialog is not None:
            self.correction_dialog.reject()
            self.correction_dialog.deleteLater()
            self.correction_dialog = None
        self._close_notices()
        self.onward.clear()
        self._request_id = None
        self.model.clear()
        self.status.clear()
        self._update_buttons()


_LABELS = {
    "individual_name": "Name of individual", "individual_identifier": "Identifier",
    "disclosed_on": "Date of disclosure (YYYY-MM-DD)", "nature": "Nature of the records", "purpose": "Purpose",
    "recipient_name": "Recipient", "recipient_address": "Recipient's address", "authority": "Authority",
    "sorn": "SORN", "method": "Method", "disclosing_official": "Disclosing official", "office": "Office",
}


class CorrectionDialog(QDialog):
    """The fields a correction may change, filled with the entry's values, and the reason (kept with it)."""

    def __init__(self, repo: Repository, entry: Entry, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Correct a DHS-191 entry")
        self._repo, self._entry = repo, entry
        self.result_entry: Entry | None = None
        self.fields: dict[str, QLineEdit] = {}
        form = QFormLayout()
        for name, label in _LABELS.items():
            value = getattr(entry, name)
            edit = QLineEdit(value.isoformat() if isinstance(value, date) else str(value))
            edit.setAccessibleName(label)
            self.fields[name] = edit
            form.addRow(label, edit)
        self.b7 = QCheckBox("(b)(7) law-enforcement request: left out of the individual's copy (552a(c)(3))")
        self.b7.setChecked(entry.b7)
        form.addRow("", self.b7)
        self.reason = QPlainTextEdit()
        self.reason.setAccessibleName("Reason for the correction")
        self.reason.setFixedHeight(60)
        form.addRow("Reason (required)", self.reason)
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.problem.setAccessibleName("What stops the correction")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)

    def changes(self) -> dict[str, Any]:
        changed: dict[str, Any] = {}
        for name, edit in self.fields.items():
            text = edit.text().strip()
            value: Any = date.fromisoformat(text) if name == "disclosed_on" else text
            if value != getattr(self._entry, name):
                changed[name] = value
        if self.b7.isChecked() != self._entry.b7:
            changed["b7"] = self.b7.isChecked()
        return changed

    def save(self) -> None:
        try:
            changes = self.changes()
            self.result_entry = correct_entry(self._repo, self._entry.uuid, changes, self.reason.toPlainText())
        except ValueError:
            self.problem.setText("The date of disclosure must read YYYY-MM-DD.")
            return
        except StoreError as error:
            self.problem.setText(str(error))
            return
        self.accept()


class IndividualAccountingDialog(QDialog):
    """552a(c)(3): find a person by name or identifier, see every disclosure, print the report."""

    def __init__(self, repo: Repository, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Accounting for an individual")
        self.resize(900, 520)
        self._repo = repo
        self.search = QLineEdit()
        self.search.setPlaceholderText("Name or identifier (e.g. passport or A-number)")
        self.search.setAccessibleName("Search individuals by name or identifier")
        self.search.textChanged.connect(self.run_search)
        self.people = QListWidget()
        self.people.setAccessibleName("Individuals found")
        self.people.currentItemChanged.connect(self._person_chosen)
        self.model = EntriesModel()
        self.table = rows_table(self.model, "Every disclosure of this individual's records")
        self.for_individual = QCheckBox("&Copy for the individual: leave out (b)(7) law-enforcement disclosures "
                                        "(552a(c)(3))")
        self.for_individual.setChecked(True)
        self.print_button = QPushButton("&Print report…")
        self.print_button.setAccessibleName("Save the accounting for this individual as PDF")
        self.print_button.clicked.connect(self.print_report)
        self.status = QLabel()
        self.status.setWordWrap(True)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        row = QHBoxLayout()
        row.addWidget(self.for_individual, 1)
        row.addWidget(self.print_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.search)
        layout.addWidget(self.people, 1)
        layout.addWidget(self.table, 2)
        layout.addLayout(row)
        layout.addWidget(self.status)
        layout.addWidget(close)
        self._update()

    def run_search(self, text: str | None = None) -> list[Individual]:
        found = find_individuals(self._repo, self.search.text() if text is None else text)
        self.people.clear()
        for person in found:
            b7 = f", {person.b7} under (b)(7)" if person.b7 else ""
            item = QListWidgetItem(f"{person.name} [{person.identifier or 'no identifier'}] - "
                                   f"{person.disclosures} disclosure(s){b7}")
            item.setData(Qt.ItemDataRole.UserRole, person)
            self.people.addItem(item)
        self.model.clear()
        self._update()
        return found

    def chosen(self) -> Individual | None:
        item = self.people.currentItem()
        person = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        return person if isinstance(person, Individual) else None

    def _person_chosen(self, *_: object) -> None:
        person = self.chosen()
        self.model.set_rows(disclosures_of(self._repo, person) if person else [])
        self._update()

    def _update(self) -> None:
        self.print_button.setEnabled(self.chosen() is not None)

    def print_report(self) -> Path | None:
        person = self.chosen()
        if person is None:
            return None
        mine = self.for_individual.isChecked()
        copy = "individual" if mine else "agency"
        path = save_pdf(self, "Save the accounting for an individual", f"accounting-{copy}-copy.pdf",
                        lambda: individual_report(self._repo, person, for_individual=mine))
        if path is not None:
            left_out = f" {person.b7} (b)(7) disclosure(s) left out." if mine and person.b7 else ""
            self.status.setText(f"Saved the {copy} copy as {path.name}.{left_out}")
        return path

    def clear(self) -> None:
        self.search.clear()
        self.people.clear()
        self.model.clear()
