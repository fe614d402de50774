"""Schema migrations on real stores (SPEC S7): an older store is upgraded in one transaction after a verified
backup; a failing, edited or unknown migration leaves the database as it was and says why.

The runner reads its folder from desktop.paths.migrations_dir (imported into desktop.store.migrations); each test
points it at a copy of db/migrations in tmp_path and adds files there.
"""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from desktop.paths import migrations_dir
from desktop.requests import load_request_file
from desktop.store import KeyVault, Store, StoreError, create_store, migrations, unlock_with_passphrase
from desktop.store import keyfile as kf
from desktop.store.sqlcipher import PLAINTEXT_HEADER, connect, integrity_problems
from tests.conftest import CHEAP_KDF, PASSPHRASE, scenario_paths

V2 = """-- Test migration 2: a column and an index, as a later issue would add them.
ALTER TABLE requests ADD COLUMN priority TEXT NOT NULL DEFAULT 'normal';
CREATE INDEX requests_priority ON requests (priority);
"""
FAILING_V2 = """ALTER TABLE requests ADD COLUMN priority TEXT NOT NULL DEFAULT 'normal';
CREATE INDEX requests_priority ON requests (priority);
UPDATE requests SET no_such_column = 1;
"""


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A migrations folder holding today's 0001 only, which the runner uses from now on."""
    target = tmp_path / "migrations"
    target.mkdir()
    shipped = sorted(migrations_dir().glob("*.sql"))
    assert [p.name for p in shipped][:1] == ["0001_initial.sql"]
    shutil.copy(shipped[0], target / shipped[0].name)
    monkeypatch.setattr(migrations, "migrations_dir", lambda: target)
    assert [m.version for m in migrations.available()] == [1]
    return target


def v1_store(data_dir: Path, vault: KeyVault) -> dict[str, object]:
    """A store made under schema 1, with three requests; returns what it holds, and leaves it locked."""
    store = create_store(data_dir, PASSPHRASE, post_name="Ottawa", bates_prefix="OTT", use_keyring=False,
                         vault=vault, kdf=CHEAP_KDF)
    try:
        for number, path in enumerate(scenario_paths()[:3]):
            store.repo.add_request(replace(load_request_file(path), reference=f"OTT-2026-{number:04d}"))
        return contents(store)
    finally:
        store.lock()


def contents(store: Store) -> dict[str, object]:
    return {row.reference: store.repo.get_request(row.id).request for row in store.repo.list_requests()}


def schema(store_or_conn: Store | object) -> tuple[int, list[int], set[str]]:
    """user_version, the applied migrations, and the columns of `requests`."""
    def read(conn: object) -> tuple[int, list[int], set[str]]:
        version = conn.execute("PRAGMA user_version").fetchone()[0]  # type: ignore[attr-defined]
        applied = [row[0] for row in conn.execute(  # type: ignore[attr-defined]
            "SELECT version FROM schema_migrations ORDER BY version")]
        columns = {row[1] for row in conn.execute("PRAGMA table_info(requests)")}  # type: ignore[attr-defined]
        return version, applied, columns

    if isinstance(store_or_conn, Store):
        with store_or_conn.repo.read() as conn:
            return read(conn)
    return read(store_or_conn)


def key_of(keyfile: Path) -> bytes:
    return kf.unwrap(kf.read_keyfile(keyfile), PASSPHRASE)[0]


def test_a_schema_1_store_opens_under_schema_2_upgraded_after_a_backup(folder: Path, data_dir: Path,
                                                                       vault: KeyVault) -> None:
    before = v1_store(data_dir, vault)
    assert not (data_dir / "backups").exists(), "a new store needs no backup before its first migration"
    (folder / "0002_request_priority.sql").write_text(V2, "utf-8")

    store = unlock_with_passphrase(data_dir, PASSPHRASE, vault)
    try:
        version, applied, columns = schema(store)
        assert (version, applied) == (2, [1, 2]) and "priority" in columns
        assert contents(store) == before
        with store.repo.read() as conn:
            assert {row[0] for row in conn.execute("SELECT priority FROM requests")} == {"normal"}
        assert store.repo.verify_audit().ok and store.verify_integrity() == []
    finally:
        store.lock()

    copies = sorted((data_dir / "backups").iterdir())
    assert [p.suffix for p in copies] == [".db", ".json"], copies
    copy, copy_keyfile = copies
    assert copy.name.startswith("before-migration-from-0001-")
    assert not copy.read_bytes().startswith(PLAINTEXT_HEADER)
    key = key_of(copy_keyfile)
    assert integrity_problems(copy, key) == []
    conn = connect(copy, key, readonly=True)
    try:
        version, applied, columns = schema(conn)
        assert (version, applied) == (1, [1]) and "priority" not in columns, "the copy was taken after upgrading"
        assert conn.execute("SELECT count(*) FROM requests").fetchone()[0] == 3
    finally:
        conn.close()

    unlock_with_passphrase(data_dir, PASSPHRASE, vault).lock()  # nothing left to apply: no second copy
    assert len(list((data_dir / "backups").iterdir())) == 2


def test_a_failing_migration_leaves_the_database_at_schema_1_untouched(folder: Path, data_dir: Path,
                                                                       vault: KeyVault) -> None:
    before = v1_store(data_dir, vault)
    db_before = (data_dir / "store.db").read_bytes()
    (folder / "0002_request_priority.sql").write_text(FAILING_V2, "utf-8")

    with pytest.raises(StoreError) as caught:
        unlock_with_passphrase(data_dir, PASSPHRASE, vault)
    message = str(caught.value)
    assert "0002" in message and "no_such_column" in message and "schema 1" in message
    assert (data_dir / "store.db").read_bytes() == db_before, "a failed upgrade changed the database"
    assert not (data_dir / "store.db-journal").exists()

    (folder / "0002_request_priority.sql").unlink()
    store = unlock_with_passphrase(data_dir, PASSPHRASE, vault)
    try:
        version, applied, columns = schema(store)
        assert (version, applied) == (1, [1]) and "priority" not in columns
        assert contents(store) == before and store.verify_integrity() == []
    finally:
        store.lock()


def test_an_edited_migration_that_was_already_applied_is_refused(folder: Path, data_dir: Path,
                                                                 vault: KeyVault) -> None:
    v1_store(data_dir, vault)
    before = {p.name: p.read_bytes() for p in data_dir.iterdir()}
    first = folder / "0001_initial.sql"
    first.write_text(first.read_text("utf-8") + "\n-- a harmless-looking edit\n", "utf-8")

    with pytest.raises(StoreError) as caught:
        unlock_with_passphrase(data_dir, PASSPHRASE, vault)
    message = str(caught.value)
    assert "0001_initial.sql differs from the one applied" in message and "never edited" in message
    assert {p.name: p.read_bytes() for p in data_dir.iterdir()} == before, "no backup, no change"


def test_a_store_from_a_newer_version_is_refused(folder: Path, data_dir: Path, vault: KeyVault) -> None:
    (folder / "0002_request_priority.sql").write_text(V2, "utf-8")
    v1_store(data_dir, vault)  # made by the "newer" program: schema 2
    (folder / "0002_request_priority.sql").unlink()
    before = {p.name: p.read_bytes() for p in data_dir.iterdir()}

    with pytest.raises(StoreError) as caught:
        unlock_with_passphrase(data_dir, PASSPHRASE, vault)
    message = str(caught.value)
    assert "newer Disclosure Desk" in message and "schema 2" in message and "knows 1" in message
    assert "was not changed" in message
    assert {p.name: p.read_bytes() for p in data_dir.iterdir()} == before


@pytest.mark.parametrize(("name", "problem"), [("0001_twice.sql", "use each number once"),
                                               ("2_short_number.sql", "is not named NNNN_name.sql")])
def test_a_misnumbered_migration_folder_is_refused(folder: Path, data_dir: Path, vault: KeyVault, name: str,
                                                   problem: str) -> None:
    v1_store(data_dir, vault)
    db_before = (data_dir / "store.db").read_bytes()
    (folder / name).write_text(V2, "utf-8")
    with pytest.raises(StoreError) as caught:
        unlock_with_passphrase(data_dir, PASSPHRASE, vault)
    assert problem in str(caught.value)
    assert (data_dir / "store.db").read_bytes() == db_before


def test_a_gap_is_allowed_and_the_missing_number_is_applied_when_it_arrives(folder: Path, data_dir: Path,
                                                                           vault: KeyVault) -> None:
    """Issues take their numbers side by side: a branch can ship 0003 before 0002 exists (migrations.py)."""
    v1_store(data_dir, vault)
    (folder / "0003_later_issue.sql").write_text("ALTER TABLE requests ADD COLUMN later TEXT;\n", "utf-8")
    unlock_with_passphrase(data_dir, PASSPHRASE, vault).lock()
    (folder / "0002_request_priority.sql").write_text(V2, "utf-8")

    store = unlock_with_passphrase(data_dir, PASSPHRASE, vault)
    try:
        version, applied, columns = schema(store)
        assert (version, applied) == (3, [1, 2, 3]), "the store's version stays its highest migration"
        assert {"priority", "later"} <= columns
    finally:
        store.lock()
