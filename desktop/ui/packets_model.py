"""The finalized packets of the open request as a Qt model (SPEC P3): what was sent, newest last."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from desktop.packets.finalize import PacketRow
from desktop.packets.model import bates_label

Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()
PACKET_ID_ROLE = Qt.ItemDataRole.UserRole + 1


class Column(IntEnum):
    PACKET = 0
    FINALIZED = 1
    PAGES = 2
    BATES = 3
    STATE = 4
    SHA256 = 5


def bates_range(row: PacketRow) -> str:
    if row.bates_first is None or row.bates_last is None:
        return ""
    return f"{bates_label(row.bates_prefix, row.bates_first)}–{bates_label(row.bates_prefix, row.bates_last)}"


def _state(row: PacketRow) -> str:
    return f"superseded by #{row.superseded_by}" if row.state == "superseded" else "final (sent as is)"


HEADERS: dict[Column, tuple[str, Callable[[PacketRow], str]]] = {
    Column.PACKET: ("Packet", lambda r: f"#{r.id}"),
    Column.FINALIZED: ("Finalized (UTC)", lambda r: (r.finalized_at or "").replace("T", " ")[:16]),
    Column.PAGES: ("Pages", lambda r: str(r.page_count)),
    Column.BATES: ("Bates range", bates_range),
    Column.STATE: ("State", _state),
    Column.SHA256: ("SHA-256 of the encrypted file", lambda r: r.sha256),
}


class PacketsModel(QAbstractTableModel):
    def __init__(self) -> None:
        super().__init__()
        self._rows: list[PacketRow] = []

    def set_packets(self, rows: Sequence[PacketRow]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def clear(self) -> None:
        self.set_packets([])

    def packet(self, row: int) -> PacketRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def rowCount(self, parent: Index = _ROOT) -> int:  # noqa: N802 (Qt's name)
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = _ROOT) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(Column)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        row = self.packet(index.row()) if index.isValid() else None
        if row is None:
            return None
        if role == PACKET_ID_ROLE:
            return row.id
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return HEADERS[Column(index.column())][1](row)
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == Column.SHA256:
            return "Check the file you send against this: sha256sum on Linux, Get-FileHash on Windows."
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
                   ) -> Any:  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[Column(section)][0]
        return None
