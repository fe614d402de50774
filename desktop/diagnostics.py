"""What a support person needs to know about this installation, Qt-free (issue 6: the About dialog, `diagnostics`).

Versions of the program and of every library that touches the data, where the data and the logs are, and what
the keyring holds. Nothing secret and nothing personal: the keyring is asked whether it holds the store's key,
and the answer is yes or no, never the key. Qt is reported only when the window has already loaded it, so that
this module stays in the Qt-free core (STYLE.md 1).
"""

from __future__ import annotations

import importlib.metadata
import platform
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from desktop import __version__
from desktop.paths import bundle_root
from desktop.store import KeyVault, StoreError, StorePaths
from desktop.store import keyfile as kf


@dataclass(frozen=True)
class Diagnostics:
    versions: dict[str, str]  # component -> version, in the order shown
    data_dir: Path
    store_present: bool
    log_dir: Path
    keyring_backend: str
    keyring_available: bool
    keyring_holds_key: str  # "yes", "no", or why it cannot be told
    keyring_backends: list[str]  # the backends this build can load (a bundle missing them has no keyring)
    cipher: dict[str, str]  # SQLCipher's own report: version, provider, provider version
    running_from: str  # "bundle (PATH)" or "checkout (PATH)"
    notes: list[str] = field(default_factory=list)

    def as_rows(self) -> list[tuple[str, str]]:
        rows = [(name, version) for name, version in self.versions.items()]
        rows += [(f"SQLCipher {name}", value) for name, value in self.cipher.items()]
        rows += [
            ("Data folder", f"{self.data_dir}" + ("" if self.store_present else " (no store yet)")),
            ("Log folder", str(self.log_dir)),
            ("Keyring backend", self.keyring_backend + ("" if self.keyring_available else " (none usable)")),
            ("Keyring holds the store key", self.keyring_holds_key),
            ("Keyring backends in this build", ", ".join(self.keyring_backends) or "none"),
            ("Running from", self.running_from),
        ]
        return rows + [("Note", note) for note in self.notes]

    def as_text(self) -> str:
        width = max(len(name) for name, _ in self.as_rows())
        lines = [f"{name + ':':<{width + 1}} {value}" for name, value in self.as_rows()]
        return "Disclosure Desk diagnostics\n" + "\n".join(lines) + "\n"

    def to_json(self) -> dict[str, Any]:
        return {
            "versions": self.versions, "cipher": self.cipher, "data_dir": str(self.data_dir),
            "store_present": self.store_present, "log_dir": str(self.log_dir),
            "keyring": {"backend": self.keyring_backend, "available": self.keyring_available,
                        "holds_key": self.keyring_holds_key, "backends": self.keyring_backends},
            "running_from": self.running_from, "notes": self.notes,
        }


def gather(data_dir: Path, log_dir: Path, vault: KeyVault | None = None) -> Diagnostics:
    vault = vault or KeyVault()
    status = vault.status()
    paths = StorePaths(data_dir)
    frozen = getattr(sys, "frozen", False)
    return Diagnostics(
        versions=versions(),
        data_dir=data_dir,
        store_present=paths.exists(),
        log_dir=log_dir,
        keyring_backend=status.backend,
        keyring_available=status.available,
        keyring_holds_key=_keyring_holds_key(paths, vault),
        keyring_backends=keyring_backends(),
        cipher=cipher_report(),
        running_from=f"{'bundle' if frozen else 'checkout or install'} ({bundle_root()})",
    )


def versions() -> dict[str, str]:
    import cryptography
    import pypdf
    import pypdfium2.version
    import reportlab
    import sqlcipher3
    from cryptography.hazmat.backends.openssl import backend

    return {
        "Disclosure Desk": __version__,
        "Python": f"{platform.python_version()} ({platform.python_implementation()}, {platform.platform()})",
        "PySide6": _distribution_version("PySide6-Essentials", "PySide6"),
        "Qt": _loaded_qt_version(),
        "sqlcipher3": _distribution_version("sqlcipher3-wheels", "sqlcipher3"),
        "SQLite (in SQLCipher)": sqlcipher3.sqlite_version,
        "pypdfium2": f"{pypdfium2.version.PYPDFIUM_INFO} (pdfium {pypdfium2.version.PDFIUM_INFO})",
        "reportlab": reportlab.Version,
        "pypdf": pypdf.__version__,
        "cryptography": f"{cryptography.__version__} ({backend.openssl_version_text()})",
        "keyring": _distribution_version("keyring"),
        "argon2-cffi": _distribution_version("argon2-cffi"),
    }


def cipher_report() -> dict[str, str]:
    """SQLCipher's own answers on a keyed in-memory database (throw-away key): what a store here is encrypted with."""
    import secrets

    import sqlcipher3

    conn = sqlcipher3.connect(":memory:")
    try:
        conn.execute("PRAGMA cipher_log_level = NONE")
        conn.execute(f"PRAGMA key = \"x'{secrets.token_hex(32)}'\"")
        return {name: _pragma(conn, f"cipher_{name}") for name in ("version", "provider", "provider_version")}
    finally:
        conn.close()


def _pragma(conn: Any, name: str) -> str:
    row = conn.execute(f"PRAGMA {name}").fetchone()
    return str(row[0]) if row else "unknown"


def keyring_backends() -> list[str]:
    """keyring's backends as its entry points name them, each imported (keyring finds them the same way)."""
    names = []
    for entry in importlib.metadata.entry_points(group="keyring.backends"):
        try:
            entry.load()
        except Exception:  # any failure means the same: this backend is not usable here
            names.append(f"{entry.name} (does not load)")
        else:
            names.append(entry.name)
    return sorted(names)


def _keyring_holds_key(paths: StorePaths, vault: KeyVault) -> str:
    if not paths.keyfile.exists():
        return "no store yet"
    try:
        keyfile = kf.read_keyfile(paths.keyfile)
    except StoreError:
        return "cannot tell: the key file cannot be read"
    if not keyfile.keyring or not keyfile.keyring.enabled:
        return "no (this store is opened with the passphrase only)"
    key = vault.get(keyfile.store_id)
    if key is None:
        return "no: the entry is missing or the keyring is locked (the passphrase puts it back)"
    known = {keyfile.current.key_id} | ({keyfile.pending.key_id} if keyfile.pending else set())
    return "yes" if kf.key_id(key) in known else "no: it holds an older key (the passphrase replaces it)"


def _distribution_version(*names: str) -> str:
    for name in names:
        try:
            return importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            continue
    return "unknown"


def _loaded_qt_version() -> str:
    core = sys.modules.get("PySide6.QtCore")  # never imported here: the core stays Qt-free
    if core is None:
        return "not loaded (the command line does not start Qt)"
    return str(core.qVersion())
