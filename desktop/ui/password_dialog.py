"""The packet's password, shown once (SPEC P2, §8.1.7, fn 27), with the encrypted PDF and the e-mail draft to save.

The password is not kept anywhere: when this dialog closes it is gone, from the dialog and from the clipboard if
it is still there. The only files written are the ones the user asks for: the encrypted PDF and, optionally, an
unsent .eml draft with the PDF attached and without the password.
"""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtGui import QFont, QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.packets import BuiltPacket, PacketError, eml_draft
from desktop.requests.model import Request
from desktop.store import Repository, StoreError
from desktop.store.fileio import atomic_write_bytes

ANOTHER_CHANNEL = ("This is the only time the password is shown; it is not kept anywhere. Send it to the recipient "
                   "by another channel than the packet — by telephone or in a separate message, never in the e-mail "
                   "that carries the packet (§8.1.7, fn 27).")


class PasswordDialog(QDialog):
    def __init__(self, repo: Repository, request_id: int, request: Request, packet_id: int, built: BuiltPacket,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._repo, self._request_id, self._request, self._packet_id = repo, request_id, request, packet_id
        self._built: BuiltPacket | None = built
        self.saved_pdf: Path | None = None
        self._copied = False
        self.setWindowTitle("Packet finalized — the password, shown once")
        self.setAccessibleName("Packet password")
        self._build(built)

    def _build(self, built: BuiltPacket) -> None:
        facts = QLabel(f"Packet #{self._packet_id} is finalized and kept in the store: {built.page_count} pages, "
                       f"Bates {built.bates_first_label}–{built.bates_last_label}.\nSHA-256 {built.sha256}")
        facts.setWordWrap(True)
        warning = QLabel(ANOTHER_CHANNEL)
        warning.setWordWrap(True)
        bold = QFont(warning.font())
        bold.setBold(True)
        warning.setFont(bold)
        self.password = QLineEdit(built.password)
        self.password.setReadOnly(True)
        self.password.setAccessibleName("Packet password")
        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        mono.setPointSizeF(mono.pointSizeF() * 1.4)
        self.password.setFont(mono)
        self.copy_button = _button("&Copy password", self.copy_password)
        self.save_pdf_button = _button("&Save encrypted PDF…", self._choose_pdf)
        self.save_eml_button = _button("Save e-&mail draft (.eml)…", self._choose_eml)
        self.close_button = _button("Close", self.reject)
        self.status = QLabel("Save the encrypted PDF now; a copy of what was sent stays in the store (§10.2.2).")
        self.status.setWordWrap(True)
        self.status.setAccessibleName("Packet files status")
        self._lay_out(facts, warning)

    def _lay_out(self, facts: QLabel, warning: QLabel) -> None:
        row = QHBoxLayout()
        row.addWidget(self.password, 1)
        row.addWidget(self.copy_button)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_pdf_button)
        buttons.addWidget(self.save_eml_button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(facts)
        layout.addWidget(warning)
        layout.addLayout(row)
        layout.addWidget(self.status)
        layout.addLayout(buttons)
        self.resize(620, 260)

    def copy_password(self) -> None:
        if self._built is not None:
            QGuiApplication.clipboard().setText(self._built.password)
            self._copied = True
            self.status.setText("Copied. It is removed from the clipboard when this window closes.")

    def default_name(self, suffix: str) -> str:
        reference = re.sub(r"[^A-Za-z0-9._-]+", "-", self._request.reference).strip("-") or "packet"
        return f"{reference}-packet-{self._packet_id}{suffix}"

    def _choose_pdf(self) -> None:
        name, _ = QFileDialog.getSaveFileName(self, "Save the encrypted packet", self.default_name(".pdf"),
                                              "PDF (*.pdf)")
        if name:
            self.save_pdf(Path(name))

    def save_pdf(self, path: Path) -> bool:
        if self._built is None:
            return False
        if self._write(path, self._built.encrypted_pdf, "packet.save"):
            self.saved_pdf = path
            self.status.setText(f"Saved {path.name} (encrypted, AES-256). Attach it to the e-mail; send the password "
                                "another way.")
            return True
        return False

    def _choose_eml(self) -> None:
        name, _ = QFileDialog.getSaveFileName(self, "Save an unsent e-mail draft", self.default_name(".eml"),
                                              "E-mail draft (*.eml)")
        if name:
            self.save_eml(Path(name))

    def save_eml(self, path: Path) -> bool:
        """An unsent draft to the request's deliver-to address, the packet attached, the password left out."""
        if self._built is None:
            return False
        attachment = self.saved_pdf.name if self.saved_pdf else self.default_name(".pdf")
        try:
            draft = eml_draft(self._request, self._built, attachment)
        except PacketError as error:
            self.status.setText(f"No draft written. {error}")
            return False
        if self._write(path, draft, "packet.draft"):
            self.status.setText(f"Saved the draft {path.name}: open it in the mail program, check it and send it. "
                                "The password is not in it.")
            return True
        return False

    def _write(self, path: Path, data: bytes, action: str) -> bool:
        try:
            atomic_write_bytes(path, data)
            self._repo.record_event(action, "request", self._request_id, {"packet_id": self._packet_id,
                                                                           "file": path.name})
        except (OSError, StoreError) as error:
            self.status.setText(f"Not saved: {error}. Choose another folder (one you may write to) and try again.")
            return False
        return True

    def reject(self) -> None:
        """Close or Escape: the password cannot be shown again, so ask when it was neither copied nor kept."""
        if self._built is not None and not (self._copied or self.saved_pdf):
            answer = QMessageBox.question(
                self, "Close without the password?",
                "The password has not been copied and the packet has not been saved. Once this window closes the "
                "password cannot be shown again, and a new packet would have to be built to send it.\n\n"
                "Close anyway?",
                QMessageBox.StandardButton.Close | QMessageBox.StandardButton.Cancel,
                QMessageBox.StandardButton.Cancel)
            if answer != QMessageBox.StandardButton.Close:
                return
        super().reject()

    def forget(self) -> None:
        """The idle lock: closes at once, without asking (SPEC S3)."""
        super().reject()

    def done(self, result: int) -> None:
        """Closing forgets the password: from the field, from this object, and from the clipboard if it is there."""
        if self._built is not None:
            clipboard = QGuiApplication.clipboard()
            if clipboard.text() == self._built.password:
                clipboard.clear()
        self._built = None
        self.password.clear()
        super().done(result)


def _button(text: str, slot: object) -> QPushButton:
    button = QPushButton(text)
    button.setAccessibleName(text.replace("&", "").rstrip("…"))
    button.clicked.connect(slot)
    return button
