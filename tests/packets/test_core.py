"""The packet core stays Qt-free (STYLE.md 1), and the command line starts without pypdf and reportlab."""

from __future__ import annotations

import subprocess
import sys

CODE = """
import sys
import desktop.cli, desktop.packets
assert "pypdf" not in sys.modules and "reportlab" not in sys.modules, "loaded at start"
from desktop.packets import build_packet, finalize_packet
assert "PySide6" not in sys.modules
"""


def test_packets_import_no_qt_and_load_pdf_libraries_on_first_use() -> None:
    done = subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
