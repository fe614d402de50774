"""First run: passphrase (with strength), post name and Bates prefix, keyring choice (SPEC section 8, S2)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.jobs import JobControl
from desktop.store import KeyVault, Store, StoreError
from desktop.store.passphrase import MIN_BITS, assess
from desktop.ui.operations import run_job

_PREFIX = re.compile(r"[A-Z0-9]{2,8}")
StoreFactory = Callable[..., Store]


class FirstRunPage(QWidget):
    created = Signal(object)  # the new, unlocked Store

    def __init__(self, data_dir: Path, vault: KeyVault, create: StoreFactory, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._data_dir, self._vault, self._create = data_dir, vault, create
        self._build()
        self._refresh()

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        title = QLabel("<h2>Set up Disclosure Desk</h2>")
        intro = QLabel(
            f"Everything you enter is kept in one encrypted store in <b>{self._data_dir}</b>. "
            "Choose a passphrase you can remember: it is the only way back in if the system keyring is lost."
        )
        intro.setWordWrap(True)
        form = QFormLayout()
        self.passphrase = _secret_field("Passphrase")
        self.confirm = _secret_field("Repeat passphrase")
        self.meter = QProgressBar()
        self.meter.setRange(0, 120)
        self.meter.setTextVisible(True)
        self.meter.setAccessibleName("Passphrase strength")
        self.post_name = QLineEdit()
        self.post_name.setPlaceholderText("e.g. Ottawa")
        self.post_name.setAccessibleName("Post name")
        self.bates_prefix = QLineEdit()
        self.bates_prefix.setPlaceholderText("e.g. OTT")
        self.bates_prefix.setMaxLength(8)
        self.bates_prefix.setAccessibleName("Bates prefix")
        self.keyring = QCheckBox("Also keep the key in this computer's keyring (unlock without typing)")
        self.keyring.setAccessibleName("Keep the key in the system keyring")
        form.addRow("&Passphrase", self.passphrase)
        form.addRow("&Repeat", self.confirm)
        form.addRow("Strength", self.meter)
        form.addRow("Post &name", self.post_name)
        form.addRow("&Bates prefix", self.bates_prefix)
        self.keyring_note = QLabel()
        self.keyring_note.setWordWrap(True)
        self.problems = QLabel()
        self.problems.setWordWrap(True)
        self.problems.setAccessibleName("What is missing")
        self.create_button = QPushButton("&Create encrypted store")
        self.create_button.setAccessibleName("Create encrypted store")
        self.create_button.setDefault(True)
        for widget in (title, intro):
            layout.addWidget(widget)
        layout.addLayout(form)
        layout.addWidget(self.keyring)
        layout.addWidget(self.keyring_note)
        layout.addWidget(self.problems)
        layout.addWidget(self.create_button)
        layout.addStretch(1)
        self._describe_keyring()
        for field in (self.passphrase, self.confirm, self.post_name, self.bates_prefix):
            field.textChanged.connect(self._refresh)
        self.create_button.clicked.connect(self._submit)

    def _describe_keyring(self) -> None:
        status = self._vault.status()
        if status.available:
            self.keyring_note.setText(
                "With the keyring, anyone who can log in to your account on this laptop can open the store without "
                "the passphrase. On a shared laptop, leave it off. The passphrase always works as well."
            )
        else:
            self.keyring.setChecked(False)
            self.keyring.setEnabled(False)
            self.keyring_note.setText(status.warning)

    def _problems(self) -> list[str]:
        problems = list(assess(self.passphrase.text()).problems)
        if self.confirm.text() != self.passphrase.text():
            problems.append("The two passphrases differ.")
        if not self.post_name.text().strip():
            problems.append("Enter the post's name.")
        if not _PREFIX.fullmatch(self.bates_prefix.text().strip().upper()):
            problems.append("The Bates prefix is 2-8 letters or digits, e.g. OTT (SPEC P1).")
        return problems

    def _refresh(self) -> None:
        strength = assess(self.passphrase.text())
        self.meter.setValue(int(min(strength.bits, 120)))
        self.meter.setFormat(f"{strength.verdict} (about {strength.bits:.0f} bits; {MIN_BITS:.0f} needed)")
        problems = self._problems()
        self.problems.setText("\n".join(problems))
        self.create_button.setEnabled(not problems)

    def _submit(self) -> None:
        if self._problems():
            return
        self.create_button.setEnabled(False)
        self.problems.setText("Creating the encrypted store…")
        passphrase, post, prefix = self.passphrase.text(), self.post_name.text(), self.bates_prefix.text()
        keyring_wanted = self.keyring.isChecked()

        def work(_control: JobControl) -> Store:
            return self._create(self._data_dir, passphrase, post_name=post, bates_prefix=prefix,
                                use_keyring=keyring_wanted, vault=self._vault)

        run_job(self, work, self._done, self._failed, title="Creating the encrypted store")

    def _done(self, store: Store) -> None:
        self.passphrase.clear()
        self.confirm.clear()
        self.created.emit(store)

    def _failed(self, error: BaseException) -> None:
        self.problems.setText(str(error) if isinstance(error, StoreError) else f"Could not create the store: {error}")
        self._refresh()


def _secret_field(name: str) -> QLineEdit:
    field = QLineEdit()
    field.setEchoMode(QLineEdit.EchoMode.Password)
    field.setAccessibleName(name)
    return field
