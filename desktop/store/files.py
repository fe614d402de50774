"""The files of a store's data folder (SPEC section 2): what the unlock screen checks before anything is loaded.

Kept apart from desktop/store/store.py so that the window can tell a first run from an unlock, and the unlock screen
can appear, without importing SQLCipher, the key file's cryptography or the keyring (issue 15).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

DB_NAME = "store.db"
KEYFILE_NAME = "keyfile.json"
THROTTLE_NAME = "unlock-attempts.json"
BACKUP_DIR = "backups"


@dataclass(frozen=True)
class StorePaths:
    root: Path

    @property
    def db(self) -> Path:
        return self.root / DB_NAME

    @property
    def keyfile(self) -> Path:
        return self.root / KEYFILE_NAME

    @property
    def throttle(self) -> Path:
        return self.root / THROTTLE_NAME

    @property
    def backups(self) -> Path:
        return self.root / BACKUP_DIR

    def exists(self) -> bool:
        return self.db.exists()


def keyring_enabled(root: Path) -> bool:
    """Whether the store keeps a copy of its key in the keyring (the key file says so; nothing is unwrapped). A key
    file that cannot be read says no here: unlocking with the passphrase then reports the damage."""
    keyfile = StorePaths(root).keyfile
    if not keyfile.exists():
        return False
    try:
        record = json.loads(keyfile.read_text("utf-8")).get("keyring")
    except (OSError, ValueError, AttributeError):
        return False
    return isinstance(record, dict) and bool(record.get("enabled"))
