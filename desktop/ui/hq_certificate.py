"""Choosing headquarters' certificate (SPEC A2): a PEM file, checked, shown with its subject, expiry and fingerprint.

Used by the first-run wizard and the settings dialog; neither stores anything until the user saves or creates.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from desktop.settings import MAX_CERTIFICATE_BYTES, CertificateDetails, SettingError, read_hq_certificate

FILE_FILTER = "Certificates (*.pem *.crt *.cer *.der);;All files (*)"


class HqCertificateBox(QWidget):
    chosen = Signal(object)  # the CertificateDetails chosen, or None when the choice is undone

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._current: CertificateDetails | None = None
        self._pending: CertificateDetails | None = None
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.summary.setAccessibleName("Headquarters certificate")
        self.import_button = QPushButton("&Import certificate…")
        self.import_button.setAccessibleName("Import the headquarters certificate from a file")
        self.import_button.clicked.connect(self._choose)
        self.undo_button = QPushButton("&Do not import it")
        self.undo_button.setAccessibleName("Do not import the chosen certificate")
        self.undo_button.clicked.connect(self.undo)
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.problem.setAccessibleName("Certificate problem")
        buttons = QHBoxLayout()
        buttons.addWidget(self.import_button)
        buttons.addWidget(self.undo_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.summary)
        layout.addLayout(buttons)
        layout.addWidget(self.problem)
        self._show()

    @property
    def pending(self) -> CertificateDetails | None:
        """The certificate chosen here and not yet stored."""
        return self._pending

    def show_current(self, certificate: CertificateDetails | None) -> None:
        self._current, self._pending = certificate, None
        self._show()

    def load_file(self, path: Path) -> bool:
        try:
            with open(path, "rb") as handle:
                data = handle.read(MAX_CERTIFICATE_BYTES + 1)
            certificate = read_hq_certificate(data, path.name)
        except (OSError, SettingError) as error:
            self.problem.setText(f"Not used: {error}")
            return False
        self._pending = certificate
        self.problem.clear()
        self._show()
        self.chosen.emit(certificate)
        return True

    def undo(self) -> None:
        self._pending = None
        self.problem.clear()
        self._show()
        self.chosen.emit(None)

    def _choose(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "Headquarters certificate", "", FILE_FILTER)
        if name:
            self.load_file(Path(name))

    def _show(self) -> None:
        shown = self._pending or self._current
        if shown is None:
            self.summary.setText("No headquarters certificate yet. The DHS-191 sync export to the Privacy Office "
                                 "needs it (§10.2).")
        else:
            state = "To be imported" if self._pending else "In use"
            self.summary.setText(f"<b>{state}:</b> {escape(shown.subject)}<br>Valid until "
                                 f"{shown.not_after:%Y-%m-%d}<br>SHA-256 fingerprint: {_grouped(shown.fingerprint)}"
                                 "<br><small>Compare the fingerprint with the one headquarters gave you.</small>")
        self.undo_button.setVisible(self._pending is not None)


def _grouped(fingerprint: str) -> str:
    return " ".join(fingerprint[i:i + 4] for i in range(0, len(fingerprint), 4))
