"""`HqStore` on one SQLite file (`--db HQ.db`): the default consolidated store at headquarters.

Plain SQLite, not SQLCipher: the file lives on headquarters' own protected systems, and the PostgreSQL that may
replace it is protected the same way. The schema is versioned with `PRAGMA user_version`.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from desktop.hq.store import (
    HeldEntry,
    HqCounts,
    HqStoreError,
    HqTransaction,
    NewEntry,
    ReceivedBatch,
    RegisteredPost,
)
from desktop.sync.bundle import COLUMNS

SCHEMA_VERSION = 1
_CHUNK = 500  # UUIDs per IN (...) query
_ENTRY_COLUMNS = ", ".join(f"{name} {'INTEGER' if name == 'b7' else 'TEXT'} NOT NULL" for name in COLUMNS[1:])
SCHEMA = f"""
CREATE TABLE posts (
    fingerprint     TEXT PRIMARY KEY,
    name            TEXT NOT NULL,
    certificate_pem TEXT NOT NULL,
    registered_at   TEXT NOT NULL
) STRICT;
CREATE TABLE batches (
    post_fingerprint TEXT NOT NULL REFERENCES posts(fingerprint),
    batch_no         INTEGER NOT NULL,
    manifest_sha256  TEXT NOT NULL,
    post_name        TEXT NOT NULL,
    created          TEXT NOT NULL,
    entry_count      INTEGER NOT NULL,
    received_at      TEXT NOT NULL,
    PRIMARY KEY (post_fingerprint, batch_no)
) STRICT;
CREATE TABLE entries (
    uuid             TEXT PRIMARY KEY,
    {_ENTRY_COLUMNS},
    post_fingerprint TEXT NOT NULL REFERENCES posts(fingerprint),
    batch_no         INTEGER NOT NULL,
    line             TEXT NOT NULL,
    pdf              BLOB NOT NULL,
    pdf_sha256       TEXT NOT NULL,
    received_at      TEXT NOT NULL
) STRICT;
CREATE INDEX entries_individual ON entries(individual_name, individual_identifier);
CREATE INDEX entries_post ON entries(post_fingerprint, disclosed_on);
PRAGMA user_version = {SCHEMA_VERSION};
"""


class SqliteHqStore:
    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self._conn = conn
        self.path = path

    @classmethod
    def open(cls, path: Path, *, create: bool = False) -> SqliteHqStore:
        if not create and not path.exists():
            raise HqStoreError(f"{path} does not exist; register a post first ('disclosure-desk hq register-post "
                               f"POST.pem --db {path}') to create it.")
        try:
            conn = sqlite3.connect(path, isolation_level=None)
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA synchronous = FULL")
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version == 0:
                conn.executescript(f"BEGIN IMMEDIATE; {SCHEMA} COMMIT;")
            elif version != SCHEMA_VERSION:
                raise HqStoreError(f"{path} has schema {version}; this program knows {SCHEMA_VERSION}.")
        except sqlite3.DatabaseError as error:
            raise HqStoreError(f"{path} is not a headquarters database ({error}).") from None
        return cls(conn, path)

    def close(self) -> None:
        self._conn.close()

    def posts(self) -> list[RegisteredPost]:
        rows = self._conn.execute("SELECT fingerprint, name, certificate_pem, registered_at FROM posts ORDER BY name")
        return [RegisteredPost(*row) for row in rows]

    def counts(self) -> HqCounts:
        count = [self._conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                 for table in ("posts", "batches", "entries")]
        return HqCounts(*count)

    @contextmanager
    def transaction(self) -> Iterator[HqTransaction]:
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            yield _SqliteTransaction(self._conn)
            self._conn.execute("COMMIT")
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise


class _SqliteTransaction:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def post(self, fingerprint: str) -> RegisteredPost | None:
        row = self._conn.execute("SELECT fingerprint, name, certificate_pem, registered_at FROM posts "
                                 "WHERE fingerprint = ?", (fingerprint,)).fetchone()
        return RegisteredPost(*row) if row else None

    def add_post(self, post: RegisteredPost) -> None:
        self._conn.execute("INSERT INTO posts (fingerprint, name, certificate_pem, registered_at) VALUES (?, ?, ?, ?)",
                           (post.fingerprint, post.name, post.certificate_pem, post.registered_at))

    def batch(self, post_fingerprint: str, batch: int) -> ReceivedBatch | None:
        row = self._conn.execute(
            "SELECT post_fingerprint, batch_no, manifest_sha256, post_name, created, entry_count, received_at "
            "FROM batches WHERE post_fingerprint = ? AND batch_no = ?", (post_fingerprint, batch)).fetchone()
        return ReceivedBatch(*row) if row else None

    def batch_numbers(self, post_fingerprint: str) -> list[int]:
        rows = self._conn.execute("SELECT batch_no FROM batches WHERE post_fingerprint = ? ORDER BY batch_no",
                                  (post_fingerprint,))
        return [int(row[0]) for row in rows]

    def held(self, uuids: Sequence[str]) -> dict[str, HeldEntry]:
        found: dict[str, HeldEntry] = {}
        for start in range(0, len(uuids), _CHUNK):
            chunk = list(uuids[start:start + _CHUNK])
            marks = ", ".join("?" * len(chunk))
            rows = self._conn.execute(
                f"SELECT uuid, post_fingerprint, batch_no, line FROM entries WHERE uuid IN ({marks})", chunk)
            found.update((row[0], HeldEntry(*row)) for row in rows)
        return found

    def add_batch(self, batch: ReceivedBatch) -> None:
        self._conn.execute(
            "INSERT INTO batches (post_fingerprint, batch_no, manifest_sha256, post_name, created, entry_count, "
            "received_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (batch.post_fingerprint, batch.batch, batch.manifest_sha256, batch.post_name, batch.created,
             batch.entry_count, batch.received_at))

    def add_entries(self, post_fingerprint: str, batch: int, received_at: str, entries: Sequence[NewEntry]) -> None:
        names = [*COLUMNS, "post_fingerprint", "batch_no", "line", "pdf", "pdf_sha256", "received_at"]
        self._conn.executemany(
            f"INSERT INTO entries ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})",
            ([*(int(e.row[c]) if c == "b7" else e.row[c] for c in COLUMNS), post_fingerprint, batch, e.line, e.pdf,
              hashlib.sha256(e.pdf).hexdigest(), received_at] for e in entries))
