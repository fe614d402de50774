"""The OS keyring, behind one small interface with explicit states (STYLE.md 6, SPEC S2).

The keyring only ever holds a copy of the database key; the key file beside the database is the copy that
survives a lost keyring or a rebuilt laptop. There is no plaintext fallback: with no backend (headless Linux,
CI) the store works with the passphrase alone and the UI says so once.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import keyring.backend

# The keyring package (and the backend discovery it does on import, ~0.1 s) is imported when a vault is first
# asked something, not when the store is: a passphrase unlock on a store without the keyring never needs it.

SERVICE = "Disclosure Desk"

_NON_BACKENDS = {"keyring.backends.fail.Keyring", "keyring.backends.null.Keyring"}


class VaultState(StrEnum):
    AVAILABLE = "available"
    NO_BACKEND = "no_backend"


@dataclass(frozen=True)
class VaultStatus:
    state: VaultState
    backend: str

    @property
    def available(self) -> bool:
        return self.state is VaultState.AVAILABLE

    @property
    def warning(self) -> str:
        """What the UI shows once when there is no keyring (empty when there is one)."""
        if self.available:
            return ""
        return (
            "This computer has no system keyring, so the store key is kept only in the key file, wrapped by "
            "your passphrase. You will type the passphrase at every unlock; nothing is stored in plaintext."
        )


class KeyVault:
    def __init__(self, backend: keyring.backend.KeyringBackend | None = None) -> None:
        self._backend = backend

    @property
    def backend(self) -> keyring.backend.KeyringBackend:
        if self._backend is not None:
            return self._backend
        import keyring

        return keyring.get_keyring()

    def status(self) -> VaultStatus:
        backend = self.backend
        name = f"{type(backend).__module__}.{type(backend).__qualname__}"
        usable = name not in _NON_BACKENDS and getattr(backend, "priority", 1) > 0
        return VaultStatus(VaultState.AVAILABLE if usable else VaultState.NO_BACKEND, name)

    def get(self, store_id: str) -> bytes | None:
        """The key, or None when the entry is gone, the keyring is locked or there is none."""
        if not self.status().available:
            return None
        try:
            secret = self.backend.get_password(SERVICE, store_id)
        except _keyring_error():
            return None
        if not secret:
            return None
        try:
            return bytes.fromhex(secret)
        except ValueError:
            return None

    def put(self, store_id: str, key: bytes) -> bool:
        """Stores a copy; False (never an exception) when the keyring refuses, so the caller can say so."""
        if not self.status().available:
            return False
        try:
            self.backend.set_password(SERVICE, store_id, key.hex())
        except _keyring_error():
            return False
        return True

    def delete(self, store_id: str) -> None:
        if not self.status().available:
            return
        try:
            self.backend.delete_password(SERVICE, store_id)
        except _keyring_error():
            pass  # already gone, or locked: nothing of ours to remove


def _keyring_error() -> type[Exception]:
    from keyring.errors import KeyringError

    return KeyringError
