"""`HqStore` on one SQLite file (`--db HQ.db`): the default consolidated store at headquarters.

Plain SQLite, not SQLCipher: the file lives on headquarters' own protected systems, and the PostgreSQL that may
replace it (desktop/hq/postgres_store.py) is protected the same way. The schema comes from db/hq_sqlite/NNNN_*.sql,
recorded in `hq_schema_migrations` and mirrored in `PRAGMA user_version`; a file made before issue 16 (schema 1,
user_version only) is recognised as such and upgraded.

Concurrent imports: every transaction is BEGIN IMMEDIATE, so writers take SQLite's one write lock in turn (others
wait up to BUSY_SECONDS for it); one import's checks and writes therefore never interleave with another's.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from desktop.hq import migrations
from desktop.hq.store import (
    EntryWriter,
    HeldEntry,
    HqCounts,
    HqStoreError,
    HqTransaction,
    IndividualCount,
    MonthCount,
    NewEntry,
    ReceivedBatch,
    RegisteredPost,
)
from desktop.migration_files import Migration
from desktop.sync.bundle import COLUMNS

_CHUNK = 500  # UUIDs per IN (...) query
BUSY_SECONDS = 120.0  # how long an import waits for another process's import to commit
_BATCH = ("post_fingerprint, batch_no, manifest_sha256, post_name, created, entry_count, received_at, already_held, "
          "acknowledged_at")
_EXPORT = ", ".join([*COLUMNS, "batch_no", "received_at"])
_ENTRY = [*COLUMNS, "post_fingerprint", "batch_no", "line", "pdf", "pdf_sha256", "received_at"]
_INSERT = f"INSERT INTO entries ({', '.join(_ENTRY)}) VALUES ({', '.join('?' * len(_ENTRY))})"


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
            conn = sqlite3.connect(path, isolation_level=None, timeout=BUSY_SECONDS)
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA synchronous = FULL")
            _migrate(conn, path)
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

    def batches(self) -> list[ReceivedBatch]:
        rows = self._conn.execute(f"SELECT {_BATCH} FROM batches ORDER BY post_fingerprint, batch_no")
        return [ReceivedBatch(*row) for row in rows]

    def record_acknowledgement(self, post_fingerprint: str, batch: int, at: str) -> None:
        self._conn.execute("UPDATE batches SET acknowledged_at = ? WHERE post_fingerprint = ? AND batch_no = ? "
                           "AND acknowledged_at IS NULL", (at, post_fingerprint, batch))

    def by_month(self, start: str, end: str) -> list[MonthCount]:
        rows = self._conn.execute(
            "SELECT p.name, substr(e.disclosed_on, 1, 7) AS month, count(*), sum(e.b7) FROM entries e "
            "JOIN posts p ON p.fingerprint = e.post_fingerprint WHERE e.disclosed_on BETWEEN ? AND ? "
            "GROUP BY p.name, month ORDER BY p.name, month", (start, end))
        return [MonthCount(str(post), str(month), int(n), int(b7 or 0)) for post, month, n, b7 in rows]

    def individuals(self, text: str, limit: int = 50) -> list[IndividualCount]:
        words = text.split()
        if not words:
            return []
        # LIKE with the words escaped: what the analyst types is never a pattern; SQLite's LIKE ignores ASCII case.
        clause = " AND ".join(["(individual_name LIKE ? ESCAPE '\\' OR individual_identifier LIKE ? ESCAPE '\\')"]
                              * len(words))
        params: list[Any] = [p for w in words for p in (_like(w), _like(w))]
        rows = self._conn.execute(
            f"SELECT individual_name, individual_identifier, count(*), sum(b7), count(DISTINCT post_fingerprint) "
            f"FROM entries WHERE {clause} GROUP BY individual_name, individual_identifier "
            "ORDER BY individual_name, individual_identifier LIMIT ?", [*params, limit])
        return [IndividualCount(str(a), str(b), int(c), int(d or 0), int(e)) for a, b, c, d, e in rows]

    def entries_of(self, name: str, identifier: str) -> list[dict[str, Any]]:
        rows = self._conn.execute(
            f"SELECT {', '.join(COLUMNS)} FROM entries WHERE individual_name = ? AND individual_identifier = ? "
            "ORDER BY disclosed_on, received_at, uuid", (name, identifier))
        return [_row(row, COLUMNS) for row in rows]

    def export_rows(self, start: str, end: str) -> Iterator[dict[str, Any]]:
        cursor = self._conn.execute(f"SELECT {_EXPORT} FROM entries WHERE disclosed_on BETWEEN ? AND ? "
                                    "ORDER BY disclosed_on, post, uuid", (start, end))
        names = [*COLUMNS, "batch", "received_at"]
        for row in cursor:  # the cursor steps through the rows: the period is never held whole
            yield _row(row, names)

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

    def lock_post(self, fingerprint: str) -> None:
        """Nothing to do: BEGIN IMMEDIATE already holds the database's one write lock."""

    def post(self, fingerprint: str) -> RegisteredPost | None:
        row = self._conn.execute("SELECT fingerprint, name, certificate_pem, registered_at FROM posts "
                                 "WHERE fingerprint = ?", (fingerprint,)).fetchone()
        return RegisteredPost(*row) if row else None

    def add_post(self, post: RegisteredPost) -> None:
        self._conn.execute("INSERT INTO posts (fingerprint, name, certificate_pem, registered_at) VALUES (?, ?, ?, ?)",
                           (post.fingerprint, post.name, post.certificate_pem, post.registered_at))

    def batch(self, post_fingerprint: str, batch: int) -> ReceivedBatch | None:
        row = self._conn.execute(f"SELECT {_BATCH} FROM batches WHERE post_fingerprint = ? AND batch_no = ?",
                                 (post_fingerprint, batch)).fetchone()
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
            f"INSERT INTO batches ({_BATCH}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (batch.post_fingerprint, batch.batch, batch.manifest_sha256, batch.post_name, batch.created,
             batch.entry_count, batch.received_at, batch.already_held, batch.acknowledged_at))

    def add_entries(self, post_fingerprint: str, batch: int, received_at: str, entries: Sequence[NewEntry]) -> None:
        self._conn.executemany(_INSERT, (_values(e, post_fingerprint, batch, received_at) for e in entries))

    @contextmanager
    def entry_writer(self, post_fingerprint: str, batch: int, received_at: str) -> Iterator[EntryWriter]:
        yield _SqliteEntryWriter(self._conn, post_fingerprint, batch, received_at)


class _SqliteEntryWriter:
    def __init__(self, conn: sqlite3.Connection, post_fingerprint: str, batch: int, received_at: str) -> None:
        self._conn, self._labels = conn, (post_fingerprint, batch, received_at)

    def write(self, entry: NewEntry) -> None:
        self._conn.execute(_INSERT, _values(entry, *self._labels))


def _values(entry: NewEntry, post_fingerprint: str, batch: int, received_at: str) -> list[Any]:
    return [*(int(entry.row[c]) if c == "b7" else entry.row[c] for c in COLUMNS), post_fingerprint, batch, entry.line,
            entry.pdf, entry.pdf_sha256 or hashlib.sha256(entry.pdf).hexdigest(), received_at]


def _migrate(conn: sqlite3.Connection, path: Path) -> None:
    """Applies what db/hq_sqlite holds and the file does not, in one transaction (BEGIN IMMEDIATE: two processes
    opening a new file at once do not both create it)."""
    known = migrations.available("sqlite")
    conn.execute("BEGIN IMMEDIATE")
    try:
        done = _applied(conn, known)
        todo = migrations.pending(done, known, str(path))
        now = datetime.now(UTC).isoformat(timespec="seconds")
        for migration in todo:
            for statement in _statements(migration.sql):
                conn.execute(statement)
            conn.execute(f"INSERT INTO {migrations.LEDGER} (version, name, sha256, applied_at) VALUES (?, ?, ?, ?)",
                         (migration.version, migration.name, migration.sha256, now))
        if todo:
            conn.execute(f"PRAGMA user_version = {todo[-1].version}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def _applied(conn: sqlite3.Connection, known: list[Migration]) -> dict[int, str]:
    conn.execute(f"CREATE TABLE IF NOT EXISTS {migrations.LEDGER} (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
                 "sha256 TEXT NOT NULL, applied_at TEXT NOT NULL) STRICT")
    done = {int(v): str(d) for v, d in conn.execute(f"SELECT version, sha256 FROM {migrations.LEDGER}")}
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    if not done and version == 1 and known:
        # Made before issue 16: schema 1 was created inline with exactly 0001's tables; record it as applied.
        conn.execute(f"INSERT INTO {migrations.LEDGER} VALUES (1, ?, ?, 'before issue 16')",
                     (known[0].name, known[0].sha256))
        done = {1: known[0].sha256}
    elif not done and version != 0:
        raise HqStoreError(f"schema {version} without a migration ledger; this program does not know it")
    return done


def _statements(sql: str) -> list[str]:
    """The migration's statements (none holds a ';' inside), without its comment lines; executescript() would
    commit the open transaction first, so they run one by one inside it."""
    text = "\n".join(line for line in sql.splitlines() if not line.lstrip().startswith("--"))
    return [part.strip() for part in text.split(";") if part.strip()]


def _like(word: str) -> str:
    return "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _row(values: Sequence[Any], names: Sequence[str]) -> dict[str, Any]:
    row = dict(zip(names, values, strict=True))
    row["b7"] = bool(row["b7"])
    return row
