"""The pages of the first-run wizard (desktop/ui/first_run.py): each says what it needs and why, and keeps what was
typed while the user goes Back and Next."""

from __future__ import annotations

from html import escape
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop.requests.form import POSITIONS
from desktop.requests.model import OfficialPosition
from desktop.settings import bates_prefix_problem
from desktop.store import KeyVault
from desktop.store.passphrase import MIN_BITS, MIN_LENGTH, assess
from desktop.store.registries import Official
from desktop.ui.hq_certificate import HqCertificateBox
from desktop.ui.widgets import buddy_label, wrapped_label


class WizardPage(QWidget):
    changed = Signal()
    title = ""

    def problems(self) -> list[str]:
        return []

    def first_field(self) -> QWidget:
        return self

    def leaving(self) -> None:
        """Called before the wizard moves on, to keep what was typed but not yet added."""


class PassphrasePage(WizardPage):
    title = "Passphrase"

    def __init__(self, data_dir: Path) -> None:
        super().__init__()
        intro = wrapped_label(
            f"Everything you enter is kept in one encrypted store in <b>{escape(str(data_dir))}</b>. The passphrase "
            f"opens it, and is the only way back in if the system keyring is lost: at least {MIN_LENGTH} characters "
            f"and about {MIN_BITS:.0f} bits. A few unrelated words are easy to remember and hard to guess."
        )
        self.passphrase = _secret_field("Passphrase")
        self.confirm = _secret_field("Repeat the passphrase")
        self.show_text = QCheckBox("&Show what I type")
        self.show_text.setAccessibleName("Show the passphrase")
        self.show_text.toggled.connect(self._reveal)
        self.meter = QProgressBar()
        self.meter.setRange(0, 120)
        self.meter.setTextVisible(True)
        self.meter.setAccessibleName("Passphrase strength")
        form = QFormLayout()
        form.addRow(buddy_label("&Passphrase", self.passphrase), self.passphrase)
        form.addRow(buddy_label("&Repeat it", self.confirm), self.confirm)
        form.addRow("", self.show_text)
        form.addRow("Strength", self.meter)
        _column(self, intro, form)
        for field in (self.passphrase, self.confirm):
            field.textChanged.connect(self._update)
        self._update()

    def _reveal(self, shown: bool) -> None:
        mode = QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password
        self.passphrase.setEchoMode(mode)
        self.confirm.setEchoMode(mode)

    def _update(self) -> None:
        strength = assess(self.passphrase.text())
        self.meter.setValue(int(min(strength.bits, 120)))
        self.meter.setFormat(f"{strength.verdict} (about {strength.bits:.0f} bits; {MIN_BITS:.0f} needed)")
        self.meter.setAccessibleDescription(self.meter.format())
        self.changed.emit()

    def problems(self) -> list[str]:
        found = list(assess(self.passphrase.text()).problems)
        if self.confirm.text() != self.passphrase.text():
            found.append("The two passphrases differ.")
        return found

    def first_field(self) -> QWidget:
        return self.passphrase

    def clear(self) -> None:
        self.passphrase.clear()
        self.confirm.clear()


class PostPage(WizardPage):
    title = "Post"

    def __init__(self) -> None:
        super().__init__()
        self.post_name = QLineEdit()
        self.post_name.setPlaceholderText("e.g. Ottawa")
        self.post_name.setAccessibleName("Post name")
        self.bates_prefix = QLineEdit()
        self.bates_prefix.setPlaceholderText("e.g. OTT")
        self.bates_prefix.setMaxLength(8)
        self.bates_prefix.setAccessibleName("Bates prefix")
        note = wrapped_label(
            "The Bates prefix starts the number stamped on every page of every packet (OTT0000001). It can be "
            "changed under Post → Settings until the first packet is made, never after: the numbers run on across "
            "all the post's packets."
        )
        form = QFormLayout()
        form.addRow(buddy_label("Post &name", self.post_name), self.post_name)
        form.addRow(buddy_label("&Bates prefix", self.bates_prefix), self.bates_prefix)
        _column(self, wrapped_label("The post's name appears on cover letters and in the DHS-191 accounting."),
                form, note)
        for field in (self.post_name, self.bates_prefix):
            field.textChanged.connect(self.changed)

    def problems(self) -> list[str]:
        found = [] if self.post_name.text().strip() else ["Enter the post's name."]
        problem = bates_prefix_problem(self.bates_prefix.text())
        return found + ([problem] if problem else [])

    def first_field(self) -> QWidget:
        return self.post_name


class OfficialsPage(WizardPage):
    """The post's disclosing officials (SPEC C3): saved in the registry once the store exists."""

    title = "Disclosing officials"

    def __init__(self) -> None:
        super().__init__()
        intro = wrapped_label(
            "Who at this post discloses information (§7.3.1.1). Under 19 U.S.C. 1628 an official who holds none of "
            "the delegated positions must be a further delegate in a supervisory position at GS-13 or above (fn 22). "
            "Optional now; Post → Registries keeps the list later."
        )
        self.name = QLineEdit()
        self.name.setAccessibleName("Official's name")
        self.position = QComboBox()
        self.position.setAccessibleName("Official's position")
        for value, text in POSITIONS:
            self.position.addItem(text, value)
        self.position.setCurrentIndex(max(self.position.findData(OfficialPosition.FURTHER_DELEGATE.value), 0))
        self.grade = QSpinBox()
        self.grade.setRange(0, 15)
        self.grade.setPrefix("GS-")
        self.grade.setSpecialValueText("not given")
        self.grade.setAccessibleName("Official's GS grade")
        self.supervisory = QCheckBox("Supervisory position")
        self.supervisory.setAccessibleName("Official is in a supervisory position")
        self.add_button = QPushButton("&Add official")
        self.add_button.setAccessibleName("Add the official to the list")
        self.entries = QListWidget()
        self.entries.setAccessibleName("Disclosing officials to save")
        self.remove_button = QPushButton("Re&move")
        self.remove_button.setAccessibleName("Remove the selected official from the list")
        form = QFormLayout()
        form.addRow(buddy_label("N&ame", self.name), self.name)
        form.addRow(buddy_label("Pos&ition", self.position), self.position)
        form.addRow(buddy_label("&Grade", self.grade), self.grade)
        form.addRow("", self.supervisory)
        form.addRow("", self.add_button)
        list_row = QHBoxLayout()
        list_row.addWidget(self.entries, 1)
        list_row.addWidget(self.remove_button)
        _column(self, intro, form, list_row)
        self.entries.setMaximumHeight(110)
        self.add_button.clicked.connect(self.add_typed)
        self.name.returnPressed.connect(self.add_typed)
        self.remove_button.clicked.connect(self._remove)

    def add_typed(self) -> None:
        name = " ".join(self.name.text().split())
        if not name:
            return
        official = Official(name, OfficialPosition(self.position.currentData()), self.grade.value() or None,
                            self.supervisory.isChecked())
        grade = f", GS-{official.grade}" if official.grade else ""
        item = QListWidgetItem(f"{name} — {self.position.currentText()}{grade}"
                               f"{', supervisory' if official.supervisory else ''}")
        item.setData(256, official)
        self.entries.addItem(item)
        self.name.clear()
        self.grade.setValue(0)
        self.supervisory.setChecked(False)
        self.changed.emit()

    def _remove(self) -> None:
        row = self.entries.currentRow()
        if row >= 0:
            self.entries.takeItem(row)
            self.changed.emit()

    def officials(self) -> list[Official]:
        return [self.entries.item(row).data(256) for row in range(self.entries.count())]

    def leaving(self) -> None:
        self.add_typed()  # a name typed but not added is still meant to be kept

    def first_field(self) -> QWidget:
        return self.name


class KeyringPage(WizardPage):
    title = "Keyring"

    def __init__(self, vault: KeyVault) -> None:
        super().__init__()
        intro = wrapped_label("How will the store be opened? The passphrase always works; the question is whether this "
                              "computer may also open the store without it.")
        self.passphrase_only = QRadioButton("&Passphrase only — safer on a shared laptop")
        self.passphrase_only.setAccessibleName("Passphrase only, safer on a shared laptop")
        only_note = wrapped_label("The passphrase is asked at every unlock. Someone else who logs in to this laptop, "
                                  "even as you, cannot open the store without it.")
        self.use_keyring = QRadioButton("&Keep the key in this computer's keyring — unlock without typing")
        self.use_keyring.setAccessibleName("Keep the key in the system keyring, unlock without typing")
        keyring_note = wrapped_label("The key is kept in the operating system's keyring (Windows Credential Manager, "
                                     "macOS Keychain). Anyone who can log in as this Windows or macOS user opens the "
                                     "store without the passphrase. Choose it only if nobody else uses your account on "
                                     "this laptop.")
        self.group = QButtonGroup(self)
        for button in (self.passphrase_only, self.use_keyring):
            self.group.addButton(button)
        self.passphrase_only.setChecked(True)
        status = vault.status()
        if not status.available:
            self.use_keyring.setEnabled(False)
            keyring_note.setText(status.warning)
        _column(self, intro, self.passphrase_only, only_note, self.use_keyring, keyring_note)
        self.use_keyring.toggled.connect(self.changed)

    def first_field(self) -> QWidget:
        return self.use_keyring if self.use_keyring.isChecked() else self.passphrase_only


class CertificatePage(WizardPage):
    title = "Headquarters certificate"

    def __init__(self) -> None:
        super().__init__()
        intro = wrapped_label("The DHS-191 accounting goes to the Privacy Office encrypted to headquarters' "
                              "certificate (§10.2). Import the .pem file headquarters sent you; if you do not have "
                              "it yet, go on — Post → Settings imports it later.")
        self.box = HqCertificateBox()
        _column(self, intro, self.box)
        self.box.chosen.connect(lambda _certificate: self.changed.emit())

    def first_field(self) -> QWidget:
        return self.box.import_button


class ReviewPage(WizardPage):
    title = "Create"

    def __init__(self) -> None:
        super().__init__()
        self.summary = wrapped_label("")
        self.summary.setAccessibleName("What will be created")
        _column(self, self.summary)



def _column(page: QWidget, *parts: QWidget | QFormLayout | QHBoxLayout) -> None:
    layout = QVBoxLayout(page)
    layout.setContentsMargins(0, 0, 0, 0)
    for part in parts:
        if isinstance(part, QWidget):
            layout.addWidget(part)
        else:
            layout.addLayout(part)
    layout.addStretch(1)


def _secret_field(name: str) -> QLineEdit:
    field = QLineEdit()
    field.setEchoMode(QLineEdit.EchoMode.Password)
    field.setAccessibleName(name)
    return field
