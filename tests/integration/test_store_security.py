"""The store's security promises against real files (SPEC S1-S4, S6; issue 2).

Nothing sensitive on disk in plaintext, wrong passphrases and wrong keys change nothing and slow down, the keyring
is only ever a copy, damaged files are named, the audit chain catches edits. Real SQLCipher stores in tmp_path; the
only fake is the in-memory keyring of tests/conftest.py.
"""

from __future__ import annotations

import base64
import json
import tempfile
import types
import uuid
from dataclasses import replace
from pathlib import Path

import pytest

from desktop.requests.interchange import parse_request_bytes, request_to_json
from desktop.store import (
    KeyFileDamagedError,
    KeyringUnavailableError,
    KeyVault,
    NoStoreError,
    RequestQuery,
    Store,
    StoreDamagedError,
    StoreError,
    StoreExistsError,
    TooManyAttemptsError,
    WrongPassphraseError,
    create_store,
    keyring_enabled,
    sqlcipher,
    unlock_with_keyring,
    unlock_with_passphrase,
    write_backup,
)
from desktop.store import keyfile as kf
from desktop.store import store as store_module
from desktop.store.backup import BackupError
from desktop.store.sqlcipher import WrongKeyError, connect
from desktop.store.vault import SERVICE
from tests.conftest import CHEAP_KDF, PASSPHRASE, SCENARIOS, MemoryKeyring

NEW_PASSPHRASE = "tundra maple lantern orbit velvet 9"
PAGE = 4096  # SQLCipher 4's default page size


# Helpers ----------------------------------------------------------------------------------------------------------


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under `root`, by relative path."""
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def changed_files(before: dict[str, bytes], after: dict[str, bytes]) -> set[str]:
    return {name for name in before.keys() | after.keys() if before.get(name) != after.get(name)}


def encodings(text: str) -> list[bytes]:
    return [text.encode(codec) for codec in ("utf-8", "utf-16-le", "utf-16-be")]


def files_containing(root: Path, needles: list[bytes]) -> list[str]:
    return [name for name, data in snapshot(root).items() if any(needle in data for needle in needles)]


def key_forms(key: bytes) -> list[bytes]:
    """The ways a 32-byte key could show up in a file: raw, hex (either case), base64."""
    return [key, key.hex().encode(), key.hex().upper().encode(), base64.b64encode(key), base64.b64encode(key)[:40]]


def database_key(root: Path, passphrase: str = PASSPHRASE) -> bytes:
    current, pending = kf.unwrap(kf.read_keyfile(root / store_module.KEYFILE_NAME), passphrase)
    assert pending is None
    return current


def make_store(root: Path, vault: KeyVault, *, use_keyring: bool = False) -> Store:
    return create_store(root, PASSPHRASE, post_name="Ottawa", bates_prefix="OTT", use_keyring=use_keyring,
                        vault=vault, kdf=CHEAP_KDF)


def canary_request_json(canary: str) -> bytes:
    document = json.loads((SCENARIOS / "01-cmaa-ready.request.json").read_text("utf-8"))
    document["subjects"][0]["name"] = canary
    document["reference"] = "OTT-2026-9001"
    return json.dumps(document).encode("utf-8")


class FakeClock:
    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def time(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


# S1: nothing in plaintext -----------------------------------------------------------------------------------------


def test_a_canary_name_never_reaches_any_file_in_plaintext(tmp_path: Path, vault: KeyVault,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    scratch = tmp_path / "tmpdir"
    scratch.mkdir()
    monkeypatch.setenv("TMPDIR", str(scratch))
    monkeypatch.setenv("SQLITE_TMPDIR", str(scratch))
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    root = tmp_path / "data"
    canary = f"Quillon Vantabrisk {uuid.uuid4().hex[:12]}"
    needles = encodings(canary) + encodings(canary.lower()) + encodings(PASSPHRASE) + encodings(NEW_PASSPHRASE)

    store = make_store(root, vault)
    raw = canary_request_json(canary)
    request = parse_request_bytes(raw)
    assert request.subjects[0].name == canary
    request_id = store.repo.add_request(request, source="import")
    store.repo.add_attachment(request_id, "original_request", "request.json", "application/json", raw)
    store.repo.save_draft("request-editor/new", {"subjects": [{"name": canary}], "note": f"call {canary} back"})
    assert [row.id for row in store.repo.list_requests(RequestQuery(text=canary.split()[-1]))] == [request_id]
    assert canary in request_to_json(store.repo.get_request(request_id).request)
    write_backup(store, root / "backups" / "manual.zip")
    store.change_passphrase(PASSPHRASE, NEW_PASSPHRASE)
    store.rekey(NEW_PASSPHRASE)
    store.lock()
    with pytest.raises(WrongPassphraseError):
        unlock_with_passphrase(root, PASSPHRASE, vault)  # leaves the throttle file behind, to be scanned too

    names = set(snapshot(root))
    assert {"store.db", "keyfile.json", "unlock-attempts.json", "backups/manual.zip"} <= names
    assert "store.db-journal" not in names, "the rollback journal outlived the store"
    assert files_containing(root, needles) == []
    assert files_containing(scratch, needles) == []
    assert not (root / "store.db").read_bytes().startswith(b"SQLite format 3")
    reopened = unlock_with_passphrase(root, NEW_PASSPHRASE, vault)
    try:
        assert reopened.repo.get_request(request_id).request.subjects[0].name == canary
        assert reopened.repo.load_draft("request-editor/new") == {"subjects": [{"name": canary}],
                                                                   "note": f"call {canary} back"}
    finally:
        reopened.lock()


# S4: wrong passphrase, wrong key -----------------------------------------------------------------------------------


def test_a_wrong_passphrase_changes_nothing_but_the_throttle_and_the_delay_grows(
    store: Store, data_dir: Path, vault: KeyVault, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.repo.add_request(parse_request_bytes(canary_request_json("Daniel R. Okafor")))
    store.lock()
    before = snapshot(data_dir)
    clock = FakeClock()
    monkeypatch.setattr(store_module, "time", types.SimpleNamespace(time=clock.time))
    throttle = data_dir / store_module.THROTTLE_NAME

    waits = []
    for _ in range(3):  # three free tries
        with pytest.raises(WrongPassphraseError) as caught:
            unlock_with_passphrase(data_dir, "correct horse battery staple 43", vault)
        assert isinstance(caught.value, StoreError)
        assert "does not open this store" in str(caught.value) and "Caps Lock" in str(caught.value)
        waits.append(caught.value.wait_seconds)
    assert waits == [0.0, 0.0, 2.0]
    assert "Wait 2 s before the next try" in str(caught.value)

    # Inside the delay even the right passphrase is turned away, and nothing is unwrapped or opened.
    with pytest.raises(TooManyAttemptsError) as refused:
        unlock_with_passphrase(data_dir, PASSPHRASE, vault)
    assert refused.value.wait_seconds == pytest.approx(2.0)
    assert "Wait 2 s" in str(refused.value) and "Nothing in the store has changed" in str(refused.value)
    clock.advance(1.5)
    with pytest.raises(TooManyAttemptsError) as refused:
        unlock_with_passphrase(data_dir, PASSPHRASE, vault)
    assert refused.value.wait_seconds == pytest.approx(0.5)

    for expected in (4.0, 8.0, 16.0):
        clock.advance(waits[-1] + 0.01)
        with pytest.raises(WrongPassphraseError) as caught:
            unlock_with_passphrase(data_dir, "not it either, sadly 77", vault)
        waits.append(caught.value.wait_seconds)
        assert caught.value.wait_seconds == expected
    assert json.loads(throttle.read_text("utf-8"))["failures"] == 6

    after = snapshot(data_dir)
    assert changed_files(before, after) == {store_module.THROTTLE_NAME}, "a wrong passphrase changed a file"

    clock.advance(16.01)
    reopened = unlock_with_passphrase(data_dir, PASSPHRASE, vault)
    try:
        assert reopened.repo.count_requests() == 1
    finally:
        reopened.lock()
    assert not throttle.exists(), "a right passphrase should clear the count"
    with pytest.raises(WrongPassphraseError) as caught:
        unlock_with_passphrase(data_dir, "correct horse battery staple 43", vault)
    assert caught.value.wait_seconds == 0.0


def test_a_wrong_key_never_creates_or_changes_a_database(store: Store, data_dir: Path, tmp_path: Path,
                                                        vault: KeyVault) -> None:
    store.lock()
    db = data_dir / "store.db"
    before = snapshot(data_dir)
    for _ in range(3):
        with pytest.raises(WrongKeyError):
            connect(db, kf.new_database_key())
        with pytest.raises(WrongKeyError):
            connect(db, kf.new_database_key(), create=True)
    assert snapshot(data_dir) == before

    missing = tmp_path / "elsewhere" / "store.db"
    missing.parent.mkdir()
    with pytest.raises(StoreDamagedError) as caught:
        connect(missing, kf.new_database_key())
    assert str(missing) in str(caught.value)
    assert list(missing.parent.iterdir()) == []

    nowhere = tmp_path / "no-store-here"
    with pytest.raises(NoStoreError) as no_store:
        unlock_with_passphrase(nowhere, PASSPHRASE, vault)
    assert "disclosure-desk init" in str(no_store.value)
    with pytest.raises(NoStoreError):
        unlock_with_keyring(nowhere, vault)
    assert not nowhere.exists()

    with pytest.raises(StoreExistsError):
        make_store(data_dir, vault)
    assert snapshot(data_dir) == before


# S2: the keyring holds a copy, never the only one ------------------------------------------------------------------


def test_the_keyring_copy_unlocks_and_a_lost_entry_falls_back_to_the_passphrase(
    data_dir: Path, vault: KeyVault, memory_keyring: MemoryKeyring
) -> None:
    store = make_store(data_dir, vault, use_keyring=True)
    store_id = store.store_id
    store.repo.add_request(parse_request_bytes(canary_request_json("Daniel R. Okafor")))
    store.lock()
    assert keyring_enabled(data_dir)
    key = database_key(data_dir)
    assert memory_keyring.entries == {(SERVICE, store_id): key.hex()}

    opened = unlock_with_keyring(data_dir, vault)
    assert opened.repo.count_requests() == 1
    opened.lock()

    memory_keyring.entries.clear()  # the keyring was reset, or this is a rebuilt laptop
    before = snapshot(data_dir)
    with pytest.raises(KeyringUnavailableError) as caught:
        unlock_with_keyring(data_dir, vault)
    assert "no longer in the system keyring" in str(caught.value) and "Enter your passphrase" in str(caught.value)
    memory_keyring.entries[(SERVICE, store_id)] = kf.new_database_key().hex()  # a stale or foreign key
    with pytest.raises(KeyringUnavailableError):
        unlock_with_keyring(data_dir, vault)
    assert snapshot(data_dir) == before

    opened = unlock_with_passphrase(data_dir, PASSPHRASE, vault)
    assert opened.repo.count_requests() == 1
    opened.lock()
    assert memory_keyring.entries == {(SERVICE, store_id): key.hex()}, "the passphrase unlock puts the key back"
    opened = unlock_with_keyring(data_dir, vault)
    opened.rekey(PASSPHRASE)
    new_key = database_key(data_dir)
    assert new_key != key and memory_keyring.entries == {(SERVICE, store_id): new_key.hex()}
    write_backup(opened, data_dir / "backups" / "keyring.zip")
    opened.lock()
    unlock_with_keyring(data_dir, vault).lock()

    leaks = files_containing(data_dir, key_forms(key) + key_forms(new_key))
    assert leaks == [], f"the database key is in {leaks}"


def test_without_a_keyring_backend_the_passphrase_does_everything(data_dir: Path, no_keyring_vault: KeyVault) -> None:
    status = no_keyring_vault.status()
    assert not status.available and "no system keyring" in status.warning
    store = make_store(data_dir, no_keyring_vault, use_keyring=True)  # asked for, but there is none
    store.repo.add_request(parse_request_bytes(canary_request_json("Daniel R. Okafor")))
    assert store.set_keyring(True) is False
    store.lock()
    assert not keyring_enabled(data_dir)
    assert kf.read_keyfile(data_dir / "keyfile.json").keyring is None
    with pytest.raises(KeyringUnavailableError) as caught:
        unlock_with_keyring(data_dir, no_keyring_vault)
    assert "enter the passphrase" in str(caught.value)

    opened = unlock_with_passphrase(data_dir, PASSPHRASE, no_keyring_vault)
    opened.change_passphrase(PASSPHRASE, NEW_PASSPHRASE)
    opened.rekey(NEW_PASSPHRASE)
    assert opened.repo.count_requests() == 1
    opened.lock()
    opened = unlock_with_passphrase(data_dir, NEW_PASSPHRASE, no_keyring_vault)
    assert opened.repo.count_requests() == 1 and opened.repo.verify_audit().ok
    opened.lock()
    key = database_key(data_dir, NEW_PASSPHRASE)
    assert files_containing(data_dir, key_forms(key)) == []


# S4: damaged key file, damaged database ----------------------------------------------------------------------------


def _flip_in_value(text: str, field: str) -> str:
    """Changes one character of a base64 or hex value to another valid one (the file still parses)."""
    marker = f'"{field}": "'
    at = text.index(marker) + len(marker) + 5
    char = text[at]
    swapped = char.swapcase() if char.isalpha() else str((int(char) + 1) % 10) if char.isdigit() else "A"
    return text[:at] + swapped + text[at + 1:]


KEYFILE_DAMAGE = {
    "truncated": lambda t: t[: len(t) // 2],
    "empty": lambda t: "",
    "invalid-json": lambda t: t.replace("{", "[", 1),
    "flipped-format": lambda t: t.replace("keyfile/v1", "keyfile/v!", 1),
    "flipped-ciphertext": lambda t: _flip_in_value(t, "ciphertext"),
    "flipped-nonce": lambda t: _flip_in_value(t, "nonce"),
    "flipped-salt": lambda t: _flip_in_value(t, "salt"),
    "flipped-key-id": lambda t: _flip_in_value(t, "key_id"),
    "flipped-kdf-cost": lambda t: t.replace('"time_cost": 1', '"time_cost": 0', 1),
    "flipped-memory-cost": lambda t: t.replace('"memory_cost_kib": 8192', '"memory_cost_kib": 8193', 1),
}


@pytest.mark.parametrize("damage", list(KEYFILE_DAMAGE))
def test_a_damaged_key_file_is_named_and_restore_offered(store: Store, data_dir: Path, vault: KeyVault,
                                                        damage: str) -> None:
    store.lock()
    path = data_dir / "keyfile.json"
    text = path.read_text("utf-8")
    damaged = KEYFILE_DAMAGE[damage](text)
    assert damaged != text
    path.write_text(damaged, "utf-8")
    db_before = (data_dir / "store.db").read_bytes()

    with pytest.raises(KeyFileDamagedError) as caught:
        unlock_with_passphrase(data_dir, PASSPHRASE, vault)
    message = str(caught.value)
    assert str(path) in message and "damaged" in message
    assert "Restore the whole store from a backup" in message and "disclosure-desk restore" in message
    assert (data_dir / "store.db").read_bytes() == db_before
    assert path.read_text("utf-8") == damaged, "the damaged key file was rewritten"


def test_every_single_byte_change_to_the_key_file_is_reported_as_damage(store: Store, data_dir: Path,
                                                                         vault: KeyVault) -> None:
    """Never "wrong passphrase" for a file that changed under the right one, and never an unexplained crash."""
    store.lock()
    path = data_dir / "keyfile.json"
    original = path.read_bytes()
    outcomes: dict[str, list[int]] = {}
    for index in range(len(original)):
        damaged = bytearray(original)
        damaged[index] ^= 0x01
        path.write_bytes(bytes(damaged))
        try:
            unlock_with_passphrase(data_dir, PASSPHRASE, vault).lock()
            outcome = "opened"
        except KeyFileDamagedError as error:
            assert str(path) in str(error)
            outcome = "damaged"
        except Exception as error:  # noqa: BLE001 - any other outcome is the finding
            outcome = type(error).__name__
        outcomes.setdefault(outcome, []).append(index)
    path.write_bytes(original)
    assert set(outcomes) <= {"damaged", "opened"}, {k: v[:5] for k, v in outcomes.items()}
    assert len(outcomes["damaged"]) > 0.9 * sum(len(v) for v in outcomes.values())


def test_a_key_file_without_a_checksum_still_opens(store: Store, data_dir: Path, vault: KeyVault) -> None:
    """Key files written before the checksum existed stay readable."""
    store.lock()
    path = data_dir / "keyfile.json"
    document = json.loads(path.read_text("utf-8"))
    document.pop("checksum", None)
    path.write_text(json.dumps(document, indent=2), "utf-8")
    unlock_with_passphrase(data_dir, PASSPHRASE, vault).lock()
    ciphertext = bytearray(base64.b64decode(document["current"]["ciphertext"]))
    ciphertext[0] ^= 0x01
    document["current"]["ciphertext"] = base64.b64encode(bytes(ciphertext)).decode("ascii")
    path.write_text(json.dumps(document, indent=2), "utf-8")
    with pytest.raises(WrongPassphraseError):  # without a checksum an edit cannot be told from a wrong passphrase
        unlock_with_passphrase(data_dir, PASSPHRASE, vault)


def _fill(store: Store, count: int = 30) -> None:
    base = parse_request_bytes(canary_request_json("Daniel R. Okafor"))
    for number in range(count):
        request_id = store.repo.add_request(replace(base, reference=f"OTT-2026-{number:04d}"))
        store.repo.add_attachment(request_id, "other", f"{number}.bin", "application/octet-stream",
                                  bytes(range(256)) * 20)


def test_a_damaged_first_page_is_named_and_restore_offered(store: Store, data_dir: Path, vault: KeyVault) -> None:
    _fill(store, 3)
    store.lock()
    db = data_dir / "store.db"
    data = bytearray(db.read_bytes())
    data[200] ^= 0x40
    db.write_bytes(bytes(data))
    with pytest.raises(StoreDamagedError) as caught:
        unlock_with_passphrase(data_dir, PASSPHRASE, vault)
    message = str(caught.value)
    assert str(db) in message and "Restore from your latest backup" in message
    assert db.read_bytes() == bytes(data)


def test_a_damaged_middle_page_is_reported_by_the_integrity_check(store: Store, data_dir: Path,
                                                                  vault: KeyVault) -> None:
    _fill(store)
    assert store.verify_integrity() == []
    with store.repo.read() as conn:
        assert conn.execute("PRAGMA freelist_count").fetchone()[0] == 0  # every page is in use
        schema_end = conn.execute("SELECT max(rootpage) FROM sqlite_master").fetchone()[0]
    store.lock()
    db = data_dir / "store.db"
    data = bytearray(db.read_bytes())
    pages = len(data) // PAGE
    assert pages > schema_end + 20
    # A page in the middle of the data written after the schema (1-based): a page that unlocking reads (the
    # schema's, the migrations') would fail the unlock itself, which the first-page test covers.
    damaged_page = schema_end + (pages - schema_end) // 2 + 1
    data[(damaged_page - 1) * PAGE + 1000] ^= 0x01
    db.write_bytes(bytes(data))

    opened = unlock_with_passphrase(data_dir, PASSPHRASE, vault)  # page 1 is fine, so it opens...
    try:
        problems = opened.verify_integrity()  # ...and the check says what is wrong, and where
        assert f"HMAC verification failed for page {damaged_page}" in problems, problems
        out = data_dir.parent / "backup-of-damaged.zip"
        with pytest.raises(BackupError) as refused:
            write_backup(opened, out)
        assert "damaged" in str(refused.value) or "failed its check" in str(refused.value)
        assert not out.exists()
        assert sorted(p.name for p in data_dir.iterdir()) == ["keyfile.json", "store.db"]
    finally:
        opened.lock()
    assert db.read_bytes() == bytes(data), "checking a damaged store must not write to it"


# S6: the audit chain --------------------------------------------------------------------------------------------


def _audit_rows(store: Store) -> int:
    with store.repo.read() as conn:
        return int(conn.execute("SELECT max(seq) FROM audit_log").fetchone()[0])


def test_the_audit_chain_finds_an_edited_entry(store: Store) -> None:
    _fill(store, 2)
    store.repo.save_draft("d", {"x": 1})
    store.repo.discard_draft("d")
    report = store.repo.verify_audit()
    last = _audit_rows(store)
    assert report.ok and report.entries == last >= 7
    with store.repo.read() as conn:  # bypassing the repository, as someone with the key and sqlcipher could
        conn.execute("UPDATE audit_log SET detail = ? WHERE seq = 4", ('{"source": "nobody"}',))
    report = store.repo.verify_audit()
    assert not report.ok and report.broken_at == 4 and report.entries == 3
    assert "edited" in report.problem


def test_the_audit_chain_finds_an_entry_removed_from_the_end_or_the_middle(store: Store) -> None:
    _fill(store, 2)
    last = _audit_rows(store)
    with store.repo.read() as conn:
        conn.execute("DELETE FROM audit_log WHERE seq = ?", (last,))
    report = store.repo.verify_audit()
    assert not report.ok and report.broken_at == last and "removed" in report.problem
    with store.repo.read() as conn:
        conn.execute("DELETE FROM audit_log WHERE seq = 3")
    report = store.repo.verify_audit()
    assert not report.ok and report.broken_at == 3 and "missing" in report.problem


def test_the_audit_chain_finds_reordered_entries(store: Store) -> None:
    _fill(store, 2)
    with store.repo.read() as conn:
        conn.execute("UPDATE audit_log SET seq = -1 WHERE seq = 3")
        conn.execute("UPDATE audit_log SET seq = 3 WHERE seq = 4")
        conn.execute("UPDATE audit_log SET seq = 4 WHERE seq = -1")
    report = store.repo.verify_audit()
    assert not report.ok and report.broken_at == 3


# S1: every connection keeps temporary data in memory and wipes freed memory ----------------------------------------


def test_every_connection_keeps_temp_in_memory_with_memory_security(
    data_dir: Path, vault: KeyVault, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[tuple[int, str]] = []
    configure = sqlcipher._configure

    def checked(conn: sqlcipher.Connection, key: bytes) -> None:
        configure(conn, key)
        temp_store = conn.execute("PRAGMA temp_store").fetchone()[0]
        memory_security = conn.execute("PRAGMA cipher_memory_security").fetchone()[0]
        seen.append((temp_store, str(memory_security)))

    monkeypatch.setattr(sqlcipher, "_configure", checked)
    store = make_store(data_dir, vault, use_keyring=True)
    _fill(store, 2)
    assert store.verify_integrity() == []
    write_backup(store, data_dir.parent / "b.zip")
    store.rekey(PASSPHRASE)
    with store.repo.read() as conn:
        assert conn.execute("PRAGMA temp_store").fetchone()[0] == 2
        assert conn.execute("PRAGMA cipher_memory_security").fetchone()[0] == "1"
    store.lock()
    unlock_with_passphrase(data_dir, PASSPHRASE, vault).lock()
    unlock_with_keyring(data_dir, vault).lock()
    # create 2, integrity check 1, backup and its check 1, and each unlock 1: the connection that proves the key
    # is the one the store keeps (issue 15), so an unlock parses the schema under memory security once.
    assert len(seen) >= 6
    assert set(seen) == {(2, "1")}, seen


def test_an_unlock_opens_the_database_once(data_dir: Path, vault: KeyVault, monkeypatch: pytest.MonkeyPatch) -> None:
    """The connection that proves the key is the store's own (issue 15): a second open would parse the schema again
    under cipher_memory_security, about 10 ms of an unlock's wait."""
    make_store(data_dir, vault, use_keyring=True).lock()
    opened: list[Path] = []
    real_connect = store_module.connect

    def counted(path: Path, key: bytes, **options: bool) -> sqlcipher.Connection:
        opened.append(path)
        return real_connect(path, key, **options)

    monkeypatch.setattr(store_module, "connect", counted)
    store = unlock_with_passphrase(data_dir, PASSPHRASE, vault)
    assert store.repo.setting("post_name")  # the kept connection works
    store.lock()
    unlock_with_keyring(data_dir, vault).lock()
    assert len(opened) == 2
