"""The fresh process bench/startup.py launches: the real start (`desktop.cli.main`, as the `disclosure-desk` entry
point runs it), watched from outside the app, then an unlock through the Unlock button.

It reads what it needs from the environment the parent sets (DISCLOSURE_DESK_DATA, QT_QPA_PLATFORM=offscreen, the
failing keyring backend, PASSPHRASE_ENV) and prints one line, MARK + JSON, with `time.perf_counter()` readings. On
Linux, macOS and Windows that clock is system-wide (CLOCK_MONOTONIC, mach_absolute_time, QueryPerformanceCounter),
so the parent subtracts the moment it launched this process from the moment the unlock screen was painted.

The only thing done before `desktop.cli.main` is creating the QApplication (which `run_gui` would otherwise create
a moment later, the same way) to install the watcher; the app's code is not changed or patched.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import threading
import time
from typing import Any

STARTED = time.perf_counter()  # before Qt and the app: launch -> STARTED is the interpreter's own start

from PySide6.QtCore import QEvent, QObject, QTimer  # noqa: E402 (after the first reading on purpose)
from PySide6.QtWidgets import QApplication, QLineEdit, QMessageBox  # noqa: E402

MARK = "STARTUP-BENCH "
PASSPHRASE_ENV = "DISCLOSURE_DESK_BENCH_PASSPHRASE"
SETTLE_MS = 200  # between the unlock screen and the click: let start-up's queued events finish, as a typing user would
# When to click (issue 15): "early" clicks SETTLE_MS after the unlock screen, while the imports the window starts
# behind it may still run and compete with Argon2id for the cores; "typed" waits until they have finished, as they
# have for a person who takes a few seconds to type a passphrase. The bench reports both.
CLICK_ENV = "DISCLOSURE_DESK_BENCH_CLICK"
CLICK_MODES = ("early", "typed")
WARM_UP_THREAD = "warm-up imports"  # the thread desktop/ui/app.py starts once the unlock screen is painted
# After that thread, the window imports the workspace's widget modules on the UI thread; "typed" waits for those as
# well (window.background.done), at most TYPED_WAIT_S after the thread has ended (a program that does not import
# them early is clicked then).
WORKSPACE_MODULE = "desktop.ui.workspace"
TYPED_WAIT_S = 5.0


class Watcher(QObject):
    """Marks the unlock screen's first paint, dismisses the "No system keyring" notice, then unlocks and marks the
    request list's first rows and first paint."""

    def __init__(self, app: QApplication, passphrase: str, click: str) -> None:
        super().__init__()
        self.app, self.passphrase, self.click = app, passphrase, click
        self.marks: dict[str, float] = {"started": STARTED}
        self.facts: dict[str, Any] = {}
        self.window: Any = None  # the AppWindow, found through the unlock screen's passphrase field
        self.table_viewport: Any = None
        self.awaiting_facts = False  # a workspace that builds its facts tab after the first rows: wait for it too

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        kind = event.type()
        if kind == QEvent.Type.Show and isinstance(watched, QMessageBox):
            # run_gui's notice when no system keyring is found (PYTHON_KEYRING_BACKEND=...fail): a user clicks OK.
            self.facts["notice"] = watched.text()
            QTimer.singleShot(0, watched.accept)
        elif kind == QEvent.Type.Paint and "unlock_screen" not in self.marks and _is_passphrase_field(watched):
            self.marks["unlock_screen"] = time.perf_counter()
            self.window = watched.window()  # type: ignore[attr-defined]
            QTimer.singleShot(SETTLE_MS, self._unlock_when_idle)
        elif kind == QEvent.Type.Paint and watched is self.table_viewport and "list_painted" not in self.marks:
            self.marks["list_painted"] = time.perf_counter()
            if not self.awaiting_facts:
                QTimer.singleShot(0, self._finish)
        return False

    def _facts_built(self) -> None:
        """The workspace built after the first rows (issue 15): the editor and checklist are on show too."""
        self.marks["facts"] = time.perf_counter()
        self.awaiting_facts = False
        if "list_painted" in self.marks:
            QTimer.singleShot(0, self._finish)

    def _unlock_when_idle(self) -> None:
        if QApplication.activeModalWidget() is not None:  # the notice is still up
            QTimer.singleShot(10, self._unlock_when_idle)
            return
        if self.click == "typed":
            if any(thread.name == WARM_UP_THREAD for thread in threading.enumerate()):
                QTimer.singleShot(10, self._unlock_when_idle)
                return
            warmed_up = self.marks.setdefault("warmed_up", time.perf_counter())
            waited = time.perf_counter() - warmed_up
            if not _background_done(self.window) and waited < TYPED_WAIT_S:
                QTimer.singleShot(10, self._unlock_when_idle)
                return
            self.marks["loaded"] = time.perf_counter()
        self.app.removeEventFilter(self)  # from here on only the list's viewport is watched
        page = self.window.unlock_page
        page.unlocked.connect(self._unlocked)  # connected after AppWindow._enter, so it runs once the window is built
        page.passphrase.setText(self.passphrase)
        # The page empties the field once the worker's store reaches the UI thread, just before `unlocked`.
        page.passphrase.textChanged.connect(self._field_changed)
        self.marks["click"] = time.perf_counter()
        page.unlock_button.click()  # the Unlock button's own path: Argon2id on a worker, then AppWindow._enter

    def _field_changed(self, text: str) -> None:
        if not text:
            self.marks.setdefault("store_open", time.perf_counter())

    def _unlocked(self, _store: object) -> None:
        self.marks["window_built"] = time.perf_counter()
        workspace = self.window.workspace
        built_later = getattr(workspace, "first_rows_shown", None)  # none in the code before issue 15's third pass
        if built_later is not None:
            self.awaiting_facts = True
            built_later.connect(self._facts_built)
        panel = workspace.list_panel
        model = panel.model
        self.table_viewport = panel.table.viewport()
        self.table_viewport.installEventFilter(self)
        if model.rowCount() > 0:
            self._rows(model)
        else:  # a model that fills later (none does today) is caught when it does
            model.modelReset.connect(lambda: self._rows(model))
            model.rowsInserted.connect(lambda *_args: self._rows(model))

    def _rows(self, model: Any) -> None:
        if "rows" not in self.marks and model.rowCount() > 0:
            self.marks["rows"] = time.perf_counter()
            self.facts.update(rows=model.rowCount(), total=model.total())

    def _finish(self) -> None:
        self.facts["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
        self.window.close()  # saves the window state, locks; the app then quits


def _background_done(window: Any) -> bool:
    """Whether the window has loaded all it loads behind the unlock screen: its BackgroundImports say so; a window
    from before they existed (the code a comparison runs) had the workspace module last."""
    background = getattr(window, "background", None)
    return bool(background.done) if background is not None else WORKSPACE_MODULE in sys.modules


def _is_passphrase_field(watched: QObject) -> bool:
    return isinstance(watched, QLineEdit) and watched.accessibleName() == "Passphrase"


def _argon2id_alone(passphrase: str) -> float:
    """The unlock's key derivation timed alone (the key file unwrap), after the window has closed."""
    from desktop.paths import data_dir
    from desktop.store import StorePaths
    from desktop.store import keyfile as kf

    keyfile = kf.read_keyfile(StorePaths(data_dir()).keyfile)
    started = time.perf_counter()
    kf.unwrap(keyfile, passphrase)
    return time.perf_counter() - started


def main() -> int:
    passphrase = os.environ[PASSPHRASE_ENV]
    click = os.environ.get(CLICK_ENV, "early")
    if click not in CLICK_MODES:
        raise SystemExit(f"{CLICK_ENV} must be one of {CLICK_MODES}, not {click!r}")
    app = QApplication(sys.argv)  # run_gui takes this instance (QApplication.instance() or ...)
    watcher = Watcher(app, passphrase, click)
    app.installEventFilter(watcher)
    from desktop.cli import main as disclosure_desk  # the entry point's own import, after the clock started

    status = disclosure_desk([])
    missing = {"unlock_screen", "store_open", "rows", "list_painted"} - set(watcher.marks)
    if status or missing:
        print(f"startup child: exit {status}, never reached {sorted(missing)}; {watcher.facts}", file=sys.stderr)
        return status or 1
    print(MARK + json.dumps({"marks": watcher.marks, "facts": watcher.facts, "argon2id": _argon2id_alone(passphrase)}),
          flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
