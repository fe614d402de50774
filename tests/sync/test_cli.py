"""The sync commands as a user runs them (SPEC section 7): the entry point in a subprocess, post and headquarters.

One walk through the whole exchange, with the exit codes and one-line messages of what is refused on the way.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from desktop.store import Store
from tests.conftest import PASSPHRASE
from tests.sync.helpers import Party, make_party, open_with_openssl, seed_entries

ENTRY_POINT = Path(sys.executable).with_name("disclosure-desk")
COMMAND = [str(ENTRY_POINT)] if ENTRY_POINT.exists() else [sys.executable, "-m", "desktop.cli"]


def run(data: Path, *args: str | Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DISCLOSURE_DESK_")}
    env.update(DISCLOSURE_DESK_DATA=str(data), DISCLOSURE_DESK_PASSPHRASE=PASSPHRASE,
               PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
    return subprocess.run([*COMMAND, *map(str, args)], env=env, capture_output=True, text=True, timeout=120,
                          stdin=subprocess.DEVNULL)


def ok(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 0, done.stderr
    return done.stdout


def fails(done: subprocess.CompletedProcess[str], code: int, text: str) -> None:
    assert done.returncode == code, (done.stdout, done.stderr)
    assert text in done.stderr and len(done.stderr.strip().splitlines()) == 1, done.stderr


def test_post_and_headquarters_exchange_a_bundle_and_its_acknowledgement(store: Store, hq: Party,
                                                                         tmp_path: Path) -> None:
    uuids = seed_entries(store, 2)
    data = store.paths.root
    store.lock()
    out, db, ack = tmp_path / "out", tmp_path / "hq.db", tmp_path / "batch-1.ack.json"

    post = json.loads(ok(run(data, "post-cert", "--out", tmp_path / "post.pem")))
    assert post["post"] == "Ottawa" and len(post["fingerprint"]) == 64
    fails(run(data, "export-191", "--out", out), 1, "No headquarters certificate is set")
    ec = make_party(tmp_path / "ec", "EC HQ", rsa_bits=None)
    fails(run(data, "hq-cert", "import", ec.cert_path), 2, "an EC certificate cannot receive bundles")
    assert json.loads(ok(run(data, "hq-cert", "import", hq.cert_path)))["default"] is True

    exported = json.loads(ok(run(data, "export-191", "--out", out)))
    assert (exported["batch"], exported["entries"], exported["unacknowledged"]) == (1, 2, 2)
    bundle = Path(exported["bundle"])
    open_with_openssl(bundle, hq, tmp_path / "post.pem", tmp_path)

    hq_args = ["--key", hq.key_path, "--cert", hq.cert_path, "--db", db, "--ack-out", ack]
    fails(run(data, "hq", "import", bundle, *hq_args), 2, "does not exist; register a post first")
    assert json.loads(ok(run(data, "hq", "register-post", tmp_path / "post.pem", "--db", db)))["state"] == "registered"
    first = ok(run(data, "hq", "import", bundle, *hq_args)).splitlines()
    assert first[0] == "Imported batch 1 from Ottawa: 2 entries, 2 new, 0 already held."
    again = ok(run(data, "hq", "import", bundle, *hq_args)).splitlines()
    assert "already imported with the same content; nothing changed" in again[0]
    assert json.loads(ack.read_text())["entries"] == uuids

    tampered = tmp_path / "tampered.p7m"
    tampered.write_bytes(bundle.read_bytes().replace(b"\n\n", b"\n\nAAAA", 1))
    fails(run(data, "hq", "import", tampered, *hq_args), 1, "the bundle is refused")
    assert "2 DHS-191 entries" in ok(run(data, "hq", "status", "--db", db))

    assert ok(run(data, "ack", "import", ack)).startswith("Headquarters acknowledged batch 1: 2 DHS-191 entries")
    fails(run(data, "ack", "import", tmp_path / "post.pem"), 2, "it is not JSON")
    fails(run(data, "export-191", "--out", out), 1, "there is nothing to export")
