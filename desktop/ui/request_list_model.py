"""The request list as a Qt model that fetches pages from the database on demand (SPEC section 8).

Never a QStandardItemModel filled up front: with 20,000 requests only the rows the view asks for are read.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from desktop.store import Repository, RequestQuery, RequestRow

# Rows read at a time: more than a 1366x768 screen shows (about 30), so the list opens full; Qt asks for the next page
# (fetchMore) as the user scrolls. Each row costs a decrypted page or two, so the first page is kept small (issue 15).
PAGE = 50
Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()  # Qt's "no parent"; a shared default is safe because it is never mutated


class Column(IntEnum):
    REFERENCE = 0
    AUTHORITY = 1
    COUNTRY = 2
    RECEIVED = 3
    NEEDED_BY = 4
    OUTCOME = 5
    STEP = 6


HEADERS = {
    Column.REFERENCE: ("Reference", "reference"),
    Column.AUTHORITY: ("Authority", "authority"),
    Column.COUNTRY: ("Country", "country"),
    Column.RECEIVED: ("Received", "received_on"),
    Column.NEEDED_BY: ("Needed by", "needed_by"),
    Column.OUTCOME: ("Outcome", "outcome"),
    Column.STEP: ("Step", "step"),
}

REQUEST_ID_ROLE = Qt.ItemDataRole.UserRole + 1
_ROLES = frozenset({int(REQUEST_ID_ROLE), int(Qt.ItemDataRole.DisplayRole), int(Qt.ItemDataRole.AccessibleTextRole)})


def _today() -> str:
    return date.today().isoformat()


class RequestListModel(QAbstractTableModel):
    def __init__(self, repo: Repository) -> None:
        super().__init__()
        self._repo = repo
        self._query = RequestQuery(limit=PAGE)
        self._rows: list[RequestRow] = []
        self._total: int | None = 0
        self._more = False
        self.reload()

    @property
    def query(self) -> RequestQuery:
        return self._query

    def set_query(self, query: RequestQuery) -> None:
        self._query = replace(query, limit=PAGE, offset=0)
        self.reload()

    def reload(self) -> None:
        """The first page only: what it costs does not grow with the store (issue 15). The total is counted when
        first asked for (the line under the list, shown a moment after the rows)."""
        self.beginResetModel()
        self._rows, self._more = self._page(0)
        self._total = None
        self.endResetModel()

    def _page(self, offset: int) -> tuple[list[RequestRow], bool]:
        """A page from `offset`, and whether there is more after it (one row more is read to know)."""
        rows = self._repo.list_requests(replace(self._query, offset=offset, limit=PAGE + 1))
        return rows[:PAGE], len(rows) > PAGE

    def clear(self) -> None:
        """Forget every row (on lock): nothing of the requests stays in memory for the view to show."""
        self.beginResetModel()
        self._rows, self._total, self._more = [], 0, False
        self.endResetModel()

    def total(self) -> int:
        if self._total is None:
            self._total = self._repo.count_requests(self._query)
        return self._total

    def rowCount(self, parent: Index = _ROOT) -> int:  # noqa: N802 (Qt's name)
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = _ROOT) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(Column)

    def canFetchMore(self, parent: Index = _ROOT) -> bool:  # noqa: N802
        return not parent.isValid() and self._more

    def fetchMore(self, parent: Index = _ROOT) -> None:  # noqa: N802
        if parent.isValid():
            return
        more, self._more = self._page(len(self._rows))
        if not more:
            return
        self.beginInsertRows(QModelIndex(), len(self._rows), len(self._rows) + len(more) - 1)
        self._rows.extend(more)
        self.endInsertRows()

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # The role first, against plain ints: sizing the columns to their contents asks each cell for a dozen
        # roles this model does not have (7,200 calls for the first page; issue 15), so those return at once.
        if role not in _ROLES:
            return None
        number = index.row()
        if not index.isValid() or number >= len(self._rows):
            return None
        row = self._rows[number]
        if role == REQUEST_ID_ROLE:
            return row.id
        column = index.column()
        value = getattr(row, HEADERS[Column(column)][1])
        if column == Column.NEEDED_BY and value and row.status == "open" and value < _today():
            return f"{value} — overdue"
        return "" if value is None else str(value).replace("_", " ")

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
                   ) -> Any:  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[Column(section)][0]
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        key, descending = HEADERS[Column(column)][1], order == Qt.SortOrder.DescendingOrder
        if (key, descending) != (self._query.order_by, self._query.descending):
            self.set_query(replace(self._query, order_by=key, descending=descending))

    def countries(self) -> list[str]:
        return self._repo.request_countries()

    def data_for_tests(self) -> list[RequestRow]:
        return list(self._rows)

    def request_id(self, row: int) -> int | None:
        return self._rows[row].id if 0 <= row < len(self._rows) else None
