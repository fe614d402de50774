"""Migration 0005 (issue 14): authorities gain their official e-mail domains, on a store made before it, whether
another issue's 0004 is there before it, arrives after it, or never comes (desktop/store/migrations.py)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from desktop.paths import migrations_dir
from desktop.store import KeyVault, create_store, migrations, unlock_with_passphrase
from desktop.store.registries import Authority, list_entries, save_entry
from tests.conftest import CHEAP_KDF, PASSPHRASE

OTHER_0004 = "CREATE TABLE page_ocr (record_id INTEGER NOT NULL, page_no INTEGER NOT NULL, words TEXT) STRICT;\n"


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The shipped migrations before this issue's (0001-0003), which the runner uses from now on."""
    target = tmp_path / "migrations"
    target.mkdir()
    for path in sorted(migrations_dir().glob("000[123]_*.sql")):
        shutil.copy(path, target / path.name)
    monkeypatch.setattr(migrations, "migrations_dir", lambda: target)
    return target


def applied(data_dir: Path, vault: KeyVault) -> tuple[list[int], int, list[Authority]]:
    store = unlock_with_passphrase(data_dir, PASSPHRASE, vault)
    try:
        with store.repo.read() as conn:
            versions = [row[0] for row in conn.execute("SELECT version FROM schema_migrations ORDER BY version")]
            user_version = conn.execute("PRAGMA user_version").fetchone()[0]
        return versions, user_version, list_entries(store.repo, Authority)
    finally:
        store.lock()


@pytest.mark.parametrize("other", ["never", "before", "after"])
def test_0005_upgrades_a_store_with_or_without_0004(folder: Path, data_dir: Path, vault: KeyVault,
                                                    other: str) -> None:
    store = create_store(data_dir, PASSPHRASE, post_name="Ottawa", bates_prefix="OTT", use_keyring=False,
                         vault=vault, kdf=CHEAP_KDF)
    with store.repo.transaction("registry.authorities.add", "authorities") as tx:  # as the program before 0005 did
        tx.conn.execute("INSERT INTO authorities (name, country, kind, created_at, updated_at) "
                        "VALUES ('CBSA', 'CA', 'customs', '2026-01-01', '2026-01-01')")
    store.lock()
    if other == "before":
        (folder / "0004_page_ocr.sql").write_text(OTHER_0004, "utf-8")
    shutil.copy(migrations_dir() / "0005_official_domains.sql", folder / "0005_official_domains.sql")

    versions, user_version, entries = applied(data_dir, vault)
    assert versions == ([1, 2, 3, 4, 5] if other == "before" else [1, 2, 3, 5]) and user_version == 5
    assert [(e.name, e.official_domains) for e in entries] == [("CBSA", ())], "the authority is kept, no domain yet"

    if other == "after":
        (folder / "0004_page_ocr.sql").write_text(OTHER_0004, "utf-8")
        versions, user_version, _ = applied(data_dir, vault)
        assert versions == [1, 2, 3, 4, 5] and user_version == 5

    store = unlock_with_passphrase(data_dir, PASSPHRASE, vault)
    try:
        save_entry(store.repo, Authority(name="ANAM", country="MX", official_domains=("anam.gob.mx",)))
        assert [e.official_domains for e in list_entries(store.repo, Authority)] == [("anam.gob.mx",), ()]
        assert store.verify_integrity() == [] and store.repo.verify_audit().ok
    finally:
        store.lock()
