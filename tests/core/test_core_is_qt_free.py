"""The core never imports Qt (STYLE.md 1): every module under desktop/ but desktop.ui, in a fresh interpreter."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import desktop

PACKAGE = Path(desktop.__file__).resolve().parent

PROBE = """
import importlib, json, sys
failed = {}
for name in json.loads(sys.argv[1]):
    try:
        importlib.import_module(name)
    except Exception as exc:
        failed[name] = f"{type(exc).__name__}: {exc}"
qt = sorted(m for m in sys.modules if m.split(".")[0] in ("PySide6", "shiboken6"))
print(json.dumps({"failed": failed, "qt": qt}))
"""


def core_modules() -> list[str]:
    """Found from the files, so that walking the package never imports desktop.ui (and Qt with it)."""
    names = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        if parts[1:2] == ("ui",):
            continue
        names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


def import_in_fresh_interpreter(names: list[str]) -> dict[str, object]:
    env = {key: value for key, value in os.environ.items() if key != "PYTHONSTARTUP"}
    done = subprocess.run([sys.executable, "-c", PROBE, json.dumps(names)], capture_output=True, text=True,
                          timeout=120, env=env, cwd=PACKAGE.parent, check=True)
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def test_every_core_module_is_found() -> None:
    names = core_modules()
    assert {"desktop", "desktop.cli", "desktop.store.repository", "desktop.requests.interchange"} <= set(names)
    assert {"desktop.rules", "desktop.store.keyfile", "desktop.assessment"} <= set(names)
    assert not any(name.startswith("desktop.ui") for name in names)


def test_importing_the_whole_core_loads_no_qt() -> None:
    result = import_in_fresh_interpreter(core_modules())
    assert result["failed"] == {}
    assert result["qt"] == [], f"the core pulled in Qt: {result['qt'][:5]}"


def test_the_probe_would_see_qt_if_it_were_imported() -> None:
    assert (PACKAGE / "ui" / "app.py").exists()
    result = import_in_fresh_interpreter(["desktop.ui.app"])
    assert result["failed"] == {} and "PySide6" in result["qt"]
