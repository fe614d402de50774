"""The store's files are the owner's alone (SPEC S1, issue 13): the data folder is 0700 and store.db, its key file,
its journal and every copy of it 0600, whatever the umask; a store made before is narrowed when it is opened."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop.store import KeyVault, create_store, restore_backup, unlock_with_passphrase, write_backup
from tests.conftest import CHEAP_KDF, PASSPHRASE

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")


@pytest.fixture(autouse=True)
def usual_umask() -> Iterator[None]:
    """022, as most desktops have it: files would be world-readable unless made otherwise."""
    before = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(before)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_store_is_the_owners_alone(tmp_path: Path, vault: KeyVault) -> None:
    data = tmp_path / "data"
    data.mkdir(mode=0o755)  # a folder that was there already, open to all
    store = create_store(data, PASSPHRASE, post_name="Ottawa", bates_prefix="OTT", use_keyring=False, vault=vault,
                         kdf=CHEAP_KDF)
    try:
        assert mode(data) == 0o700
        assert mode(data / "store.db") == 0o600 and mode(data / "keyfile.json") == 0o600
        assert all(mode(p) & 0o077 == 0 for p in data.rglob("*") if p.is_file())
    finally:
        store.lock()


def test_backups_and_a_restored_store_are_the_owners_alone(tmp_path: Path, vault: KeyVault) -> None:
    data = tmp_path / "data"
    store = create_store(data, PASSPHRASE, post_name="Ottawa", bates_prefix="OTT", use_keyring=False, vault=vault,
                         kdf=CHEAP_KDF)
    backup = tmp_path / "elsewhere" / "store.ddbackup"
    try:
        write_backup(store, backup)
    finally:
        store.lock()
    assert mode(backup) == 0o600
    fresh = tmp_path / "fresh"
    restore_backup(backup, fresh, PASSPHRASE, vault)
    assert mode(fresh) == 0o700 and mode(fresh / "store.db") == 0o600 and mode(fresh / "keyfile.json") == 0o600


def test_a_store_made_world_readable_before_is_narrowed_when_opened(tmp_path: Path, vault: KeyVault) -> None:
    data = tmp_path / "data"
    create_store(data, PASSPHRASE, post_name="Ottawa", bates_prefix="OTT", use_keyring=False, vault=vault,
                 kdf=CHEAP_KDF).lock()
    os.chmod(data, 0o755)
    os.chmod(data / "store.db", 0o644)
    os.chmod(data / "keyfile.json", 0o644)
    unlock_with_passphrase(data, PASSPHRASE, vault).lock()
    assert mode(data) == 0o700 and mode(data / "store.db") == 0o600 and mode(data / "keyfile.json") == 0o600
