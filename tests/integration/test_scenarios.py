"""`disclosure-desk check FILE` run as the user runs it: every shared scenario, and the files it must refuse.

Each scenario's expected file gives the outcome and the findings (code, severity, field); message and section are the
project's own (scenarios/README.md), so here they are only held to being a directive section and a sentence that
tells the user what to do. An invalid file exits 2 with one line on stderr naming the file and the field.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import SCENARIOS, scenario_paths

REPO = Path(__file__).resolve().parents[2]
FORMAT = "disclosure-desk/request/v1"
HELD = {"block", "action", "followup"}
IMPERATIVES = ("Ask", "Choose", "Confirm", "Consult", "Decline", "Have", "Notify", "Obtain", "Record", "Refer",
               "Remove", "Retrieve", "Write")


def run_check(path: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DISCLOSURE_DESK_DATA": str(tmp_path / "data")}
    env.pop("DISCLOSURE_DESK_PASSPHRASE", None)  # check needs no store, so it must not need the passphrase
    return subprocess.run(
        [sys.executable, "-m", "desktop.cli", "check", str(path)],
        capture_output=True, text=True, encoding="utf-8", env=env, cwd=REPO, timeout=60, check=False,
    )


def expected_for(request_path: Path) -> Path:
    return request_path.with_name(request_path.name.replace(".request.json", ".expected.json"))


def finding_keys(findings: list[dict[str, Any]]) -> Counter[tuple[str, str, str | None]]:
    return Counter((f["code"], f["severity"], f.get("field")) for f in findings)


def test_the_shared_scenarios_are_there_and_paired() -> None:
    paths = scenario_paths()
    assert len(paths) >= 8, f"expected the shared scenarios in {SCENARIOS}"
    for path in paths:
        assert expected_for(path).is_file(), f"{path.name} has no expected file"
    outcomes = {json.loads(expected_for(path).read_text(encoding="utf-8"))["outcome"] for path in paths}
    assert outcomes == {"ready", "needs_action", "blocked"}, "check exits 0 whatever the outcome: cover all three"


@pytest.mark.parametrize("path", scenario_paths(), ids=lambda p: p.name.removesuffix(".request.json"))
def test_check_prints_the_expected_findings(path: Path, tmp_path: Path) -> None:
    expected = json.loads(expected_for(path).read_text(encoding="utf-8"))
    result = run_check(path, tmp_path)

    assert result.returncode == 0, result.stderr
    printed = json.loads(result.stdout)
    assert set(printed) == {"outcome", "findings"}
    assert printed["outcome"] == expected["outcome"]
    assert finding_keys(printed["findings"]) == finding_keys(expected["findings"])
    for finding in printed["findings"]:
        assert_is_explained(finding)
    data = tmp_path / "data"
    assert not data.exists() or not any(data.iterdir()), "check is rules only: it must not touch the data folder"


def assert_is_explained(finding: dict[str, Any]) -> None:
    code, section, message = finding["code"], finding["section"], finding["message"]
    assert isinstance(section, str) and re.match(r"(§\d|App)", section), f"{code}: section {section!r}"
    assert "field" not in finding or code == "INSUFFICIENT_DETAIL", f"{code} names a field"
    assert message[:1].isupper() and message.endswith("."), f"{code}: not a full sentence: {message!r}"
    assert len(message.split()) >= 8 and "{" not in message, f"{code}: {message!r}"
    if finding["severity"] in HELD:
        sentences = re.split(r"(?<=[.;:])\s+|,\s+or\s+", message)
        assert any(s.split()[0].strip(",") in IMPERATIVES for s in sentences if s.split()), (
            f"{code}: the message does not tell the user what to do: {message!r}"
        )


def test_a_file_with_only_the_format_takes_every_default(tmp_path: Path) -> None:
    path = tmp_path / "minimal.json"
    path.write_text(json.dumps({"format": FORMAT}), encoding="utf-8")
    result = run_check(path, tmp_path)
    assert result.returncode == 0, result.stderr
    printed = json.loads(result.stdout)
    assert printed["outcome"] == "blocked"  # purpose null = not permitted (§8.1.2)
    codes = Counter(f["code"] for f in printed["findings"])
    assert codes["PURPOSE_NOT_PERMITTED"] == 1
    assert codes["INSUFFICIENT_DETAIL"] == 7
    assert codes["OFFICIAL_NOT_AUTHORIZED"] == 1  # basis defaults to ad hoc 1628, no official recorded


def scenario_document() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(scenario_paths()[0].read_text(encoding="utf-8"))
    return document


def changed(**changes: Any) -> str:
    return json.dumps({**scenario_document(), **changes})


def with_subject_status(status: Any) -> str:
    return changed(subjects=[{"name": "Daniel R. Okafor", "status": status, "identifier": "HK482913"}])


def with_official_grade(grade: Any) -> str:
    return changed(disclosing_official={"name": "L. Benitez", "position": "further_delegate", "grade": grade,
                                        "supervisory": True})


# (id, file text, the field the line must name, a word of what is wrong)
BAD_FILES = [
    ("unknown-field", changed(colour="red"), "colour", "not a field"),
    ("unknown-nested-field", changed(coordination={"occ": True, "ministry": True}), "coordination.ministry",
     "not a field"),
    ("bad-enum", changed(basis="treaty"), "basis", "one of"),
    ("bad-nested-enum", with_subject_status("citizen"), "subjects[0].status", "one of"),
    ("bad-category", changed(data_categories=["travel", "biometrics"]), "data_categories[1]", "one of"),
    ("bool-as-string", changed(exigent="yes"), "exigent", "true or false"),
    ("string-as-number", changed(reason=42), "reason", "string"),
    ("list-as-string", changed(usmca_chapters="5"), "usmca_chapters", "list"),
    ("grade-as-string", with_official_grade("13"), "disclosing_official.grade", "whole number"),
    ("bad-date", changed(received_on="02/11/2026"), "received_on", "YYYY-MM-DD"),
    ("bad-country", changed(requesting_authority={"name": "CBSA", "country": "Canada"}),
     "requesting_authority.country", "ISO"),
    ("not-json", '{"format": "disclosure-desk/request/v1",', "(file)", "JSON"),
    ("not-an-object", json.dumps([{"format": FORMAT}]), "(file)", "object"),
    ("wrong-marker", changed(format="disclosure-desk/request/v2"), "format", "v1"),
    ("no-marker", json.dumps({"reference": "OTT-1"}), "format", "missing"),
]


@pytest.mark.parametrize(("name", "text", "field", "problem"), BAD_FILES, ids=[case[0] for case in BAD_FILES])
def test_a_bad_file_exits_2_with_one_line_naming_file_and_field(
    tmp_path: Path, name: str, text: str, field: str, problem: str
) -> None:
    path = tmp_path / f"{name}.json"
    path.write_text(text, encoding="utf-8")
    result = run_check(path, tmp_path)

    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    line = lines[0]
    assert str(path) in line, f"the line does not name the file: {line!r}"
    rest = line.replace(str(path), "")
    assert re.search(rf"(?<![\w.\[]){re.escape(field)}(?![\w\[])", rest), f"the line does not name {field}: {line!r}"
    assert problem.lower() in rest.lower(), f"the line does not say what is wrong ({problem}): {line!r}"


def test_a_missing_file_exits_2_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "no-such-request.json"
    result = run_check(path, tmp_path)
    assert result.returncode == 2
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1 and str(path) in result.stderr
