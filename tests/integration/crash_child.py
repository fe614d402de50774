"""A writer for tests/integration/test_crash_safety.py to kill with SIGKILL at random moments.

    python -m tests.integration.crash_child DATA_DIR commits START
    python -m tests.integration.crash_child DATA_DIR keys

The passphrases come from the environment (CRASH_PASSPHRASE, and CRASH_OTHER_PASSPHRASE for `keys`). Every line
on stdout reports something that has been committed: it is printed and flushed only after the call that commits it
has returned, so the parent may hold the store to every line it has read.

`commits` loops over three kinds of transaction, numbered from START: a request (counter % 3 == 0), an attachment
of 96 KiB to the newest request (overflow pages, counter % 3 == 1), an audit-only event (counter % 3 == 2).
`keys` alternates change_passphrase and rekey, announcing each before it starts ("begin ...") so the parent can
aim its kill inside it, and reporting it when done.
"""

from __future__ import annotations

import hashlib
import os
import sys
import time
from dataclasses import replace
from pathlib import Path

from keyring.backends import fail

from desktop.requests import load_request_file
from desktop.store import KeyVault, unlock_with_passphrase
from desktop.store import keyfile as kf

SCENARIO = Path(__file__).resolve().parents[1] / "fixtures" / "scenarios" / "01-cmaa-ready.request.json"
ATTACHMENT_BYTES = 96 * 1024


def attachment_content(counter: int) -> bytes:
    """Deterministic, incompressible content, so the parent can recompute what must be stored."""
    seed = hashlib.sha256(f"crash-attachment-{counter}".encode()).digest()
    blocks = (hashlib.sha256(seed + i.to_bytes(4, "big")).digest() for i in range(ATTACHMENT_BYTES // 32))
    return b"".join(blocks)


def report(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def commits(root: Path, start: int) -> None:
    store = unlock_with_passphrase(root, os.environ["CRASH_PASSPHRASE"], KeyVault(fail.Keyring()))
    base = load_request_file(SCENARIO)
    latest = None
    report("ready")
    counter = start
    while True:
        kind = counter % 3
        if kind == 0 or latest is None:
            latest = store.repo.add_request(replace(base, reference=f"CRASH-{counter:08d}"), source="crash-test")
        elif kind == 1:
            store.repo.add_attachment(latest, "other", f"c{counter:08d}.bin", "application/octet-stream",
                                      attachment_content(counter))
        else:
            store.repo.record_event("crash.tick", "test", counter, {"counter": counter})
        report(str(counter))
        counter += 1


def keys(root: Path) -> None:
    current, other = os.environ["CRASH_PASSPHRASE"], os.environ["CRASH_OTHER_PASSPHRASE"]
    store = unlock_with_passphrase(root, current, KeyVault(fail.Keyring()))
    report("ready")
    step = 0
    while True:
        started = time.perf_counter()
        if step % 2 == 0:
            report("begin passphrase")
            store.change_passphrase(current, other)
            current, other = other, current
            fingerprint = hashlib.sha256(current.encode()).hexdigest()[:12]
            report(f"passphrase {fingerprint} {time.perf_counter() - started:.4f}")
        else:
            report("begin rekey")
            store.rekey(current)
            key_id = kf.read_keyfile(store.paths.keyfile).current.key_id
            report(f"rekey {key_id} {time.perf_counter() - started:.4f}")
        step += 1


def main(argv: list[str]) -> int:
    root, mode = Path(argv[0]), argv[1]
    if mode == "commits":
        commits(root, int(argv[2]))
    elif mode == "keys":
        keys(root)
    else:
        raise SystemExit(f"unknown mode {mode!r}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
