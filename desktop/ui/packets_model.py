"""The finalized packets of the open request as a Qt model (SPEC P3): what was sent, newest last."""

from __future__ import annotations

from collections.abc import Callable
from enum import IntEnum
from typing import Any

from PySide6.QtCore import Qt

from desktop.packets.finalize import PacketRow
from desktop.packets.model import bates_label
from desktop.ui.rows_model import RowsModel


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


class PacketsModel(RowsModel[PacketRow]):
    """ID_ROLE gives a packet's id; the SHA-256 column's tooltip says how to check a file against it."""

    def __init__(self) -> None:
        super().__init__(HEADERS, row_id=lambda r: r.id)

    def role_data(self, row: PacketRow, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.ToolTipRole and column == Column.SHA256:
            return "Check the file you send against this: sha256sum on Linux, Get-FileHash on Windows."
        return None
