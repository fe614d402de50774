"""`make package`: builds the one-folder program for the platform this runs on (packaging/README.md).

    python packaging/build.py [--dist DIR] [--work DIR]

The same script on Linux, Windows and macOS; what differs per platform is in packaging/disclosure-desk.spec and
in `_finish` below. It checks that the installed package's version (what the spec stamps on the program) is the
source's, runs PyInstaller, and prints where the program is, its size and how long the build took.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "packaging" / "disclosure-desk.spec"
NAME = "disclosure-desk"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dist", type=Path, default=ROOT / "dist", help="where the program folder goes (dist/)")
    parser.add_argument("--work", type=Path, default=ROOT / "build" / "pyinstaller", help="PyInstaller's work folder")
    args = parser.parse_args(argv)
    version = _checked_version()
    started = time.monotonic()
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}  # PySide6's hook asks Qt for its paths: no screen needed
    command = [sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean", "--log-level", "WARN",
               "--distpath", str(args.dist), "--workpath", str(args.work), str(SPEC)]
    done = subprocess.run(command, cwd=ROOT, env=env, check=False)
    if done.returncode != 0:
        print(f"build: PyInstaller failed (exit {done.returncode}); see its messages above.", file=sys.stderr)
        return done.returncode
    folder = _finish(args.dist)
    print(f"Built Disclosure Desk {version} for {sys.platform} in {time.monotonic() - started:.0f} s: {folder} "
          f"({_size(folder) / 1e6:.0f} MB)")
    return 0


def _checked_version() -> str:
    """The version in the installed metadata, which must be the source's (a stale install would mislabel the build)."""
    sys.path.insert(0, str(ROOT))
    import desktop

    try:
        installed = importlib.metadata.version(NAME)
    except importlib.metadata.PackageNotFoundError:
        raise SystemExit("build: the disclosure-desk package is not installed here; run `make package`, which "
                         "installs it with its `package` extra.") from None
    if installed != desktop.__version__:
        raise SystemExit(f"build: the installed metadata says {installed}, the source {desktop.__version__}; "
                         "reinstall (pip install -e '.[package]') so the build carries the right version.")
    return installed


def _finish(dist: Path) -> Path:
    """Platform extras beside the program; returns the folder (or .app) that is the finished program."""
    if sys.platform == "darwin":
        return dist / "Disclosure Desk.app"
    folder = dist / NAME
    if sys.platform.startswith("linux"):
        # A desktop entry and its icon, to copy into ~/.local/share/applications and .../icons (README).
        shutil.copy2(ROOT / "packaging" / f"{NAME}.desktop", folder / f"{NAME}.desktop")
        shutil.copy2(ROOT / "resources" / "icons" / f"{NAME}.png", folder / f"{NAME}.png")
    return folder


def _size(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file() and not path.is_symlink())


if __name__ == "__main__":
    sys.exit(main())
