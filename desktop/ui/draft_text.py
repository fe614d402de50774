"""A drafted text shown read-only, with Copy and "Save as text…": the incident notifications (§11.1) and the
correction notices (552a(c)(4)) are sent by the user's own mail, so the window hands the words over, nothing more.

A draft names people: it is written to disk only where the user chooses, and what it put on the clipboard is taken
back when the view is cleared (the lock), unless the user has copied something else since.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLabel, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget

from desktop.store.fileio import atomic_write_bytes

TEXT_FILTER = "Text (*.txt)"


class DraftText(QWidget):
    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._name = name
        self._suggested = "draft.txt"
        self._copied: str | None = None
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        self.text.setAccessibleName(name)
        self.copy_button = QPushButton("&Copy")
        self.copy_button.setAccessibleName(f"Copy: {name}")
        self.copy_button.clicked.connect(self.copy)
        self.save_button = QPushButton("Save as &text…")
        self.save_button.setAccessibleName(f"Save as text: {name}")
        self.save_button.clicked.connect(self.save_as_text)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setAccessibleName(f"{name}: status")
        row = QHBoxLayout()
        row.addWidget(self.status, 1)
        row.addWidget(self.copy_button)
        row.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.text, 1)
        layout.addLayout(row)
        self.set_text("")

    def set_text(self, text: str, suggested_name: str = "draft.txt") -> None:
        self.text.setPlainText(text)
        self._suggested = suggested_name
        self.status.clear()
        self.copy_button.setEnabled(bool(text))
        self.save_button.setEnabled(bool(text))

    def plain_text(self) -> str:
        return self.text.toPlainText()

    def copy(self) -> None:
        clipboard = QGuiApplication.clipboard()
        self._copied = self.plain_text()
        clipboard.setText(self._copied)
        self.status.setText("Copied. Paste it into the message you send; it is not sent from here.")

    def save_as_text(self) -> Path | None:
        name, _ = QFileDialog.getSaveFileName(self, f"Save {self._name}", self._suggested, TEXT_FILTER)
        if not name:
            return None
        path = Path(name)
        try:
            atomic_write_bytes(path, self.plain_text().encode("utf-8"))
        except OSError as error:
            self.status.setText(f"Not saved: {error.strerror or error}.")
            return None
        self.status.setText(f"Saved {path.name}. It names people: keep it on an encrypted drive.")
        return path

    def clear(self) -> None:
        clipboard = QGuiApplication.clipboard()
        if self._copied is not None and clipboard.text() == self._copied:
            clipboard.clear()
        self._copied = None
        self.set_text("")
