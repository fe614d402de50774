"""Writes under cipher_memory_security (SPEC S1) stay cheap (issue 15): SQLCipher locks and wipes every allocation
SQLite makes outside the connection's lookaside buffer, so each connection gets a buffer large enough that adding
a request with its records never runs out of it (desktop/store/sqlcipher.py, `_enlarge_lookaside`)."""

from __future__ import annotations

import ctypes
import secrets
from dataclasses import replace
from pathlib import Path

from desktop.packets.intake import IncomingRecord, store_records
from desktop.requests import load_request_file
from desktop.store import Store
from desktop.store.sqlcipher import _OBJECT_HEADER_BYTES, _sqlite_api, connect
from tests.conftest import scenario

SQLITE_DBSTATUS_LOOKASIDE_USED = 0
SQLITE_DBSTATUS_LOOKASIDE_MISS_FULL = 6


def _status(conn: object, op: int) -> tuple[int, int]:
    api = _sqlite_api()
    assert api is not None, "the SQLCipher library inside sqlcipher3 could not be reached"
    handle = ctypes.c_void_p.from_address(id(conn) + _OBJECT_HEADER_BYTES).value
    current, highest = ctypes.c_int(), ctypes.c_int()
    api.sqlite3_db_status.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.POINTER(ctypes.c_int),
                                      ctypes.POINTER(ctypes.c_int), ctypes.c_int]
    assert api.sqlite3_db_status(handle, op, ctypes.byref(current), ctypes.byref(highest), 0) == 0
    return current.value, highest.value


def test_adding_requests_and_records_never_runs_out_of_lookaside(store: Store) -> None:
    repo = store.repo
    request = load_request_file(scenario("01"))
    conn = repo._conn  # the store's one connection, opened by desktop.store.sqlcipher.connect
    for number in range(5):
        request_id = repo.add_request(replace(request, reference=f"LA-{number}"))
        store_records(repo, request_id, [IncomingRecord(f"r{number}-{i}.txt", "text/plain",
                                                        f"record {number} {i}\n".encode() * 80, 1, True)
                                         for i in range(10)], "TECS")
    assert _status(conn, SQLITE_DBSTATUS_LOOKASIDE_MISS_FULL)[1] == 0
    assert _status(conn, SQLITE_DBSTATUS_LOOKASIDE_USED)[1] > 123  # more than SQLite's default buffer holds


def test_a_store_made_before_opens_and_reads_the_same(tmp_path: Path) -> None:
    """The lookaside is per connection, nothing in the file: a database written without it opens with it."""
    import sqlcipher3

    key = secrets.token_bytes(32)
    path = tmp_path / "old.db"
    old = sqlcipher3.connect(str(path), isolation_level=None)
    old.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
    old.execute("CREATE TABLE t (a TEXT)")
    old.execute("INSERT INTO t VALUES ('made before')")
    old.close()
    conn = connect(path, key)
    try:
        assert conn.execute("SELECT a FROM t").fetchall() == [("made before",)]
    finally:
        conn.close()
