"""SQLCipher against plain SQLite on the same workload (SPEC section 9): the encryption's overhead ratio.

Both stores are built through the real `Repository` (rules attached, audit entry and FTS row for every request),
with the same schema (db/migrations, applied by the real runner) and the same connection settings; only the
encryption differs. `python -m bench store [--quick] [-n N] [--dir DIR] [--keep]`.
"""

from __future__ import annotations

import argparse
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import keyring.backend
import sqlcipher3

from bench import workload
from bench.report import Figure, Timing, progress, table, timed, workdir, write_results
from desktop.packets.intake import store_records
from desktop.requests import Request
from desktop.rules import assess_for_store
from desktop.store import KdfParams, KeyVault, RequestQuery, create_store, unlock_with_passphrase
from desktop.store import keyfile as kf
from desktop.store.migrations import migrate
from desktop.store.repository import Repository
from desktop.store.sqlcipher import CACHE_KIB, connect
from desktop.store.store import unlock_with_keyring

PASSPHRASE = "bench store passphrase 4320 lantern"
DEFAULT_COUNT = 20_000
QUICK_COUNT = 2_000
REPEAT = 7
RECORDS_PER_REQUEST = 10  # issue 2: 20,000 requests with 10 records each (SPEC section 9: 200,000 records)
PAGE = 200  # the request list's first page (RequestQuery's default limit)

# What the window asks of the store: a page of rows and the count shown above it.
QUERIES: dict[str, RequestQuery] = {
    "list by received_on: page + count": RequestQuery(limit=PAGE),
    f"FTS '{workload.SEARCHED_NAME}': page + count": RequestQuery(text=workload.SEARCHED_NAME, limit=PAGE),
    f"country = {workload.COUNTRY}: page + count": RequestQuery(country=workload.COUNTRY, limit=PAGE),
    "overdue: page + count": RequestQuery(overdue_only=True, today=workload.TODAY, limit=PAGE),
}


@dataclass
class Engine:
    """One store under test: how to open it, and what was measured on it."""

    name: str
    open: Callable[[], tuple[Repository, Callable[[], None]]]  # a fresh connection, and how to close it
    open_raw: Callable[[], None]  # open and close without any key derivation
    open_keyring: Callable[[], None]  # the product's unlock with the key from the keyring, then lock
    insert_rate: float = 0.0
    insert_cpu: float = 0.0  # seconds of this process's CPU per request and its records (fsync waits excluded)
    open_time: Timing | None = None
    raw_open_time: Timing | None = None
    keyring_open_time: Timing | None = None
    queries: dict[str, Timing] | None = None
    answers: dict[str, tuple[list[str], int]] | None = None
    size: int = 0


def main(argv: list[str] | None = None) -> int:
    options = _options(argv)
    count = options.n or (QUICK_COUNT if options.quick else DEFAULT_COUNT)
    with workdir("dd-bench-", options.dir, options.keep) as root:
        requests = workload.requests(count)
        engines = [_sqlcipher(root / "sqlcipher", requests), _plain(root / "sqlite" / "store.db", requests)]
        for engine in engines:
            engine.open_time = timed(partial(_open_and_close, engine), repeat=3)
            engine.raw_open_time = timed(engine.open_raw, repeat=REPEAT)
            engine.keyring_open_time = timed(engine.open_keyring, repeat=REPEAT)
            _measure_queries(engine)
    cipher, plain = engines
    if cipher.answers != plain.answers:
        raise SystemExit("SQLCipher and SQLite answered the same query differently; the comparison is void")
    figures = _figures(cipher, plain)
    print(table(f"store: {count:,} requests, SQLCipher vs plain SQLite (same Repository, same schema)",
                "SQLCipher", "SQLite", figures))
    path = write_results("store", _payload(count, options, cipher), figures)
    print(f"\nresults: {path}")
    return 0


def _options(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench store", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_COUNT:,} requests instead of {DEFAULT_COUNT:,}")
    parser.add_argument("-n", type=int, help="number of requests (overrides --quick)")
    parser.add_argument("--dir", type=Path, help="where to build the stores (default: a temporary folder)")
    parser.add_argument("--keep", action="store_true", help="keep the stores afterwards")
    return parser.parse_args(argv)


def _sqlcipher(root: Path, requests: list[Request]) -> Engine:
    """The product's store: Argon2id at its default cost, raw 32-byte key, SQLCipher 4."""
    vault = KeyVault(_MemoryKeyring())
    store = create_store(root, PASSPHRASE, post_name="Bench", bates_prefix="BEN", use_keyring=True, vault=vault,
                         kdf=KdfParams())
    store.set_assessor(assess_for_store)
    key, _pending = kf.unwrap(kf.read_keyfile(root / "keyfile.json"), PASSPHRASE)
    engine = Engine("SQLCipher", lambda: _unlock(root, vault), lambda: _open_raw(root / "store.db", key),
                    lambda: unlock_with_keyring(root, vault).lock())
    engine.insert_rate, engine.insert_cpu = _insert(engine.name, store.repo, requests)
    store.lock()
    engine.size = (root / "store.db").stat().st_size
    return engine


class _MemoryKeyring(keyring.backend.KeyringBackend):
    """A keyring in memory, so the bench can time the product's keyring unlock where no OS keyring runs."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.entries.pop((service, username), None)


def _unlock(root: Path, vault: KeyVault) -> tuple[Repository, Callable[[], None]]:
    store = unlock_with_passphrase(root, PASSPHRASE, vault)
    store.set_assessor(assess_for_store)
    return store.repo, store.lock


def _open_raw(path: Path, key: bytes) -> None:
    """What an unlock costs once the key is known (the keyring path): connect, prove the key, check migrations."""
    conn = connect(path, key)
    try:
        migrate(conn)
    finally:
        conn.close()


def _plain(path: Path, requests: list[Request]) -> Engine:
    """The baseline: the same schema and Repository on Python's sqlite3, no key, no page encryption."""
    path.parent.mkdir(parents=True)
    repo, close = _open_plain(path)
    repo.set_settings({"post_name": "Bench", "bates_prefix": "BEN"})
    engine = Engine("SQLite", lambda: _open_plain(path), lambda: _open_plain(path)[1](),
                    lambda: _open_plain(path)[1]())
    engine.insert_rate, engine.insert_cpu = _insert(engine.name, repo, requests)
    close()
    engine.size = path.stat().st_size
    return engine


def _open_plain(path: Path) -> tuple[Repository, Callable[[], None]]:
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    # The settings desktop/store/sqlcipher.py gives the encrypted store, bar the key and cipher pragmas.
    for pragma in ("temp_store = MEMORY", "foreign_keys = ON", "journal_mode = DELETE", "synchronous = FULL",
                   f"cache_size = -{CACHE_KIB}", "busy_timeout = 5000"):
        conn.execute(f"PRAGMA {pragma}")
    migrate(conn)  # type: ignore[arg-type]  # the runner only needs execute/executescript
    return Repository(conn, "bench", assess_for_store), conn.close  # type: ignore[arg-type]


def _insert(name: str, repo: Repository, requests: list[Request]) -> tuple[float, float]:
    """Each request as the window adds it (one transaction), then its records as an import adds them (another).
    The rate, and the CPU seconds per request: the rate's ratio moves with the disk's fsync latency, which both
    engines pay alike and which other work on a shared machine changes from run to run; the CPU time is what the
    encryption and memory security add (issue 15)."""
    step = max(len(requests) // 10, 1)
    started, cpu_started = time.perf_counter(), time.process_time()
    for done, request in enumerate(requests, start=1):
        request_id = repo.add_request(request, source="bench")
        store_records(repo, request_id, workload.records(done, RECORDS_PER_REQUEST), "TECS")
        if done % step == 0:
            rate = done / (time.perf_counter() - started)
            progress(f"  {name}: {done:,}/{len(requests):,} requests with their records ({rate:,.0f}/s)")
    return len(requests) / (time.perf_counter() - started), (time.process_time() - cpu_started) / len(requests)


def _open_and_close(engine: Engine) -> None:
    _repo, close = engine.open()
    close()


def _page_and_count(repo: Repository, query: RequestQuery) -> None:
    """What the window does for a list: one page of rows and the total above it."""
    repo.list_requests(query)
    repo.count_requests(query)


def _measure_queries(engine: Engine) -> None:
    repo, close = engine.open()
    try:
        engine.queries, engine.answers = {}, {}
        for label, query in QUERIES.items():
            engine.queries[label] = timed(partial(_page_and_count, repo, query), REPEAT)
            rows = repo.list_requests(query)
            engine.answers[label] = ([row.reference for row in rows], repo.count_requests(query))
    finally:
        close()


def _figures(cipher: Engine, plain: Engine) -> list[Figure]:
    assert cipher.open_time and plain.open_time and cipher.raw_open_time and plain.raw_open_time
    assert cipher.keyring_open_time and plain.keyring_open_time
    assert cipher.queries and plain.queries
    figures = [
        Figure(f"insert request + {RECORDS_PER_REQUEST} records", "requests/s", cipher.insert_rate,
               plain.insert_rate, True),
        Figure(f"insert request + {RECORDS_PER_REQUEST} records, CPU per request", "ms", cipher.insert_cpu * 1e3,
               plain.insert_cpu * 1e3),
        Figure("open + unlock (Argon2id default)", "ms", cipher.open_time.median * 1e3, plain.open_time.median * 1e3),
        Figure("open with the key known: connect + migrations check", "ms", cipher.raw_open_time.median * 1e3,
               plain.raw_open_time.median * 1e3),
        Figure("unlock with the keyring's key (unlock_with_keyring, then lock)", "ms",
               cipher.keyring_open_time.median * 1e3, plain.keyring_open_time.median * 1e3),
    ]
    first_label = next(iter(QUERIES))
    figures.append(Figure(f"{first_label}, first after open", "ms", cipher.queries[first_label].first * 1e3,
                          plain.queries[first_label].first * 1e3))
    for label in QUERIES:
        figures.append(Figure(label, "ms", cipher.queries[label].median * 1e3, plain.queries[label].median * 1e3))
    figures.append(Figure("file size", "MB", cipher.size / 1e6, plain.size / 1e6))
    return figures


def _payload(count: int, options: argparse.Namespace, cipher: Engine) -> dict[str, Any]:
    """Everything needed to compare this run with a later one, besides the figures."""
    versions = sqlcipher3.connect(":memory:")
    try:
        cipher_version = versions.execute("PRAGMA cipher_version").fetchone()[0]
        sqlcipher_sqlite = versions.execute("SELECT sqlite_version()").fetchone()[0]
    finally:
        versions.close()
    kdf = KdfParams()
    return {
        "requests": count,
        "records": count * RECORDS_PER_REQUEST,
        "quick": bool(options.quick),
        "versions": {"sqlcipher": cipher_version, "sqlcipher_sqlite": sqlcipher_sqlite,
                     "sqlite3": sqlite3.sqlite_version},
        "kdf": {"time_cost": kdf.time_cost, "memory_cost_kib": kdf.memory_cost_kib, "parallelism": kdf.parallelism},
        "answers_match": True,
        "answers": {label: {"page": len(refs), "total": total}
                    for label, (refs, total) in (cipher.answers or {}).items()},
    }

