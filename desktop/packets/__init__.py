"""Packets (SPEC P1-P3): coversheet, App. A cover letter, App. B marked and Bates-numbered records, encrypted.

    built = build_packet(request, records, settings, bates_first, control)      # nothing stored
    done = finalize_packet(repo, request_id, records, control=control)          # numbered and stored
    done.built.password                                                          # shown once, sent apart

Templates and markings are text files in resources/templates/ and resources/markings/. The builder and finalize
modules (pypdf, reportlab: about 0.3 s to import) load on first use, so that the command line and the window start
without them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from desktop.packets.gate import PacketRefused, refuse_unless_ready
from desktop.packets.model import BuiltPacket, PacketError, PacketRecord, PacketSettings, PageRange, bates_label

if TYPE_CHECKING:
    from desktop.packets.builder import build_packet
    from desktop.packets.eml import eml_draft
    from desktop.packets.finalize import (
        AccountingHook,
        DisclosedRecord,
        Disclosure,
        FinalizedPacket,
        PacketRow,
        finalize_packet,
        list_packets,
        next_bates,
        packet_content,
        post_settings,
    )

_LAZY = {
    "build_packet": "desktop.packets.builder",
    "eml_draft": "desktop.packets.eml",
    **{name: "desktop.packets.finalize" for name in (
        "AccountingHook", "DisclosedRecord", "Disclosure", "FinalizedPacket", "PacketRow", "finalize_packet",
        "list_packets", "next_bates", "packet_content", "post_settings")},
}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'desktop.packets' has no attribute {name!r}")
    return getattr(importlib.import_module(_LAZY[name]), name)


__all__ = [
    "AccountingHook",
    "BuiltPacket",
    "DisclosedRecord",
    "Disclosure",
    "FinalizedPacket",
    "PacketError",
    "PacketRecord",
    "PacketRefused",
    "PacketRow",
    "PacketSettings",
    "PageRange",
    "bates_label",
    "build_packet",
    "eml_draft",
    "finalize_packet",
    "list_packets",
    "next_bates",
    "packet_content",
    "post_settings",
    "refuse_unless_ready",
]
