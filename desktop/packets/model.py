"""The values a packet is built from and the packet that comes out (SPEC P1-P3)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

BATES_DIGITS = 6  # SPEC P1: post prefix + 6 digits, e.g. OTT000001


def bates_label(prefix: str, number: int) -> str:
    return f"{prefix}{number:0{BATES_DIGITS}d}"


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
    """One record as it goes into the packet: a clean PDF, already redacted where it needed to be (SPEC D3)."""

    pdf: bytes = field(repr=False)
    has_redactions: bool = False
    contains_pii: bool = False
    title: str = ""  # how the cover letter names it, e.g. "TECS crossing history"
    record_id: int | None = None  # its row in the store's `records` table; required to finalize


@dataclass(frozen=True)
class PageRange:
    first: int  # 1-based page numbers in the packet
    last: int


@dataclass(frozen=True)
class BuiltPacket:
    """An encrypted packet. The password is shown once and sent by another channel (§8.1.7, fn 27); never stored."""

    encrypted_pdf: bytes = field(repr=False)
    password: str = field(repr=False)
    sha256: str  # of `encrypted_pdf`, the bytes that are sent
    page_count: int
    bates_prefix: str
    bates_first: int
    bates_last: int
    record_pages: tuple[PageRange, ...]  # where each record sits in the packet, in order
    password_bits: float

    @property
    def bates_first_label(self) -> str:
        return bates_label(self.bates_prefix, self.bates_first)

    @property
    def bates_last_label(self) -> str:
        return bates_label(self.bates_prefix, self.bates_last)
