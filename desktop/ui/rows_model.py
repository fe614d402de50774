"""A list of rows read whole from the store as a Qt table model: one row a line, named columns.

The packets, records, DHS-191 entries, onward permissions and dispositions of a request are each a short list; their
modules name the columns (a header and the text a row shows there) and this model shows them. The request list is
not one of them: it is paged from the database (request_list_model).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

T = TypeVar("T")
K = TypeVar("K", bound=int)
Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()  # Qt's "no parent"; a shared default is safe because it is never mutated
ID_ROLE = Qt.ItemDataRole.UserRole + 1
_TEXT_ROLES = (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole)  # screen readers hear what is shown


class RowsModel(QAbstractTableModel, Generic[T]):
    """`columns` maps each column number to its header and the text a row shows there. With `row_id`, ID_ROLE gives
    a row's id (what selection code reads back) and row_of finds a row by it."""

    def __init__(self, columns: Mapping[K, tuple[str, Callable[[T], str]]],
                 row_id: Callable[[T], object] | None = None) -> None:
        super().__init__()
        self._columns = [columns[number] for number in sorted(columns)]
        self._row_id = row_id
        self._rows: list[T] = []

    def set_rows(self, rows: Sequence[T]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def clear(self) -> None:
        self.set_rows([])

    def row(self, line: int) -> T:
        return self._rows[line]

    def row_of(self, row_id: object) -> int:
        """The line of the row with this id, or -1."""
        get_id = self._row_id
        if get_id is None:
            return -1
        return next((i for i, row in enumerate(self._rows) if get_id(row) == row_id), -1)

    def rowCount(self, parent: Index = _ROOT) -> int:  # noqa: N802 (Qt's name)
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = _ROOT) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        if role in _TEXT_ROLES:
            return self._columns[index.column()][1](row)
        if role == ID_ROLE and self._row_id is not None:
            return self._row_id(row)
        return self.role_data(row, index.column(), role)

    def role_data(self, row: T, column: int, role: int) -> Any:
        """What a row gives in a role other than its text and its id: nothing, unless a subclass says so."""
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self._columns[section][0]
        return None
