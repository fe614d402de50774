"""Encrypted backup and restore (SPEC S5).

A backup is one ZIP file holding `manifest.json`, `keyfile.json` (the key wrapped by the passphrase, never the
key) and `store.db` (a sqlcipher_export copy under the same key). Nothing in it is plaintext data, so it can sit
on a USB stick; restoring needs the passphrase that was current when it was made. Both directions are verified:
the copy is opened afresh and checked before the backup is called done, and before a restore replaces anything.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from desktop.store import keyfile as kf
from desktop.store.errors import KeyFileDamagedError, StoreDamagedError, StoreError
from desktop.store.fileio import atomic_write_bytes, fsync_directory, private_file
from desktop.store.files import StorePaths
from desktop.store.sqlcipher import DatabaseError, integrity_problems
from desktop.store.store import Store
from desktop.store.vault import KeyVault

FORMAT = "disclosure-desk/backup/v1"
MEMBERS = {"manifest.json", "keyfile.json", "store.db"}
MAX_BACKUP_BYTES = 64 * 1024**3


class BackupError(StoreError):
    pass


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    created: str
    store_id: str
    size: int
    sha256: str


def write_backup(store: Store, out: Path) -> BackupInfo:
    """Writes `out` (replacing it atomically) and verifies it by opening the copy inside."""
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    work = store.paths.root / f".backup-{os.getpid()}.db"
    staging = out.with_name(f".{out.name}.{os.getpid()}.partial")
    try:
        work.unlink(missing_ok=True)
        try:
            store.export_encrypted_copy(work)
        except DatabaseError as exc:
            raise BackupError(
                f"The store could not be copied ({exc}): it is probably damaged. Nothing was written to {out}. "
                "Run 'disclosure-desk store verify', and restore from your latest good backup."
            ) from exc
        problems = store.copy_problems(work)
        if problems:
            raise BackupError(f"The backup copy failed its check ({problems[0]}); nothing was written to {out}.")
        digest = _sha256_file(work)
        manifest = {
            "format": FORMAT,
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
            "store_id": store.store_id,
            "store_sha256": digest,
        }
        staging.unlink(missing_ok=True)
        with private_file(staging) as handle, zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_STORED) as archive:
            archive.writestr("manifest.json", json.dumps(manifest, indent=2))
            archive.write(store.paths.keyfile, "keyfile.json")
            archive.write(work, "store.db")
        _verify_archive(staging, digest)
        os.replace(staging, out)
        fsync_directory(out.parent)
    finally:
        work.unlink(missing_ok=True)
        staging.unlink(missing_ok=True)
    store.repo.set_settings({"last_backup_at": manifest["created"]})
    store.repo.record_event("store.backup_written", "store", None, {"file": out.name, "sha256": digest})
    return BackupInfo(out, str(manifest["created"]), str(manifest["store_id"]), out.stat().st_size, digest)


def restore_backup(backup: Path, root: Path, passphrase_text: str, vault: KeyVault) -> Path | None:
    """Replaces the store in `root` with the backup's. Returns where the replaced store was kept (or None).

    The passphrase is the one that was current when the backup was made. Nothing in `root` changes unless the
    backup opens with it and passes its checks.
    """
    paths = StorePaths(root)
    root.mkdir(parents=True, exist_ok=True, mode=0o700)
    staged_db = root / f".restore-{os.getpid()}.db"
    try:
        keyfile_bytes, manifest = _extract(backup, staged_db)
        staged_keyfile = root / f".restore-{os.getpid()}.keyfile.json"
        atomic_write_bytes(staged_keyfile, keyfile_bytes)
        try:
            keyfile = kf.read_keyfile(staged_keyfile)
            kf.require_intact(staged_keyfile)  # damage inside it is not a wrong passphrase
        except KeyFileDamagedError as exc:
            raise BackupError(f"{backup} is damaged (its key file cannot be used); the current store was left as it "
                              "was.") from exc
        finally:
            staged_keyfile.unlink(missing_ok=True)
        if keyfile.store_id != manifest.get("store_id"):
            raise BackupError(f"{backup} is inconsistent (its key file belongs to another store); it was not used.")
        key, _ = kf.unwrap(keyfile, passphrase_text)
        problems = integrity_problems(staged_db, key)
        if problems:
            raise BackupError(f"{backup} is damaged ({problems[0]}); the current store was left as it was.")
        kept = _set_aside(paths)
        os.replace(staged_db, paths.db)
        atomic_write_bytes(paths.keyfile, keyfile_bytes)
        fsync_directory(root)
        if keyfile.keyring and keyfile.keyring.enabled:
            vault.put(keyfile.store_id, key)
        return kept
    finally:
        staged_db.unlink(missing_ok=True)


def _extract(backup: Path, staged_db: Path) -> tuple[bytes, dict[str, object]]:
    """Reads a backup as hostile input: known members only, bounded sizes, checksum of the database."""
    try:
        if backup.stat().st_size > MAX_BACKUP_BYTES:
            raise BackupError(f"{backup} is larger than any backup this program writes; it was not opened.")
        with zipfile.ZipFile(backup) as archive:
            names = {info.filename for info in archive.infolist()}
            if names != MEMBERS:
                raise BackupError(f"{backup} is not a Disclosure Desk backup (unexpected contents).")
            for info in archive.infolist():
                if info.compress_type != zipfile.ZIP_STORED or info.file_size > MAX_BACKUP_BYTES:
                    raise BackupError(f"{backup} is not a Disclosure Desk backup (member {info.filename}).")
            manifest = json.loads(archive.read("manifest.json")[:65536])
            if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
                raise BackupError(f"{backup} is not a Disclosure Desk backup (format).")
            keyfile_bytes = archive.read("keyfile.json")
            staged_db.unlink(missing_ok=True)
            with archive.open("store.db") as source, private_file(staged_db) as target:
                shutil.copyfileobj(source, target, 1024 * 1024)
    except (zipfile.BadZipFile, OSError, ValueError, KeyError) as exc:
        raise BackupError(f"{backup} cannot be read as a backup ({exc}); the current store was left as it was.") \
            from exc
    if _sha256_file(staged_db) != manifest.get("store_sha256"):
        raise BackupError(f"{backup} is damaged (checksum mismatch); the current store was left as it was.")
    return keyfile_bytes, manifest


# SQLite's companions of a database file. After a crash the rollback journal holds the undo of a half-written
# transaction: it belongs to the database it was written for, and played over another one it would damage it.
COMPANIONS = ("-journal", "-wal", "-shm")


def _set_aside(paths: StorePaths) -> Path | None:
    companions = [paths.db.with_name(paths.db.name + suffix) for suffix in COMPANIONS]
    present = [path for path in companions if path.exists()]
    if not paths.db.exists():
        if present:  # left without their database (never deleted, but never left beside the restored one)
            orphans = _new_folder(paths, "orphaned-by-restore")
            for path in present:
                os.replace(path, orphans / path.name)
        return None
    kept = _new_folder(paths, "replaced-by-restore")
    os.replace(paths.db, kept / paths.db.name)
    for path in present:
        os.replace(path, kept / path.name)
    if paths.keyfile.exists():
        shutil.copy2(paths.keyfile, kept / paths.keyfile.name)
    return kept


def _new_folder(paths: StorePaths, prefix: str) -> Path:
    paths.backups.mkdir(exist_ok=True, mode=0o700)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    for attempt in range(1, 1000):
        folder = paths.backups / (f"{prefix}-{stamp}" + (f"-{attempt}" if attempt > 1 else ""))
        try:
            folder.mkdir(mode=0o700)
        except FileExistsError:
            continue  # another restore in the same second
        return folder
    raise BackupError(f"Too many folders named {prefix}-{stamp} in {paths.backups}; nothing was changed.")


def _verify_archive(path: Path, digest: str) -> None:
    with zipfile.ZipFile(path) as archive:
        with archive.open("store.db") as member:
            actual = hashlib.sha256()
            for chunk in iter(lambda: member.read(1024 * 1024), b""):
                actual.update(chunk)
    if actual.hexdigest() != digest:
        raise StoreDamagedError(path, "the backup written does not read back the same")


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()
