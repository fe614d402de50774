"""desktop.diagnostics and `disclosure-desk diagnostics`: versions, folders, keyring and cipher; nothing secret."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import desktop
from desktop.cli import main
from desktop.diagnostics import gather
from desktop.store import KeyVault, Store, create_store
from tests.conftest import CHEAP_KDF, PASSPHRASE


def test_versions_and_cipher(tmp_path: Path, no_keyring_vault: KeyVault) -> None:
    found = gather(tmp_path / "none", tmp_path / "logs", no_keyring_vault)
    for component in ("Disclosure Desk", "Python", "PySide6", "Qt", "sqlcipher3", "pypdfium2", "reportlab", "pypdf",
                      "cryptography", "keyring"):
        assert found.versions[component], component
    assert found.versions["Disclosure Desk"] == desktop.__version__
    assert found.cipher["version"].startswith("4.")
    assert not found.store_present and found.keyring_holds_key == "no store yet"
    assert not found.keyring_available and "fail" in found.keyring_backend


def test_the_keyring_answer_follows_the_store(data_dir: Path, vault: KeyVault) -> None:
    store: Store = create_store(data_dir, PASSPHRASE, post_name="Ottawa", bates_prefix="OTT", use_keyring=True,
                                vault=vault, kdf=CHEAP_KDF)
    try:
        assert gather(data_dir, data_dir / "logs", vault).keyring_holds_key == "yes"
        vault.delete(store.store_id)
        assert gather(data_dir, data_dir / "logs", vault).keyring_holds_key.startswith("no: the entry is missing")
        store.set_keyring(False)
        assert gather(data_dir, data_dir / "logs", vault).keyring_holds_key.startswith("no (")
    finally:
        store.lock()


def test_text_and_json_say_the_same_and_hold_no_key(store: Store, data_dir: Path, vault: KeyVault) -> None:
    found = gather(data_dir, data_dir / "logs", vault)
    text = found.as_text()
    assert text.startswith("Disclosure Desk diagnostics\n")
    assert "Data folder:" in text and str(data_dir) in text and "SQLCipher version:" in text
    document = found.to_json()
    assert document["versions"] == found.versions and document["data_dir"] == str(data_dir)
    assert PASSPHRASE not in text and PASSPHRASE not in json.dumps(document)


def test_the_command(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DISCLOSURE_DESK_LOG_DIR", raising=False)
    assert main(["--data-dir", str(tmp_path / "data"), "diagnostics", "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["data_dir"] == str((tmp_path / "data").resolve())
    assert printed["log_dir"] == str((tmp_path / "data" / "logs").resolve())
    assert printed["versions"]["Disclosure Desk"] == desktop.__version__
