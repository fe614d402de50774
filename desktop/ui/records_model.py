"""The records of the open request as a Qt model (SPEC D1): one row a record, named columns."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from desktop.records.store import StoredRecord

Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()
RECORD_ID_ROLE = Qt.ItemDataRole.UserRole + 1


class Column(IntEnum):
    FILE = 0
    PAGES = 1
    SOURCE = 2
    OWNER = 3
    SUBJECTS = 4
    REDACTIONS = 5
    IMPORTED = 6


def _pages(record: StoredRecord) -> str:
    scanned = f" ({record.pages_without_text} without text)" if record.pages_without_text else ""
    return f"{record.page_count}{scanned}"


HEADERS: dict[Column, tuple[str, Callable[[StoredRecord], str]]] = {
    Column.FILE: ("Record", lambda r: r.filename),
    Column.PAGES: ("Pages", _pages),
    Column.SOURCE: ("Source system (§8.1.3)", lambda r: r.source_system),
    Column.OWNER: ("Owner", lambda r: r.owner),
    Column.SUBJECTS: ("Subjects", lambda r: str(len(r.subject_ids)) if r.subject_ids else "none"),
    Column.REDACTIONS: ("Boxes", lambda r: str(r.redactions)),
    Column.IMPORTED: ("Imported (UTC)", lambda r: r.imported_at.replace("T", " ")[:16]),
}


class RecordsModel(QAbstractTableModel):
    def __init__(self) -> None:
        super().__init__()
        self._rows: list[StoredRecord] = []

    def set_records(self, rows: Sequence[StoredRecord]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def clear(self) -> None:
        self.set_records([])

    def record(self, row: int) -> StoredRecord | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, record_id: int) -> int:
        return next((i for i, r in enumerate(self._rows) if r.id == record_id), -1)

    def rowCount(self, parent: Index = _ROOT) -> int:  # noqa: N802 (Qt's name)
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = _ROOT) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(Column)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        record = self.record(index.row()) if index.isValid() else None
        if record is None:
            return None
        if role == RECORD_ID_ROLE:
            return record.id
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return HEADERS[Column(index.column())][1](record)
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() in (Column.PAGES, Column.REDACTIONS):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
                   ) -> Any:  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[Column(section)][0]
        return None
