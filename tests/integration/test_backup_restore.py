"""Encrypted backup and restore against real files (SPEC S5): round trip, verification, hostile backup files.

A backup file is hostile input: whatever it holds, a refused restore names the file, says the current store was
left as it was, and every file in the data folder is byte-identical afterwards.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import warnings
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from keyring.backends import fail

from desktop.requests import load_request_file
from desktop.store import (
    BackupError,
    KeyVault,
    Store,
    StoreError,
    WrongPassphraseError,
    create_store,
    restore_backup,
    unlock_with_passphrase,
    write_backup,
)
from desktop.store import keyfile as kf
from desktop.store.sqlcipher import PLAINTEXT_HEADER, connect, integrity_problems
from tests.conftest import CHEAP_KDF, PASSPHRASE, scenario_paths

NEW_PASSPHRASE = "tundra maple lantern orbit velvet 9"


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def fill(store: Store) -> None:
    for number, path in enumerate(scenario_paths()[:4]):
        request_id = store.repo.add_request(replace(load_request_file(path), reference=f"OTT-2026-{number:04d}"))
        store.repo.add_attachment(request_id, "original_request", path.name, "application/json", path.read_bytes())
    store.repo.save_draft("request-editor/new", {"reference": "OTT-2026-0099"})


def contents(store: Store) -> dict[str, object]:
    """Everything a user would see, for comparing two stores."""
    repo = store.repo
    requests = {row.reference: repo.get_request(row.id).request for row in repo.list_requests()}
    attachments = {
        (row.reference, a.filename): repo.attachment_content(a.id)
        for row in repo.list_requests() for a in repo.list_attachments(row.id)
    }
    settings = {k: v for k, v in repo.settings().items() if k != "last_backup_at"}
    return {"requests": requests, "attachments": attachments, "draft": repo.load_draft("request-editor/new"),
            "settings": settings}


def database_key(keyfile_bytes: bytes, tmp: Path, passphrase: str = PASSPHRASE) -> bytes:
    path = tmp / "unwrap-keyfile.json"
    path.write_bytes(keyfile_bytes)
    return kf.unwrap(kf.read_keyfile(path), passphrase)[0]


@dataclass(frozen=True)
class Original:
    root: Path
    backup: Path
    contents: dict[str, object]


@pytest.fixture(scope="module")
def original(tmp_path_factory: pytest.TempPathFactory) -> Original:
    """One filled store and its backup for the module; each test works on its own copy of both."""
    root = tmp_path_factory.mktemp("original") / "data"
    store = create_store(root, PASSPHRASE, post_name="Ottawa", bates_prefix="OTT", use_keyring=False,
                         vault=KeyVault(fail.Keyring()), kdf=CHEAP_KDF)
    try:
        fill(store)
        out = root.parent / "post-backup.zip"
        info = write_backup(store, out)
        assert info.path == out.resolve() and info.size == out.stat().st_size
        return Original(root, out, contents(store))
    finally:
        store.lock()


@pytest.fixture
def data_dir(tmp_path: Path, original: Original) -> Path:
    copy = tmp_path / "data"
    shutil.copytree(original.root, copy)
    return copy


@pytest.fixture
def backup(tmp_path: Path, original: Original) -> Path:
    (tmp_path / "usb").mkdir()
    return Path(shutil.copy2(original.backup, tmp_path / "usb" / original.backup.name))


@pytest.fixture
def filled(data_dir: Path, vault: KeyVault) -> Iterator[Store]:
    store = unlock_with_passphrase(data_dir, PASSPHRASE, vault)
    try:
        yield store
    finally:
        store.lock()


# Round trip ----------------------------------------------------------------------------------------------------------


def test_a_backup_restores_into_a_fresh_data_folder_with_the_same_requests(
    filled: Store, backup: Path, tmp_path: Path, vault: KeyVault
) -> None:
    expected = contents(filled)
    assert len(expected["requests"]) == 4  # type: ignore[arg-type]
    fresh = tmp_path / "rebuilt-laptop"
    assert restore_backup(backup, fresh, PASSPHRASE, vault) is None  # nothing was there to set aside
    restored = unlock_with_passphrase(fresh, PASSPHRASE, vault)
    try:
        assert contents(restored) == expected
        report = restored.repo.verify_audit()
        assert report.ok and report.entries >= 10
        assert restored.store_id == filled.store_id
        assert restored.verify_integrity() == []
    finally:
        restored.lock()
    assert sorted(p.name for p in fresh.iterdir()) == ["keyfile.json", "store.db"]


def test_a_backup_is_verified_encrypted_and_opens_on_its_own(filled: Store, backup: Path, tmp_path: Path) -> None:
    with zipfile.ZipFile(backup) as archive:
        assert sorted(archive.namelist()) == ["keyfile.json", "manifest.json", "store.db"]
        assert all(info.compress_type == zipfile.ZIP_STORED for info in archive.infolist())
        manifest = json.loads(archive.read("manifest.json"))
        database = archive.read("store.db")
        keyfile_bytes = archive.read("keyfile.json")
    assert manifest["store_id"] == filled.store_id
    assert manifest["store_sha256"] == hashlib.sha256(database).hexdigest()
    assert not database.startswith(PLAINTEXT_HEADER)
    for text in ("Daniel R. Okafor", "OTT-2026-0001", PASSPHRASE):
        assert text.encode() not in backup.read_bytes() and text.encode("utf-16-le") not in backup.read_bytes()

    copy = tmp_path / "copy.db"
    copy.write_bytes(database)
    key = database_key(keyfile_bytes, tmp_path)
    assert integrity_problems(copy, key) == []
    conn = connect(copy, key, readonly=True)
    try:
        assert conn.execute("SELECT count(*) FROM requests").fetchone()[0] == 4
        assert conn.execute("PRAGMA user_version").fetchone()[0] >= 1
    finally:
        conn.close()
    last = filled.repo.history("store", "")[-1]
    assert last.action == "store.backup_written" and manifest["store_sha256"] in last.detail
    assert filled.repo.setting("last_backup_at") == manifest["created"]


def test_restore_needs_the_passphrase_of_the_backup_and_changes_nothing_without_it(
    filled: Store, backup: Path, data_dir: Path, vault: KeyVault
) -> None:
    filled.change_passphrase(PASSPHRASE, NEW_PASSPHRASE)
    filled.lock()
    before = snapshot(data_dir)
    with pytest.raises(WrongPassphraseError):
        restore_backup(backup, data_dir, NEW_PASSPHRASE, vault)  # the backup was made under the old one
    assert snapshot(data_dir) == before
    restore_backup(backup, data_dir, PASSPHRASE, vault)
    unlock_with_passphrase(data_dir, PASSPHRASE, vault).lock()


# Hostile backup files --------------------------------------------------------------------------------------------


def rebuild(backup: Path, out: Path, change: Callable[[dict[str, bytes]], dict[str, bytes]],
            compression: int = zipfile.ZIP_STORED) -> Path:
    with zipfile.ZipFile(backup) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about the duplicate names some cases need
        with zipfile.ZipFile(out, "w", compression=compression) as archive:
            for name, data in change(members).items():
                archive.writestr(name.split("#")[0], data)
    return out


def with_manifest(**fields: object) -> Callable[[dict[str, bytes]], dict[str, bytes]]:
    def change(members: dict[str, bytes]) -> dict[str, bytes]:
        manifest = json.loads(members["manifest.json"])
        manifest.update(fields)
        return {**members, "manifest.json": json.dumps(manifest).encode()}
    return change


def traversal(members: dict[str, bytes]) -> dict[str, bytes]:
    return {**members, "../x": b"escaped"}


def traversal_instead(members: dict[str, bytes]) -> dict[str, bytes]:
    return {"manifest.json": members["manifest.json"], "keyfile.json": members["keyfile.json"],
            "../store.db": members["store.db"]}


def absolute(members: dict[str, bytes]) -> dict[str, bytes]:
    return {**members, "/tmp/disclosure-desk-escaped": b"escaped"}


def duplicate(members: dict[str, bytes]) -> dict[str, bytes]:
    return {**members, "store.db#2": b"a second store.db, which one wins?"}


def no_manifest(members: dict[str, bytes]) -> dict[str, bytes]:
    return {k: v for k, v in members.items() if k != "manifest.json"}


def random_database(members: dict[str, bytes]) -> dict[str, bytes]:
    """Garbage with a matching checksum: only opening the copy can tell."""
    garbage = os.urandom(len(members["store.db"]))
    manifest = json.loads(members["manifest.json"])
    manifest["store_sha256"] = hashlib.sha256(garbage).hexdigest()
    return {**members, "store.db": garbage, "manifest.json": json.dumps(manifest).encode()}


def flipped_page(members: dict[str, bytes]) -> dict[str, bytes]:
    database = bytearray(members["store.db"])
    database[len(database) // 2] ^= 0x01
    manifest = json.loads(members["manifest.json"])
    manifest["store_sha256"] = hashlib.sha256(database).hexdigest()
    return {**members, "store.db": bytes(database), "manifest.json": json.dumps(manifest).encode()}


def foreign_keyfile(other_keyfile: bytes) -> Callable[[dict[str, bytes]], dict[str, bytes]]:
    def change(members: dict[str, bytes]) -> dict[str, bytes]:
        return {**members, "keyfile.json": other_keyfile}
    return change


def damaged_keyfile(members: dict[str, bytes]) -> dict[str, bytes]:
    document = json.loads(members["keyfile.json"])
    document["current"]["key_id"] = "0" * 32
    return {**members, "keyfile.json": json.dumps(document).encode()}


def deflate_bomb(out: Path) -> Path:
    """A store.db that inflates 64 MiB of zeros from a few tens of KiB."""
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", json.dumps({"format": "disclosure-desk/backup/v1", "store_sha256": ""}))
        archive.writestr("keyfile.json", "{}")
        with archive.open("store.db", "w", force_zip64=True) as member:
            zeros = bytes(1024 * 1024)
            for _ in range(64):
                member.write(zeros)
    assert out.stat().st_size < 1024 * 1024
    return out


def oversize(backup: Path, out: Path) -> Path:
    """A member whose directory entry claims 100 GiB."""
    with zipfile.ZipFile(backup) as source:
        members = {name: source.read(name) for name in source.namelist()}
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
        archive.getinfo("store.db").file_size = 100 * 1024**3
    return out


HOSTILE: dict[str, Callable[[Path, Path, bytes], Path]] = {
    "path-traversal-extra": lambda b, o, _: rebuild(b, o, traversal),
    "path-traversal-instead": lambda b, o, _: rebuild(b, o, traversal_instead),
    "absolute-path": lambda b, o, _: rebuild(b, o, absolute),
    "duplicate-member": lambda b, o, _: rebuild(b, o, duplicate),
    "deflate-bomb": lambda b, o, _: deflate_bomb(o),
    "deflated": lambda b, o, _: rebuild(b, o, lambda m: m, zipfile.ZIP_DEFLATED),
    "oversize-member": lambda b, o, _: oversize(b, o),
    "missing-manifest": lambda b, o, _: rebuild(b, o, no_manifest),
    "wrong-sha256": lambda b, o, _: rebuild(b, o, with_manifest(store_sha256="0" * 64)),
    "wrong-format": lambda b, o, _: rebuild(b, o, with_manifest(format="disclosure-desk/backup/v9")),
    "manifest-not-json": lambda b, o, _: rebuild(b, o, lambda m: {**m, "manifest.json": b"\xff{"}),
    "manifest-a-list": lambda b, o, _: rebuild(b, o, lambda m: {**m, "manifest.json": b"[]"}),
    "random-database": lambda b, o, _: rebuild(b, o, random_database),
    "flipped-page": lambda b, o, _: rebuild(b, o, flipped_page),
    "foreign-keyfile": lambda b, o, other: rebuild(b, o, foreign_keyfile(other)),
    "damaged-keyfile": lambda b, o, _: rebuild(b, o, damaged_keyfile),
    "empty-keyfile": lambda b, o, _: rebuild(b, o, lambda m: {**m, "keyfile.json": b"{}"}),
    "random-bytes": lambda b, o, _: (o.write_bytes(os.urandom(200_000)), o)[1],
    "zero-bytes": lambda b, o, _: (o.write_bytes(b""), o)[1],
    "truncated-half": lambda b, o, _: (o.write_bytes(b.read_bytes()[: b.stat().st_size // 2]), o)[1],
    "truncated-end": lambda b, o, _: (o.write_bytes(b.read_bytes()[:-30]), o)[1],
    "not-there": lambda b, o, _: o,
    "a-folder": lambda b, o, _: (o.mkdir(), o)[1],
}


@pytest.fixture(scope="module")
def other_keyfile(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    root = tmp_path_factory.mktemp("other") / "data"
    create_store(root, PASSPHRASE, post_name="Mexico City", bates_prefix="MEX", use_keyring=False,
                 vault=KeyVault(fail.Keyring()), kdf=CHEAP_KDF).lock()
    return (root / "keyfile.json").read_bytes()


@pytest.mark.parametrize("case", list(HOSTILE))
def test_a_hostile_backup_is_refused_and_the_current_store_is_untouched(
    filled: Store, backup: Path, data_dir: Path, tmp_path: Path, vault: KeyVault, other_keyfile: bytes, case: str
) -> None:
    expected = contents(filled)
    filled.lock()
    hostile = HOSTILE[case](backup, tmp_path / "usb" / f"{case}.zip", other_keyfile)
    before = snapshot(data_dir)
    outside_before = sorted(p.name for p in data_dir.parent.iterdir())

    with pytest.raises(StoreError) as caught:
        restore_backup(hostile, data_dir, PASSPHRASE, vault)
    message = str(caught.value)
    assert isinstance(caught.value, BackupError), f"{type(caught.value).__name__}: {message}"
    assert str(hostile) in message
    assert "not a Disclosure Desk backup" in message or "left as it was" in message or "not used" in message

    assert snapshot(data_dir) == before, "a refused restore changed the data folder"
    assert sorted(p.name for p in data_dir.parent.iterdir()) == outside_before
    assert not Path("/tmp/disclosure-desk-escaped").exists()
    reopened = unlock_with_passphrase(data_dir, PASSPHRASE, vault)
    try:
        assert contents(reopened) == expected
    finally:
        reopened.lock()


# Restoring over a store ----------------------------------------------------------------------------------------------


def test_restoring_over_a_store_sets_the_old_one_aside(filled: Store, backup: Path, data_dir: Path,
                                                       vault: KeyVault) -> None:
    at_backup = contents(filled)
    filled.repo.add_request(replace(load_request_file(scenario_paths()[5]), reference="OTT-2026-0777"))
    after_backup = contents(filled)
    filled.lock()
    replaced_db = (data_dir / "store.db").read_bytes()
    replaced_keyfile = (data_dir / "keyfile.json").read_bytes()

    kept = restore_backup(backup, data_dir, PASSPHRASE, vault)
    assert kept is not None and kept.parent == data_dir / "backups" and kept.name.startswith("replaced-by-restore-")
    assert (kept / "store.db").read_bytes() == replaced_db
    assert (kept / "keyfile.json").read_bytes() == replaced_keyfile
    restored = unlock_with_passphrase(data_dir, PASSPHRASE, vault)
    try:
        assert contents(restored) == at_backup
        assert restored.repo.verify_audit().ok
    finally:
        restored.lock()
    # The store that was replaced is whole: it can be put back and opened.
    put_back = data_dir.parent / "put-back"
    shutil.copytree(kept, put_back)
    old = unlock_with_passphrase(put_back, PASSPHRASE, vault)
    try:
        assert contents(old) == after_backup
    finally:
        old.lock()


def test_two_restores_in_a_row_keep_both_replaced_stores(filled: Store, backup: Path, data_dir: Path,
                                                         vault: KeyVault) -> None:
    filled.lock()
    first = restore_backup(backup, data_dir, PASSPHRASE, vault)
    second = restore_backup(backup, data_dir, PASSPHRASE, vault)
    assert first is not None and second is not None and first != second
    assert (first / "store.db").exists() and (second / "store.db").exists()
    unlock_with_passphrase(data_dir, PASSPHRASE, vault).lock()


def crash_mid_transaction(store: Store, into: Path) -> None:
    """Copies the data folder as a crash would leave it: a write transaction under way, its pages partly in the
    database file, and the hot journal that undoes them."""
    key = kf.unwrap(kf.read_keyfile(store.paths.keyfile), PASSPHRASE)[0]
    store.lock()
    conn = connect(store.paths.db, key)
    try:
        conn.execute("PRAGMA cache_size = 10")  # small enough that the transaction spills into the file
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("UPDATE settings SET value = 'Half-written' WHERE key = 'post_name'")
        for number in range(60):
            conn.execute("INSERT INTO settings (key, value) VALUES (?, ?)", (f"filler-{number}", "x" * 3000))
        conn.execute("UPDATE attachments SET filename = 'half-written'")
        into.mkdir()
        for name in ("store.db", "store.db-journal", "keyfile.json"):
            shutil.copy2(store.paths.root / name, into / name)
    finally:
        conn.execute("ROLLBACK")
        conn.close()
    assert (into / "store.db-journal").read_bytes()[:8] == bytes.fromhex("d9d505f920a163d7"), "not a hot journal"
    assert (into / "store.db").read_bytes() != store.paths.db.read_bytes(), "the crash did not touch the database"


def test_restoring_over_a_crashed_store_keeps_its_journal_with_it(filled: Store, backup: Path, tmp_path: Path,
                                                                   vault: KeyVault) -> None:
    at_backup = contents(filled)
    crashed = tmp_path / "crashed"
    crash_mid_transaction(filled, crashed)

    kept = restore_backup(backup, crashed, PASSPHRASE, vault)
    assert kept is not None
    restored = unlock_with_passphrase(crashed, PASSPHRASE, vault)
    try:
        assert restored.verify_integrity() == []
        assert contents(restored) == at_backup
    finally:
        restored.lock()
    assert not (crashed / "store.db-journal").exists()
    put_back = tmp_path / "put-back"
    shutil.copytree(kept, put_back)
    old = unlock_with_passphrase(put_back, PASSPHRASE, vault)  # its journal rolls the half transaction back
    try:
        assert old.verify_integrity() == []
        assert contents(old) == at_backup
    finally:
        old.lock()


def test_a_backup_inside_the_data_folder_survives_the_restore_it_feeds(filled: Store, data_dir: Path,
                                                                       vault: KeyVault) -> None:
    out = data_dir / "backups" / "nightly.zip"
    write_backup(filled, out)
    expected = contents(filled)
    filled.lock()
    kept = restore_backup(out, data_dir, PASSPHRASE, vault)
    assert out.exists() and kept is not None
    restored = unlock_with_passphrase(data_dir, PASSPHRASE, vault)
    try:
        assert contents(restored) == expected
    finally:
        restored.lock()


def test_write_backup_replaces_an_older_file_whole(filled: Store, backup: Path) -> None:
    older = backup.read_bytes()
    filled.repo.add_request(replace(load_request_file(scenario_paths()[5]), reference="OTT-2026-0888"))
    info = write_backup(filled, backup)
    assert backup.read_bytes() != older
    with zipfile.ZipFile(io.BytesIO(backup.read_bytes())) as archive:
        assert hashlib.sha256(archive.read("store.db")).hexdigest() == info.sha256
    assert sorted(p.name for p in backup.parent.iterdir()) == [backup.name], "a partial file was left behind"
