"""`packet build --redactions`: a box redact() cannot apply is invalid input, exit 2, one line that names the box as
it stands in the file and says what to do; nothing is written (SPEC section 7, D3)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from desktop.cli import main
from tests.conftest import scenario
from tests.packets.helpers import record_pdf

READY = scenario("01")


def test_a_box_outside_its_page_exits_2_naming_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    records = [tmp_path / "first.pdf", tmp_path / "second.pdf"]
    for path in records:
        path.write_bytes(record_pdf(1))
    boxes = [{"record": 0, "page": 1, "box": [72, 700, 200, 720], "reason": "9.1.2"},
             {"record": 1, "page": 1, "box": [72, 700, 200, 720], "reason": "9.1.2"},
             {"record": 1, "page": 1, "box": [72, 700, 5000, 720], "reason": "9.1.3"}]
    redactions = tmp_path / "boxes.json"
    redactions.write_text(json.dumps({"format": "disclosure-desk/redactions/v1", "boxes": boxes}))
    out = tmp_path / "packet.pdf"
    code = main(["packet", "build", "--request", str(READY), "--record", *map(str, records), "--redactions",
                 str(redactions), "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2
    assert len(err.strip().splitlines()) == 1
    assert err.startswith(f"{redactions}: boxes[2] on record 1 (second.pdf) (page 1) reaches outside the page")
    assert "Correct it in boxes.json and run the command again" in err
    assert not out.exists()
