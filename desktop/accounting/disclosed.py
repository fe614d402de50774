"""What left the post, as the window offers it to choose from: the packets sent (an incident names one, §11) and
a request's records that went out (a correction notice follows one, 552a(c)(4))."""

from __future__ import annotations

from dataclasses import dataclass

from desktop.documents import bates_label
from desktop.store.repository import Repository

PICK_LIMIT = 5000  # five years of a post's packets; the newest first


@dataclass(frozen=True)
class SentPacket:
    id: int
    request_id: int
    reference: str
    authority: str  # the requesting authority as the request names it
    country: str
    finalized_on: str
    bates: str
    state: str  # final, superseded (a superseded packet was sent too)

    def label(self) -> str:
        superseded = ", superseded" if self.state == "superseded" else ""
        return (f"#{self.id} {self.reference}, {self.finalized_on}, {self.bates}{superseded} - "
                f"{self.authority or '(authority not recorded)'}")


@dataclass(frozen=True)
class DisclosedRecord:
    id: int
    filename: str
    packets: int  # packets that carried it, or the same document for another request
    corrected_on: str | None


def sent_packets(repo: Repository, limit: int = PICK_LIMIT) -> list[SentPacket]:
    """Every finalized packet, newest first."""
    with repo.read() as conn:
        rows = conn.execute(
            "SELECT p.id, p.request_id, q.reference, q.requesting_authority_name, q.requesting_authority_country, "
            "substr(p.finalized_at, 1, 10), p.bates_prefix, p.bates_first, p.bates_last, p.state FROM packets p "
            "JOIN requests q ON q.id = p.request_id WHERE p.finalized_at IS NOT NULL ORDER BY p.id DESC LIMIT ?",
            (limit,),
        ).fetchall()
    return [SentPacket(int(pid), int(rid), str(ref), str(name or ""), str(country or ""), str(on or ""),
                       _bates(str(prefix or ""), first, last), str(state))
            for pid, rid, ref, name, country, on, prefix, first, last, state in rows]


def _bates(prefix: str, first: int | None, last: int | None) -> str:
    if first is None or last is None:
        return "(no Bates numbers)"
    return f"{bates_label(prefix, first)}-{bates_label(prefix, last)}"


def disclosed_records(repo: Repository, request_id: int) -> list[DisclosedRecord]:
    """The request's records that a packet carried (the same document counts, as in notices.recipients_of)."""
    with repo.read() as conn:
        rows = conn.execute(
            "SELECT r.id, r.filename, (SELECT count(DISTINCT pr.packet_id) FROM packet_records pr JOIN records x "
            "ON x.id = pr.record_id WHERE x.sha256 = r.sha256), r.corrected_at FROM records r "
            "WHERE r.request_id = ? ORDER BY r.position, r.id", (request_id,),
        ).fetchall()
    return [DisclosedRecord(int(rid), str(name), int(count), corrected) for rid, name, count, corrected in rows
            if count]
