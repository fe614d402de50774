"""Post → Settings… (issue 6): idle lock, Bates prefix (until the first packet), backup reminder, the DHS personnel
names the redaction suggestions look for, and headquarters' certificate. Shows and calls desktop.settings."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop import settings
from desktop.settings import IDLE_MINUTES, REMINDER_DAYS, SettingError, SettingsChange
from desktop.store import Repository, StoreError
from desktop.ui.hq_certificate import HqCertificateBox
from desktop.ui.widgets import buddy_label, wrapped_label

WIDTH = 640


class SettingsDialog(QDialog):
    saved = Signal()

    def __init__(self, repo: Repository, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._repo = repo
        self.setWindowTitle("Settings")
        self.setAccessibleName("Settings")
        current = settings.load(repo)
        self.idle_minutes = _spin(IDLE_MINUTES, current.idle_lock_minutes, " minutes", "Lock after this many idle "
                                  "minutes")
        self.reminder_days = _spin(REMINDER_DAYS, current.backup_reminder_days, " days",
                                   "Remind me to back up after this many days")
        self.bates_prefix = QLineEdit(current.bates_prefix)
        self.bates_prefix.setMaxLength(8)
        self.bates_prefix.setMaximumWidth(120)
        self.bates_prefix.setAccessibleName("Bates prefix")
        self.bates_note = wrapped_label("")
        self.bates_note.setAccessibleName("About the Bates prefix")
        self.personnel = QPlainTextEdit("\n".join(settings.personnel_names(repo)))
        self.personnel.setTabChangesFocus(True)  # Tab moves on through the dialog
        self.personnel.setAccessibleName("DHS personnel names, one a line")
        self.personnel.setPlaceholderText("Jane Roe\nJohn Smith")
        self.personnel.setMinimumHeight(90)
        self.certificate = HqCertificateBox()
        self.certificate.show_current(settings.hq_certificate(repo))
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setAccessibleName("Settings status")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setAccessibleName("Save the settings")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setAccessibleName("Close without saving")
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        self._layout()
        self._lock_prefix_if_used()
        layout = self.layout()
        self.resize(WIDTH, layout.totalHeightForWidth(WIDTH) if layout is not None else 600)  # fits 1366x768

    def _layout(self) -> None:
        layout = QVBoxLayout(self)
        layout.addWidget(_group("Locking and backups", [
            ("&Lock when idle for", self.idle_minutes),
            ("", wrapped_label("The window locks after this long without a key press or a mouse move; what "
                               "you typed is kept as a draft.")),
            ("Backup &reminder after", self.reminder_days),
        ]))
        layout.addWidget(_group("Packets", [("&Bates prefix", self.bates_prefix), ("", self.bates_note)]))
        layout.addWidget(_group("Redaction suggestions", [
            ("", wrapped_label("Names of DHS personnel the suggestions look for in records (§9.1.1): one a line, as "
                               "they appear in records.")),
            ("DHS &personnel", self.personnel),
        ]))
        layout.addWidget(_group("Headquarters", [("", self.certificate)]))
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)

    def _lock_prefix_if_used(self) -> None:
        reason = settings.bates_prefix_locked_reason(self._repo)
        self.bates_prefix.setEnabled(reason is None)
        self.bates_note.setText(reason or "Letters or digits, 2 to 8. It can change only until the first packet is "
                                          "made: the numbers run on across every packet of the post.")
        if reason:
            self.bates_prefix.setAccessibleDescription(reason)

    def save(self) -> bool:
        change = SettingsChange(
            idle_lock_minutes=self.idle_minutes.value(),
            backup_reminder_days=self.reminder_days.value(),
            bates_prefix=self.bates_prefix.text() if self.bates_prefix.isEnabled() else None,
        )
        pending = self.certificate.pending
        try:
            settings.apply(self._repo, change)
            settings.set_personnel_names(self._repo, self.personnel.toPlainText().splitlines())
            if pending is not None:
                settings.import_hq_certificate(self._repo, pending.pem.encode("ascii"), "The chosen certificate")
        except (SettingError, StoreError) as error:
            self.status.setText(f"Not saved. {error}")
            return False
        self.saved.emit()
        self.accept()
        return True


def _spin(bounds: tuple[int, int], value: int, suffix: str, name: str) -> QSpinBox:
    spin = QSpinBox()
    spin.setRange(*bounds)
    spin.setValue(value)
    spin.setSuffix(suffix)
    spin.setAccessibleName(name)
    spin.setMaximumWidth(160)
    return spin


def _group(title: str, rows: list[tuple[str, QWidget]]) -> QGroupBox:
    box = QGroupBox(title)
    form = QFormLayout(box)
    for text, widget in rows:
        if text:
            form.addRow(buddy_label(text, widget), widget)
        else:
            form.addRow(widget)
    return box
