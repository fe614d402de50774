"""`disclosure-desk demo --out DIR` as a new user runs it (issue 6): the entry point in a subprocess, fresh folders.

One JSON run serves most tests (a demo takes about 2 s: a real Argon2id, a real packet and bundle); the text run
and the refusal of a folder that holds a store get their own.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pytest

from desktop.paths import resource_path
from tests.conftest import PASSPHRASE, SCENARIOS, scenario_paths

ENTRY_POINT = Path(sys.executable).with_name("disclosure-desk")
COMMAND = [str(ENTRY_POINT)] if ENTRY_POINT.exists() else [sys.executable, "-m", "desktop.cli"]
SAMPLES = sorted(resource_path("samples", "requests").glob("*.request.json"))
REDACTED = ("Whitcombe", "219-58-4417", "Castellanos", "Okonkwo-Lamb", "glen.whitcombe@example.net", "P5C0412789")


@dataclass(frozen=True)
class Run:
    root: Path
    data: Path
    out: Path
    done: subprocess.CompletedProcess[str]

    @property
    def printed(self) -> dict[str, Any]:
        return dict(json.loads(self.done.stdout))


def demo(root: Path, *args: str, passphrase: str | None = None, data: str = "option") -> Run:
    """Runs the demo with no DISCLOSURE_DESK_* from the caller's environment and logs kept under `root`; the data
    folder `root/data` is given by `--data-dir` ("option"), by DISCLOSURE_DESK_DATA ("env"), or not at all ("temp":
    the demo makes one, here under `root/tmp`)."""
    folder, out = root / "data", root / "out"
    env = {k: v for k, v in os.environ.items() if not k.startswith("DISCLOSURE_DESK_")}
    env.update(PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring", DISCLOSURE_DESK_LOG_DIR=str(root / "logs"))
    if passphrase:
        env["DISCLOSURE_DESK_PASSPHRASE"] = passphrase
    where = ["--data-dir", str(folder)] if data == "option" else []
    if data == "env":
        env["DISCLOSURE_DESK_DATA"] = str(folder)
    if data == "temp":
        (root / "tmp").mkdir(exist_ok=True)
        env.update(TMPDIR=str(root / "tmp"), TEMP=str(root / "tmp"), TMP=str(root / "tmp"))
    done = subprocess.run([*COMMAND, *where, "demo", "--out", str(out), *args], env=env, capture_output=True,
                          text=True, timeout=120, stdin=subprocess.DEVNULL)
    return Run(root, folder, out, done)


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    done = demo(tmp_path_factory.mktemp("demo"), "--json")
    assert done.done.returncode == 0, done.done.stderr
    return done


def test_the_samples_are_the_scenarios_with_references_of_their_own() -> None:
    assert [p.name for p in SAMPLES] == [p.name for p in scenario_paths()]
    references = []
    for sample in SAMPLES:
        copy, original = (json.loads(p.read_text("utf-8")) for p in (sample, SCENARIOS / sample.name))
        references.append(copy.pop("reference"))
        original.pop("reference")
        assert copy == original, sample.name
    assert len(set(references)) == len(references)


def test_it_imports_every_sample_and_the_rules_decide_as_the_scenarios_say(run: Run) -> None:
    expected: dict[str, int] = {}
    for path in scenario_paths():
        outcome = json.loads(path.with_name(path.name.replace(".request", ".expected")).read_text("utf-8"))["outcome"]
        expected[outcome] = expected.get(outcome, 0) + 1
    printed = run.printed
    assert printed["requests"] == {"imported": len(SAMPLES), "outcomes": expected}
    assert printed["registries"] == {"authorities": 3, "agreements": 3, "officials": 3}


def test_the_packet_opens_with_the_printed_password_and_not_without(run: Run) -> None:
    packet = run.printed["packet"]
    path = Path(packet["path"])
    assert path.parent == run.out.resolve() and path.read_bytes().startswith(b"%PDF")
    document = pdfium.PdfDocument(path, password=packet["password"])
    try:
        assert len(document) == packet["pages"] >= 2
        text = [document[i].get_textpage().get_text_range() for i in range(len(document))]
    finally:
        document.close()
    for password in (None, "", "wrong-password-123"):
        with pytest.raises(pdfium.PdfiumError):
            pdfium.PdfDocument(path, password=password)
    assert packet["bates_first"] == "OTT000001" and packet["bates_first"] in text[-1]
    assert not [item for item in REDACTED if any(item in page for page in text)], "redacted PII is in the packet"
    assert run.printed["record"]["redaction_boxes"] >= len(REDACTED)


def test_the_printed_passphrase_opens_the_throw_away_store(run: Run) -> None:
    printed = run.printed
    assert printed["passphrase"] and Path(printed["data_dir"]) == run.data.resolve()
    env = {k: v for k, v in os.environ.items() if not k.startswith("DISCLOSURE_DESK_")}
    env.update(DISCLOSURE_DESK_PASSPHRASE=printed["passphrase"], DISCLOSURE_DESK_LOG_DIR=str(run.root / "logs"),
               PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
    done = subprocess.run([*COMMAND, "--data-dir", str(run.data), "request", "list", "--json"], env=env,
                          capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(rows) == len(SAMPLES)
    assert {row["reference"] for row in rows} >= {"OTT-2026-0142", "MEX-2026-0077"}


def test_hq_certificate_key_and_bundle(run: Run) -> None:
    printed = run.printed
    cert, key = Path(printed["hq"]["certificate"]), Path(printed["hq"]["key"])
    assert cert.read_bytes().startswith(b"-----BEGIN CERTIFICATE-----")
    assert key.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    if os.name == "posix":
        assert key.stat().st_mode & 0o077 == 0, "the demo HQ key is readable by others"
    if printed["bundle"] is None:
        assert any("desktop.sync" in line for line in printed["not_available"])
        pytest.skip("desktop.sync is not part of this build")
    assert printed["dhs191_entries"] == printed["bundle"]["entries"] == 1
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed (scripts/system-deps.sh installs it)")
    opened = subprocess.run(["openssl", "cms", "-decrypt", "-in", printed["bundle"]["path"], "-inkey", str(key),
                             "-recip", str(cert), "-out", os.devnull], capture_output=True, timeout=60)
    assert opened.returncode == 0, opened.stderr


def test_text_output_on_the_data_folder_from_the_environment(tmp_path: Path) -> None:
    done = demo(tmp_path, passphrase=PASSPHRASE, data="env")
    assert done.done.returncode == 0, done.done.stderr
    text = done.done.stdout
    assert text.startswith("Disclosure Desk demo: everything below is made up.")
    assert f"Store (throw-away)  {done.data.resolve()}" in text
    assert "the one in DISCLOSURE_DESK_PASSPHRASE" in text and PASSPHRASE not in text
    assert "password " in text and str(done.out.resolve() / "OTT-2026-0142-packet.pdf") in text
    assert (done.data / "store.db").exists()
    assert "pages             4: coversheet and cover letter (3), then 1 record page" in text
    assert "Bates numbers     OTT000001 on the record page (the coversheet and letter carry none)" in text


def test_the_printed_headquarters_steps_run_as_pasted(tmp_path: Path) -> None:
    """Issue 12: `make demo` prints the HQ commands; pasted into a shell whose PATH does not hold the program (as
    after `make demo`), from another folder, each one runs."""
    done = demo(tmp_path, passphrase=PASSPHRASE, data="env")
    assert done.done.returncode == 0, done.done.stderr
    steps = done.done.stdout.split("Try the headquarters side next:\n", 1)[1].strip().splitlines()
    assert len(steps) == 3 and not any(step.split()[0] == "disclosure-desk" for step in steps)
    env = {k: v for k, v in os.environ.items() if not k.startswith("DISCLOSURE_DESK_")}
    env.update(PATH="/usr/bin:/bin", DISCLOSURE_DESK_PASSPHRASE=PASSPHRASE, DISCLOSURE_DESK_LOG_DIR=str(tmp_path),
               PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
    for step in steps:
        ran = subprocess.run(step, shell=True, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
                             stdin=subprocess.DEVNULL)
        assert ran.returncode == 0, f"{step}\n{ran.stderr}"
    assert "marked synced" in ran.stdout


def test_a_folder_that_holds_a_store_is_refused_and_left_alone(run: Run) -> None:
    before = {p.name: p.read_bytes() for p in run.data.iterdir() if p.is_file()}
    again = demo(run.root, passphrase=PASSPHRASE)
    assert again.done.returncode == 1
    assert "already exists" in again.done.stderr and again.done.stdout == ""
    assert {p.name: p.read_bytes() for p in run.data.iterdir() if p.is_file()} == before


def test_without_a_data_folder_it_makes_a_new_one_and_replaces_the_last_demo(run: Run) -> None:
    first = run.printed
    again = demo(run.root, "--json", passphrase=PASSPHRASE, data="temp")
    assert again.done.returncode == 0, again.done.stderr
    printed = again.printed
    assert Path(printed["data_dir"]).parent == (run.root / "tmp").resolve()
    assert (Path(printed["data_dir"]) / "store.db").exists() and printed["passphrase"] is None
    assert printed["packet"]["path"] == first["packet"]["path"]
    assert printed["packet"]["sha256"] != first["packet"]["sha256"]  # the packet of this run, over the last one's
    if printed["bundle"]:
        assert printed["bundle"]["path"] == first["bundle"]["path"]
        assert not [p for p in run.out.iterdir() if p.name.startswith(".")], "the export's staging folder stayed"
