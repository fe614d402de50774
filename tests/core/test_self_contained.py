"""Issue 12: a clone with nothing beside it passes `make test`. Nothing the project runs may reach outside its own
folder for a file: not the tests, benchmarks, scripts, packaging, the Makefile or CI. The scenarios and the rule
table the tests compare against are the project's own copies (tests/fixtures/, docs/rules.md)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from tests.conftest import REPO, RULE_TABLE, SCENARIOS, scenario_paths

# Ways a path climbs out of the repository: the product folder beside it by a relative path or joined to a path, a
# Path(...).parents[N] or .parent.parent... past the root, and ROOT.parent / "...".
OUTSIDE = re.compile(r"""\.\./shared|["']shared["']\s*/|/\s*["']shared["']|(?:ROOT|REPO)\.parent\b""")
SCANNED = ("tests", "bench", "scripts", "packaging", "desktop", "Makefile", ".ci")


def tracked_files() -> list[Path]:
    listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard", *SCANNED],
                            cwd=REPO, capture_output=True, text=True, check=True).stdout.split()
    return [REPO / name for name in listed if (REPO / name).is_file()]


def depth_below_root(path: Path) -> int:
    return len(path.relative_to(REPO).parts) - 1  # folders between the root and the file


def climbs_out(path: Path, text: str) -> list[str]:
    """Every `parents[N]` or `.parent` chain in the file that leaves the repository from where the file stands."""
    depth = depth_below_root(path)
    found = [m.group(0) for m in OUTSIDE.finditer(text)]
    for match in re.finditer(r"__file__\)\.resolve\(\)((?:\.parent)+)", text):
        if match.group(1).count(".parent") - 1 > depth:
            found.append(match.group(0))
    for match in re.finditer(r"__file__\)\.resolve\(\)\.parents\[(\d+)\]", text):
        if int(match.group(1)) > depth:
            found.append(match.group(0))
    return found


def test_nothing_the_project_runs_reaches_outside_its_folder() -> None:
    files = [path for path in tracked_files() if path.suffix in {".py", ".sh", ""} or path.name == "Makefile"]
    assert any(path.name == "conftest.py" for path in files), "the scan must see the test files"
    leaks = {str(path.relative_to(REPO)): hits for path in files
             if path != Path(__file__).resolve() and (hits := climbs_out(path, path.read_text("utf-8", "replace")))}
    assert leaks == {}, f"paths that leave the repository (copy what they need into the project): {leaks}"


def test_the_scan_catches_each_way_out() -> None:
    test_file = REPO / "tests" / "core" / "x.py"
    # Spelled in parts, so that this file does not itself stand in a search for paths that leave the project.
    steering = "sha" + "red"
    for text in (f'Path(__file__).resolve().parents[3] / "{steering}"', f'open("../{steering}/SPEC.md")',
                 "ROOT.parent / 'scenarios'", "Path(__file__).resolve().parent.parent.parent.parent"):
        assert climbs_out(test_file, text), text
    assert climbs_out(test_file, "Path(__file__).resolve().parents[2]") == []  # the repository root itself


def test_the_fixtures_the_suite_compares_against_are_in_the_project() -> None:
    assert SCENARIOS.is_relative_to(REPO) and RULE_TABLE.is_relative_to(REPO)
    assert len(scenario_paths()) >= 8
    assert "| DHS191_REQUIRED |" in RULE_TABLE.read_text("utf-8")


def test_the_rule_table_is_the_one_in_the_shipped_specification() -> None:
    """docs/rules.md and section 4 of docs/SPEC.md are the same contract; a row changed in one alone fails here."""
    def rows(text: str) -> list[str]:
        return [line for line in text.splitlines() if re.match(r"\| [A-Z][A-Z0-9_]+ \|", line)]
    spec = (REPO / "docs" / "SPEC.md").read_text("utf-8").split("## 4.", 1)[1].split("\n## ", 1)[0]
    assert rows(RULE_TABLE.read_text("utf-8")) == rows(spec) != []


def test_a_missing_fixture_is_named_not_a_bare_stop_iteration() -> None:
    import pytest

    from tests.conftest import scenario

    with pytest.raises(FileNotFoundError, match=r"99\*\.request\.json in .*tests/fixtures/scenarios"):
        scenario("99")
