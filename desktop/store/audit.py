"""The hash-chained audit log (SPEC S6).

Each entry's hash covers its own fields and the previous entry's hash, so an edited, removed or reordered entry
breaks the chain at that point; `audit_head` keeps the last link so that entries cut from the end show too.
Entries are written only by the repository, in the transaction of the change they describe.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from desktop.store.sqlcipher import Connection

GENESIS = "0" * 64


@dataclass(frozen=True)
class AuditEntry:
    seq: int
    at: str
    actor: str
    action: str
    entity: str
    entity_id: str
    detail: str
    prev_hash: str
    hash: str


@dataclass(frozen=True)
class AuditReport:
    entries: int
    broken_at: int | None = None
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_at is None


def entry_hash(prev_hash: str, seq: int, at: str, actor: str, action: str, entity: str, entity_id: str,
               detail: str) -> str:
    canonical = json.dumps([seq, at, actor, action, entity, entity_id, detail], ensure_ascii=False,
                           separators=(",", ":"))
    return hashlib.sha256(f"{prev_hash}\n{canonical}".encode()).hexdigest()


def append(conn: Connection, actor: str, action: str, entity: str, entity_id: str | int | None,
           detail: dict[str, Any] | None = None) -> int:
    """Appends one entry; the caller holds the write transaction."""
    head = conn.execute("SELECT seq, hash FROM audit_head WHERE id = 1").fetchone()
    seq, prev = (head[0] + 1, head[1]) if head else (1, GENESIS)
    at = datetime.now(UTC).isoformat(timespec="microseconds")
    ident = "" if entity_id is None else str(entity_id)
    text = json.dumps(detail or {}, ensure_ascii=False, sort_keys=True, default=str)
    digest = entry_hash(prev, seq, at, actor, action, entity, ident, text)
    conn.execute(
        "INSERT INTO audit_log (seq, at, actor, action, entity, entity_id, detail, prev_hash, hash) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (seq, at, actor, action, entity, ident, text, prev, digest),
    )
    conn.execute(
        "INSERT INTO audit_head (id, seq, hash) VALUES (1, ?, ?) ON CONFLICT(id) DO UPDATE SET seq = ?, hash = ?",
        (seq, digest, seq, digest),
    )
    return seq


def verify(conn: Connection) -> AuditReport:
    """Walks the chain from the first entry and reports the first broken link."""
    expected_seq, prev = 1, GENESIS
    count = 0
    for row in conn.execute(
        "SELECT seq, at, actor, action, entity, entity_id, detail, prev_hash, hash FROM audit_log ORDER BY seq"
    ):
        entry = AuditEntry(*row)
        problem = _check(entry, expected_seq, prev)
        if problem:
            return AuditReport(count, entry.seq if entry.seq == expected_seq else expected_seq, problem)
        expected_seq, prev, count = entry.seq + 1, entry.hash, count + 1
    head = conn.execute("SELECT seq, hash FROM audit_head WHERE id = 1").fetchone()
    if head and (head[0] != expected_seq - 1 or head[1] != prev):
        return AuditReport(count, expected_seq, f"entries {expected_seq} to {head[0]} have been removed from the end")
    if head is None and count:
        return AuditReport(count, 1, "the record of the last entry (audit_head) has been removed")
    return AuditReport(count)


def _check(entry: AuditEntry, expected_seq: int, prev: str) -> str:
    if entry.seq != expected_seq:
        return f"entry {expected_seq} is missing (the next one found is {entry.seq})"
    if entry.prev_hash != prev:
        return f"entry {entry.seq} does not follow entry {entry.seq - 1}: entries were reordered or replaced"
    recomputed = entry_hash(entry.prev_hash, entry.seq, entry.at, entry.actor, entry.action, entry.entity,
                            entry.entity_id, entry.detail)
    if recomputed != entry.hash:
        return f"entry {entry.seq} ({entry.action}) has been edited after it was written"
    return ""
