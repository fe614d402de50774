"""The values a packet is built from and the packet that comes out (SPEC P1-P3)."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date
from typing import TYPE_CHECKING

from desktop.documents.bates import BATES_DIGITS as BATES_DIGITS  # SPEC P1; shared with the accounting
from desktop.documents.bates import bates_label as bates_label

if TYPE_CHECKING:
    from desktop.records.model import Box
    from desktop.records.store import RecordToSend

class PacketError(Exception):
    """A packet cannot be built or finalized; `str(error)` says why and what to do."""


@dataclass(frozen=True)
class PacketSettings:
    """The post's side of a packet: who sends it, the Bates prefix, and the letter's date."""

    post_name: str
    bates_prefix: str
    date: date
    business_owner: str = ""  # the letter's cc line (App. A); default: the owner of the source system's records
    doj_contact: str = ""  # MLAT letters: the DOJ OIA point of contact named above the address (§7.3.2.1)
    les_as_lead: bool | None = None  # fn 28: None decides it from the request (see texts.is_lead)


@dataclass(frozen=True)
class PacketRecord:
    """One record as it goes into the packet: the record's PDF and its redaction boxes, applied as the packet is
    built (SPEC D3), or a PDF redacted before (`has_redactions`: the letter then says so)."""

    pdf: bytes = field(repr=False)
    has_redactions: bool = False
    contains_pii: bool = False
    title: str = ""  # how the cover letter names it, e.g. "TECS crossing history"
    record_id: int | None = None  # its row in the store's `records` table; required to finalize
    boxes: tuple[Box, ...] = ()

    @property
    def redacted(self) -> bool:
        return self.has_redactions or bool(self.boxes)

    @classmethod
    def of_stored(cls, record: RecordToSend) -> PacketRecord:
        """A record of the store (desktop.records.store.records_to_send), boxes and all."""
        return cls(record.pdf, contains_pii=record.contains_pii, title=record.title, record_id=record.record_id,
                   boxes=record.boxes)


@dataclass(frozen=True)
class PageRange:
    first: int  # 1-based page numbers in the packet
    last: int


@dataclass(frozen=True)
class RebuiltPage:
    """A record page without redaction boxes that went into the packet as an image, because it held something a
    person looking at it cannot see (SPEC D3): the user is told which and why."""

    record: int  # the record's place in the packet, from 1
    page: int  # in the record, from 1
    bates: str
    reasons: tuple[str, ...]  # e.g. "2 lines of text that cannot be seen on the page (drawn invisible)"

    @property
    def message(self) -> str:
        return f"record {self.record}, page {self.page} ({self.bates}): {'; '.join(self.reasons)}"


@dataclass(frozen=True)
class PacketFacts:
    """What is known of an encrypted packet once written. The password is shown once and sent by another channel
    (§8.1.7, fn 27); never stored."""

    password: str = field(repr=False)
    sha256: str  # of the encrypted file, the bytes that are sent
    page_count: int
    bates_prefix: str
    bates_first: int
    bates_last: int
    record_pages: tuple[PageRange, ...]  # where each record sits in the packet, in order
    password_bits: float
    # Pages rebuilt as images for what could not be seen on them (SPEC D3); the window and the CLI show them.
    rebuilt: tuple[RebuiltPage, ...] = field(default=(), kw_only=True)

    @property
    def bates_first_label(self) -> str:
        return bates_label(self.bates_prefix, self.bates_first)

    @property
    def bates_last_label(self) -> str:
        return bates_label(self.bates_prefix, self.bates_last)


@dataclass(frozen=True)
class BuiltPacket(PacketFacts):
    """An encrypted packet built in memory, to be stored or saved."""

    encrypted_pdf: bytes = field(repr=False)

    @classmethod
    def of(cls, facts: PacketFacts, encrypted_pdf: bytes) -> BuiltPacket:
        return cls(**{f.name: getattr(facts, f.name) for f in fields(PacketFacts)}, encrypted_pdf=encrypted_pdf)
