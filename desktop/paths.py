"""Where things are: the user's data folder and the bundled read-only files (`resources/`, `db/migrations/`).

The bundled folders sit beside the `desktop` package in a checkout or editable install, and under
`sys._MEIPASS` inside the PyInstaller bundle (SPEC section 1); one helper serves both.
"""

from __future__ import annotations

import os
import shlex
import sys
from pathlib import Path

import platformdirs

APP_NAME = "DisclosureDesk"
DATA_ENV = "DISCLOSURE_DESK_DATA"


def bundle_root() -> Path:
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen)
    return Path(__file__).resolve().parent.parent


def resource_path(*parts: str) -> Path:
    """A file under `resources/`, e.g. resource_path("wordlist.txt")."""
    return bundle_root().joinpath("resources", *parts)


def migrations_dir() -> Path:
    return bundle_root() / "db" / "migrations"


def program_command(argv0: str | None = None) -> str:
    """How to run this same program again from a shell, for commands the program prints for the user to paste.

    `make demo` runs `.venv/bin/disclosure-desk`, which is not on PATH: a printed `disclosure-desk …` would not run.
    The PyInstaller program is `sys.executable`; an entry-point script is its own absolute path; `python -m desktop.cli`
    is the interpreter with -m.
    """
    if getattr(sys, "frozen", False):
        return shlex.quote(sys.executable)
    script = Path(argv0 if argv0 is not None else sys.argv[0])
    if script.name.startswith("disclosure-desk") and script.is_file():
        return shlex.quote(str(script.absolute()))
    return f"{shlex.quote(sys.executable)} -m desktop.cli"


def data_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """`--data-dir`, else DISCLOSURE_DESK_DATA, else the platform's user data folder."""
    chosen = explicit or os.environ.get(DATA_ENV)
    if chosen:
        return Path(chosen).expanduser().resolve()
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False, roaming=False))
