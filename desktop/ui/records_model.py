"""The records of the open request as a Qt model (SPEC D1): one row a record, named columns."""

from __future__ import annotations

from collections.abc import Callable
from enum import IntEnum
from typing import Any

from PySide6.QtCore import Qt

from desktop.records.store import StoredRecord
from desktop.ui.rows_model import RowsModel


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


class RecordsModel(RowsModel[StoredRecord]):
    """ID_ROLE gives a record's id; the counts are right-aligned."""

    def __init__(self) -> None:
        super().__init__(HEADERS, row_id=lambda r: r.id)

    def role_data(self, row: StoredRecord, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (Column.PAGES, Column.REDACTIONS):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None
