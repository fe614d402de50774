"""What a finalized packet hands to the DHS-191 accounting (SPEC P3, A1): the packet's hook argument, defined here
so that neither packets nor accounting imports the other for it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from desktop.documents.bates import bates_label
from desktop.requests.model import Request


@dataclass(frozen=True)
class DisclosedRecord:
    record_id: int
    first_page: int  # in the packet, from 1
    last_page: int
    bates_first: int
    bates_last: int
    contains_pii: bool


@dataclass(frozen=True)
class Disclosure:
    """One finalized packet as the DHS-191 accounting sees it (SPEC A1, §10.2, 5 U.S.C. 552a(c)(1))."""

    packet_id: int
    request_id: int
    request: Request
    disclosed_on: date
    post_name: str
    method: str
    bates_prefix: str
    bates_first: int
    bates_last: int
    records: tuple[DisclosedRecord, ...]

    @property
    def bates_range(self) -> str:
        return f"{bates_label(self.bates_prefix, self.bates_first)}-{bates_label(self.bates_prefix, self.bates_last)}"
