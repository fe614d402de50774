"""The key file beside the database: the 32-byte database key wrapped by the passphrase (SPEC S2).

Argon2id turns the passphrase into a key-encryption key; AES-256-GCM wraps the database key with the file's
identity as associated data, so a swapped or edited field fails to unwrap. The parameters live in the file, so
they can be raised later without losing old files. During a rekey the file holds the new key as `pending`
beside the current one: at every moment one of them opens the database (SPEC S3, issue 2). A SHA-256 checksum
of the other fields (no secret: it guards against damage, not an attacker, whom the AES-GCM tag stops) lets a
damaged file be told apart from a wrong passphrase (SPEC S4).
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from argon2.low_level import Type, hash_secret_raw
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from desktop.store.errors import KeyFileDamagedError, WrongPassphraseError
from desktop.store.fileio import atomic_write_bytes

FORMAT = "disclosure-desk/keyfile/v1"
KEY_BYTES = 32
MAX_KEYFILE_BYTES = 64 * 1024


@dataclass(frozen=True)
class KdfParams:
    """Argon2id cost. The default takes about 0.35 s on the project's 2-core machine (issue 2: 0.3-0.5 s)."""

    time_cost: int = 3
    memory_cost_kib: int = 192 * 1024
    parallelism: int = 2

    def derive(self, passphrase: str, salt: bytes) -> bytes:
        return hash_secret_raw(
            passphrase.encode("utf-8"),
            salt,
            time_cost=self.time_cost,
            memory_cost=self.memory_cost_kib,
            parallelism=self.parallelism,
            hash_len=KEY_BYTES,
            type=Type.ID,
        )


@dataclass(frozen=True)
class WrappedKey:
    key_id: str
    nonce: bytes
    ciphertext: bytes


@dataclass(frozen=True)
class KeyringRecord:
    """Which OS keyring backend holds a copy of the key (never the key itself)."""

    backend: str
    enabled: bool


@dataclass(frozen=True)
class KeyFile:
    store_id: str
    kdf: KdfParams
    salt: bytes
    current: WrappedKey
    pending: WrappedKey | None = None
    keyring: KeyringRecord | None = None


def key_id(key: bytes) -> str:
    """A stable public name for a database key; reveals nothing of a 256-bit random key."""
    return hashlib.sha256(b"disclosure-desk/key-id\x00" + key).hexdigest()[:32]


def new_database_key() -> bytes:
    return secrets.token_bytes(KEY_BYTES)


def create_keyfile(store_id: str, key: bytes, passphrase: str, kdf: KdfParams) -> KeyFile:
    salt = secrets.token_bytes(16)
    kek = kdf.derive(passphrase, salt)
    return KeyFile(store_id=store_id, kdf=kdf, salt=salt, current=_wrap(kek, store_id, key))


def unwrap(keyfile: KeyFile, passphrase: str) -> tuple[bytes, bytes | None]:
    """The current key and, mid-rekey, the pending one. WrongPassphraseError when the passphrase does not fit."""
    kek = keyfile.kdf.derive(passphrase, keyfile.salt)
    current = _unwrap(kek, keyfile.store_id, keyfile.current)
    pending = _unwrap(kek, keyfile.store_id, keyfile.pending) if keyfile.pending else None
    return current, pending


def rewrap(keyfile: KeyFile, key: bytes, new_passphrase: str, kdf: KdfParams | None = None) -> KeyFile:
    """The same key under a new passphrase and a fresh salt (change passphrase, SPEC S3)."""
    fresh = create_keyfile(keyfile.store_id, key, new_passphrase, kdf or keyfile.kdf)
    return replace(fresh, keyring=keyfile.keyring)


def with_pending(keyfile: KeyFile, passphrase: str, new_key: bytes) -> KeyFile:
    kek = keyfile.kdf.derive(passphrase, keyfile.salt)
    _unwrap(kek, keyfile.store_id, keyfile.current)  # the passphrase must be right before anything is written
    return replace(keyfile, pending=_wrap(kek, keyfile.store_id, new_key))


def promote_pending(keyfile: KeyFile) -> KeyFile:
    if keyfile.pending is None:
        return keyfile
    return replace(keyfile, current=keyfile.pending, pending=None)


def drop_pending(keyfile: KeyFile) -> KeyFile:
    return replace(keyfile, pending=None)


def _wrap(kek: bytes, store_id: str, key: bytes) -> WrappedKey:
    kid = key_id(key)
    nonce = secrets.token_bytes(12)
    return WrappedKey(kid, nonce, AESGCM(kek).encrypt(nonce, key, _aad(store_id, kid)))


def _unwrap(kek: bytes, store_id: str, wrapped: WrappedKey) -> bytes:
    try:
        key = AESGCM(kek).decrypt(wrapped.nonce, wrapped.ciphertext, _aad(store_id, wrapped.key_id))
    except InvalidTag as exc:
        raise WrongPassphraseError() from exc
    if len(key) != KEY_BYTES or key_id(key) != wrapped.key_id:
        raise WrongPassphraseError()
    return key


def _aad(store_id: str, kid: str) -> bytes:
    return f"{FORMAT}\x00{store_id}\x00{kid}".encode()


def write_keyfile(path: Path, keyfile: KeyFile) -> None:
    """Replaces the file atomically: a crash leaves either the old or the new file whole."""
    document = _to_json(keyfile)
    document["checksum"] = _checksum(document)
    atomic_write_bytes(path, (json.dumps(document, indent=2) + "\n").encode("utf-8"))


def require_intact(path: Path) -> None:
    """KeyFileDamagedError when the file's checksum does not match its contents (a byte changed since it was
    written), so that damage is not reported as a wrong passphrase. Files written before the checksum pass."""
    try:
        document = json.loads(path.read_bytes().decode("utf-8"))
        recorded = document.pop("checksum", None) if isinstance(document, dict) else None
    except FileNotFoundError as exc:
        raise KeyFileDamagedError(path, "it is missing") from exc
    except (OSError, ValueError) as exc:
        raise KeyFileDamagedError(path, f"it cannot be read ({type(exc).__name__})") from exc
    if recorded is not None and recorded != _checksum(document):
        raise KeyFileDamagedError(path, "its contents no longer match their checksum (the file has changed)")


def _checksum(document: dict[str, Any]) -> str:
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def read_keyfile(path: Path) -> KeyFile:
    try:
        if path.stat().st_size > MAX_KEYFILE_BYTES:
            raise KeyFileDamagedError(path, "it is far larger than a key file can be")
        document = json.loads(path.read_bytes().decode("utf-8"))
        return _from_json(document)
    except FileNotFoundError as exc:
        raise KeyFileDamagedError(path, "it is missing") from exc
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise KeyFileDamagedError(path, f"it cannot be read ({type(exc).__name__})") from exc


def _to_json(keyfile: KeyFile) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "store_id": keyfile.store_id,
        "kdf": {
            "algorithm": "argon2id",
            "time_cost": keyfile.kdf.time_cost,
            "memory_cost_kib": keyfile.kdf.memory_cost_kib,
            "parallelism": keyfile.kdf.parallelism,
            "salt": _b64(keyfile.salt),
        },
        "wrap": "AES-256-GCM",
        "current": _wrapped_json(keyfile.current),
        "pending": _wrapped_json(keyfile.pending) if keyfile.pending else None,
        "keyring": (
            {"backend": keyfile.keyring.backend, "enabled": keyfile.keyring.enabled} if keyfile.keyring else None
        ),
    }


def _from_json(document: dict[str, Any]) -> KeyFile:
    if document.get("format") != FORMAT:
        raise ValueError("unknown format")
    kdf_doc = document["kdf"]
    if kdf_doc["algorithm"] != "argon2id" or document["wrap"] != "AES-256-GCM":
        raise ValueError("unknown algorithm")
    kdf = KdfParams(int(kdf_doc["time_cost"]), int(kdf_doc["memory_cost_kib"]), int(kdf_doc["parallelism"]))
    _require_sane(kdf)
    keyring_doc = document.get("keyring")
    return KeyFile(
        store_id=str(document["store_id"]),
        kdf=kdf,
        salt=_unb64(kdf_doc["salt"]),
        current=_wrapped_from(document["current"]),
        pending=_wrapped_from(document["pending"]) if document.get("pending") else None,
        keyring=KeyringRecord(str(keyring_doc["backend"]), bool(keyring_doc["enabled"])) if keyring_doc else None,
    )


# What a key file written by this program can hold. Anything outside is damage or tampering; taking it would let an
# edited file make every unlock fail inside argon2 or ask for gigabytes of memory.
_KDF_LIMITS = {"time_cost": (1, 64), "memory_cost_kib": (8, 4 * 1024 * 1024), "parallelism": (1, 64)}


def _require_sane(kdf: KdfParams) -> None:
    for name, (low, high) in _KDF_LIMITS.items():
        if not low <= getattr(kdf, name) <= high:
            raise ValueError(f"kdf {name} out of range")
    if kdf.memory_cost_kib < 8 * kdf.parallelism:
        raise ValueError("kdf memory below argon2's minimum for its parallelism")


def _wrapped_json(wrapped: WrappedKey) -> dict[str, str]:
    return {"key_id": wrapped.key_id, "nonce": _b64(wrapped.nonce), "ciphertext": _b64(wrapped.ciphertext)}


def _wrapped_from(document: dict[str, str]) -> WrappedKey:
    return WrappedKey(str(document["key_id"]), _unb64(document["nonce"]), _unb64(document["ciphertext"]))


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)

