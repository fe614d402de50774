"""The encrypted store's life: create, unlock, lock, change passphrase, rekey, verify (SPEC S1-S4, S7).

Files in the data folder:
  store.db              the SQLCipher 4 database (never plaintext, never created over an existing one)
  keyfile.json          the database key wrapped by the passphrase (Argon2id -> AES-256-GCM)
  unlock-attempts.json  count and time of recent wrong passphrases (no secret), for the growing delay
  backups/              encrypted copies taken before a migration or a restore
"""

from __future__ import annotations

import json
import os
import threading
import time
import uuid
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from desktop.migration_files import Migration
from desktop.store import keyfile as kf
from desktop.store import migrations, passphrase
from desktop.store.errors import (
    KeyringUnavailableError,
    NoStoreError,
    StoreDamagedError,
    StoreExistsError,
    TooManyAttemptsError,
    WeakPassphraseError,
    WrongPassphraseError,
)
from desktop.store.fileio import atomic_write_bytes, fsync_directory, make_private, private_file, private_folder
from desktop.store.files import BACKUP_DIR as BACKUP_DIR  # the names of the files, kept importable from here
from desktop.store.files import DB_NAME, StorePaths
from desktop.store.files import KEYFILE_NAME as KEYFILE_NAME
from desktop.store.files import THROTTLE_NAME as THROTTLE_NAME
from desktop.store.files import keyring_enabled as keyring_enabled
from desktop.store.repository import Assessor, Repository
from desktop.store.sqlcipher import Connection, WrongKeyError, connect, export_copy, integrity_problems
from desktop.store.vault import KeyVault

FREE_ATTEMPTS = 3
MAX_DELAY_S = 300.0


def _actor() -> str:
    try:
        return os.getlogin()
    except OSError:
        return os.environ.get("USER") or os.environ.get("USERNAME") or "unknown"


class Store:
    """An unlocked store. `repo` does every read and write; `lock()` closes it and forgets the key."""

    def __init__(self, paths: StorePaths, key: bytes, conn: Connection, vault: KeyVault, actor: str) -> None:
        self.paths = paths
        self._key = key
        self._conn = conn
        self._vault = vault
        self._lock = threading.RLock()
        self.repo = Repository(conn, actor)

    @property
    def is_open(self) -> bool:
        return self._conn is not None

    @property
    def store_id(self) -> str:
        return kf.read_keyfile(self.paths.keyfile).store_id

    def set_assessor(self, assess: Assessor | None) -> None:
        self.repo.set_assessor(assess)

    def lock(self) -> None:
        """Closes the database and drops the key (SPEC S3); the object is unusable afterwards."""
        with self._lock:
            if self._conn is not None:
                self._conn.close()
            self._conn = None  # type: ignore[assignment]
            self._key = b""

    close = lock

    # Keys -------------------------------------------------------------------------------------------------

    def change_passphrase(self, old: str, new: str) -> None:
        """Re-wraps the same key under `new`; the key file is replaced atomically, so one of the two always works."""
        _require_strong(new)
        current = kf.read_keyfile(self.paths.keyfile)
        key, _pending = kf.unwrap(current, old)
        kf.write_keyfile(self.paths.keyfile, kf.rewrap(current, key, new))
        self.repo.record_event("key.passphrase_changed", "store")

    def rekey(self, passphrase_text: str) -> None:
        """A new database key. Crash-safe in three steps: key file holds old+pending, PRAGMA rekey, promote."""
        with self._lock:
            current = kf.read_keyfile(self.paths.keyfile)
            new_key = kf.new_database_key()
            kf.write_keyfile(self.paths.keyfile, kf.with_pending(current, passphrase_text, new_key))
            self._conn.execute(f"PRAGMA rekey = \"x'{new_key.hex()}'\"")
            self._key = new_key
            promoted = kf.promote_pending(kf.read_keyfile(self.paths.keyfile))
            kf.write_keyfile(self.paths.keyfile, promoted)
            if promoted.keyring and promoted.keyring.enabled:
                self._vault.put(promoted.store_id, new_key)
            self.repo.record_event("key.rekeyed", "store", detail={"key_id": kf.key_id(new_key)})

    def set_keyring(self, enabled: bool) -> bool:
        """Keeps (or stops keeping) a copy of the key in the OS keyring; False when the keyring refused."""
        current = kf.read_keyfile(self.paths.keyfile)
        status = self._vault.status()
        if enabled and not self._vault.put(current.store_id, self._key):
            return False
        if not enabled:
            self._vault.delete(current.store_id)
        record = kf.KeyringRecord(status.backend, enabled) if enabled else None
        kf.write_keyfile(self.paths.keyfile, replace(current, keyring=record))
        self.repo.record_event("key.keyring_" + ("enabled" if enabled else "disabled"), "store",
                               detail={"backend": status.backend})
        return True

    # Integrity and copies ---------------------------------------------------------------------------------

    def verify_integrity(self) -> list[str]:
        """HMAC of every page and SQLite's own check, on a fresh connection (issue 2)."""
        return integrity_problems(self.paths.db, self._key)

    def export_encrypted_copy(self, target: Path) -> None:
        """A whole copy of the database under the same key (sqlcipher_export), for backups (SPEC S5)."""
        with self._lock:
            export_copy(self._conn, target, self._key)

    def copy_problems(self, target: Path) -> list[str]:
        """The integrity check of a copy made by export_encrypted_copy, opened afresh with this store's key."""
        return integrity_problems(target, self._key)


def create_store(
    root: Path,
    passphrase_text: str,
    *,
    post_name: str,
    bates_prefix: str,
    use_keyring: bool,
    vault: KeyVault,
    kdf: kf.KdfParams | None = None,
    migrations_list: list[Migration] | None = None,
) -> Store:
    """A new, empty store. The database is built under a temporary name and renamed into place last, so a crash
    part-way leaves no half store that would later look real."""
    paths = StorePaths(root)
    if paths.db.exists():
        raise StoreExistsError(root)
    _require_strong(passphrase_text)
    private_folder(root)
    key = kf.new_database_key()
    store_id = str(uuid.uuid4())
    keyfile = kf.create_keyfile(store_id, key, passphrase_text, kdf or kf.KdfParams())
    building = root / f".{DB_NAME}.creating"
    building.unlink(missing_ok=True)
    private_file(building).close()  # SQLite takes an empty file as a new database, and keeps its mode
    conn = connect(building, key, create=True)
    try:
        migrations.migrate(conn, migrations_list)
    finally:
        conn.close()
    if use_keyring and vault.put(store_id, key):
        keyfile = replace(keyfile, keyring=kf.KeyringRecord(vault.status().backend, True))
    kf.write_keyfile(paths.keyfile, keyfile)
    os.replace(building, paths.db)
    fsync_directory(root)
    store = _open(paths, key, vault, migrations_list)
    store.repo.set_settings({"post_name": post_name.strip(), "bates_prefix": bates_prefix.strip().upper()})
    store.repo.record_event("store.created", "store", store_id, {"keyring": keyfile.keyring is not None})
    return store


def unlock_with_passphrase(
    root: Path, passphrase_text: str, vault: KeyVault, migrations_list: list[Migration] | None = None
) -> Store:
    paths = StorePaths(root)
    if not paths.exists():
        raise NoStoreError(root)
    throttle = _Throttle(paths.throttle)
    throttle.check()
    keyfile = kf.read_keyfile(paths.keyfile)
    kf.require_intact(paths.keyfile)  # a damaged file is named as such, not taken for a wrong passphrase
    try:
        current, pending = kf.unwrap(keyfile, passphrase_text)
    except WrongPassphraseError:
        raise WrongPassphraseError(throttle.failed()) from None
    throttle.reset()
    _narrow(paths)
    key, conn = _settle_rekey(paths, keyfile, current, pending)
    try:
        if keyfile.keyring and keyfile.keyring.enabled and vault.get(keyfile.store_id) != key:
            vault.put(keyfile.store_id, key)  # the entry was lost or stale: store it again (issue 2)
    except BaseException:
        conn.close()
        raise
    return _open(paths, key, vault, migrations_list, conn)


def unlock_with_keyring(
    root: Path, vault: KeyVault, migrations_list: list[Migration] | None = None
) -> Store:
    paths = StorePaths(root)
    if not paths.exists():
        raise NoStoreError(root)
    keyfile = kf.read_keyfile(paths.keyfile)
    if not keyfile.keyring or not keyfile.keyring.enabled:
        raise KeyringUnavailableError("This store does not keep its key in the system keyring; enter the passphrase.")
    key = vault.get(keyfile.store_id)
    known = {keyfile.current.key_id} | ({keyfile.pending.key_id} if keyfile.pending else set())
    if key is None or kf.key_id(key) not in known:
        raise KeyringUnavailableError(
            f"The store key is no longer in the system keyring ({keyfile.keyring.backend}), or the keyring is "
            "locked. Enter your passphrase: the store opens with it, and the key is put back in the keyring."
        )
    _narrow(paths)
    try:
        settled, conn = _settle_rekey(paths, keyfile, key, None)
    except StoreDamagedError:
        if keyfile.pending is None:
            raise
        # A rekey was cut short after the database took the new key: only the key file (the passphrase) has it.
        raise KeyringUnavailableError(
            "A change of the store key was interrupted, and the system keyring still holds the old key. Enter your "
            "passphrase: the store opens with it, the change is completed, and the new key is put in the keyring."
        ) from None
    return _open(paths, settled, vault, migrations_list, conn)


def _settle_rekey(
    paths: StorePaths, keyfile: kf.KeyFile, first: bytes, second: bytes | None
) -> tuple[bytes, Connection]:
    """Finds which key opens the database and leaves the key file naming only that one (an interrupted rekey
    either happened or did not; the database decides). Returns the key with the connection that proved it: the
    store goes on with that connection, so an unlock opens the database (and parses its schema) once, not twice."""
    for candidate in (first, second):
        if candidate is None:
            continue
        try:
            conn = connect(paths.db, candidate)
        except WrongKeyError:
            continue
        if keyfile.pending is not None:
            is_new = kf.key_id(candidate) == keyfile.pending.key_id
            try:
                kf.write_keyfile(paths.keyfile, kf.promote_pending(keyfile) if is_new else kf.drop_pending(keyfile))
            except BaseException:
                conn.close()
                raise
        return candidate, conn
    raise StoreDamagedError(
        paths.db, f"the key in {paths.keyfile.name} does not decrypt it (the first page is unreadable)"
    )


def _narrow(paths: StorePaths) -> None:
    """A store made before these were created private is narrowed when it is opened."""
    private_folder(paths.root)
    make_private(paths.db)
    make_private(paths.keyfile)


def _open(
    paths: StorePaths, key: bytes, vault: KeyVault, migrations_list: list[Migration] | None,
    conn: Connection | None = None,
) -> Store:
    """The store on `conn` (already open with `key`), or on a new connection."""
    if conn is None:
        _narrow(paths)
        try:
            conn = connect(paths.db, key)
        except WrongKeyError as exc:
            raise StoreDamagedError(paths.db, "its first page does not decrypt") from exc
    try:
        migrations.migrate(conn, migrations_list, backup=lambda version: _backup_before_migration(paths, conn, key,
                                                                                                  version))
    except BaseException:
        conn.close()
        raise
    return Store(paths, key, conn, vault, _actor())


def _backup_before_migration(paths: StorePaths, conn: Connection, key: bytes, version: int) -> None:
    paths.backups.mkdir(exist_ok=True, mode=0o700)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = paths.backups / f"before-migration-from-{version:04d}-{stamp}.db"
    export_copy(conn, target, key)
    problems = integrity_problems(target, key)
    if problems:
        target.unlink(missing_ok=True)
        raise StoreDamagedError(target, "the copy taken before upgrading failed its check: " + "; ".join(problems[:3]))
    atomic_write_bytes(target.with_suffix(".keyfile.json"), paths.keyfile.read_bytes())


def _require_strong(passphrase_text: str) -> None:
    strength = passphrase.assess(passphrase_text)
    if not strength.acceptable:
        raise WeakPassphraseError("The passphrase is not strong enough: " + " ".join(strength.problems))


class _Throttle:
    """Growing delay after repeated wrong passphrases (SPEC S4): free tries, then 2, 4, 8 ... s, at most 5 min."""

    def __init__(self, path: Path) -> None:
        self._path = path

    def _state(self) -> tuple[int, float]:
        try:
            data = json.loads(self._path.read_text("utf-8"))
            return int(data["failures"]), float(data["last_failure"])
        except (OSError, ValueError, KeyError, TypeError):
            return 0, 0.0

    @staticmethod
    def delay(failures: int) -> float:
        if failures < FREE_ATTEMPTS:
            return 0.0
        return float(min(2 ** (failures - FREE_ATTEMPTS + 1), MAX_DELAY_S))

    def check(self) -> None:
        failures, last = self._state()
        remaining = last + self.delay(failures) - time.time()
        if remaining > 0:
            raise TooManyAttemptsError(remaining)

    def failed(self) -> float:
        failures, _ = self._state()
        failures += 1
        atomic_write_bytes(self._path, json.dumps({"failures": failures, "last_failure": time.time()}).encode())
        return self.delay(failures)

    def reset(self) -> None:
        if self._path.exists():
            self._path.unlink()
