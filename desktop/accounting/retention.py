"""Retention and disposition (§10.2.1, §10.2.2, SPEC T1).

What a disclosure leaves — the request and its copy, what was provided (packet, records), the recipient, the
reason, the DHS-191 entries — is kept until its retain-until date: five years from the disclosure, or the life of
a record if longer. Triggers (migration 0002) refuse any earlier delete whatever code path tries; this module
lists what is past its date and removes it, a whole request at a time, only on the user's confirmation, in one
transaction whose audit entry (references and counts only, no personal data) stays in the hash-chained log.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

import sqlcipher3

from desktop.store.errors import RetentionError
from desktop.store.repository import Repository, now_text
from desktop.store.sqlcipher import Connection

# A request's retention end: the latest of its packets' and its entries' (a packet without the accounting hook
# falls back to five years from finalizing).
_RETAIN = (
    "max(coalesce((SELECT max(coalesce(p.retain_until, date(p.finalized_at, '+5 years'))) FROM packets p "
    "WHERE p.request_id = r.id), ''), coalesce((SELECT max(e.retain_until) FROM dhs191_entries e "
    "WHERE e.request_id = r.id), ''))"
)


@dataclass(frozen=True)
class DispositionItem:
    request_id: int
    reference: str
    retain_until: date
    packets: int
    entries: int
    records: int
    attachments: int
    unsynced: int  # DHS-191 entries headquarters has not acknowledged

    def summary(self) -> str:
        return (f"{self.packets} packet(s), {self.entries} DHS-191 entr{'y' if self.entries == 1 else 'ies'}, "
                f"{self.records} record(s), {self.attachments} attachment(s); kept until "
                f"{self.retain_until.isoformat()}")


def today_utc() -> date:
    """The date the store's triggers compare with (SQLite's date('now') is UTC)."""
    return datetime.now(UTC).date()


def retention_of(repo: Repository, request_id: int) -> DispositionItem | None:
    """What the request's disclosure keeps and until when; None when nothing was disclosed."""
    with repo.read() as conn:
        items = _items(conn, "r.id = ?", [request_id])
    return items[0] if items else None


def eligible_for_disposition(repo: Repository, today: date | None = None) -> list[DispositionItem]:
    """Requests whose every retention date has passed (strictly before `today`), oldest first."""
    with repo.read() as conn:
        return _items(conn, f"{_RETAIN} < ?", [(today or today_utc()).isoformat()])


def _items(conn: Connection, where: str, params: list[object]) -> list[DispositionItem]:
    rows = conn.execute(
        f"SELECT r.id, r.reference, {_RETAIN}, "
        "(SELECT count(*) FROM packets p WHERE p.request_id = r.id), "
        "(SELECT count(*) FROM dhs191_entries e WHERE e.request_id = r.id), "
        "(SELECT count(*) FROM records x WHERE x.request_id = r.id), "
        "(SELECT count(*) FROM attachments a WHERE a.request_id = r.id), "
        "(SELECT count(*) FROM dhs191_entries e WHERE e.request_id = r.id AND e.acknowledged_at IS NULL) "
        f"FROM requests r WHERE EXISTS (SELECT 1 FROM packets p WHERE p.request_id = r.id) AND {where} "
        f"ORDER BY 3, r.id", params,
    ).fetchall()
    return [DispositionItem(int(row[0]), str(row[1]), date.fromisoformat(str(row[2])[:10]), *map(int, row[3:]))
            for row in rows]


def dispose(repo: Repository, items: Sequence[DispositionItem], confirmed: bool = False) -> int:
    """Removes the items' requests and everything of their disclosures, in one transaction; returns how many.

    Refused as a whole (nothing removed) without the user's confirmation, or when any item is still within its
    retention period or has DHS-191 entries headquarters has not acknowledged (§10.2.1: a copy goes to the
    Privacy Office first).
    """
    if not confirmed:
        raise RetentionError("Disposition removes records for good; it needs your confirmation (--confirm).")
    if not items:
        return 0
    detail = {"requests": [i.reference for i in items], "retain_until": [i.retain_until.isoformat() for i in items]}
    try:
        with repo.transaction("retention.dispose", "retention", None, detail) as tx:
            counts = [_dispose_one(repo, tx.conn, item.request_id) for item in items]
            tx.detail.update({key: sum(c[key] for c in counts) for key in ("packets", "entries", "records")})
    except sqlcipher3.IntegrityError as error:
        raise RetentionError(f"The store refused the disposition ({error}); nothing was removed.") from error
    return len(items)


def _dispose_one(repo: Repository, conn: Connection, request_id: int) -> dict[str, int]:
    found = _items(conn, "r.id = ?", [request_id])
    if not found:
        raise RetentionError(f"Request {request_id} has no disclosure on record (or was already disposed of); "
                             "nothing was removed.")
    item = found[0]
    if item.retain_until >= today_utc():
        raise RetentionError(f"Request {item.reference} and its disclosure are kept until "
                             f"{item.retain_until.isoformat()} (5 years from the disclosure, §10.2.1, §10.2.2); "
                             "nothing was removed.")
    if item.unsynced:
        raise RetentionError(f"Request {item.reference} has {item.unsynced} DHS-191 entr"
                             f"{'y' if item.unsynced == 1 else 'ies'} the Privacy Office has not acknowledged; "
                             "export them (export-191) before disposing of them. Nothing was removed.")
    _delete(conn, request_id)
    conn.execute("INSERT INTO dispositions (request_ref, disposed_at, confirmed_by, summary) VALUES (?, ?, ?, ?)",
                 (item.reference, now_text(), repo.actor, item.summary()))
    return {"packets": item.packets, "entries": item.entries, "records": item.records}


def _delete(conn: Connection, request_id: int) -> None:
    packets = "SELECT id FROM packets WHERE request_id = ?"
    conn.execute("DELETE FROM dhs191_entries WHERE request_id = ?", (request_id,))
    # The incident is a record of its own (§11); it keeps its facts and loses only the link to the packet.
    conn.execute(f"UPDATE incidents SET packet_id = NULL WHERE packet_id IN ({packets})", (request_id,))
    conn.execute("DELETE FROM onward_permissions WHERE request_id = ?", (request_id,))
    conn.execute(f"DELETE FROM packet_records WHERE packet_id IN ({packets})", (request_id,))
    conn.execute("DELETE FROM packets WHERE request_id = ?", (request_id,))
    conn.execute("DELETE FROM requests_fts WHERE rowid = ?", (request_id,))
    conn.execute("DELETE FROM drafts WHERE key IN (?, ?)", (f"request-editor:{request_id}",
                                                            f"coordination:{request_id}"))
    conn.execute("DELETE FROM requests WHERE id = ?", (request_id,))  # subjects, records, attachments cascade


def dispositions(repo: Repository) -> list[tuple[str, str, str, str]]:
    """What was disposed of: (request reference, when, confirmed by, summary)."""
    with repo.read() as conn:
        rows = conn.execute("SELECT request_ref, disposed_at, confirmed_by, summary FROM dispositions ORDER BY id")
        return [(str(a), str(b), str(c), str(d)) for a, b, c, d in rows.fetchall()]
