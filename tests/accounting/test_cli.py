"""`disclosure-desk accounting | incident | retention` (SPEC section 7), in-process against a real store."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from desktop.cli import main
from desktop.store import Store
from tests.accounting.helpers import OKAFOR, acknowledge_all, disclose, pdf_text, two_subjects
from tests.conftest import PASSPHRASE

Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def cli(data_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Run:
    monkeypatch.setenv("DISCLOSURE_DESK_PASSPHRASE", PASSPHRASE)

    def run(*argv: str) -> tuple[int, str, str]:
        code = main(["--data-dir", str(data_dir), *argv])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


def test_accounting_commands(store: Store, cli: Run, tmp_path: Path) -> None:
    # 2026-11-20, then the (b)(7) one a week later: a day in the past, never the date the PDF is printed on.
    disclose(store, two_subjects("OTT-2026-0142"))
    finalized = disclose(store, two_subjects("OTT-2026-0160", law_enforcement=True), on=date(2026, 11, 27))
    code, out, _ = cli("accounting", "list", "--unsynced")
    rows = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and len(rows) == 4 and rows[0]["individual_name"] == OKAFOR.name and rows[2]["b7"] is True
    entry = rows[2]
    code, out, _ = cli("accounting", "print", entry["uuid"], "--out", str(tmp_path / "entry.pdf"))
    assert code == 0 and finalized.built.sha256 in pdf_text((tmp_path / "entry.pdf").read_bytes(), tmp_path)
    code, out, _ = cli("accounting", "individual", OKAFOR.identifier, "--out", str(tmp_path / "mine.pdf"),
                       "--for-individual")
    assert code == 0 and json.loads(out.splitlines()[0])["disclosures"] == 1
    assert "2026-11-27" not in pdf_text((tmp_path / "mine.pdf").read_bytes(), tmp_path)
    code, _, err = cli("accounting", "individual", "CA passport", "--out", str(tmp_path / "x.pdf"))
    assert code == 1 and "2 individuals match" in err and not (tmp_path / "x.pdf").exists()
    code, _, err = cli("accounting", "print", "no-such-uuid", "--out", str(tmp_path / "y.pdf"))
    assert code == 1 and "no DHS-191 entry no-such-uuid" in err


def test_incident_and_retention_commands(store: Store, cli: Run, tmp_path: Path) -> None:
    old = disclose(store, two_subjects("OTT-2019-0007"), on=date(2019, 3, 4))
    code, out, _ = cli("incident", "add", "--description", "Shared with a third party.", "--discovered",
                       "2026-12-03", "--packet", str(old.packet_id), "--out-dir", str(tmp_path / "notes"))
    assert code == 0 and json.loads(out)["notifications"] == ["privacy_office", "ac_oia", "attache"]
    assert len(list((tmp_path / "notes").glob("incident-1-*.txt"))) == 3
    code, out, _ = cli("retention", "list")
    assert code == 0 and "OTT-2019-0007" in out and "2 not yet acknowledged" in out
    code, _, err = cli("retention", "dispose")
    assert code == 1 and "confirmation" in err
    acknowledge_all(store)
    code, out, _ = cli("retention", "dispose", "--confirm")
    assert code == 0 and "Disposed of 1 request(s)" in out
    code, out, _ = cli("audit", "verify")
    assert code == 0 and "intact" in out
