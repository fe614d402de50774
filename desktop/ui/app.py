"""The application window: first run, unlock, and the workspace, with lock on idle (SPEC S3, section 8).

Start-up order (issue 15): the window with the unlock screen is shown first, importing only Qt's widgets and the
unlock page; once that screen has been painted the rest of the menus are completed and the store's and the PDF
libraries' modules load on a thread while the passphrase is typed; then the workspace's widget modules are imported
on the UI thread, one module per turn of the event loop (a few tens of milliseconds each, so typing goes on).
When Unlock is clicked before all that is done, it pauses (Argon2id needs both cores): only the request list is
imported while the key is derived, the workspace shows its first rows, and the rest resumes once they are painted.
"""

from __future__ import annotations

import importlib
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QIcon, QKeySequence
from PySide6.QtWidgets import QApplication, QMainWindow, QMenu, QStackedWidget, QWidget

from desktop import __version__
from desktop.assessment import attach_rules
from desktop.paths import resource_path
from desktop.store.files import StorePaths
from desktop.store.vault import KeyVault
from desktop.ui import window_state
from desktop.ui.idle import IdleWatcher
from desktop.ui.unlock import UnlockPage
from desktop.ui.widgets import ICON, centered

if TYPE_CHECKING:  # loaded after the unlock screen is on show, or on unlock (the workspace: the PDF libraries)
    from desktop.store.store import Store
    from desktop.ui.about import AboutDialog
    from desktop.ui.backup_dialog import BackupDialog, BackupReminder, RestoreDialog
    from desktop.ui.export_dialog import SyncActions
    from desktop.ui.first_run import FirstRunWizard, StoreFactory
    from desktop.ui.privacy_actions import PrivacyActions
    from desktop.ui.registries import RegistriesDialog
    from desktop.ui.settings_dialog import SettingsDialog
    from desktop.ui.workspace import Workspace

# What the workspace needs and the unlock screen does not: the Qt-free cores on SQLCipher, pdfium, pypdf, reportlab
# and cryptography, imported on a thread while the passphrase is typed (about 0.5 s), so that unlocking does not
# wait for them. A click pauses the thread between two of these (a module half imported cannot be paused), so the
# big third-party libraries come one by one before the cores that import them: a pause waits for one of them at most.
WARM_UP_MODULES = ("desktop.store.store", "desktop.settings", "desktop.requests", "desktop.rules", "pypdf",
                   "pypdfium2", "reportlab.pdfgen.canvas", "reportlab.platypus", "bs4", "phonenumbers",
                   "desktop.records", "desktop.intake", "desktop.packets.finalize", "desktop.accounting.dhs191_pdf",
                   "desktop.sync.export")
WARM_UP_THREAD = "warm-up imports"  # bench/startup_child.py waits for it to end before a "typed" click

# The workspace's widget modules, in the order they are imported after the warm-up (each brings its own helpers).
# bench startup (clicked after the warm-up) measured why: imported only on the Unlock click, they kept the UI thread
# busy after Argon2id had finished, and the unlocked store waited for them (click to store open 577-604 ms against
# Argon2id's 395-440 ms). The workspace builds its tabs on first use (desktop/ui/workspace.py), so on a click only
# the first two are needed before the first rows.
WORKSPACE_MODULES = ("desktop.ui.request_list", "desktop.ui.workspace", "desktop.ui.request_editor",
                     "desktop.ui.checklist", "desktop.ui.coordination", "desktop.ui.attachments",
                     "desktop.ui.history", "desktop.ui.records_panel", "desktop.ui.packet_panel",
                     "desktop.ui.accounting_panel")
WARM_UP_POLL_MS = 100

MINUTE_MS = 60_000
# Every window not yet closed. A Qt top-level window lives until it is closed; its Python object must too: held only
# by reference cycles (its own signal connections; a test's window once the test has returned), Python's cycle
# collector would delete it and every widget in it at any allocation, under a callback still building the workspace.
_OPEN_WINDOWS: set[AppWindow] = set()


class AppWindow(QMainWindow):
    def __init__(self, data_dir: Path, vault: KeyVault, *, create: StoreFactory | None = None,
                 idle_ms: int | None = None, minute_ms: int = MINUTE_MS) -> None:
        super().__init__()
        _OPEN_WINDOWS.add(self)  # until closed (closeEvent)
        self.data_dir, self.vault = data_dir, vault
        self.store: Store | None = None
        self.workspace: Workspace | None = None
        self._idle_override = idle_ms
        self._minute_ms = minute_ms  # tests shorten the minute
        self._completed = False
        self.setWindowTitle("Disclosure Desk")
        window_state.restore(self, data_dir)  # where it was, else a size that fits a 1366x768 laptop screen
        self.stack = QStackedWidget()
        self.setCentralWidget(self.stack)
        self.unlock_page = UnlockPage(data_dir, vault)
        self.unlock_page.unlocked.connect(self._enter)
        self.unlock_page.painted.connect(self._on_show)
        self.background = BackgroundImports(self, WARM_UP_MODULES, WORKSPACE_MODULES)
        self.unlock_page.submitted.connect(self._submitted)
        self.unlock_page.refused.connect(self.background.start)  # what the click paused goes on while retyping
        self.unlock_holder = centered(self.unlock_page, 520)
        self.stack.addWidget(self.unlock_holder)
        self.first_run: FirstRunWizard | None = None
        if not StorePaths(data_dir).exists():
            self._start_first_run(create)
        self.idle = IdleWatcher(idle_ms or 10 * MINUTE_MS, self)
        self.idle.idle.connect(self.lock)
        app = QApplication.instance()
        assert app is not None, "AppWindow needs a QApplication"
        app.installEventFilter(self.idle)
        self._menus()
        self.statusBar()  # made now, so it is shown with the window; the reminder joins it later
        if self.first_run is not None:  # not the unlock screen: nothing to show before the rest
            self.complete()

    def _start_first_run(self, create: StoreFactory | None) -> None:
        from desktop.setup import create_post_store
        from desktop.ui.first_run import FirstRunWizard

        self.first_run = FirstRunWizard(self.data_dir, self.vault, create or create_post_store)
        self.first_run.created.connect(self._enter)
        self.first_run_holder = centered(self.first_run)
        self.stack.addWidget(self.first_run_holder)
        self.stack.setCurrentWidget(self.first_run_holder)

    def _on_show(self) -> None:
        """The unlock screen is on show: complete the window, then load the cores while the passphrase is typed."""
        self.complete()
        if self.store is None:
            self.background.start()

    def _submitted(self) -> None:
        """Unlock clicked: Argon2id runs on its worker. What is left to load behind it waits (one thread less on the
        two cores), except the request list, imported now on the UI thread, so the first rows need nothing more."""
        self.background.pause()
        QTimer.singleShot(0, self, _import_workspace)

    def complete(self) -> None:
        """The parts of the window the unlock screen does not show: the status-bar reminder and the Post menu's
        privacy and sync entries (their modules import the accounting and sync cores). Done once, when the unlock
        screen has been painted, or earlier when something needs them."""
        if self._completed:
            return
        self._completed = True
        from desktop.ui.backup_dialog import BackupReminder
        from desktop.ui.export_dialog import SyncActions
        from desktop.ui.privacy_actions import PrivacyActions

        self._backup_reminder = BackupReminder()
        self.statusBar().addWidget(self._backup_reminder)
        self._privacy_actions = PrivacyActions(self, self._post_menu, lambda: self.store, lambda: self.workspace)
        self._sync_actions = SyncActions(self, self._post_menu, lambda: self.store)

    @property
    def backup_reminder(self) -> BackupReminder:
        self.complete()
        return self._backup_reminder

    @property
    def privacy_actions(self) -> PrivacyActions:
        self.complete()
        return self._privacy_actions

    @property
    def sync_actions(self) -> SyncActions:
        self.complete()
        return self._sync_actions

    def _menus(self) -> None:
        menu = self.menuBar().addMenu("&File")
        self.lock_action = QAction("&Lock now", self, shortcut=QKeySequence("Ctrl+L"))
        self.lock_action.triggered.connect(self.lock)
        self.lock_action.setEnabled(False)
        quit_action = QAction("&Quit", self, shortcut=QKeySequence(QKeySequence.StandardKey.Quit))
        quit_action.triggered.connect(self.close)
        self.email_action = QAction("New request from &e-mail…", self, shortcut=QKeySequence("Ctrl+Shift+E"))
        self.email_action.triggered.connect(self.new_request_from_email)
        self.email_action.setEnabled(False)
        menu.addAction(self.email_action)
        menu.addSeparator()
        menu.addAction(self.lock_action)
        menu.addSeparator()
        menu.addAction(quit_action)
        post = self._post_menu = self.menuBar().addMenu("&Post")
        post.aboutToShow.connect(self.complete)  # opened before the unlock screen was painted: complete it first
        self.registries_action = QAction("&Registries…", self, shortcut=QKeySequence("Ctrl+Shift+R"))
        self.registries_action.triggered.connect(self.open_registries)
        self.registries_action.setEnabled(False)
        post.addAction(self.registries_action)
        self._store_actions(menu, post)
        self.individual_action = post.addAction("&Accounting for an individual…", self.open_individual_accounting)
        self.individual_action.setEnabled(False)
        help_menu = self.menuBar().addMenu("&Help")
        self.about_action = QAction("&About Disclosure Desk", self, menuRole=QAction.MenuRole.AboutRole)
        self.about_action.triggered.connect(self.open_about)
        help_menu.addAction(self.about_action)

    def open_about(self) -> AboutDialog:
        from desktop.ui.about import AboutDialog

        dialog = AboutDialog(self.data_dir, self.vault, self)
        dialog.setModal(True)
        dialog.show()
        return dialog

    def open_registries(self) -> RegistriesDialog | None:
        if self.store is None or self.workspace is None:
            return None
        from desktop.ui.registries import RegistriesDialog

        dialog = RegistriesDialog(self.store.repo, self)
        dialog.changed.connect(self.workspace.reload_registries)
        dialog.setModal(True)
        dialog.show()
        return dialog

    def new_request_from_email(self) -> None:
        """A .msg or .eml becomes a draft request (issue 14); also by dropping the file on the request list."""
        if self.workspace is not None:
            self.workspace.new_from_email()

    def open_individual_accounting(self) -> None:
        if self.workspace is not None:
            self.workspace.open_individual_accounting()

    def open_settings(self) -> SettingsDialog | None:
        if self.store is None:
            return None
        from desktop.ui.settings_dialog import SettingsDialog

        dialog = SettingsDialog(self.store.repo, self)
        dialog.saved.connect(self._settings_saved)
        dialog.setModal(True)
        dialog.show()
        return dialog

    def _settings_saved(self) -> None:
        if self.store is None:
            return
        from desktop.settings import idle_lock_minutes

        # The user's choice wins over a test's or a caller's idle override, and applies at once (SPEC S3).
        self.idle.set_timeout_ms(idle_lock_minutes(self.store.repo) * self._minute_ms)
        self.backup_reminder.show_for(self.store.repo)

    def open_backup(self) -> BackupDialog | None:
        if self.store is None:
            return None
        from desktop.ui.backup_dialog import BackupDialog

        dialog = BackupDialog(self.store, self)
        dialog.backed_up.connect(self._settings_saved)
        dialog.busy.connect(lambda busy: self.idle.stop() if busy else self.idle.start())
        dialog.setModal(True)
        dialog.show()
        return dialog

    def open_restore(self) -> RestoreDialog:
        """Also offered while locked or on first run: a damaged store or a rebuilt laptop (SPEC S4, S5)."""
        from desktop.ui.backup_dialog import RestoreDialog

        dialog = RestoreDialog(self.data_dir, self.vault, self.lock, self)
        dialog.restored.connect(self._restored)
        dialog.setModal(True)
        dialog.show()
        return dialog

    def _restored(self, kept: Path | None) -> None:
        """Back to the unlock screen, which now opens the restored store with the backup's passphrase."""
        self._drop_first_run()
        self.stack.setCurrentWidget(self.unlock_holder)
        aside = f" The store it replaced is kept in {kept}." if kept else ""
        self.unlock_page.message.setText(f"The backup was restored.{aside} Unlock with the backup's passphrase.")
        self.unlock_page.passphrase.setFocus()

    def _drop_first_run(self) -> None:
        if self.first_run is not None:
            self.stack.removeWidget(self.first_run_holder)
            self.first_run_holder.deleteLater()
            self.first_run = None

    def _store_actions(self, file_menu: QMenu, post_menu: QMenu) -> None:
        self.backup_action = QAction("&Back up…", self, shortcut=QKeySequence("Ctrl+Shift+B"))
        self.backup_action.triggered.connect(self.open_backup)
        self.restore_action = QAction("&Restore…", self)
        self.restore_action.triggered.connect(self.open_restore)
        self.settings_action = QAction("&Settings…", self, shortcut=QKeySequence("Ctrl+,"),
                                       menuRole=QAction.MenuRole.PreferencesRole)
        self.settings_action.triggered.connect(self.open_settings)
        quit_action = file_menu.actions()[-1]
        file_menu.insertActions(quit_action, [self.backup_action, self.restore_action])
        file_menu.insertSeparator(quit_action)
        post_menu.addAction(self.settings_action)
        self._enable_store_actions(False)

    def _enable_store_actions(self, unlocked: bool) -> None:
        self.backup_action.setEnabled(unlocked)
        self.settings_action.setEnabled(unlocked)
        if not unlocked:
            for dialog in [*self._dialogs("settings_dialog", "SettingsDialog"),
                           *self._dialogs("backup_dialog", "BackupDialog")]:
                dialog.close()
                dialog.deleteLater()

    def _dialogs(self, module: str, name: str) -> list[QWidget]:
        """The open dialogs of a kind; none when its module was never imported (nothing of it can be open)."""
        loaded = sys.modules.get(f"desktop.ui.{module}")
        return [] if loaded is None else list(self.findChildren(getattr(loaded, name)))

    def start(self) -> None:
        """Called once shown: unlock without typing when the key is in the keyring."""
        if self.first_run is None:
            self.unlock_page.try_keyring()

    def _enter(self, store: Store) -> None:
        self.complete()
        attach_rules(store)
        self.store = store
        from desktop.settings import idle_lock_minutes
        from desktop.ui.workspace import Workspace

        self.workspace = Workspace(store)
        self.workspace.first_rows_shown.connect(self.background.start)  # what the click paused, once they show
        self.stack.addWidget(self.workspace)
        self.stack.setCurrentWidget(self.workspace)
        self._drop_first_run()
        self.idle.set_timeout_ms(self._idle_override or idle_lock_minutes(store.repo) * self._minute_ms)
        self.idle.start()
        self.lock_action.setEnabled(True)
        self._enable_store_actions(True)
        self.backup_reminder.show_for(store.repo)  # a status-bar line, not a box to dismiss
        self.registries_action.setEnabled(True)
        self.email_action.setEnabled(True)
        self.individual_action.setEnabled(True)
        self.privacy_actions.refresh()
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
        self.sync_actions.close_dialogs()  # stops a running export before the store closes
        self.store.lock()
        self.store = None
        self.privacy_actions.close_dialogs()  # incidents, retention: emptied, closed, their actions off (SPEC S3)
        self.lock_action.setEnabled(False)
        self._enable_store_actions(False)
        self.backup_reminder.clear()
        self.registries_action.setEnabled(False)
        self.email_action.setEnabled(False)
        self.individual_action.setEnabled(False)
        for dialog in self._dialogs("registries", "RegistriesDialog"):
            dialog.close()
            dialog.deleteLater()
        self.setWindowTitle("Disclosure Desk — locked")
        self.stack.setCurrentWidget(self.unlock_holder)
        self.unlock_page.passphrase.setFocus()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt's name)
        window_state.save(self, self.data_dir)
        self.lock()
        event.accept()
        _OPEN_WINDOWS.discard(self)


def run_gui(data_dir: Path) -> int:
    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName("Disclosure Desk")
    app.setApplicationVersion(__version__)
    app.setOrganizationName("CBP Office of International Affairs")
    QApplication.setWindowIcon(QIcon(str(resource_path(*ICON))))
    window = AppWindow(data_dir, KeyVault())
    window.show()
    # Unlock without typing when the key is in the keyring, once the unlock screen is up (it says what happens).
    QTimer.singleShot(0, window.start)
    # No notice box about a missing keyring at every start: a store that keeps its key there says so on the unlock
    # screen (try_keyring), and the first-run wizard explains the choice when there is one to make.
    return app.exec()


class BackgroundImports:
    """The modules the window loads behind the unlock screen: the Qt-free `cores` on a thread, then the `widgets`
    modules on the UI thread (where the widgets live), one per turn of the event loop, so that key presses are
    handled between them. `pause` holds both between two modules; `start` (again) goes on where they were."""

    def __init__(self, owner: QObject, cores: tuple[str, ...], widgets: tuple[str, ...]) -> None:
        self._owner = owner
        self._cores, self._widgets = list(cores), list(widgets)
        self._go = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._go.is_set():
            return
        self._go.set()
        if self._thread is None:
            self._thread = threading.Thread(target=self._import_cores, name=WARM_UP_THREAD, daemon=True)
            self._thread.start()
        self._import_widget()

    def pause(self) -> None:
        self._go.clear()

    @property
    def done(self) -> bool:
        return not self._cores and not self._widgets

    def _import_cores(self) -> None:
        while self._cores:
            self._go.wait()  # paused here, between modules, holding no import lock the UI thread could need
            _import_quietly(self._cores[0])
            self._cores.pop(0)

    def _import_widget(self) -> None:
        """Once the cores are loaded (not beside them: one import at a time), the next widget module."""
        if not self._go.is_set() or not self._widgets:
            return
        if self._cores:
            QTimer.singleShot(WARM_UP_POLL_MS, self._owner, self._import_widget)
            return
        _import_quietly(self._widgets.pop(0))
        QTimer.singleShot(0, self._owner, self._import_widget)


def _import_quietly(name: str) -> None:
    try:
        importlib.import_module(name)
    except Exception:  # the panel's own import, when it is built, reports any real failure
        pass


def _import_workspace() -> None:
    """On the UI thread (widget modules are imported where the widgets live) while Argon2id runs on the worker."""
    importlib.import_module("desktop.ui.workspace")
