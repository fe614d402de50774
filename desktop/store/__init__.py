"""The encrypted store: SQLCipher database, keys, audit log, backups (SPEC section 2).

Public surface: open or create a `Store`, then use `store.repo` for every read and write.
"""

from desktop.store.backup import BackupError, BackupInfo, restore_backup, write_backup
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
from desktop.store.keyfile import KdfParams
from desktop.store.repository import Repository, RequestQuery, RequestRow, StoredRequest
from desktop.store.store import (
    Store,
    StorePaths,
    create_store,
    keyring_enabled,
    unlock_with_keyring,
    unlock_with_passphrase,
)
from desktop.store.vault import KeyVault, VaultState, VaultStatus

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
