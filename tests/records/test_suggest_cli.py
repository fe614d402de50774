"""`disclosure-desk record suggest` (issue 14): the same suggestions headless, as the issue's JSON, on a PDF's text
layer and on a scanned image read with OCR; --redactions-out writes a file `packet build` takes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from desktop.cli import main
from desktop.packets.redactions import parse_redactions
from tests.conftest import scenario
from tests.records.helpers import simple_pdf
from tests.records.scans import overlaps, png_bytes, scanned_page

LINES = ["Informe: CURP BOXW310820HNERXN09, NAS 123 456 783", "Officer Ramón Núñez, SSN 536-90-4399"]


@pytest.fixture(autouse=True)
def data_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "data"
    monkeypatch.setenv("DISCLOSURE_DESK_DATA", str(folder))
    return folder


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_a_scanned_image_gives_the_issues_json(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                               data_folder: Path) -> None:
    image, planted = scanned_page(LINES, ["BOXW310820HNERXN09", "123 456 783", "Ramón Núñez", "536-90-4399"])
    scan = tmp_path / "scan.png"
    scan.write_bytes(png_bytes(image))
    out = tmp_path / "boxes.json"
    code, stdout, stderr = run(capsys, "record", "suggest", str(scan), "--personnel", "Ramon Nunez", "--subject",
                               "Ana Ruiz", "--json", "--redactions-out", str(out))
    assert code == 0, stderr
    printed = json.loads(stdout)
    assert list(printed) == ["suggestions"]
    found = printed["suggestions"]
    assert all(list(s) == ["page", "kind", "reason", "box", "source", "checksum"] for s in found)
    by_kind = {s["kind"]: s for s in found}
    assert {k: (s["reason"], s["checksum"], s["source"], s["page"]) for k, s in by_kind.items()} == {
        "curp": ("9.1.2", True, "ocr", 1), "sin": ("9.1.2", False, "ocr", 1),
        "personnel_name": ("9.1.1", None, "ocr", 1), "ssn": ("9.1.2", None, "ocr", 1)}
    for kind, where in zip(("curp", "sin", "personnel_name", "ssn"), planted, strict=True):
        assert overlaps(by_kind[kind]["box"], where.box), f"{kind} is boxed where it was drawn"

    boxes = parse_redactions(out.read_bytes(), 1)
    assert sorted((b.page, b.reason, (b.x0, b.y0, b.x1, b.y1)) for b in boxes) == sorted(
        (s["page"], s["reason"], tuple(s["box"])) for s in found)
    logged = b"".join(p.read_bytes() for p in data_folder.rglob("*") if p.is_file())
    assert b"BOXW310820HNERXN09" not in logged and "Núñez".encode() not in logged


def test_the_subjects_own_is_left_out_of_the_redactions_file(tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    record = tmp_path / "record.pdf"
    record.write_bytes(simple_pdf([[(72, 700, "Subject CURP BOXW310820HNERXN09"), (72, 650, "SSN 536-90-4399")]]))
    out = tmp_path / "boxes.json"
    code, stdout, stderr = run(capsys, "record", "suggest", str(record), "--subject", "BOXW310820HNERXN09",
                               "--json", "--redactions-out", str(out))
    assert code == 0
    assert [(s["kind"], s["source"]) for s in json.loads(stdout)["suggestions"]] == [("curp", "text"), ("ssn", "text")]
    assert len(json.loads(out.read_text())["boxes"]) == 1, "only the SSN: the CURP is the subject's own"
    assert "subject's own" in stderr and "§9.1.2" in stderr

    code, table, _ = run(capsys, "record", "suggest", str(record), "--subject", "BOXW310820HNERXN09")
    assert code == 0 and "(the subject's own)" in table and "2 suggestion(s)" in table


def test_the_redactions_file_builds_a_packet(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    record = tmp_path / "record.pdf"
    record.write_bytes(simple_pdf([[(72, 700, "Contact SSN 536-90-4399 today")]]))
    out = tmp_path / "boxes.json"
    assert run(capsys, "record", "suggest", str(record), "--redactions-out", str(out))[0] == 0
    packet = tmp_path / "packet.pdf"
    code, stdout, stderr = run(capsys, "packet", "build", "--request", str(scenario("01")), "--record", str(record),
                               "--redactions", str(out), "--out", str(packet), "--post-name", "Ottawa")
    assert code == 0, stderr
    assert json.loads(stdout)["pages"] >= 1 and packet.stat().st_size > 0


def test_a_file_that_is_no_record_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bogus = tmp_path / "notes.pdf"
    bogus.write_bytes(b"%PDF-1.7\n% cut short by a broken download")
    code, stdout, stderr = run(capsys, "record", "suggest", str(bogus), "--json")
    assert code == 1 and stdout == "" and "notes.pdf" in stderr
    code, _, stderr = run(capsys, "record", "suggest", str(tmp_path / "missing.pdf"))
    assert code == 2 and "missing.pdf" in stderr
