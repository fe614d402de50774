"""A writer killed with SIGKILL at random moments loses nothing it reported and leaves a sound store (issue 2).

tests/integration/crash_child.py runs in a subprocess against a real store; it prints each counter only after the
COMMIT (or key change) has returned. After every kill the parent reopens the store the way the app does and holds
it to everything the child reported: present, PRAGMA integrity_check "ok", no cipher_integrity_check rows, an
audit chain that verifies, and a passphrase (the old or the new one) that opens it.
"""

from __future__ import annotations

import hashlib
import os
import random
import select
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from desktop.requests import load_request_file
from desktop.store import (
    KeyringUnavailableError,
    KeyVault,
    Store,
    WrongPassphraseError,
    create_store,
    unlock_with_keyring,
    unlock_with_passphrase,
)
from desktop.store import keyfile as kf
from tests.conftest import CHEAP_KDF, PASSPHRASE, SCENARIOS, MemoryKeyring
from tests.integration.crash_child import attachment_content

pytestmark = pytest.mark.skipif(os.name != "posix", reason="SIGKILL and select on pipes are POSIX")

REPO = Path(__file__).resolve().parents[2]
OTHER_PASSPHRASE = "tundra maple lantern orbit velvet 9"
COMMIT_KILLS = 20
KEY_KILLS = 12
SEED = int.from_bytes(os.urandom(4), "big")


class Child:
    """One crash_child process, read line by line without ever blocking past a deadline."""

    def __init__(self, root: Path, *args: str, env: dict[str, str]) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.integration.crash_child", str(root), *args],
            cwd=REPO, env={**os.environ, **env}, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )
        self._buffer = b""
        self.lines: list[str] = []

    def next_line(self, timeout: float = 10.0) -> str:
        deadline = time.monotonic() + timeout
        assert self.proc.stdout is not None
        while b"\n" not in self._buffer:
            left = deadline - time.monotonic()
            ready, _, _ = select.select([self.proc.stdout], [], [], max(left, 0))
            chunk = os.read(self.proc.stdout.fileno(), 65536) if ready else b""
            if not chunk:
                self.kill()
                raise AssertionError(f"the child stopped or stalled; stderr:\n{self.stderr()}")
            self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        self.lines.append(line.decode())
        return self.lines[-1]

    def wait_for(self, predicate: str) -> None:
        while not self.next_line().startswith(predicate):
            pass

    def kill(self) -> list[str]:
        """SIGKILL, then every complete line the child had flushed (a half line was never reported)."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)
        assert self.proc.stdout is not None
        self._buffer += self.proc.stdout.read()
        *complete, self._buffer = self._buffer.split(b"\n")
        self.lines += [line.decode() for line in complete]
        self.proc.stdout.close()
        return self.lines

    def stderr(self) -> str:
        assert self.proc.stderr is not None
        return self.proc.stderr.read().decode(errors="replace")[-3000:]


JOURNAL_MAGIC = bytes.fromhex("d9d505f920a163d7")


def is_hot(journal: Path) -> bool:
    """A rollback journal SQLite will play back: one that exists and whose header was finished (a journal with a
    zeroed header was cut short before the database itself was touched, and is ignored)."""
    try:
        return journal.read_bytes()[:8] == JOURNAL_MAGIC
    except FileNotFoundError:
        return False


def check_sound(store: Store) -> None:
    with store.repo.read() as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA cipher_integrity_check").fetchall() == []
        assert conn.execute("SELECT count(*) FROM requests").fetchone()[0] == \
            conn.execute("SELECT count(*) FROM requests_fts").fetchone()[0]
    report = store.repo.verify_audit()
    assert report.ok, report


def audit_count(store: Store, action: str) -> int:
    with store.repo.read() as conn:
        return int(conn.execute("SELECT count(*) FROM audit_log WHERE action = ?", (action,)).fetchone()[0])


@pytest.fixture
def vault(no_keyring_vault: KeyVault) -> KeyVault:
    return no_keyring_vault


def new_store(root: Path, vault: KeyVault) -> Store:
    """The key file keeps the cheap Argon2id parameters, so the child's unlock is cheap too."""
    return create_store(root, PASSPHRASE, post_name="Ottawa", bates_prefix="OTT", use_keyring=False, vault=vault,
                        kdf=CHEAP_KDF)


# Transactions ------------------------------------------------------------------------------------------------------


@dataclass
class Reported:
    requests: set[str] = field(default_factory=set)
    attachments: set[str] = field(default_factory=set)
    events: set[str] = field(default_factory=set)

    def add(self, counter: int) -> str:
        kind = counter % 3
        if kind == 0:
            self.requests.add(f"CRASH-{counter:08d}")
            return "request"
        if kind == 1:
            self.attachments.add(f"c{counter:08d}.bin")
            return "attachment"
        self.events.add(str(counter))
        return "event"


def check_reported(store: Store, reported: Reported, fresh: list[int]) -> None:
    with store.repo.read() as conn:
        references = {row[0] for row in conn.execute("SELECT reference FROM requests")}
        files = {row[0] for row in conn.execute("SELECT filename FROM attachments")}
        events = {row[0] for row in conn.execute("SELECT entity_id FROM audit_log WHERE action = 'crash.tick'")}
        for counter in fresh:  # the newest ones in full: content, checksum and size
            if counter % 3 == 1:
                expected = attachment_content(counter)
                content, digest, size = conn.execute(
                    "SELECT content, sha256, size FROM attachments WHERE filename = ?", (f"c{counter:08d}.bin",)
                ).fetchone()
                assert content == expected and digest == hashlib.sha256(expected).hexdigest() and size == len(expected)
    assert reported.requests <= references, sorted(reported.requests - references)[:5]
    assert reported.attachments <= files, sorted(reported.attachments - files)[:5]
    assert reported.events <= events, sorted(reported.events - events)[:5]
    # A change and its audit entry commit together or not at all.
    assert audit_count(store, "request.add") == len(references)
    assert audit_count(store, "attachment.add") == len(files)


@pytest.mark.slow
def test_a_killed_writer_loses_no_reported_commit(data_dir: Path, vault: KeyVault) -> None:
    new_store(data_dir, vault).lock()
    rng = random.Random(SEED)
    reported = Reported()
    inside = hot_journals = 0  # kills inside a write transaction; of those, after the database was touched
    for run in range(COMMIT_KILLS):
        child = Child(data_dir, "commits", str(run * 300_000), env={"CRASH_PASSPHRASE": PASSPHRASE})
        child.wait_for("ready")
        for _ in range(rng.randint(1, 12)):  # some commits first, however slow the disk
            child.next_line()
        time.sleep(rng.uniform(0.0, 0.03))
        lines = child.kill()
        fresh = [int(line) for line in lines if line.isdigit()]
        for counter in fresh:
            reported.add(counter)
        inside += (data_dir / "store.db-journal").exists()
        hot_journals += is_hot(data_dir / "store.db-journal")

        store = unlock_with_passphrase(data_dir, PASSPHRASE, vault)
        try:
            check_sound(store)
            check_reported(store, reported, fresh)
        except AssertionError as error:
            raise AssertionError(f"after kill {run + 1} (seed {SEED}): {error}") from error
        finally:
            store.lock()
        assert not is_hot(data_dir / "store.db-journal"), "the hot journal was not rolled back"
    total = len(reported.requests) + len(reported.attachments) + len(reported.events)
    assert total >= COMMIT_KILLS
    assert inside >= 1, f"no kill landed inside a transaction (seed {SEED})"
    print(f"commit kills: {total} reported commits, {inside} inside a transaction, {hot_journals} hot journals")


# Key changes -------------------------------------------------------------------------------------------------------


def fill_for_keys(store: Store, attachments: int = 40) -> dict[str, str]:
    """A store of a few MB, so that PRAGMA rekey takes long enough for kills to land inside it."""
    request_id = store.repo.add_request(load_request_file(SCENARIOS / "01-cmaa-ready.request.json"))
    digests = {}
    for number in range(attachments):
        content = attachment_content(10_000_000 + number)
        store.repo.add_attachment(request_id, "other", f"k{number}.bin", "application/octet-stream", content)
        digests[f"k{number}.bin"] = hashlib.sha256(content).hexdigest()
    return digests


def check_data(store: Store, digests: dict[str, str]) -> None:
    with store.repo.read() as conn:
        rows = conn.execute("SELECT filename, content FROM attachments").fetchall()
        assert conn.execute("SELECT count(*) FROM requests").fetchone()[0] == 1
    assert {name: hashlib.sha256(content).hexdigest() for name, content in rows} == digests


def fingerprint(passphrase: str) -> str:
    return hashlib.sha256(passphrase.encode()).hexdigest()[:12]


@pytest.mark.slow
def test_a_kill_during_change_passphrase_or_rekey_leaves_one_passphrase_that_opens_everything(
    data_dir: Path, vault: KeyVault
) -> None:
    store = new_store(data_dir, vault)
    digests = fill_for_keys(store)
    store.lock()
    rng = random.Random(SEED)
    by_fingerprint = {fingerprint(p): p for p in (PASSPHRASE, OTHER_PASSPHRASE)}
    current, other = PASSPHRASE, OTHER_PASSPHRASE
    key_id = kf.read_keyfile(data_dir / "keyfile.json").current.key_id
    done = {"passphrase": 0, "rekey": 0}
    took = {"passphrase": 0.02, "rekey": 0.1}
    interrupted = {"pending": 0, "journal": 0}
    for run in range(KEY_KILLS):
        child = Child(data_dir, "keys", env={"CRASH_PASSPHRASE": current, "CRASH_OTHER_PASSPHRASE": other})
        child.wait_for("ready")
        aim = "rekey" if run % 2 else "passphrase"
        for _ in range(rng.choice([1, 2])):  # the first of its kind, or the second after a completed one
            child.wait_for(f"begin {aim}")
        time.sleep(rng.uniform(0.0, 1.3 * took[aim]))
        lines = child.kill()
        last_begun = ""
        for line in lines:
            words = line.split()
            if words[0] == "begin":
                last_begun = words[1]
            elif words[0] in done:
                done[words[0]] += 1
                took[words[0]] = float(words[2])
                if words[0] == "passphrase":
                    current = by_fingerprint[words[1]]
                    other = PASSPHRASE if current == OTHER_PASSPHRASE else OTHER_PASSPHRASE
                else:
                    key_id = words[1]
        interrupted["pending"] += kf.read_keyfile(data_dir / "keyfile.json").pending is not None
        interrupted["journal"] += is_hot(data_dir / "store.db-journal")

        context = f"after kill {run + 1} (seed {SEED}, last begun: {last_begun})"
        try:
            reopened = unlock_with_passphrase(data_dir, current, vault)
        except WrongPassphraseError:
            assert last_begun == "passphrase", f"{context}: the last reported passphrase no longer opens the store"
            reopened = unlock_with_passphrase(data_dir, other, vault)  # the change had landed, unreported
            current, other = other, current
        try:
            settled = kf.read_keyfile(data_dir / "keyfile.json")
            assert settled.pending is None, context
            if settled.current.key_id != key_id:
                assert last_begun == "rekey", f"{context}: the database key changed without a rekey"
                key_id = settled.current.key_id
            check_sound(reopened)
            check_data(reopened, digests)
            assert audit_count(reopened, "key.passphrase_changed") >= done["passphrase"], context
            assert audit_count(reopened, "key.rekeyed") >= done["rekey"], context
        finally:
            reopened.lock()
    assert done["passphrase"] >= 1 and done["rekey"] >= 1, done
    print(f"key kills: {done} completed, interrupted {interrupted}")


# The rekey's crash points, placed exactly ---------------------------------------------------------------------------


def test_a_rekey_interrupted_before_the_database_changed_keeps_the_old_key(data_dir: Path, vault: KeyVault) -> None:
    store = new_store(data_dir, vault)
    digests = fill_for_keys(store, 2)
    store.lock()
    path = data_dir / "keyfile.json"
    before = kf.read_keyfile(path)
    kf.write_keyfile(path, kf.with_pending(before, PASSPHRASE, kf.new_database_key()))  # step 1 only
    reopened = unlock_with_passphrase(data_dir, PASSPHRASE, vault)
    try:
        check_data(reopened, digests)
        check_sound(reopened)
    finally:
        reopened.lock()
    assert kf.read_keyfile(path) == before, "the unused pending key should have been dropped"


def test_a_rekey_interrupted_after_the_database_changed_promotes_the_new_key(data_dir: Path, vault: KeyVault) -> None:
    store = new_store(data_dir, vault)
    digests = fill_for_keys(store, 2)
    path = data_dir / "keyfile.json"
    new_key = kf.new_database_key()
    kf.write_keyfile(path, kf.with_pending(kf.read_keyfile(path), PASSPHRASE, new_key))
    with store.repo.read() as conn:
        conn.execute(f"PRAGMA rekey = \"x'{new_key.hex()}'\"")  # step 2 done, step 3 never happens
    store.lock()
    reopened = unlock_with_passphrase(data_dir, PASSPHRASE, vault)
    try:
        check_data(reopened, digests)
        check_sound(reopened)
    finally:
        reopened.lock()
    settled = kf.read_keyfile(path)
    assert settled.pending is None and settled.current.key_id == kf.key_id(new_key)
    assert kf.unwrap(settled, PASSPHRASE) == (new_key, None)


def test_the_keyring_asks_for_the_passphrase_after_a_rekey_interrupted_past_the_database(
    data_dir: Path, memory_keyring: MemoryKeyring
) -> None:
    keyring_vault = KeyVault(memory_keyring)
    store = create_store(data_dir, PASSPHRASE, post_name="Ottawa", bates_prefix="OTT", use_keyring=True,
                         vault=keyring_vault, kdf=CHEAP_KDF)
    digests = fill_for_keys(store, 2)
    path = data_dir / "keyfile.json"
    new_key = kf.new_database_key()
    kf.write_keyfile(path, kf.with_pending(kf.read_keyfile(path), PASSPHRASE, new_key))
    with store.repo.read() as conn:
        conn.execute(f"PRAGMA rekey = \"x'{new_key.hex()}'\"")
    store.lock()  # the keyring still holds the old key
    db_before = (data_dir / "store.db").read_bytes()
    with pytest.raises(KeyringUnavailableError) as caught:
        unlock_with_keyring(data_dir, keyring_vault)
    assert "passphrase" in str(caught.value) and "damaged" not in str(caught.value)
    assert (data_dir / "store.db").read_bytes() == db_before
    reopened = unlock_with_passphrase(data_dir, PASSPHRASE, keyring_vault)
    check_data(reopened, digests)
    reopened.lock()
    unlock_with_keyring(data_dir, keyring_vault).lock()  # the passphrase unlock put the new key in the keyring
