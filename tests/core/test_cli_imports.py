"""The command line starts with only what the command needs (issue 15): `--version` and `check` load no Qt, no
keyring, no PDF library and no store; the command groups declared in desktop/cli.py are filled in when named."""

from __future__ import annotations

import argparse
import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from desktop.cli import COMMAND_GROUPS, main

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "resources" / "samples" / "requests" / "01-cmaa-ready.request.json"
HEAVY = ("PySide6", "keyring", "pypdfium2", "reportlab", "pypdf", "cryptography", "sqlcipher3", "argon2")

PROBE = """
import contextlib, io, json, sys
from desktop.cli import main
loaded = {}
with contextlib.redirect_stdout(io.StringIO()):
    try:
        main(["--version"])
    except SystemExit:
        pass
    loaded["--version"] = sorted({m.split(".")[0] for m in sys.modules})
    code = main(["check", sys.argv[1]])
loaded["check"] = sorted({m.split(".")[0] for m in sys.modules})
print(json.dumps({"code": code, "loaded": loaded}))
"""


def test_version_and_check_load_no_qt_keyring_pdf_or_store(tmp_path: Path) -> None:
    env = {**os.environ, "DISCLOSURE_DESK_DATA": str(tmp_path / "data"),
           "DISCLOSURE_DESK_LOG_DIR": str(tmp_path / "log")}
    done = subprocess.run([sys.executable, "-c", PROBE, str(SAMPLE)], capture_output=True, text=True, env=env,
                          timeout=60, cwd=REPO)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.splitlines()[-1])
    assert report["code"] == 0
    for command, loaded in report["loaded"].items():
        assert not set(HEAVY) & set(loaded), f"{command} loaded {sorted(set(HEAVY) & set(loaded))}"
    assert "desktop" in report["loaded"]["check"]


def test_each_declared_group_is_registered_by_its_module_with_the_same_help() -> None:
    for name, module, help_text in COMMAND_GROUPS:
        commands = argparse.ArgumentParser().add_subparsers()
        importlib.import_module(module).register(commands)
        assert name in commands.choices, f"{module}.register does not add {name!r}"
        helps = {action.dest: action.help for action in commands._choices_actions}
        assert helps[name] == help_text, f"{name}: desktop/cli.py lists {help_text!r}, {module} says {helps[name]!r}"


def test_a_declared_group_is_filled_in_when_named(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as ended:
        main(["packet", "build", "--help"])
    assert ended.value.code == 0
    assert "--record FILE" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["accounting", "no-such-action"])
    assert "invalid choice: 'no-such-action'" in capsys.readouterr().err


def test_help_lists_every_group_without_importing_it() -> None:
    code = "import sys; from desktop.cli import main\ntry:\n    main(['--help'])\nexcept SystemExit:\n    pass\n" \
           "print(sorted(m for m in sys.modules if m.endswith('.cli') and m != 'desktop.cli'))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=REPO)
    assert done.returncode == 0, done.stderr
    for name, _module, _help in COMMAND_GROUPS:
        assert f"    {name} " in done.stdout
    assert done.stdout.splitlines()[-1] == "[]"
