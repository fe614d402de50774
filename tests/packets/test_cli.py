"""`disclosure-desk packet build` (SPEC section 7), run in-process against real files and a real store."""

from __future__ import annotations

import email
import email.policy
import hashlib
import json
from pathlib import Path

import pytest

from desktop.cli import main
from desktop.store import Store
from tests.conftest import PASSPHRASE, scenario
from tests.packets.helpers import pdfium_pages, record_pdf, text_of

READY = scenario("01")
NEEDS_ACTION = scenario("03")
LES_NEEDS_ACTION = scenario("05")


@pytest.fixture
def files(tmp_path: Path) -> list[Path]:
    paths = []
    for name, pages in (("tecs_crossings.pdf", 2), ("case_notes.pdf", 1)):
        path = tmp_path / name
        path.write_bytes(record_pdf(pages, name))
        paths.append(path)
    return paths


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def build_args(files: list[Path], out: Path, *extra: str) -> list[str]:
    return ["--record", *map(str, files), "--out", str(out), *extra]


def test_request_file_gives_a_packet_and_prints_json(tmp_path: Path, files: list[Path],
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "packet.pdf"
    code, stdout, _ = run(capsys, "packet", "build", "--request", str(READY), *build_args(files, out),
                          "--post-name", "Ottawa", "--date", "2026-11-20")
    assert code == 0
    printed = json.loads(stdout)
    assert set(printed) >= {"password", "pages", "bates_first", "bates_last", "sha256", "out"}
    assert (printed["bates_first"], printed["bates_last"]) == ("OTT000001", "OTT000003")
    assert printed["out"] == str(out) and printed["password_bits"] >= 80
    assert printed["sha256"] == hashlib.sha256(out.read_bytes()).hexdigest()
    assert pdfium_pages(out, printed["password"]) == printed["pages"]
    text = text_of(out, printed["password"])
    assert "tecs crossings (2 pages); case notes (1 page)" in text and "OTT000003" in text


def test_bates_options_with_a_request_file(tmp_path: Path, files: list[Path],
                                           capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "p.pdf"
    code, stdout, _ = run(capsys, "packet", "build", "--request", str(READY), *build_args(files, out),
                          "--bates-prefix", "mex", "--bates-first", "120")
    assert code == 0
    assert (json.loads(stdout)["bates_first"], json.loads(stdout)["bates_last"]) == ("MEX000120", "MEX000122")


def test_eml_draft_has_the_packet_but_not_the_password(tmp_path: Path, files: list[Path],
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    out, draft = tmp_path / "packet.pdf", tmp_path / "draft.eml"
    code, stdout, _ = run(capsys, "packet", "build", "--request", str(READY), *build_args(files, out),
                          "--eml", str(draft))
    assert code == 0
    password = json.loads(stdout)["password"]
    raw = draft.read_bytes()
    assert password.encode() not in raw
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert message["To"] == "marie-claude.fortin@cbsa-asfc.gc.ca" and message["X-Unsent"] == "1"
    body = message.get_body(("plain",))
    assert body is not None and "separately, by another channel" in body.get_content()
    attachment = next(message.iter_attachments())
    assert attachment.get_filename() == "packet.pdf" and attachment.get_content() == out.read_bytes()


@pytest.mark.parametrize("scenario", [NEEDS_ACTION, LES_NEEDS_ACTION], ids=["03", "05"])
def test_a_held_request_exits_1_with_findings_and_writes_nothing(tmp_path: Path, files: list[Path], scenario: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    out, draft = tmp_path / "packet.pdf", tmp_path / "draft.eml"
    code, stdout, stderr = run(capsys, "packet", "build", "--request", str(scenario), *build_args(files, out),
                               "--eml", str(draft))
    assert code == 1
    printed = json.loads(stdout)
    assert printed["outcome"] == "needs_action"
    assert all({"code", "severity", "section", "message"} <= set(f) for f in printed["findings"])
    assert "needs_action" in stderr
    assert not out.exists() and not draft.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["case_notes.pdf", "tecs_crossings.pdf"]


@pytest.mark.parametrize("document, field", [
    ({"format": "disclosure-desk/redactions/v1", "boxes": [{"record": 0, "page": 1, "box": [0, 0, 9, 9],
                                                            "reason": "9.2"}]}, "boxes[0].reason"),
    ({"format": "disclosure-desk/redactions/v1", "boxes": [{"record": 5, "page": 1, "box": [0, 0, 9, 9],
                                                            "reason": "9.1.1"}]}, "boxes[0].record"),
    ({"format": "disclosure-desk/redactions/v1", "boxes": [{"record": 0, "page": 1, "box": [9, 0, 1, 9],
                                                            "reason": "9.1.1"}]}, "boxes[0].box"),
    ({"format": "disclosure-desk/redactions/v1", "boxes": [{"record": 1, "page": 2, "box": [0, 0, 9, 9],
                                                            "reason": "9.1.1"}]}, "boxes[0].page"),
    ({"format": "disclosure-desk/redactions/v1", "boxes": [{"record": 0, "page": 1, "box": [0, 0, 9, 9],
                                                            "reason": "9.1.1", "note": "x"}]}, "boxes[0].note"),
    ({"format": "other", "boxes": []}, "format"),
])
def test_bad_redactions_exit_2_naming_file_and_field(tmp_path: Path, files: list[Path], document: dict[str, object],
                                                     field: str, capsys: pytest.CaptureFixture[str]) -> None:
    redactions, out = tmp_path / "x.json", tmp_path / "packet.pdf"
    redactions.write_text(json.dumps(document))
    code, stdout, stderr = run(capsys, "packet", "build", "--request", str(READY), *build_args(files, out),
                               "--redactions", str(redactions))
    assert code == 2 and stdout == ""
    assert len(stderr.strip().splitlines()) == 1
    assert str(redactions) in stderr and f"field {field}" in stderr
    assert not out.exists()


def test_unreadable_record_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing, not_pdf = tmp_path / "missing.pdf", tmp_path / "notes.bin"
    not_pdf.write_bytes(b"\x00\x01 not a record")
    for record in (missing, not_pdf):
        code, _, stderr = run(capsys, "packet", "build", "--request", str(READY), "--record", str(record),
                              "--out", str(tmp_path / "p.pdf"))
        assert code == 2 and str(record) in stderr


def test_redactions_are_applied(tmp_path: Path, files: list[Path], capsys: pytest.CaptureFixture[str]) -> None:
    redactions, out = tmp_path / "x.json", tmp_path / "packet.pdf"
    redactions.write_text(json.dumps({"format": "disclosure-desk/redactions/v1", "boxes": [
        {"record": 0, "page": 1, "box": [60, 700, 400, 740], "reason": "9.1.3"}]}))
    code, stdout, _ = run(capsys, "packet", "build", "--request", str(READY), *build_args(files, out),
                          "--redactions", str(redactions))
    assert code == 0
    text = text_of(out, json.loads(stdout)["password"])
    assert "tecs_crossings.pdf page 1" not in text and "tecs_crossings.pdf page 2" in text
    assert "Information was redacted from the printouts" in text


def test_ref_finalizes_in_the_store_and_bates_continue(store: Store, data_dir: Path, tmp_path: Path,
                                                        files: list[Path], monkeypatch: pytest.MonkeyPatch,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    from desktop.requests import load_request_file

    store.repo.add_request(load_request_file(READY))
    monkeypatch.setenv("DISCLOSURE_DESK_PASSPHRASE", PASSPHRASE)
    first, second = tmp_path / "one.pdf", tmp_path / "two.pdf"
    code, stdout, _ = run(capsys, "--data-dir", str(data_dir), "packet", "build", "--ref", "OTT-2026-0142",
                          *build_args(files, first))
    assert code == 0 and json.loads(stdout)["bates_last"] == "OTT000003"
    code, stdout, _ = run(capsys, "--data-dir", str(data_dir), "packet", "build", "--ref", "OTT-2026-0142",
                          *build_args(files[:1], second))
    printed = json.loads(stdout)
    assert code == 0 and (printed["bates_first"], printed["bates_last"]) == ("OTT000004", "OTT000005")
    assert printed["superseded"] == [printed["packet_id"] - 1]
    with store.repo.read() as conn:
        assert conn.execute("SELECT count(*) FROM records").fetchone()[0] == 2  # the same file is stored once
        assert conn.execute("SELECT next FROM bates_counter WHERE prefix = 'OTT'").fetchone()[0] == 6
        stored = conn.execute("SELECT content FROM packets WHERE id = ?", (printed["packet_id"],)).fetchone()[0]
    assert bytes(stored) == second.read_bytes()


def test_ref_held_request_stores_nothing(store: Store, data_dir: Path, tmp_path: Path, files: list[Path],
                                         monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from desktop.requests import load_request_file

    request_id = store.repo.add_request(load_request_file(NEEDS_ACTION))
    reference = store.repo.get_request(request_id).request.reference
    audit_before = len(store.repo.history("request", request_id))
    monkeypatch.setenv("DISCLOSURE_DESK_PASSPHRASE", PASSPHRASE)
    out = tmp_path / "p.pdf"
    code, stdout, _ = run(capsys, "--data-dir", str(data_dir), "packet", "build", "--ref", reference,
                          *build_args(files, out))
    assert code == 1 and json.loads(stdout)["outcome"] == "needs_action" and not out.exists()
    with store.repo.read() as conn:
        assert conn.execute("SELECT count(*) FROM records").fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM packets").fetchone()[0] == 0
    assert len(store.repo.history("request", request_id)) == audit_before


def test_ref_rejects_the_file_only_options(store: Store, data_dir: Path, tmp_path: Path, files: list[Path],
                                           capsys: pytest.CaptureFixture[str]) -> None:
    code, _, stderr = run(capsys, "--data-dir", str(data_dir), "packet", "build", "--ref", "X",
                          *build_args(files, tmp_path / "p.pdf"), "--bates-prefix", "ABC")
    assert code == 2 and "--bates-prefix" in stderr


def test_text_and_image_records_become_packet_pages(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from PIL import Image

    note, scan = tmp_path / "officer_note.txt", tmp_path / "scan.png"
    note.write_text("Crossing at Lacolle, 2025-03-14, northbound.\n", "utf-8")
    Image.new("RGB", (850, 1100), "white").save(scan)
    out = tmp_path / "p.pdf"
    code, stdout, _ = run(capsys, "packet", "build", "--request", str(READY), "--record", str(note), str(scan),
                          "--out", str(out))
    assert code == 0
    printed = json.loads(stdout)
    assert printed["bates_last"] == "OTT000002"
    assert "Crossing at Lacolle" in text_of(out, printed["password"])


def test_the_json_names_the_pages_rebuilt_for_what_could_not_be_seen(tmp_path: Path,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    from tests.packets import hiding

    crafted = tmp_path / "crafted.pdf"
    routes = [r for r in hiding.ROUTES if r.name in ("render mode 3 (invisible)", "text under a black box drawn "
                                                                                  "over it")]
    crafted.write_bytes(hiding.record(routes))
    ordinary = tmp_path / "ordinary.pdf"
    ordinary.write_bytes(record_pdf(2, "Ordinary"))
    out = tmp_path / "packet.pdf"
    code, stdout, _ = run(capsys, "packet", "build", "--request", str(READY), *build_args([ordinary, crafted], out),
                          "--post-name", "Ottawa", "--date", "2026-11-20")
    assert code == 0
    rebuilt = json.loads(stdout)["rebuilt_pages"]
    assert [(r["record"], r["page"], r["bates"]) for r in rebuilt] == [(2, 1, "OTT000003"), (2, 2, "OTT000004")]
    assert "covered by something drawn over it" in rebuilt[0]["why"][0]  # the black box comes first in ROUTES
    assert rebuilt[1]["why"] == ["1 line of text that cannot be seen on the page (drawn invisible)"]
    text = text_of(out, json.loads(stdout)["password"])
    assert "Ordinary page 2" in text and not any(r.canary in text for r in routes)
