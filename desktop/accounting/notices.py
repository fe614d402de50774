"""Correction notices (5 U.S.C. 552a(c)(4), SPEC A4): every recipient of a corrected record, and a notice to each.

A recipient is found through `packet_records`: every packet that carried the record, or the same document (same
SHA-256) stored for another request, superseded packets included, since they too were sent. The recipient's name
and address are the ones the DHS-191 entry froze, or the request's when no entry was made (a record without PII).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from desktop.accounting.texts import AccountingError, fill, recipient
from desktop.documents import bates_label, long_date
from desktop.store.repository import Repository


@dataclass(frozen=True)
class Delivery:
    packet_id: int
    request_reference: str
    disclosed_on: str
    bates: str


@dataclass(frozen=True)
class Recipient:
    name: str
    address: str
    deliveries: tuple[Delivery, ...]


@dataclass(frozen=True)
class CorrectionNotice:
    recipient: Recipient
    text: str


def mark_corrected(repo: Repository, record_id: int, on: date) -> None:
    """Notes that a record was corrected (records.corrected_at); the notices are then drafted from it."""
    with repo.transaction("record.corrected", "record", record_id, {"corrected_on": on.isoformat()}) as tx:
        if tx.conn.execute("UPDATE records SET corrected_at = ? WHERE id = ?", (on.isoformat(), record_id)
                           ).rowcount != 1:
            raise AccountingError(f"There is no record {record_id} in this store.")


def recipients_of(repo: Repository, record_id: int) -> list[Recipient]:
    """Everyone who received the record (or the same document for another request), with what and when."""
    grouped: dict[tuple[str, str], list[Delivery]] = {}
    for packet_id, request_id, reference, disclosed_on, bates in _packets_with(repo, record_id):
        name, address = _recipient_of(repo, packet_id, request_id)
        grouped.setdefault((name, address), []).append(Delivery(packet_id, reference, disclosed_on, bates))
    return [Recipient(name, address, tuple(found)) for (name, address), found in grouped.items()]


# A page's Bates number is the packet's first plus its distance from the packet's first record page (finalize.py).
_FIRST = "SELECT min(x.first_page) FROM packet_records x WHERE x.packet_id = p.id"


def _packets_with(repo: Repository, record_id: int) -> list[tuple[int, int, str, str, str]]:
    with repo.read() as conn:
        found = conn.execute("SELECT sha256 FROM records WHERE id = ?", (record_id,)).fetchone()
        if found is None:
            raise AccountingError(f"There is no record {record_id} in this store.")
        rows = conn.execute(
            "SELECT p.id, p.request_id, q.reference, coalesce((SELECT min(e.disclosed_on) FROM dhs191_entries e "
            "WHERE e.packet_id = p.id), substr(p.finalized_at, 1, 10)), p.bates_prefix, "
            f"p.bates_first + pr.first_page - ({_FIRST}), p.bates_first + pr.last_page - ({_FIRST}) "
            "FROM records r JOIN packet_records pr ON pr.record_id = r.id JOIN packets p ON p.id = pr.packet_id "
            "JOIN requests q ON q.id = p.request_id WHERE r.sha256 = ? ORDER BY p.id", (str(found[0]),),
        ).fetchall()
    return [(int(pid), int(rid), str(ref), str(on), _bates(prefix, first, last))
            for pid, rid, ref, on, prefix, first, last in rows]


def _bates(prefix: str, first: int | None, last: int | None) -> str:
    if first is None or last is None:
        return "(no Bates numbers)"
    return bates_label(prefix, first) if first == last else f"{bates_label(prefix, first)}-{bates_label(prefix, last)}"


def _recipient_of(repo: Repository, packet_id: int, request_id: int) -> tuple[str, str]:
    with repo.read() as conn:
        frozen = conn.execute(
            "SELECT e.recipient_name, e.recipient_address FROM dhs191_entries e WHERE e.packet_id = ? AND NOT EXISTS "
            "(SELECT 1 FROM dhs191_entries n WHERE n.supersedes = e.uuid) ORDER BY e.rowid LIMIT 1", (packet_id,),
        ).fetchone()
    if frozen:
        return str(frozen[0]), str(frozen[1])
    return recipient(repo.get_request(request_id).request)


def draft_correction_notices(repo: Repository, record_id: int, correction: str,
                             today: date | None = None) -> list[CorrectionNotice]:
    """One notice per recipient of the record, from resources/templates/correction_notice.txt."""
    if not correction.strip():
        raise AccountingError("Describe the correction; the notice tells each recipient what changed.")
    with repo.read() as conn:
        found = conn.execute("SELECT filename FROM records WHERE id = ?", (record_id,)).fetchone()
    if found is None:
        raise AccountingError(f"There is no record {record_id} in this store.")
    post = repo.setting("post_name")
    notices = []
    for each in recipients_of(repo, record_id):
        lines = [f"- {d.disclosed_on}, CBP reference {d.request_reference}, Bates {d.bates}" for d in each.deliveries]
        text = fill("correction_notice.txt", {
            "date": long_date(today or date.today()), "recipient_name": each.name,
            "recipient_address": each.address, "record": str(found[0]), "disclosures": "\n".join(lines),
            "correction": " ".join(correction.split()), "post": post,
            "office": f"CBP Attaché Office, {post}" if post else "U.S. Customs and Border Protection",
        })
        notices.append(CorrectionNotice(each, text))
    return notices
