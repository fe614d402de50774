"""File → Back up… and File → Restore… (SPEC S5, issue 6), and the reminder shown when the last backup is old.

Both run desktop.store.backup on a worker (desktop/ui/operations.run_job): the backup is verified by opening the copy
inside it before it is called done; a restore checks the backup with its passphrase before it replaces anything, and
the replaced store is kept aside, never deleted.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from html import escape
from pathlib import Path

from PySide6.QtCore import QStandardPaths, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop import settings
from desktop.jobs import JobControl
from desktop.store import BackupInfo, KeyVault, Repository, Store, StoreError, StorePaths, restore_backup, write_backup
from desktop.ui.operations import run_job
from desktop.ui.widgets import buddy_label, wrapped_label

FILE_FILTER = "Disclosure Desk backups (*.ddbackup);;All files (*)"
SUFFIX = ".ddbackup"


class BackupReminder(QLabel):
    """The non-modal reminder in the status bar: "Last backup: N days ago — File → Back up…"."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Backup reminder")
        self.hide()

    def show_for(self, repo: Repository) -> None:
        text = settings.backup_reminder(repo)
        self.setText(text or "")
        self.setVisible(bool(text))

    def clear(self) -> None:
        super().clear()
        self.hide()


class BackupDialog(QDialog):
    backed_up = Signal(object)  # BackupInfo
    busy = Signal(bool)  # while the backup is written the window must not lock (the copy holds the store)

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self.setWindowTitle("Back up")
        self.setAccessibleName("Back up")
        last = settings.load(store.repo).last_backup_at
        intro = wrapped_label(
            "The backup is one file holding the encrypted store and its key file wrapped by your passphrase: it can "
            "go on a USB stick or a network share. Restoring it needs the passphrase in use today. Keep it off this "
            "laptop, so it survives the laptop.<br>Last backup: "
            + (f"{last:%Y-%m-%d %H:%M} UTC" if last else "none yet") + "."
        )
        self.target = QLineEdit(str(_suggested_file()))
        self.target.setAccessibleName("Backup file to write")
        self.choose_button = QPushButton("&Choose…")
        self.choose_button.setAccessibleName("Choose where to write the backup")
        self.choose_button.clicked.connect(self._choose)
        self.write_button = QPushButton("&Write backup")
        self.write_button.setAccessibleName("Write the encrypted backup")
        self.write_button.setDefault(True)
        self.write_button.clicked.connect(self.write)
        self.status = wrapped_label("")
        self.status.setAccessibleName("Backup status")
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.button(QDialogButtonBox.StandardButton.Close).setAccessibleName("Close")
        close.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow(buddy_label("Backup &file", self.target), _row(self.target, self.choose_button))
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.write_button)
        layout.addWidget(self.status)
        layout.addWidget(close)
        self.resize(620, self.sizeHint().height())

    def _choose(self) -> None:
        name, _ = QFileDialog.getSaveFileName(self, "Write the backup to", self.target.text(), FILE_FILTER)
        if name:
            self.target.setText(name)

    def write(self) -> None:
        text = self.target.text().strip()
        if not text:
            self.status.setText("Choose the file to write the backup to.")
            return
        path = Path(text).expanduser()
        if path.suffix == "":
            path = path.with_suffix(SUFFIX)
        self.write_button.setEnabled(False)
        self.status.setText("Writing and verifying the backup…")
        store = self._store

        def work(_control: JobControl) -> BackupInfo:
            return write_backup(store, path)

        self.busy.emit(True)
        run_job(self, work, self._done, self._failed, title="Writing the encrypted backup")

    def _done(self, info: BackupInfo) -> None:
        self.busy.emit(False)
        self.write_button.setEnabled(True)
        self.status.setText(f"Backup written and verified: {escape(str(info.path))} ({info.size / 1024**2:.1f} MB). "
                            "It is encrypted; restoring it needs the passphrase in use today.")
        self.backed_up.emit(info)

    def _failed(self, error: BaseException) -> None:
        self.busy.emit(False)
        self.write_button.setEnabled(True)
        message = str(error) if isinstance(error, StoreError) else f"The backup was not written: {error}"
        self.status.setText(escape(message))


class RestoreDialog(QDialog):
    """Replaces the store with a backup's. The window locks first (drafts saved, the database closed)."""

    restored = Signal(object)  # where the replaced store was kept (Path), or None when there was none

    def __init__(self, data_dir: Path, vault: KeyVault, close_store: Callable[[], None],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._data_dir, self._vault, self._close_store = data_dir, vault, close_store
        self.setWindowTitle("Restore a backup")
        self.setAccessibleName("Restore a backup")
        kept = StorePaths(data_dir).backups
        intro = wrapped_label(
            f"Restoring replaces the store in <b>{escape(str(data_dir))}</b> with the backup's. The store it replaces "
            f"is not deleted: it is kept in <b>{escape(str(kept))}</b>. The backup opens with the passphrase that was "
            "in use when it was made; unlock with that passphrase afterwards."
        )
        self.source = QLineEdit()
        self.source.setAccessibleName("Backup file to restore")
        self.choose_button = QPushButton("&Choose…")
        self.choose_button.setAccessibleName("Choose the backup file")
        self.choose_button.clicked.connect(self._choose)
        self.passphrase = QLineEdit()
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase.setAccessibleName("The backup's passphrase")
        self.confirm = QCheckBox("&Replace the current store with this backup")
        self.confirm.setAccessibleName("Replace the current store with this backup")
        self.restore_button = QPushButton("Re&store")
        self.restore_button.setAccessibleName("Restore the backup")
        self.restore_button.clicked.connect(self.restore)
        self.status = wrapped_label("")
        self.status.setAccessibleName("Restore status")
        cancel = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        cancel.button(QDialogButtonBox.StandardButton.Cancel).setAccessibleName("Close without restoring")
        cancel.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow(buddy_label("Backup &file", self.source), _row(self.source, self.choose_button))
        form.addRow(buddy_label("Its &passphrase", self.passphrase), self.passphrase)
        form.addRow("", self.confirm)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        for widget in (self.restore_button, self.status, cancel):
            layout.addWidget(widget)
        for field in (self.source, self.passphrase):
            field.textChanged.connect(self._refresh)
        self.confirm.toggled.connect(self._refresh)
        self._refresh()
        self.resize(620, self.sizeHint().height())

    def _refresh(self) -> None:
        ready = bool(self.source.text().strip() and self.passphrase.text() and self.confirm.isChecked())
        self.restore_button.setEnabled(ready)

    def _choose(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "Restore which backup?", "", FILE_FILTER)
        if name:
            self.source.setText(name)

    def restore(self) -> None:
        source = Path(self.source.text().strip()).expanduser()
        if not source.is_file():
            self.status.setText(escape(f"There is no file {source}; choose the backup file."))
            return
        if not self.confirm.isChecked():
            return
        passphrase = self.passphrase.text()
        data_dir, vault = self._data_dir, self._vault
        self.restore_button.setEnabled(False)
        self._close_store()  # nothing may hold the database while it is replaced
        self.status.setText("Checking the backup and restoring it…")

        def work(_control: JobControl) -> Path | None:
            return restore_backup(source, data_dir, passphrase, vault)

        run_job(self, work, self._done, self._failed, title="Restoring the backup")

    def _done(self, kept: Path | None) -> None:
        self.passphrase.clear()
        self.restored.emit(kept)
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self.passphrase.selectAll()
        self._refresh()
        reason = str(error) if isinstance(error, StoreError) else f"{type(error).__name__}: {error}"
        self.status.setText(escape(f"Not restored: {reason} The current store is as it was, and locked: unlock it "
                                   "with its own passphrase."))


def _suggested_file() -> Path:
    folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation) or str(Path.home())
    return Path(folder) / f"Disclosure Desk backup {date.today().isoformat()}{SUFFIX}"


def _row(field: QWidget, button: QPushButton) -> QWidget:
    holder = QWidget()
    row = QHBoxLayout(holder)
    row.setContentsMargins(0, 0, 0, 0)
    row.addWidget(field, 1)
    row.addWidget(button)
    return holder
