"""The key file (SPEC S2): Argon2id -> AES-256-GCM wrapping of the database key, tampering, rekey's pending key."""

from __future__ import annotations

import base64
import json
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from desktop.store.errors import KeyFileDamagedError, WrongPassphraseError
from desktop.store.keyfile import (
    KEY_BYTES,
    MAX_KEYFILE_BYTES,
    KdfParams,
    KeyFile,
    KeyringRecord,
    create_keyfile,
    drop_pending,
    key_id,
    new_database_key,
    promote_pending,
    read_keyfile,
    rewrap,
    unwrap,
    with_pending,
    write_keyfile,
)
from tests.conftest import CHEAP_KDF, PASSPHRASE

STORE_ID = "6f1c2d7e-0000-4000-8000-000000000001"
NEW_PASSPHRASE = "tundra maple lantern orbit velvet 9"


@pytest.fixture
def key() -> bytes:
    return new_database_key()


@pytest.fixture
def keyfile(key: bytes) -> KeyFile:
    return create_keyfile(STORE_ID, key, PASSPHRASE, CHEAP_KDF)


@pytest.fixture
def written(tmp_path: Path, keyfile: KeyFile) -> Path:
    path = tmp_path / "keyfile.json"
    write_keyfile(path, keyfile)
    return path


def edit(path: Path, change: Any) -> None:
    document = json.loads(path.read_text("utf-8"))
    change(document)
    path.write_text(json.dumps(document), "utf-8")


def flip_b64(text: str, index: int = 0) -> str:
    raw = bytearray(base64.b64decode(text))
    raw[index] ^= 0x01
    return base64.b64encode(bytes(raw)).decode("ascii")


def test_a_new_key_is_32_random_bytes() -> None:
    first, second = new_database_key(), new_database_key()
    assert len(first) == KEY_BYTES == 32 and first != second
    assert key_id(first) == key_id(first) != key_id(second)
    assert len(key_id(first)) == 32 and first.hex() not in key_id(first)


def test_wrap_and_unwrap_give_back_the_key(keyfile: KeyFile, key: bytes) -> None:
    assert unwrap(keyfile, PASSPHRASE) == (key, None)
    assert keyfile.current.key_id == key_id(key)
    assert key not in keyfile.current.ciphertext


def test_the_file_round_trips_and_holds_no_key(written: Path, keyfile: KeyFile, key: bytes) -> None:
    assert read_keyfile(written) == keyfile
    assert unwrap(read_keyfile(written), PASSPHRASE) == (key, None)
    text = written.read_text("utf-8")
    assert key.hex() not in text and base64.b64encode(key).decode() not in text and PASSPHRASE not in text
    document = json.loads(text)
    assert document["kdf"]["algorithm"] == "argon2id" and document["wrap"] == "AES-256-GCM"
    assert document["pending"] is None and document["keyring"] is None


def test_two_files_for_the_same_key_share_nothing_but_the_key_id(key: bytes) -> None:
    first = create_keyfile(STORE_ID, key, PASSPHRASE, CHEAP_KDF)
    second = create_keyfile(STORE_ID, key, PASSPHRASE, CHEAP_KDF)
    assert first.salt != second.salt and first.current.nonce != second.current.nonce
    assert first.current.ciphertext != second.current.ciphertext
    assert first.current.key_id == second.current.key_id


@pytest.mark.parametrize("wrong", ["correct horse battery staple 43", "", PASSPHRASE.upper(), PASSPHRASE + " "])
def test_a_wrong_passphrase_is_refused_with_a_clear_message(keyfile: KeyFile, wrong: str) -> None:
    with pytest.raises(WrongPassphraseError) as caught:
        unwrap(keyfile, wrong)
    assert "does not open this store" in str(caught.value) and "Caps Lock" in str(caught.value)


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(lambda d: d["current"].update(ciphertext=flip_b64(d["current"]["ciphertext"])), id="ciphertext"),
        pytest.param(lambda d: d["current"].update(ciphertext=flip_b64(d["current"]["ciphertext"], -1)), id="tag"),
        pytest.param(lambda d: d["current"].update(nonce=flip_b64(d["current"]["nonce"])), id="nonce"),
        pytest.param(lambda d: d.update(store_id="6f1c2d7e-0000-4000-8000-000000000002"), id="aad-store-id"),
        pytest.param(lambda d: d["current"].update(key_id="0" * 32), id="aad-key-id"),
        pytest.param(lambda d: d["kdf"].update(salt=flip_b64(d["kdf"]["salt"])), id="salt"),
        pytest.param(lambda d: d["kdf"].update(time_cost=d["kdf"]["time_cost"] + 1), id="params-time"),
        pytest.param(lambda d: d["kdf"].update(memory_cost_kib=d["kdf"]["memory_cost_kib"] * 2), id="params-memory"),
        pytest.param(lambda d: d["kdf"].update(parallelism=d["kdf"]["parallelism"] + 1), id="params-lanes"),
    ],
)
def test_a_tampered_file_does_not_unwrap(written: Path, tamper: Any) -> None:
    edit(written, tamper)
    with pytest.raises(WrongPassphraseError):
        unwrap(read_keyfile(written), PASSPHRASE)


@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        (lambda p: p.write_text("{not json", "utf-8"), "cannot be read (JSONDecodeError)"),
        (lambda p: p.write_bytes(b"\xff\xfe"), "cannot be read"),
        (lambda p: p.write_text("[]", "utf-8"), "cannot be read"),
        (lambda p: edit(p, lambda d: d.update(format="disclosure-desk/keyfile/v9")), "cannot be read"),
        (lambda p: edit(p, lambda d: d["kdf"].update(algorithm="scrypt")), "cannot be read"),
        (lambda p: edit(p, lambda d: d.update(wrap="AES-128-CBC")), "cannot be read"),
        (lambda p: edit(p, lambda d: d.pop("current")), "cannot be read (KeyError)"),
        (lambda p: edit(p, lambda d: d["kdf"].update(salt="not base64!")), "cannot be read"),
        (lambda p: edit(p, lambda d: d["kdf"].update(time_cost="three")), "cannot be read (ValueError)"),
        (lambda p: p.write_bytes(b" " * (MAX_KEYFILE_BYTES + 1)), "far larger than a key file"),
        (lambda p: p.unlink(), "it is missing"),
    ],
)
def test_a_damaged_file_names_itself_and_says_how_to_recover(written: Path, damage: Any, reason: str) -> None:
    damage(written)
    with pytest.raises(KeyFileDamagedError) as caught:
        read_keyfile(written)
    message = str(caught.value)
    assert str(written) in message and reason in message
    assert "Restore the whole store from a backup" in message


@pytest.mark.parametrize("field", ["time_cost", "memory_cost_kib", "parallelism"])
def test_impossible_kdf_parameters_are_a_damaged_file(written: Path, field: str) -> None:
    edit(written, lambda d: d["kdf"].update({field: 0}))
    with pytest.raises((KeyFileDamagedError, WrongPassphraseError)):
        unwrap(read_keyfile(written), PASSPHRASE)


def test_rewrap_keeps_the_key_under_a_new_passphrase_and_salt(keyfile: KeyFile, key: bytes) -> None:
    with_keyring = replace(keyfile, keyring=KeyringRecord("tests.MemoryKeyring", True))
    changed = rewrap(with_keyring, key, NEW_PASSPHRASE)
    assert unwrap(changed, NEW_PASSPHRASE) == (key, None)
    with pytest.raises(WrongPassphraseError):
        unwrap(changed, PASSPHRASE)
    assert changed.salt != keyfile.salt and changed.store_id == STORE_ID
    assert changed.keyring == with_keyring.keyring and changed.kdf == CHEAP_KDF


def test_rewrap_can_raise_the_kdf_cost(keyfile: KeyFile, key: bytes) -> None:
    stronger = KdfParams(time_cost=2, memory_cost_kib=16 * 1024, parallelism=1)
    assert rewrap(keyfile, key, NEW_PASSPHRASE, stronger).kdf == stronger


def test_a_pending_key_sits_beside_the_current_one_until_promoted(written: Path, keyfile: KeyFile,
                                                                  key: bytes) -> None:
    new_key = new_database_key()
    pending = with_pending(keyfile, PASSPHRASE, new_key)
    write_keyfile(written, pending)
    mid_rekey = read_keyfile(written)
    assert unwrap(mid_rekey, PASSPHRASE) == (key, new_key)
    assert mid_rekey.pending is not None and mid_rekey.pending.key_id == key_id(new_key)
    assert unwrap(promote_pending(mid_rekey), PASSPHRASE) == (new_key, None)
    assert unwrap(drop_pending(mid_rekey), PASSPHRASE) == (key, None)
    assert promote_pending(keyfile) == keyfile


def test_a_pending_key_needs_the_right_passphrase(keyfile: KeyFile) -> None:
    with pytest.raises(WrongPassphraseError):
        with_pending(keyfile, "not the passphrase at all", new_database_key())


def test_a_tampered_pending_key_does_not_unwrap(written: Path, keyfile: KeyFile) -> None:
    write_keyfile(written, with_pending(keyfile, PASSPHRASE, new_database_key()))
    edit(written, lambda d: d["pending"].update(ciphertext=flip_b64(d["pending"]["ciphertext"])))
    with pytest.raises(WrongPassphraseError):
        unwrap(read_keyfile(written), PASSPHRASE)


def test_the_default_argon2id_cost_is_a_third_of_a_second_or_so(key: bytes) -> None:
    """The one place the real KDF runs (issue 2: 0.3-0.5 s on the project's 2-core machine).

    The cost is read as the process's CPU time, not the wall clock: the wall clock doubles or triples when other
    work shares the cores (0.8-1.7 s seen under load for the same unwrap), the CPU time stays at 0.9 s. Two lanes on
    two cores make the quiet wall time about half of it."""
    default = KdfParams()
    assert (default.time_cost, default.memory_cost_kib, default.parallelism) == (3, 192 * 1024, 2)
    keyfile = create_keyfile(STORE_ID, key, PASSPHRASE, default)
    started = time.process_time()
    assert unwrap(keyfile, PASSPHRASE) == (key, None)
    cpu = time.process_time() - started
    assert 0.4 <= cpu <= 2.0, f"one unwrap with the default Argon2id parameters took {cpu:.2f} s of CPU time"
