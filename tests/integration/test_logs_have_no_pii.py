"""SPEC S1, issue 6: after a full demo (and the commands a user runs on its store), no log file holds a name, an
identifier, a piece of record text or a secret, in UTF-8 or UTF-16.

The program runs as a user would, in subprocesses, with its home and XDG folders inside the test's folder, so
every log it could write (the data folder's and the user log folder) is found and scanned.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from desktop.paths import resource_path

ENTRY_POINT = Path(sys.executable).with_name("disclosure-desk")
COMMAND = [str(ENTRY_POINT)] if ENTRY_POINT.exists() else [sys.executable, "-m", "desktop.cli"]
MIN_PART = 5  # name parts shorter than this ("Daniel" stays, "R." goes) would match ordinary words


def personal_data() -> set[str]:
    """Every name and identifier the demo handles: the sample requests', the registries', the record's."""
    found: set[str] = set()
    for path in resource_path("samples", "requests").glob("*.request.json"):
        request = json.loads(path.read_text("utf-8"))
        for subject in request["subjects"]:
            found |= {subject["name"], subject["identifier"]}
        for person in (request["requester"], request["disclosing_official"]):
            if person:
                found |= {person["name"], person.get("email") or person["name"]}
        found.add(request["deliver_to"])
    registries = json.loads(resource_path("samples", "registries.json").read_text("utf-8"))
    found |= {official["name"] for official in registries["officials"]}
    record = json.loads(resource_path("samples", "record.json").read_text("utf-8"))
    found |= {*record["personnel"], *(phrase["text"] for phrase in record["redact"])}
    found |= {"219-58-4417", "glen.whitcombe@example.net", "priya.castellanos@cbp.dhs.gov", "HK482913", "P5C0412789"}
    return _with_parts({item for item in found if item})


def _with_parts(items: set[str]) -> set[str]:
    parts = {part.strip(".,") for item in items if "@" not in item for part in item.split()}
    return items | {part for part in parts if len(part) >= (6 if part.isdigit() else MIN_PART)}


def encodings(text: str) -> list[bytes]:
    return [form.encode(codec) for form in {text, text.lower(), text.upper()}
            for codec in ("utf-8", "utf-16-le", "utf-16-be")]


def run(root: Path, *args: str, passphrase: str | None) -> subprocess.CompletedProcess[str]:
    home = root / "home"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCLOSURE_DESK_", "XDG_"))}
    env.update(HOME=str(home), XDG_STATE_HOME=str(home / "state"), XDG_CACHE_HOME=str(home / "cache"),
               XDG_DATA_HOME=str(home / "share"), XDG_CONFIG_HOME=str(home / "config"),
               LOCALAPPDATA=str(home / "AppData"), PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
    if passphrase:
        env["DISCLOSURE_DESK_PASSPHRASE"] = passphrase
    return subprocess.run([*COMMAND, *args], env=env, capture_output=True, text=True, timeout=120,
                          stdin=subprocess.DEVNULL)


def test_no_log_file_holds_personal_data_or_secrets(tmp_path: Path) -> None:
    data, out = tmp_path / "data", tmp_path / "out"
    done = run(tmp_path, "--data-dir", str(data), "demo", "--out", str(out), "--json", passphrase=None)
    assert done.returncode == 0, done.stderr
    printed = json.loads(done.stdout)
    secret = printed["passphrase"]
    # What a user does next with the store: read it, export a request, and make mistakes that get logged.
    sample = next(resource_path("samples", "requests").glob("01*.request.json"))
    commands = {("request", "list"): 0, ("request", "export", "OTT-2026-0142"): 0,
                ("request", "import", str(sample)): 1, ("audit", "verify"): 0, ("diagnostics",): 0}
    with ThreadPoolExecutor(max_workers=2) as pool:  # readers only: they can share the store
        codes = list(pool.map(lambda args: run(tmp_path, "--data-dir", str(data), *args, passphrase=secret).returncode,
                              commands))
    assert codes == list(commands.values())
    assert run(tmp_path, "--data-dir", str(data), "request", "list", passphrase="not the passphrase at all").returncode

    logs = [p for p in [*(data / "logs").rglob("*"), *(tmp_path / "home").rglob("*")] if p.is_file()]
    assert logs, "the demo wrote no log file"
    contents = b"\n".join(p.read_bytes() for p in logs)
    assert b"demo.done" in contents and b"end request_export: exit 0" in contents, "the log missed the events"
    needles = personal_data() | {secret, printed["packet"]["password"]}
    assert "Okafor" in needles and "Whitcombe" in needles
    leaked = sorted(n for n in needles if any(form in contents for form in encodings(n)))
    assert leaked == [], f"personal data or secrets in the logs ({[str(p) for p in logs]})"
