"""Post → Retention and disposition… (§10.2.1, §10.2.2, SPEC T1).

Lists only what is past its retain-until date, each with why it may go; removes the chosen requests, with all of
their disclosures, only after the user ticks the confirmation, and shows the core's refusal as it is (entries the
Privacy Office has not acknowledged, a date not yet passed). Nothing younger can be chosen here, and the core and
the store's triggers refuse it anyway.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from enum import IntEnum

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.accounting.retention import DispositionItem, dispose, dispositions, eligible_for_disposition
from desktop.store import Repository, StoreError
from desktop.ui.rows_model import RowsModel
from desktop.ui.widgets import rows_table


class Column(IntEnum):
    REFERENCE = 0
    KEPT_UNTIL = 1
    WHY = 2
    HOLDS = 3
    PRIVACY_OFFICE = 4


def _why(item: DispositionItem) -> str:
    return f"Retention ended {item.retain_until.isoformat()} (§10.2.1, §10.2.2)"


def _holds(item: DispositionItem) -> str:
    return (f"{item.packets} packet(s), {item.entries} DHS-191 entr{'y' if item.entries == 1 else 'ies'}, "
            f"{item.records} record(s), {item.attachments} attachment(s)")


def _privacy_office(item: DispositionItem) -> str:
    if not item.entries:
        return "no DHS-191 entry"
    if item.unsynced:
        return f"{item.unsynced} entr{'y' if item.unsynced == 1 else 'ies'} not acknowledged: export them first"
    return "every entry acknowledged"


HEADERS: dict[Column, tuple[str, Callable[[DispositionItem], str]]] = {
    Column.REFERENCE: ("Request", lambda i: i.reference),
    Column.KEPT_UNTIL: ("Kept until", lambda i: i.retain_until.isoformat()),
    Column.WHY: ("Why it may go", _why),
    Column.HOLDS: ("What goes with it", _holds),
    Column.PRIVACY_OFFICE: ("Privacy Office copy (§10.2.1)", _privacy_office),
}


class RetentionDialog(QDialog):
    disposed = Signal(list)  # ids of the requests removed

    def __init__(self, repo: Repository, parent: QWidget | None = None,
                 today: Callable[[], date | None] = lambda: None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Retention and disposition")
        self.resize(1000, 520)
        self._repo, self._today = repo, today
        self.model = RowsModel(HEADERS)
        self.table = rows_table(self.model, "Requests past their retention date",
                                QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.confirm = QCheckBox("I &confirm: remove the selected requests, with everything of their disclosures, "
                                 "for good")
        self.confirm.setAccessibleName("Confirm the removal of the selected requests")
        self.confirm.toggled.connect(self._update)
        self.remove_button = QPushButton("&Remove selected")
        self.remove_button.setAccessibleName("Remove the selected requests for good")
        self.remove_button.clicked.connect(self.remove_selected)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setAccessibleName("Retention status")
        self.history = QListWidget()
        self.history.setAccessibleName("Dispositions made earlier")
        self.history.setMaximumHeight(90)
        self._lay_out()
        self.refresh()

    def _lay_out(self) -> None:
        intro = QLabel("What a disclosure leaves (the request, what was provided, the recipient, the reason, the "
                       "DHS-191) is kept five years from the disclosure, or for a record's life when that is "
                       "longer (§10.2.1, §10.2.2). Only what is past that date is listed here; it is removed only on "
                       "your confirmation, and the audit log keeps a record of the removal.")
        intro.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(self.confirm, 1)
        row.addWidget(self.remove_button)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.button(QDialogButtonBox.StandardButton.Close).setAccessibleName("Close retention and disposition")
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)
        layout.addLayout(row)
        layout.addWidget(self.status)
        layout.addWidget(QLabel("Disposed of earlier (references and counts only):"))
        layout.addWidget(self.history)
        layout.addWidget(close)

    def refresh(self) -> list[DispositionItem]:
        items = eligible_for_disposition(self._repo, self._today())
        self.model.set_rows(items)
        self.history.clear()
        for reference, when, who, summary in reversed(dispositions(self._repo)):
            self.history.addItem(f"{reference}, removed {when[:10]} by {who}: {summary}")
        if not items:
            self.status.setText("Nothing is past its retention date: nothing can be removed.")
        self._update()
        return items

    def selected(self) -> list[DispositionItem]:
        rows = sorted(index.row() for index in self.table.selectionModel().selectedRows())
        return [self.model.row(row) for row in rows]

    def select_all(self) -> None:
        self.table.selectAll()

    def _selection_changed(self, *_: object) -> None:
        self.confirm.setChecked(False)  # a confirmation is for the requests it was given for
        self._update()

    def _update(self, *_: object) -> None:
        self.confirm.setEnabled(bool(self.selected()))
        self.remove_button.setEnabled(self.confirm.isChecked() and bool(self.selected()))

    def remove_selected(self) -> int:
        items = self.selected()
        if not items or not self.confirm.isChecked():
            return 0
        try:
            removed = dispose(self._repo, items, confirmed=True)
        except StoreError as error:
            self.confirm.setChecked(False)
            self.status.setText(f"Nothing was removed. {error}")
            return 0
        self.refresh()
        self.status.setText(f"Removed {removed} request(s) with their disclosures: "
                            f"{', '.join(i.reference for i in items)}. The audit log records the disposition.")
        self.disposed.emit([i.request_id for i in items])
        return removed

    def clear(self) -> None:
        self.model.clear()
        self.history.clear()
        self.status.clear()
        self.confirm.setChecked(False)
