"""Guards the PySide6 pin: 6.12.0 on CPython 3.11 leaks a reference to None on every Qt call that returns nothing
and aborts ("Fatal Python error: none_dealloc") after a few thousand. Run in a child so an abort is a clean failure."""

from __future__ import annotations

import os
import subprocess
import sys

CHILD = """
from PySide6.QtWidgets import QApplication, QLabel
app = QApplication([])
label = QLabel()
for i in range(20_000):
    label.setText(str(i))      # returns nothing
    label.setToolTip("t")      # returns nothing
print("survived", label.text())
"""


def test_twenty_thousand_void_qt_calls_do_not_abort() -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "survived 19999" in done.stdout
