"""The encrypted store: SQLCipher database, keys, audit log, backups (SPEC section 2).

Public surface: open or create a `Store`, then use `store.repo` for every read and write.

Only the errors are imported with the package, the rest when first used (PEP 562): `desktop.store.errors` must not
bring in SQLCipher, the keyring or cryptography, since every error module and the command line's start import it
(issue 15).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from desktop.store.errors import (
    ConflictError,
    KeyFileDamagedError,
    KeyringUnavailableError,
    NoStoreError,
    NotFoundError,
    StoreDamagedError,
    StoreError,
    StoreExistsError,
    TooManyAttemptsError,
    WeakPassphraseError,
    WrongPassphraseError,
)

if TYPE_CHECKING:
    from desktop.store.backup import BackupError, BackupInfo, restore_backup, write_backup
    from desktop.store.files import StorePaths, keyring_enabled
    from desktop.store.keyfile import KdfParams
    from desktop.store.repository import Repository, RequestQuery, RequestRow, StoredRequest
    from desktop.store.store import Store, create_store, unlock_with_keyring, unlock_with_passphrase
    from desktop.store.vault import KeyVault, VaultState, VaultStatus

_LAZY = {
    **dict.fromkeys(("BackupError", "BackupInfo", "restore_backup", "write_backup"), "desktop.store.backup"),
    "KdfParams": "desktop.store.keyfile",
    **dict.fromkeys(("Repository", "RequestQuery", "RequestRow", "StoredRequest"), "desktop.store.repository"),
    **dict.fromkeys(("StorePaths", "keyring_enabled"), "desktop.store.files"),
    **dict.fromkeys(("Store", "create_store", "unlock_with_keyring", "unlock_with_passphrase"), "desktop.store.store"),
    **dict.fromkeys(("KeyVault", "VaultState", "VaultStatus"), "desktop.store.vault"),
}

def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'desktop.store' has no attribute {name!r}")
    return getattr(importlib.import_module(_LAZY[name]), name)


__all__ = [
    "BackupError",
    "BackupInfo",
    "ConflictError",
    "KdfParams",
    "KeyFileDamagedError",
    "KeyVault",
    "KeyringUnavailableError",
    "NoStoreError",
    "NotFoundError",
    "Repository",
    "RequestQuery",
    "RequestRow",
    "Store",
    "StoreDamagedError",
    "StoreError",
    "StoreExistsError",
    "StorePaths",
    "StoredRequest",
    "TooManyAttemptsError",
    "VaultState",
    "VaultStatus",
    "WeakPassphraseError",
    "WrongPassphraseError",
    "create_store",
    "keyring_enabled",
    "restore_backup",
    "unlock_with_keyring",
    "unlock_with_passphrase",
    "write_backup",
]
