"""The unlock screen (SPEC S3-S4): the keyring first when the store keeps its key there, else the passphrase."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QPaintEvent
from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from desktop.jobs import JobControl
from desktop.store.errors import (
    KeyFileDamagedError,
    KeyringUnavailableError,
    StoreDamagedError,
    StoreError,
    TooManyAttemptsError,
)
from desktop.store.files import keyring_enabled
from desktop.ui.operations import run_job

if TYPE_CHECKING:
    from desktop.store.store import Store
    from desktop.store.vault import KeyVault

# The unlock screen is the first thing a user sees (issue 15): it imports Qt's widgets and nothing of the store but
# its errors and file names. SQLCipher, the key file's cryptography and the keyring load when an unlock starts.


class UnlockPage(QWidget):
    unlocked = Signal(object)  # the open Store
    painted = Signal()  # once, the first time the screen is on show: the window then loads the rest
    submitted = Signal()  # Unlock clicked: the key derivation runs on a worker from here on
    refused = Signal()  # that unlock failed (wrong passphrase, damaged store): the screen is back for another try

    def __init__(self, data_dir: Path, vault: KeyVault, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._data_dir, self._vault = data_dir, vault
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(QLabel("<h2>Disclosure Desk is locked</h2>"))
        self.where = QLabel(f"Store: {data_dir}")
        self.passphrase = QLineEdit()
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase.setPlaceholderText("Passphrase")
        self.passphrase.setAccessibleName("Passphrase")
        self.unlock_button = QPushButton("&Unlock")
        self.unlock_button.setAccessibleName("Unlock")
        self.unlock_button.setDefault(True)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Unlock message")
        for widget in (self.where, self.passphrase, self.unlock_button, self.message):
            layout.addWidget(widget)
        layout.addStretch(2)
        self.passphrase.returnPressed.connect(self.submit)
        self.unlock_button.clicked.connect(self.submit)
        self.passphrase.setFocus()
        self._painted = False

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt's name)
        super().paintEvent(event)
        if not self._painted:
            self._painted = True
            QTimer.singleShot(0, self.painted.emit)  # after this paint has reached every child

    def try_keyring(self) -> None:
        """Unlocks without typing when the key is in the keyring; says why not otherwise."""
        if not keyring_enabled(self._data_dir):
            return
        from desktop.store.store import unlock_with_keyring

        try:
            store = unlock_with_keyring(self._data_dir, self._vault)
        except KeyringUnavailableError as error:
            self.message.setText(str(error))
            return
        except StoreError as error:
            self._say(error)
            return
        self.unlocked.emit(store)

    def submit(self) -> None:
        text = self.passphrase.text()
        if not text:
            self.message.setText("Type your passphrase, then press Enter.")
            return
        self._busy(True)
        self.message.setText("Unlocking…")

        def work(_control: JobControl) -> Store:
            from desktop.store.store import unlock_with_passphrase

            return unlock_with_passphrase(self._data_dir, text, self._vault)

        run_job(self, work, self._done, self._failed)
        self.submitted.emit()

    def _done(self, store: Store) -> None:
        self.passphrase.clear()
        self.message.clear()
        self._busy(False)
        self.unlocked.emit(store)

    def _failed(self, error: BaseException) -> None:
        self.passphrase.selectAll()
        self._say(error)
        self.refused.emit()
        if isinstance(error, TooManyAttemptsError):
            self.unlock_button.setEnabled(False)
            self.passphrase.setEnabled(False)
            QTimer.singleShot(int(error.wait_seconds * 1000) + 100, lambda: self._busy(False))
            return
        self._busy(False)

    def _say(self, error: BaseException) -> None:
        text = str(error) if isinstance(error, StoreError) else f"Could not unlock: {error}"
        if isinstance(error, StoreDamagedError | KeyFileDamagedError):
            text += " In this window: File → Restore… and choose your latest backup."
        self.message.setText(text)

    def _busy(self, busy: bool) -> None:
        self.unlock_button.setEnabled(not busy)
        self.passphrase.setEnabled(not busy)
        if not busy:
            self.passphrase.setFocus()
