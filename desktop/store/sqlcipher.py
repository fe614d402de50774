"""Opening the SQLCipher 4 database with a raw 32-byte key and the settings the product relies on (SPEC S1).

Journal choice: a rollback journal (DELETE) with synchronous=FULL. Both it and WAL hold only encrypted pages;
the rollback journal keeps the store one file between transactions (simple to back up, copy and check), works
with `PRAGMA rekey`, and a desktop with one writer gains nothing from WAL's concurrent readers.
tests/integration/test_crash_safety.py kills a writer with SIGKILL to hold this to its promise.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import sqlcipher3

from desktop.store.errors import StoreDamagedError
from desktop.store.fileio import private_file

Connection = sqlcipher3.Connection
DatabaseError = sqlcipher3.DatabaseError
IntegrityError = sqlcipher3.IntegrityError
PLAINTEXT_HEADER = b"SQLite format 3\x00"
CACHE_KIB = 64 * 1024  # decrypted-page cache: the working set of the list and search (see bench/)


def connect(path: Path, key: bytes, *, create: bool = False, readonly: bool = False) -> Connection:
    """An open, verified connection. Never creates a file unless `create`; a wrong key raises, and writes nothing."""
    mode = "rwc" if create else ("ro" if readonly else "rw")
    try:
        conn = sqlcipher3.connect(
            f"file:{quote(str(path))}?mode={mode}", uri=True, isolation_level=None, check_same_thread=False
        )
    except sqlcipher3.OperationalError as exc:
        raise StoreDamagedError(path, f"it cannot be opened ({exc})") from exc
    try:
        _configure(conn, key)
    except BaseException:
        conn.close()
        raise
    return conn


def _configure(conn: Connection, key: bytes) -> None:
    conn.execute("PRAGMA cipher_log_level = NONE")  # SQLCipher's own stderr chatter; failures surface as errors
    # The key is given as a raw key in blob-literal form: SQLCipher then skips its own KDF (SPEC S2).
    conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
    conn.execute("PRAGMA cipher_memory_security = ON")
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()  # the first read proves the key
    except sqlcipher3.DatabaseError as exc:
        raise WrongKeyError(str(exc)) from exc
    # SQLCipher does not encrypt temporary files; keep every temporary table and index in memory.
    conn.execute("PRAGMA temp_store = MEMORY")
    if conn.execute("PRAGMA temp_store").fetchone()[0] != 2:
        raise RuntimeError("temp_store=MEMORY did not take; refusing to run with temporary files on disk")
    conn.execute("PRAGMA foreign_keys = ON")
    if conn.execute("PRAGMA foreign_keys").fetchone()[0] != 1:
        raise RuntimeError("foreign keys could not be enabled")
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
    conn.execute("PRAGMA busy_timeout = 5000")


class WrongKeyError(sqlcipher3.DatabaseError):
    """The key does not decrypt page 1: either a wrong key or a damaged header (the caller knows which)."""


def integrity_problems(path: Path, key: bytes) -> list[str]:
    """Runs both checks on a fresh read-only connection; an empty list means the file is sound."""
    try:
        conn = connect(path, key, readonly=True)
    except WrongKeyError as exc:
        return [f"its first page does not decrypt with the key ({exc})"]
    problems: list[str] = []
    try:
        # Each check on its own: a damaged page can make integrity_check fail outright ("SQL logic error"), and
        # the HMAC check's report of which page it is must not be lost with it.
        try:
            problems += [row[0] for row in conn.execute("PRAGMA cipher_integrity_check")]
        except sqlcipher3.DatabaseError as exc:
            problems.append(f"the page check could not finish ({exc})")
        try:
            problems += [row[0] for row in conn.execute("PRAGMA integrity_check") if row[0] != "ok"]
        except (sqlcipher3.DatabaseError, MemoryError) as exc:
            # A page whose HMAC fails can surface as SQLITE_NOMEM, which the driver raises as MemoryError; it is
            # the damage the page check has just named, not a lack of memory.
            problems.append(f"the structure check could not finish ({exc})")
        return problems
    finally:
        conn.close()


def export_copy(conn: Connection, target: Path, key: bytes) -> None:
    """Writes a whole, encrypted copy of the open database to `target` (sqlcipher_export, SPEC S5), a file only
    its owner can read."""
    if not target.exists():
        private_file(target).close()
    conn.execute(f"ATTACH DATABASE ? AS backup KEY \"x'{key.hex()}'\"", (str(target),))
    try:
        conn.execute("SELECT sqlcipher_export('backup')")
        version = conn.execute("PRAGMA main.user_version").fetchone()[0]
        conn.execute(f"PRAGMA backup.user_version = {int(version)}")
    finally:
        conn.execute("DETACH DATABASE backup")
