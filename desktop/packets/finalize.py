"""Finalizing a packet in the store (SPEC P3): what was sent, its Bates numbers, and the hook for DHS-191.

Finalizing is refused while the rules say `blocked` or `needs_action`. The packet is built first (it takes seconds
and can be cancelled), with the Bates numbers the counter says are next; then one repository transaction checks
that neither the counter nor the request moved meanwhile, takes the numbers, inserts the packet and its records,
marks any earlier packet of the request superseded, and calls the accounting hook, so the packet, its numbers, its
DHS-191 entries and the audit entry commit together or not at all. A cancelled or failed build allocates nothing,
and numbers are never reused: the counter only moves forward, in the transaction that stamps them (SPEC P1).

Building outside the transaction keeps the store readable (the window stays live) during the build; if another
packet took the numbers meanwhile, the packet is built again with the next ones.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from desktop.documents.disclosure import DisclosedRecord as DisclosedRecord  # where they lived: still importable
from desktop.documents.disclosure import Disclosure as Disclosure
from desktop.jobs import JobControl
from desktop.packets.builder import build_packet
from desktop.packets.gate import refuse_unless_ready
from desktop.packets.model import BuiltPacket, PacketError, PacketRecord, PacketSettings
from desktop.requests.model import Request
from desktop.store.repository import Repository, now_text
from desktop.store.sqlcipher import Connection

_ATTEMPTS = 3
METHOD = "encrypted PDF by e-mail"  # the packets.method default; §8.1.7


# The DHS-191 hook (SPEC P3, A1). The accounting package supplies a function of this shape; finalize_packet calls it
# inside its transaction, with that transaction's connection, after the packet row exists. It writes one entry per
# individual whose PII the packet discloses (the request's subjects, linked to records through record_subjects) and
# raises to refuse: then nothing of the packet is stored either.
AccountingHook = Callable[[Connection, Disclosure], None]


@dataclass(frozen=True)
class FinalizedPacket:
    packet_id: int
    built: BuiltPacket
    disclosure: Disclosure
    superseded: tuple[int, ...]  # earlier packets of the request, now marked superseded


class _Stale(Exception):
    """The counter or the request changed while the packet was being built."""


def post_settings(repo: Repository, on: date | None = None) -> PacketSettings:
    values = repo.settings()
    prefix = values.get("bates_prefix", "").strip()
    if not prefix:
        raise PacketError("The post has no Bates prefix yet; set it in the post's settings (e.g. OTT).")
    return PacketSettings(post_name=values.get("post_name", "").strip(), bates_prefix=prefix,
                          date=on or date.today())


def next_bates(repo: Repository, prefix: str) -> int:
    with repo.read() as conn:
        return _peek(conn, prefix)


def finalize_packet(repo: Repository, request_id: int, records: Sequence[PacketRecord], *,
                    settings: PacketSettings | None = None, control: JobControl | None = None,
                    accounting: AccountingHook | None = None) -> FinalizedPacket:
    """Builds, numbers and stores the packet of a ready request; PacketRefused while the rules hold it.

    `settings` defaults to the post's (post name, Bates prefix) dated today; given, its prefix must be the post's.
    """
    request = repo.get_request(request_id).request
    refuse_unless_ready(request)
    settings = _settings(repo, settings)
    _check_records(repo, request_id, records)
    for _ in range(_ATTEMPTS):
        built = build_packet(request, records, settings, next_bates(repo, settings.bates_prefix), control)
        try:
            return _store(repo, request_id, request, records, settings, built, accounting)
        except _Stale:
            request = repo.get_request(request_id).request
            refuse_unless_ready(request)
    raise PacketError("Other packets were finalized while this one was being built; nothing was stored. Try again.")


def _settings(repo: Repository, given: PacketSettings | None) -> PacketSettings:
    post = post_settings(repo, given.date if given else None)
    if given is None:
        return post
    if given.bates_prefix != post.bates_prefix:
        raise PacketError(f"The post numbers its packets with {post.bates_prefix}; a packet stored here cannot use "
                          f"{given.bates_prefix}.")
    return given


def _check_records(repo: Repository, request_id: int, records: Sequence[PacketRecord]) -> None:
    ids = [r.record_id for r in records]
    if not records or None in ids:
        raise PacketError("Every record of a packet must be imported into the store first (records tab).")
    if len(set(ids)) != len(ids):
        raise PacketError("The same record is in the packet twice; remove one.")
    with repo.read() as conn:
        known = {row[0] for row in conn.execute("SELECT id FROM records WHERE request_id = ?", (request_id,))}
    if not set(ids) <= known:
        raise PacketError("A record of this packet belongs to another request, or was removed; reload the records.")


def _store(repo: Repository, request_id: int, request: Request, records: Sequence[PacketRecord],
           settings: PacketSettings, built: BuiltPacket, accounting: AccountingHook | None) -> FinalizedPacket:
    with repo.transaction("packet.finalize", "request", request_id) as tx:
        conn = tx.conn
        if _peek(conn, built.bates_prefix) != built.bates_first or repo.get_request(request_id).request != request:
            raise _Stale()
        conn.execute(
            "INSERT INTO bates_counter (prefix, next) VALUES (?, ?) ON CONFLICT(prefix) DO UPDATE SET next = ?",
            (built.bates_prefix, built.bates_last + 1, built.bates_last + 1),
        )
        packet_id = _insert_packet(conn, request_id, built)
        disclosure = _disclosure(packet_id, request_id, request, settings, built, records)
        _insert_records(conn, packet_id, disclosure.records)
        superseded = _supersede(conn, request_id, packet_id)
        conn.execute("UPDATE requests SET status = 'disclosed', updated_at = ? WHERE id = ? AND status = 'open'",
                     (now_text(), request_id))
        if accounting is not None:
            accounting(conn, disclosure)
        tx.detail.update({"packet_id": packet_id, "sha256": built.sha256, "pages": built.page_count,
                          "bates": disclosure.bates_range, "records": [r.record_id for r in disclosure.records],
                          "superseded": list(superseded)})
    return FinalizedPacket(packet_id, built, disclosure, superseded)


def _peek(conn: Connection, prefix: str) -> int:
    found = conn.execute("SELECT next FROM bates_counter WHERE prefix = ?", (prefix,)).fetchone()
    return int(found[0]) if found else 1


def _insert_packet(conn: Connection, request_id: int, built: BuiltPacket) -> int:
    now = now_text()
    cursor = conn.execute(
        "INSERT INTO packets (request_id, state, created_at, finalized_at, sha256, page_count, bates_prefix, "
        "bates_first, bates_last, content, method) VALUES (?, 'final', ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (request_id, now, now, built.sha256, built.page_count, built.bates_prefix, built.bates_first,
         built.bates_last, built.encrypted_pdf, METHOD),
    )
    return int(cursor.lastrowid or 0)


def _disclosure(packet_id: int, request_id: int, request: Request, settings: PacketSettings, built: BuiltPacket,
                records: Sequence[PacketRecord]) -> Disclosure:
    first_record_page = built.record_pages[0].first
    disclosed = tuple(
        DisclosedRecord(
            record_id=int(record.record_id or 0), first_page=pages.first, last_page=pages.last,
            bates_first=built.bates_first + pages.first - first_record_page,
            bates_last=built.bates_first + pages.last - first_record_page, contains_pii=record.contains_pii,
        )
        for record, pages in zip(records, built.record_pages, strict=True)
    )
    return Disclosure(packet_id, request_id, request, settings.date, settings.post_name, METHOD, built.bates_prefix,
                      built.bates_first, built.bates_last, disclosed)


def _insert_records(conn: Connection, packet_id: int, records: Sequence[DisclosedRecord]) -> None:
    # packet_records.first_page/last_page are pages of the packet; a page's Bates number is the packet's
    # bates_first plus its distance from the first record page (Bates numbers go on record pages only).
    conn.executemany(
        "INSERT INTO packet_records (packet_id, record_id, first_page, last_page) VALUES (?, ?, ?, ?)",
        [(packet_id, r.record_id, r.first_page, r.last_page) for r in records],
    )


def _supersede(conn: Connection, request_id: int, packet_id: int) -> tuple[int, ...]:
    rows = conn.execute("SELECT id FROM packets WHERE request_id = ? AND state = 'final' AND id <> ? ORDER BY id",
                        (request_id, packet_id)).fetchall()
    conn.execute("UPDATE packets SET state = 'superseded', superseded_by = ? WHERE request_id = ? AND "
                 "state = 'final' AND id <> ?", (packet_id, request_id, packet_id))
    return tuple(int(row[0]) for row in rows)


# Reading packets back --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PacketRow:
    id: int
    request_id: int
    state: str
    finalized_at: str | None
    sha256: str
    page_count: int
    bates_prefix: str
    bates_first: int | None
    bates_last: int | None
    superseded_by: int | None


def list_packets(repo: Repository, request_id: int) -> list[PacketRow]:
    with repo.read() as conn:
        rows = conn.execute(
            "SELECT id, request_id, state, finalized_at, sha256, page_count, bates_prefix, bates_first, bates_last, "
            "superseded_by FROM packets WHERE request_id = ? ORDER BY id", (request_id,),
        ).fetchall()
    return [PacketRow(*row) for row in rows]


def packet_content(repo: Repository, packet_id: int) -> bytes:
    """The encrypted packet exactly as it was sent (§10.2.2: a copy of the information provided)."""
    with repo.read() as conn:
        found = conn.execute("SELECT content FROM packets WHERE id = ?", (packet_id,)).fetchone()
    if found is None:
        raise PacketError(f"There is no packet {packet_id} in this store.")
    return bytes(found[0])
