"""The main window's size and place, remembered between runs (issue 6).

QSettings holds the window geometry and state only — never request data, names or paths the user chose — in an INI
file in the data folder (`window.ini`), beside the store it belongs to. The first time, the window takes a size that
fits the screen it opens on: on a 1366x768 laptop with a taskbar (1366x728 available) the whole frame fits.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QRect, QSettings, QSize
from PySide6.QtWidgets import QMainWindow

FILE_NAME = "window.ini"
PREFERRED = QSize(1280, 720)
FRAME_ALLOWANCE = QSize(16, 40)  # title bar and borders the window manager adds around the client area


def default_size(available: QRect) -> QSize:
    """The client size for a first run: the preferred size, shrunk so the framed window fits `available`."""
    return QSize(
        min(PREFERRED.width(), available.width() - FRAME_ALLOWANCE.width()),
        min(PREFERRED.height(), available.height() - FRAME_ALLOWANCE.height()),
    )


def _settings(data_dir: Path) -> QSettings:
    return QSettings(str(data_dir / FILE_NAME), QSettings.Format.IniFormat)


def restore(window: QMainWindow, data_dir: Path) -> bool:
    """Puts the window where it was; False (and a default size) when nothing is remembered or it no longer fits."""
    stored = _settings(data_dir)
    geometry, state = stored.value("geometry"), stored.value("state")
    if geometry is not None and window.restoreGeometry(geometry):
        if state is not None:
            window.restoreState(state)
        return True
    screen = window.screen()
    if screen is not None:
        window.resize(default_size(screen.availableGeometry()))
    else:
        window.resize(PREFERRED)
    return False


def save(window: QMainWindow, data_dir: Path) -> None:
    if not data_dir.is_dir():
        return  # never create the data folder just to remember a window
    stored = _settings(data_dir)
    stored.setValue("geometry", window.saveGeometry())
    stored.setValue("state", window.saveState())
    stored.sync()
