"""Migration 0006 (issue 15): the status CHECKs of `requests` and `subjects` as comparisons instead of IN lists, so
saving a request builds no ephemeral b-tree (each of whose allocations SQLCipher mlocks and wipes under
cipher_memory_security, SPEC S1). A store at schema 5 upgrades with every row, search result and refusal as before.
"""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from desktop.paths import migrations_dir
from desktop.requests import load_request_file
from desktop.store import KeyVault, RequestQuery, Store, create_store, migrations, unlock_with_passphrase
from desktop.store.sqlcipher import Connection, IntegrityError
from tests.conftest import CHEAP_KDF, PASSPHRASE, scenario_paths

MIGRATION = "0006_status_checks_without_in_lists.sql"
SAVES = {  # what saving a request runs against the two tables, with valid values
    "requests": "INSERT INTO requests (reference, status, created_at, updated_at) VALUES ('EXPLAIN-1', 'open', "
                "'2026-12-01', '2026-12-01')",
    "subjects": "INSERT INTO subjects (request_id, position, name, status) VALUES (1, 99, 'n', 'lpr') "
                "ON CONFLICT(request_id, position) DO UPDATE SET status = excluded.status",
    "update": "UPDATE requests SET status = 'closed' WHERE id = 1",
}


def _builds_a_btree(conn: Connection, sql: str) -> bool:
    return "OpenEphemeral" in [row[1] for row in conn.execute(f"EXPLAIN {sql}")]


def _answers(store: Store, words: list[str]) -> dict[str, object]:
    """What the list and the search show: every request as stored, and each word's search result."""
    repo = store.repo
    found: dict[str, object] = {row.reference: repo.get_request(row.id).request for row in repo.list_requests()}
    for word in words:
        found[f"search {word}"] = [row.reference for row in repo.list_requests(RequestQuery(text=word))]
        found[f"count {word}"] = repo.count_requests(RequestQuery(text=word))
    return found


@pytest.fixture
def schema_5(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A migrations folder holding 0001-0005, as released before this issue; the runner uses it from now on."""
    target = tmp_path / "migrations"
    target.mkdir()
    for path in sorted(migrations_dir().glob("*.sql")):
        if int(path.name[:4]) <= 5:
            shutil.copy(path, target / path.name)
    monkeypatch.setattr(migrations, "migrations_dir", lambda: target)
    assert [m.version for m in migrations.available()] == [1, 2, 3, 4, 5]
    return target


def test_a_schema_5_store_upgrades_with_the_same_rows_search_and_refusals(schema_5: Path, data_dir: Path,
                                                                          vault: KeyVault) -> None:
    store = create_store(data_dir, PASSPHRASE, post_name="Ottawa", bates_prefix="OTT", use_keyring=False,
                         vault=vault, kdf=CHEAP_KDF)
    try:
        for number, path in enumerate(scenario_paths()[:6]):
            store.repo.add_request(replace(load_request_file(path), reference=f"OTT-2026-{number:04d}"))
        requests = [store.repo.get_request(row.id).request for row in store.repo.list_requests()]
        words = sorted({s.name.split()[0] for r in requests for s in r.subjects if s.name}
                       | {r.authority_name.split()[0] for r in requests if r.authority_name} | {"OTT-2026-0003"})
        assert len(words) > 3, "the scenarios should give the search something to find"
        before = _answers(store, words)
        with store.repo.read() as conn:
            assert _builds_a_btree(conn, SAVES["subjects"]), "schema 5 should still build the b-tree"
    finally:
        store.lock()

    shutil.copy(migrations_dir() / MIGRATION, schema_5 / MIGRATION)
    store = unlock_with_passphrase(data_dir, PASSPHRASE, vault)
    try:
        with store.repo.read() as conn:
            assert conn.execute("PRAGMA user_version").fetchone()[0] == 6
            for table, rewritten in (("requests", "status = 'open' OR"), ("subjects", "status = 'us_citizen' OR")):
                sql = conn.execute("SELECT sql FROM sqlite_schema WHERE name = ?", (table,)).fetchone()[0]
                assert "status IN (" not in sql and rewritten in sql, sql
            assert conn.execute("SELECT count(*) FROM sqlite_schema WHERE name LIKE 'migration_0006%'"
                                ).fetchone()[0] == 0
            for label, sql in SAVES.items():
                assert not _builds_a_btree(conn, sql), label
        assert _answers(store, words) == before
        assert store.verify_integrity() == [] and store.repo.verify_audit().ok
        _refuses_what_schema_5_refused(store)
    finally:
        store.lock()


def test_a_new_store_saves_requests_without_building_a_btree(store: Store) -> None:
    with store.repo.read() as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] >= 6
        for label, sql in SAVES.items():
            assert not _builds_a_btree(conn, sql), label
    _refuses_what_schema_5_refused(store)


def _refuses_what_schema_5_refused(store: Store) -> None:
    """The rewritten CHECKs pass and refuse exactly what the IN lists did (the values SPEC's model allows)."""
    with store.repo.read() as conn:
        conn.execute("SAVEPOINT probe")
        try:
            conn.execute("INSERT INTO requests (id, reference, created_at, updated_at) VALUES (9001, 'CHK', 'x', 'x')")
            for status in ("open", "disclosed", "closed", "disposed"):
                conn.execute("UPDATE requests SET status = ? WHERE id = 9001", (status,))
            for status in ("us_citizen", "lpr", "jra_covered", "other"):
                conn.execute("INSERT INTO subjects (request_id, position, name, status) VALUES (9001, ?, 'n', ?)",
                             (len(status), status))
            for bad in ("Open", "pending", "", "open "):
                with pytest.raises(IntegrityError, match="CHECK constraint failed"):
                    conn.execute("UPDATE requests SET status = ? WHERE id = 9001", (bad,))
                with pytest.raises(IntegrityError, match="CHECK constraint failed"):
                    conn.execute("INSERT INTO subjects (request_id, position, name, status) VALUES (9001, 50, 'n', ?)",
                                 (bad,))
            with pytest.raises(IntegrityError, match="NOT NULL"):
                conn.execute("UPDATE requests SET status = NULL WHERE id = 9001")
        finally:
            conn.execute("ROLLBACK TO probe")
            conn.execute("RELEASE probe")
