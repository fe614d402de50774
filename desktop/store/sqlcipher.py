"""Opening the SQLCipher 4 database with a raw 32-byte key and the settings the product relies on (SPEC S1).

Journal choice: a rollback journal (DELETE) with synchronous=FULL. Both it and WAL hold only encrypted pages;
the rollback journal keeps the store one file between transactions (simple to back up, copy and check), works
with `PRAGMA rekey`, and a desktop with one writer gains nothing from WAL's concurrent readers.
tests/integration/test_crash_safety.py kills a writer with SIGKILL to hold this to its promise.

Write cost (issue 15): with `cipher_memory_security = ON` (SPEC S1) SQLCipher mlocks every allocation SQLite makes
and wipes and munlocks it when freed: two system calls and a split and merge of the heap's memory map each time.
SQLite serves small, short-lived allocations from the connection's lookaside buffer instead, but its default buffer
(about 120 slots) is taken up by the prepared statements the driver caches, so every allocation of a statement's
run went to malloc: 555 mlock calls for a request and its ten records, which made inserts twice as slow as plain
SQLite. Each connection therefore gets a larger lookaside buffer (`_enlarge_lookaside`): about 100 mlock calls for
the same insert. The buffer is one allocation, so it is itself locked in memory and wiped when the connection
closes; a slot reused inside it holds what SQLite's own default slots would, in the same locked memory. Neither the
cipher settings nor the file format change: stores made before open as they did.

What is left (issue 15, third pass; counts from strace -c and valgrind, which the machine's load does not move):
- An insert of a request and its records makes 74 mlock/munlock pairs (99 before migration 0006, which spares the
  ephemeral b-tree SQLite built for every `status IN (...)` CHECK). Of those, about 35 are FTS5's pending-term
  entries (sqlite3_malloc, never lookaside), 9 are new page-cache pages, the rest FTS5 segment buffers and the
  journal's bit vectors: none of them is a connection allocation that a lookaside could take.
- Every page written is encrypted and HMAC'd, the journal's copy too: 61 per request. HMAC-SHA512 is 5.2 M of the
  7.9 M instructions per request SQLCipher adds (AES-256-CBC 1.2 M, the wipe of freed memory 0.2 M). HMAC-SHA256
  would save about 0.2-0.3 ms a request (an HMAC of a 4 KB page: 12.9 against 9.1 µs here) but changes the file
  format: every store and backup would need re-encrypting and the open would need to know which it has; not done.
- The open parses the schema with lookaside off (SQLite's parser disables it for every CREATE), so each of the
  schema's ~2,100 allocations is an mlock pair: the tables 1,480 (`requests` alone 271, four per column), the ten
  triggers 515, FTS5's two tables and shadow tables 154, the explicit indexes 112. Without all the triggers, FTS
  tables and indexes it would still be ~1,300 pairs, about 6.5 ms. 5 ms needs memory locked once per arena and
  only wiped per allocation, which is a change to SQLCipher itself (e.g. SQLite's memsys5 heap on one buffer
  mlocked at start-up, within RLIMIT_MEMLOCK), not a smaller schema. Parsing the schema before switching memory
  security on would leave the page-cache buffers allocated meanwhile unlocked (they later hold data pages), and
  would help only a process's first open: SQLCipher cannot switch memory security off once it is on.
"""

from __future__ import annotations

import ctypes
import logging
import sys
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
# Lookaside slots: 1,200 bytes is SQLite's own slot size (few allocations of a statement's run are larger); an
# insert of a request with its records peaks at about 380 slots in use beside the cached statements. 1.2 MB.
LOOKASIDE_SLOT_BYTES = 1200
LOOKASIDE_SLOTS = 1000
_SQLITE_DBCONFIG_LOOKASIDE = 1001
_log = logging.getLogger(__name__)


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
        _enlarge_lookaside(conn, path)  # before anything runs on it: SQLite refuses while a slot is in use
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


def _enlarge_lookaside(conn: Connection, path: Path) -> bool:
    """Gives the connection LOOKASIDE_SLOTS lookaside slots (see the module docstring); False, and the connection
    as it was, when that cannot be done safely here.

    The driver does not expose sqlite3_db_config, so it is called through ctypes on the library the driver is built
    with, on the connection's handle: the first field after the object header of the driver's Connection (pysqlite's
    layout, the same since Python 2.5). The handle is trusted only when SQLite names the file this connection opened
    through it; tests/integration/test_store_security.py checks that the setting takes effect."""
    api = _sqlite_api()
    if api is None:
        return False
    handle = ctypes.c_void_p.from_address(id(conn) + _OBJECT_HEADER_BYTES).value
    if not handle:
        return False
    named = api.sqlite3_db_filename(handle, b"main")
    if named is None or Path(named.decode("utf-8", "replace")).resolve() != path.resolve():
        _log.info("lookaside not enlarged: the connection handle could not be confirmed")
        return False
    done = api.sqlite3_db_config(handle, _SQLITE_DBCONFIG_LOOKASIDE, None, LOOKASIDE_SLOT_BYTES, LOOKASIDE_SLOTS)
    return bool(done == 0)


_OBJECT_HEADER_BYTES = 2 * ctypes.sizeof(ctypes.c_void_p)  # ob_refcnt and ob_type: a CPython release build
_api: list[ctypes.CDLL | None] = []


def _sqlite_api() -> ctypes.CDLL | None:
    """The SQLCipher library inside the driver, with the two calls declared; None where it cannot be reached (not
    CPython, or a build that does not export them)."""
    if not _api:
        _api.append(_load_sqlite_api())
    return _api[0]


def _load_sqlite_api() -> ctypes.CDLL | None:
    if sys.implementation.name != "cpython" or hasattr(sys, "gettotalrefcount"):  # a debug build's header differs
        return None
    try:
        from sqlcipher3 import _sqlite3  # type: ignore[attr-defined]

        api = ctypes.CDLL(_sqlite3.__file__)
        api.sqlite3_db_filename.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
        api.sqlite3_db_filename.restype = ctypes.c_char_p
        api.sqlite3_db_config.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p, ctypes.c_int, ctypes.c_int]
        api.sqlite3_db_config.restype = ctypes.c_int
        api.sqlite3_libversion.restype = ctypes.c_char_p
        version = api.sqlite3_libversion()
    except (ImportError, OSError, AttributeError):
        return None
    if version is None or version.decode() != sqlcipher3.sqlite_version:  # not the library the driver runs on
        return None
    return api


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
