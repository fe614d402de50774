"""What can go wrong opening or using the store, each with a message that says what to do (SPEC S4)."""

from __future__ import annotations

from pathlib import Path


class StoreError(Exception):
    """Base of every store failure shown to a user; `str(error)` is the message to show."""


class WrongPassphraseError(StoreError):
    def __init__(self, wait_seconds: float = 0.0) -> None:
        hint = f" Wait {wait_seconds:.0f} s before the next try." if wait_seconds >= 1 else ""
        super().__init__(f"That passphrase does not open this store. Check Caps Lock and the keyboard layout.{hint}")
        self.wait_seconds = wait_seconds


class TooManyAttemptsError(StoreError):
    def __init__(self, wait_seconds: float) -> None:
        super().__init__(
            f"Too many wrong passphrases in a row. Wait {wait_seconds:.0f} s, then try again. "
            "Nothing in the store has changed."
        )
        self.wait_seconds = wait_seconds


class KeyFileDamagedError(StoreError):
    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(
            f"The key file {path} is damaged: {reason}. Without it the store cannot be unlocked with the passphrase. "
            f"Restore the whole store from a backup (disclosure-desk restore FILE), or put back a copy of "
            f"{path.name} made before the damage."
        )
        self.path = path


class StoreDamagedError(StoreError):
    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(
            f"The database {path} is damaged: {reason}. Nothing has been written to it. "
            "Restore from your latest backup (disclosure-desk restore FILE) and tell your system administrator."
        )
        self.path = path


class NoStoreError(StoreError):
    def __init__(self, data_dir: Path) -> None:
        super().__init__(
            f"There is no Disclosure Desk store in {data_dir}. Create one with 'disclosure-desk init' "
            "(or the first-run screen), or point --data-dir / DISCLOSURE_DESK_DATA at the right folder."
        )
        self.data_dir = data_dir


class StoreExistsError(StoreError):
    def __init__(self, data_dir: Path) -> None:
        super().__init__(
            f"A store already exists in {data_dir}; it was left untouched. Unlock it, or choose another data folder."
        )
        self.data_dir = data_dir


class WeakPassphraseError(StoreError):
    pass


class KeyringUnavailableError(StoreError):
    """The keyring held no usable key; the passphrase is needed (SPEC S2)."""


class RetentionError(StoreError):
    pass


class NotFoundError(StoreError):
    pass


class ConflictError(StoreError):
    pass
