"""`HqStore` on PostgreSQL (`--db postgresql://…`): the consolidated store when headquarters outgrows one file.

The schema comes from db/hq_postgres/NNNN_*.sql, applied by the database owner with `hq migrate` and recorded in
`hq_schema_migrations`; the everyday commands log in as a role with only the rights db/hq_postgres/role.sql grants,
and refuse to run on a database whose schema is not the one this program knows.

The password never travels in the URL (it would show in the process list, the shell history and logs): a URL
that carries one is refused, and libpq takes it from PGPASSWORD or the .pgpass file (PGPASSFILE), as every
PostgreSQL client does.

Concurrent imports (issue 16). Each import is one READ COMMITTED transaction that first takes a transaction-level
advisory lock on its post (`lock_post`). Why this and not SERIALIZABLE: imports of one post must happen one after
the other anyway (the batch check, the gap report and "already held" all read what earlier batches wrote), and an
advisory lock makes the second import wait for the first and then see it committed, with no work thrown away;
under SERIALIZABLE the loser of the race would redo its whole 5,000-entry insert, and the predicate locks of large
bundles grow to whole-relation locks that make imports of *different* posts fail each other. With one lock per
post, different posts never wait for each other. The database's constraints stay the last word: the primary keys
on entries(uuid) and batches(post, batch_no) make a second copy impossible whatever the code does, and if two posts
ever race with the same entry UUID, the loser's unique violation (like a deadlock or serialization failure)
becomes `HqRetry`, the importer runs it again, and the second run sees the winner's copy and refuses the bundle.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import psycopg
from psycopg import errors
from psycopg.conninfo import conninfo_to_dict, make_conninfo
from psycopg_pool import ConnectionPool

from desktop.hq import migrations
from desktop.hq.store import (
    EntryWriter,
    HeldEntry,
    HqCounts,
    HqRetry,
    HqStoreError,
    HqTransaction,
    IndividualCount,
    MonthCount,
    NewEntry,
    ReceivedBatch,
    RegisteredPost,
)
from desktop.sync.bundle import COLUMNS

URL_PREFIXES = ("postgresql://", "postgres://")
_LOCKS = 0x4851  # "HQ": the advisory-lock namespace of these commands (the first of the two int4 keys)
_MIGRATION_LOCK = 0  # the second key while migrating; posts use a hash of their fingerprint
_BATCH = ("post_fingerprint, batch_no, manifest_sha256, post_name, created, entry_count, received_at, already_held, "
          "acknowledged_at")
_ENTRY = [*COLUMNS, "post_fingerprint", "batch_no", "line", "pdf", "pdf_sha256", "received_at"]
_ENTRY_TYPES = ["bool" if name == "b7" else "integer" if name == "batch_no" else "bytea" if name == "pdf" else "text"
                for name in _ENTRY]
_EXPORT = ", ".join([*COLUMNS, "batch_no", "received_at"])
_RACES = (errors.SerializationFailure, errors.DeadlockDetected, errors.UniqueViolation)


def is_url(text: str) -> bool:
    return text.startswith(URL_PREFIXES)


def checked_conninfo(url: str) -> str:
    """The URL as libpq connection parameters; HqStoreError if it is not one, or if it carries a password."""
    try:
        params = conninfo_to_dict(url)
    except psycopg.ProgrammingError as error:
        raise HqStoreError(f"--db: not a PostgreSQL connection URL ({str(error).strip()})") from None
    if "password" in params:
        raise HqStoreError("--db: the URL carries a password, which would show in the process list and the shell "
                           "history; remove it from the URL and set PGPASSWORD, or put it in ~/.pgpass "
                           "(host:port:database:user:password, chmod 600; or PGPASSFILE)")
    return make_conninfo(url, application_name="disclosure-desk hq", connect_timeout=params.get("connect_timeout",
                                                                                                   "10"))


class _Single:
    """One connection handed out as the pool hands out its own (commit when the block ends, roll back on an
    error), for a command's single thread."""

    def __init__(self, conn: psycopg.Connection[Any]) -> None:
        self._conn = conn

    @contextmanager
    def connection(self) -> Iterator[psycopg.Connection[Any]]:
        try:
            yield self._conn
        except BaseException:
            self._conn.rollback()
            raise
        self._conn.commit()

    def close(self) -> None:
        self._conn.close()


class PostgresHqStore:
    """`pool_size` > 1: a psycopg_pool pool serves the threads of a long-running process (one connection each at
    a time); a command gets one connection."""

    def __init__(self, pool: ConnectionPool | _Single, where: str) -> None:
        self._pool = pool
        self.where = where

    @classmethod
    def open(cls, url: str, *, migrate: bool = False, pool_size: int = 1) -> PostgresHqStore:
        """Connects and checks the schema (`migrate`: applies what is pending, which needs the owner's rights).
        `pool_size` connections serve the threads of one process; a command needs one."""
        conninfo = checked_conninfo(url)
        where = _where(conninfo)
        try:
            conn = psycopg.connect(conninfo)  # a plain connection first: its errors are clear ones
        except psycopg.OperationalError as error:
            raise HqStoreError(f"{where}: cannot connect ({_first_line(error)}). Check the URL; the password comes "
                               "from PGPASSWORD or ~/.pgpass.") from None
        try:
            _migrate(conn, where) if migrate else _check_schema(conn, where, url)
        except psycopg.errors.InsufficientPrivilege as error:
            conn.close()
            raise HqStoreError(f"{where}: {_first_line(error)}; migrations are run by the database owner, the "
                               "everyday role has only the rights of db/hq_postgres/role.sql") from None
        except BaseException:
            conn.close()
            raise
        if pool_size <= 1:
            return cls(_Single(conn), where)  # a command: one connection, no pool threads, no second login
        conn.close()
        return cls(ConnectionPool(conninfo, min_size=1, max_size=pool_size, open=True, name="hq"), where)

    def close(self) -> None:
        self._pool.close()

    def posts(self) -> list[RegisteredPost]:
        return [RegisteredPost(*row) for row in self._read(
            "SELECT fingerprint, name, certificate_pem, registered_at FROM posts ORDER BY name")]

    def counts(self) -> HqCounts:
        (row,) = self._read("SELECT (SELECT count(*) FROM posts), (SELECT count(*) FROM batches), "
                            "(SELECT count(*) FROM entries)")
        return HqCounts(*row)

    def batches(self) -> list[ReceivedBatch]:
        return [ReceivedBatch(*row) for row in self._read(
            f"SELECT {_BATCH} FROM batches ORDER BY post_fingerprint, batch_no")]

    def record_acknowledgement(self, post_fingerprint: str, batch: int, at: str) -> None:
        with self._pool.connection() as conn:
            conn.execute("UPDATE batches SET acknowledged_at = %s WHERE post_fingerprint = %s AND batch_no = %s "
                         "AND acknowledged_at IS NULL", (at, post_fingerprint, batch))

    def by_month(self, start: str, end: str) -> list[MonthCount]:
        rows = self._read(
            "SELECT p.name, substr(e.disclosed_on, 1, 7) AS month, count(*), count(*) FILTER (WHERE e.b7) "
            "FROM entries e JOIN posts p ON p.fingerprint = e.post_fingerprint "
            "WHERE e.disclosed_on BETWEEN %s AND %s GROUP BY p.name, month ORDER BY p.name, month", (start, end))
        return [MonthCount(str(post), str(month), int(n), int(b7)) for post, month, n, b7 in rows]

    def individuals(self, text: str, limit: int = 50) -> list[IndividualCount]:
        words = text.split()
        if not words:
            return []
        # ILIKE with the words escaped: what the analyst types is never a pattern.
        clause = " AND ".join(["(individual_name ILIKE %s OR individual_identifier ILIKE %s)"] * len(words))
        params: list[Any] = [p for w in words for p in (_like(w), _like(w))]
        rows = self._read(
            "SELECT individual_name, individual_identifier, count(*), count(*) FILTER (WHERE b7), "
            f"count(DISTINCT post_fingerprint) FROM entries WHERE {clause} "
            "GROUP BY individual_name, individual_identifier ORDER BY individual_name, individual_identifier "
            "LIMIT %s", [*params, limit])
        return [IndividualCount(str(a), str(b), int(c), int(d), int(e)) for a, b, c, d, e in rows]

    def entries_of(self, name: str, identifier: str) -> list[dict[str, Any]]:
        rows = self._read(f"SELECT {', '.join(COLUMNS)} FROM entries WHERE individual_name = %s AND "
                          "individual_identifier = %s ORDER BY disclosed_on, received_at, uuid", (name, identifier))
        return [dict(zip(COLUMNS, row, strict=True)) for row in rows]

    def export_rows(self, start: str, end: str) -> Iterator[dict[str, Any]]:
        names = [*COLUMNS, "batch", "received_at"]
        with self._pool.connection() as conn, conn.cursor(name="hq_export") as cursor:
            cursor.itersize = 2000  # a server-side cursor: the period is fetched 2,000 rows at a time
            cursor.execute(f"SELECT {_EXPORT} FROM entries WHERE disclosed_on BETWEEN %s AND %s "
                           "ORDER BY disclosed_on, post, uuid", (start, end))
            for row in cursor:
                yield dict(zip(names, row, strict=True))

    @contextmanager
    def transaction(self) -> Iterator[HqTransaction]:
        with self._pool.connection() as conn:
            try:
                with conn.transaction():
                    yield _PostgresTransaction(conn)
            except _RACES as error:
                raise HqRetry(type(error).__name__) from None

    def _read(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self._pool.connection() as conn:
            return conn.execute(sql, params).fetchall()


class _PostgresTransaction:
    def __init__(self, conn: psycopg.Connection[Any]) -> None:
        self._conn = conn

    def lock_post(self, fingerprint: str) -> None:
        key = int.from_bytes(bytes.fromhex(fingerprint)[:4], "big", signed=True)
        self._conn.execute("SELECT pg_advisory_xact_lock(%s, %s)", (_LOCKS, key))

    def post(self, fingerprint: str) -> RegisteredPost | None:
        row = self._conn.execute("SELECT fingerprint, name, certificate_pem, registered_at FROM posts "
                                 "WHERE fingerprint = %s", (fingerprint,)).fetchone()
        return RegisteredPost(*row) if row else None

    def add_post(self, post: RegisteredPost) -> None:
        self._conn.execute("INSERT INTO posts (fingerprint, name, certificate_pem, registered_at) "
                           "VALUES (%s, %s, %s, %s)",
                           (post.fingerprint, post.name, post.certificate_pem, post.registered_at))

    def batch(self, post_fingerprint: str, batch: int) -> ReceivedBatch | None:
        row = self._conn.execute(f"SELECT {_BATCH} FROM batches WHERE post_fingerprint = %s AND batch_no = %s",
                                 (post_fingerprint, batch)).fetchone()
        return ReceivedBatch(*row) if row else None

    def batch_numbers(self, post_fingerprint: str) -> list[int]:
        rows = self._conn.execute("SELECT batch_no FROM batches WHERE post_fingerprint = %s ORDER BY batch_no",
                                  (post_fingerprint,))
        return [int(row[0]) for row in rows]

    def held(self, uuids: Sequence[str]) -> dict[str, HeldEntry]:
        rows = self._conn.execute("SELECT uuid, post_fingerprint, batch_no, line FROM entries WHERE uuid = ANY(%s)",
                                  (list(uuids),))
        return {row[0]: HeldEntry(*row) for row in rows}

    def add_batch(self, batch: ReceivedBatch) -> None:
        self._conn.execute(
            f"INSERT INTO batches ({_BATCH}) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
            (batch.post_fingerprint, batch.batch, batch.manifest_sha256, batch.post_name, batch.created,
             batch.entry_count, batch.received_at, batch.already_held, batch.acknowledged_at))

    def add_entries(self, post_fingerprint: str, batch: int, received_at: str, entries: Sequence[NewEntry]) -> None:
        with self.entry_writer(post_fingerprint, batch, received_at) as writer:
            for entry in entries:
                writer.write(entry)

    @contextmanager
    def entry_writer(self, post_fingerprint: str, batch: int, received_at: str) -> Iterator[EntryWriter]:
        # COPY: one stream for the whole batch instead of a round trip per entry (INSERT privilege suffices);
        # binary, so that the PDFs travel as they are rather than hex-escaped.
        sql = f"COPY entries ({', '.join(_ENTRY)}) FROM STDIN (FORMAT BINARY)"
        with self._conn.cursor() as cursor, cursor.copy(sql) as copy:
            copy.set_types(_ENTRY_TYPES)
            yield _CopyWriter(copy, post_fingerprint, batch, received_at)


class _CopyWriter:
    def __init__(self, copy: psycopg.Copy, post_fingerprint: str, batch: int, received_at: str) -> None:
        self._copy, self._labels = copy, (post_fingerprint, batch, received_at)

    def write(self, entry: NewEntry) -> None:
        post_fingerprint, batch, received_at = self._labels
        self._copy.write_row([*(entry.row[c] for c in COLUMNS), post_fingerprint, batch, entry.line, entry.pdf,
                              entry.pdf_sha256 or hashlib.sha256(entry.pdf).hexdigest(), received_at])


def _check_schema(conn: psycopg.Connection[Any], where: str, url: str) -> None:
    known = migrations.available("postgres")
    todo = migrations.pending(_applied(conn), known, where)
    conn.rollback()
    if todo:
        raise HqStoreError(f"{where} lacks schema {', '.join(m.file_name for m in todo)}; the database owner runs "
                           f"'disclosure-desk hq migrate --db {url}' (README: headquarters on PostgreSQL).")


def _migrate(conn: psycopg.Connection[Any], where: str) -> None:
    """Applies what is pending in one transaction, under an advisory lock so two owners migrating at once apply
    each file once."""
    known = migrations.available("postgres")
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s, %s)", (_LOCKS, _MIGRATION_LOCK))
        conn.execute(f"CREATE TABLE IF NOT EXISTS {migrations.LEDGER} (version integer PRIMARY KEY, "
                     "name text NOT NULL, sha256 text NOT NULL, applied_at text NOT NULL)")
        now = datetime.now(UTC).isoformat(timespec="seconds")
        for migration in migrations.pending(_applied(conn), known, where):
            conn.execute(migration.sql.encode("utf-8"))  # several statements: no parameters, the simple protocol
            conn.execute(f"INSERT INTO {migrations.LEDGER} (version, name, sha256, applied_at) "
                         "VALUES (%s, %s, %s, %s)", (migration.version, migration.name, migration.sha256, now))


def _applied(conn: psycopg.Connection[Any]) -> dict[int, str]:
    if conn.execute("SELECT to_regclass(%s)", (migrations.LEDGER,)).fetchone() == (None,):
        return {}
    rows = conn.execute(f"SELECT version, sha256 FROM {migrations.LEDGER}").fetchall()
    return {int(version): str(digest) for version, digest in rows}


def _where(conninfo: str) -> str:
    """The database named in messages: user, host and database, never a password (none is accepted anyway)."""
    params = conninfo_to_dict(conninfo)
    host = str(params.get("host", "localhost"))
    return f"PostgreSQL database {params.get('dbname', '?')!s} on {host} as {params.get('user', 'the login user')!s}"


def _first_line(error: Exception) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0]


def _like(word: str) -> str:
    return "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
