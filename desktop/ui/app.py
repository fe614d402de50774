"""The application window: first run, unlock, and the workspace, with lock on idle (SPEC S3, section 8)."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import QApplication, QMainWindow, QMessageBox, QStackedWidget

from desktop import __version__
from desktop.assessment import attach_rules
from desktop.store import KeyVault, Store, StorePaths, create_store
from desktop.ui.first_run import FirstRunPage, StoreFactory
from desktop.ui.idle import IdleWatcher
from desktop.ui.registries import RegistriesDialog
from desktop.ui.unlock import UnlockPage
from desktop.ui.widgets import centered
from desktop.ui.workspace import Workspace

MINUTE_MS = 60_000


class AppWindow(QMainWindow):
    def __init__(self, data_dir: Path, vault: KeyVault, *, create: StoreFactory = create_store,
                 idle_ms: int | None = None) -> None:
        super().__init__()
        self.data_dir, self.vault = data_dir, vault
        self.store: Store | None = None
        self.workspace: Workspace | None = None
        self._idle_override = idle_ms
        self.setWindowTitle("Disclosure Desk")
        self.resize(1280, 720)  # fits a 1366x768 laptop screen with the taskbar
        self.stack = QStackedWidget()
        self.setCentralWidget(self.stack)
        self.unlock_page = UnlockPage(data_dir, vault)
        self.unlock_page.unlocked.connect(self._enter)
        self.unlock_holder = centered(self.unlock_page, 520)
        self.stack.addWidget(self.unlock_holder)
        self.first_run: FirstRunPage | None = None
        if not StorePaths(data_dir).exists():
            self.first_run = FirstRunPage(data_dir, vault, create)
            self.first_run.created.connect(self._enter)
            self.first_run_holder = centered(self.first_run)
            self.stack.addWidget(self.first_run_holder)
            self.stack.setCurrentWidget(self.first_run_holder)
        self.idle = IdleWatcher(idle_ms or 10 * MINUTE_MS, self)
        self.idle.idle.connect(self.lock)
        app = QApplication.instance()
        assert app is not None, "AppWindow needs a QApplication"
        app.installEventFilter(self.idle)
        self._menus()

    def _menus(self) -> None:
        menu = self.menuBar().addMenu("&File")
        self.lock_action = QAction("&Lock now", self, shortcut=QKeySequence("Ctrl+L"))
        self.lock_action.triggered.connect(self.lock)
        self.lock_action.setEnabled(False)
        quit_action = QAction("&Quit", self, shortcut=QKeySequence(QKeySequence.StandardKey.Quit))
        quit_action.triggered.connect(self.close)
        menu.addAction(self.lock_action)
        menu.addAction(quit_action)
        post = self.menuBar().addMenu("&Post")
        self.registries_action = QAction("&Registries…", self, shortcut=QKeySequence("Ctrl+Shift+R"))
        self.registries_action.triggered.connect(self.open_registries)
        self.registries_action.setEnabled(False)
        post.addAction(self.registries_action)

    def open_registries(self) -> RegistriesDialog | None:
        if self.store is None or self.workspace is None:
            return None
        dialog = RegistriesDialog(self.store.repo, self)
        dialog.changed.connect(self.workspace.reload_registries)
        dialog.setModal(True)
        dialog.show()
        return dialog

    def start(self) -> None:
        """Called once shown: unlock without typing when the key is in the keyring."""
        if self.first_run is None:
            self.unlock_page.try_keyring()

    def _enter(self, store: Store) -> None:
        attach_rules(store)
        self.store = store
        self.workspace = Workspace(store)
        self.stack.addWidget(self.workspace)
        self.stack.setCurrentWidget(self.workspace)
        if self.first_run is not None:
            self.stack.removeWidget(self.first_run_holder)
            self.first_run_holder.deleteLater()
            self.first_run = None
        minutes = int(store.repo.setting("idle_lock_minutes") or 10)
        self.idle.set_timeout_ms(self._idle_override or minutes * MINUTE_MS)
        self.idle.start()
        self.lock_action.setEnabled(True)
        self.registries_action.setEnabled(True)
        self.setWindowTitle(f"Disclosure Desk — {store.repo.setting('post_name')}")

    @property
    def is_locked(self) -> bool:
        return self.store is None

    def lock(self) -> None:
        """Saves typed input as drafts, closes the database, and destroys every view of the data."""
        if self.store is None:
            return
        self.idle.stop()
        if self.workspace is not None:
            self.workspace.save_drafts()
            self.workspace.clear()
            self.stack.removeWidget(self.workspace)
            self.workspace.deleteLater()
            self.workspace = None
        self.store.lock()
        self.store = None
        self.lock_action.setEnabled(False)
        self.registries_action.setEnabled(False)
        for dialog in self.findChildren(RegistriesDialog):
            dialog.close()
            dialog.deleteLater()
        self.setWindowTitle("Disclosure Desk — locked")
        self.stack.setCurrentWidget(self.unlock_holder)
        self.unlock_page.passphrase.setFocus()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt's name)
        self.lock()
        event.accept()


def run_gui(data_dir: Path) -> int:
    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName("Disclosure Desk")
    app.setApplicationVersion(__version__)
    app.setOrganizationName("CBP Office of International Affairs")
    vault = KeyVault()
    window = AppWindow(data_dir, vault)
    window.show()
    window.start()
    status = vault.status()
    if not status.available and window.first_run is None:
        QMessageBox.information(window, "No system keyring", status.warning)
    return app.exec()
