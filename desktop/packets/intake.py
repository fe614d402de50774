"""Putting the records of a command-line packet into the store (SPEC D1, section 7 `packet build --ref`).

The window imports records through the records tab; `packet build --ref` brings its files along, so they are
stored here, in one transaction with its audit entry, before the packet is finalized. A file already stored for
the request (same SHA-256) is not stored twice. Every record is linked to all of the request's subjects when it
carries PII: the command line cannot tell which subject a record concerns, and the DHS-191 accounting (SPEC A1)
must rather list a person once too often than miss one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from desktop.store.repository import Repository, now_text
from desktop.store.sqlcipher import Connection


@dataclass(frozen=True)
class IncomingRecord:
    filename: str
    media_type: str
    content: bytes  # the file as it came from the source system (§8.1.3)
    page_count: int
    contains_pii: bool


def store_records(repo: Repository, request_id: int, records: Sequence[IncomingRecord], source_system: str,
                  owner: str = "") -> list[int]:
    """The records' ids in the store, in the given order; new ones are inserted with an audit entry."""
    digests = [hashlib.sha256(r.content).hexdigest() for r in records]
    detail = {"records": len(records), "sha256": digests}
    with repo.transaction("record.import", "request", request_id, detail) as tx:
        conn = tx.conn
        subjects = [row[0] for row in conn.execute("SELECT id FROM subjects WHERE request_id = ?", (request_id,))]
        ids = [_store_one(conn, request_id, record, digest, source_system, owner)
               for record, digest in zip(records, digests, strict=True)]
        for record_id, record in zip(ids, records, strict=True):
            if record.contains_pii:
                conn.executemany("INSERT OR IGNORE INTO record_subjects (record_id, subject_id) VALUES (?, ?)",
                                 [(record_id, subject) for subject in subjects])
        tx.detail["ids"] = ids
    return ids


def _store_one(conn: Connection, request_id: int, record: IncomingRecord, digest: str, source_system: str,
               owner: str) -> int:
    found = conn.execute("SELECT id FROM records WHERE request_id = ? AND sha256 = ?", (request_id, digest)).fetchone()
    if found:
        return int(found[0])
    position = conn.execute("SELECT coalesce(max(position) + 1, 0) FROM records WHERE request_id = ?",
                            (request_id,)).fetchone()[0]
    cursor = conn.execute(
        "INSERT INTO records (request_id, position, filename, media_type, source_system, owner, size, sha256, "
        "page_count, content, imported_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (request_id, position, record.filename, record.media_type, source_system, owner, len(record.content), digest,
         record.page_count, record.content, now_text()),
    )
    return int(cursor.lastrowid or 0)
