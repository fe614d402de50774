"""Post → Export DHS-191 to headquarters… and Post → Import acknowledgement… (SPEC A2, A3, §10.2).

The dialog shows how many entries headquarters has not acknowledged, the certificate the bundle will be encrypted
to, and the folder it goes to; the export runs desktop.sync.export_bundle on a worker with progress and Cancel
(desktop/ui/operations.py, through a JobTracker so that closing the dialog, or the lock, stops it first). The same
dialog imports headquarters' acknowledgement. The core says what went wrong; this only shows it.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from pathlib import Path

from cryptography import x509
from PySide6.QtCore import QObject, QStandardPaths, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.jobs import JobControl
from desktop.store import Repository, Store, StoreError
from desktop.sync import (
    AckResult,
    ExportResult,
    SyncError,
    check_recipient,
    default_hq_certificate,
    export_bundle,
    import_acknowledgement,
    load_certificate,
    pending_count,
)
from desktop.sync.acknowledgement import MAX_BYTES as MAX_ACK_BYTES
from desktop.sync.cms import fingerprint
from desktop.ui.job_tracker import JobTracker

CERTIFICATE_FILTER = "Certificates (*.pem *.crt *.cer);;All files (*)"
ACK_FILTER = "Acknowledgements (*.json *.ack);;All files (*)"
EXPORT_TITLE = "Export DHS-191 to headquarters"


class ExportDialog(QDialog):
    exported = Signal(object)  # ExportResult
    acknowledged = Signal(object)  # AckResult

    def __init__(self, repo: Repository, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._repo = repo
        self._recipient: x509.Certificate | None = None
        self.jobs = JobTracker(self)
        self.setWindowTitle(EXPORT_TITLE)
        self.setAccessibleName(EXPORT_TITLE)
        self.pending = _label("Entries not yet acknowledged")
        self.certificate = _label("Headquarters certificate")
        self.choose_certificate_button = _button("Use another &certificate file…",
                                                 "Choose the headquarters certificate file", self.choose_certificate)
        self.folder = QLineEdit(str(_suggested_folder()))
        self.folder.setAccessibleName("Folder to write the bundle in")
        self.choose_folder_button = _button("C&hoose…", "Choose the folder for the bundle", self.choose_folder)
        self.export_button = _button("&Export bundle", "Export the DHS-191 bundle", self.export)
        self.export_button.setDefault(True)
        self.ack_button = _button("&Import acknowledgement…", "Import headquarters' acknowledgement file",
                                  self.import_acknowledgement)
        self.status = _label("Export status")
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.button(QDialogButtonBox.StandardButton.Close).setAccessibleName("Close")
        close.rejected.connect(self.reject)
        self._lay_out(close)
        self.refresh()

    def _lay_out(self, close: QDialogButtonBox) -> None:
        intro = _label("About the export")
        intro.setText("The bundle holds every DHS-191 entry headquarters has not acknowledged (§10.2), signed by this "
                      "post and encrypted to the Privacy Office's certificate: send the file to them as it is. When "
                      "their acknowledgement comes back, import it here; acknowledged entries leave the next bundle.")
        form = QFormLayout()
        form.addRow("Entries to send", self.pending)
        form.addRow("Encrypted to", _row(self.certificate, self.choose_certificate_button))
        folder_label = QLabel("&Folder")
        folder_label.setBuddy(self.folder)
        form.addRow(folder_label, _row(self.folder, self.choose_folder_button))
        buttons = QHBoxLayout()
        buttons.addWidget(self.export_button)
        buttons.addWidget(self.ack_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.status)
        layout.addWidget(close)
        self.resize(640, self.sizeHint().height())

    def refresh(self) -> None:
        count = pending_count(self._repo)
        self.pending.setText(f"{count} DHS-191 entr{'y' if count == 1 else 'ies'} not yet acknowledged by "
                             "headquarters" if count else "None: headquarters has acknowledged every entry.")
        recipient = self._chosen_recipient()
        if recipient is None:
            self.certificate.setText("No headquarters certificate yet: choose the file the Privacy Office sent "
                                     "(or set it in Post → Settings).")
        else:
            self.certificate.setText(f"{escape(recipient.subject.rfc4514_string())}<br><small>SHA-256 "
                                     f"{_grouped(fingerprint(recipient))}</small>")
        self.export_button.setEnabled(bool(count) and recipient is not None and not self.jobs.busy)

    def _chosen_recipient(self) -> x509.Certificate | None:
        if self._recipient is not None:
            return self._recipient
        try:
            return default_hq_certificate(self._repo)
        except SyncError:
            return None

    def choose_certificate(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "Headquarters certificate", "", CERTIFICATE_FILTER)
        if not name:
            return
        try:
            certificate = load_certificate(_read(Path(name), 1 << 20), Path(name).name)
            check_recipient(certificate, Path(name).name)
        except (OSError, StoreError) as error:
            self.status.setText(escape(f"Not used: {_message(error)}"))
            return
        self._recipient = certificate
        self.status.setText("")
        self.refresh()

    def choose_folder(self) -> None:
        name = QFileDialog.getExistingDirectory(self, "Write the bundle in", self.folder.text())
        if name:
            self.folder.setText(name)

    def export(self) -> None:
        recipient, folder = self._chosen_recipient(), self.folder.text().strip()
        if recipient is None or not folder:
            self.status.setText("Choose headquarters' certificate and the folder first.")
            return
        repo, target = self._repo, Path(folder).expanduser()

        def work(control: JobControl) -> ExportResult:
            return export_bundle(repo, recipient, target, control)

        self.export_button.setEnabled(False)
        self.status.setText("Exporting…")
        self.jobs.run(work, self._exported, self._failed, title=EXPORT_TITLE, cancellable=True,
                      on_cancelled=self._cancelled)

    def _exported(self, result: ExportResult) -> None:
        self.status.setText(escape(f"Batch {result.batch} written: {result.path} ({result.entry_count} entries, "
                                   f"{result.size / 1024 ** 2:.1f} MB). Send it to the Privacy Office.")
                            + f"<br><small>SHA-256 {result.sha256}</small>")
        self.refresh()
        self.exported.emit(result)

    def _failed(self, error: BaseException) -> None:
        self.status.setText(escape(f"Nothing was exported: {_message(error)}"))
        self.refresh()

    def _cancelled(self) -> None:
        self.status.setText("Export cancelled: no bundle was written and no batch recorded.")
        self.refresh()

    def import_acknowledgement(self) -> AckResult | None:
        name, _ = QFileDialog.getOpenFileName(self, "Headquarters' acknowledgement", "", ACK_FILTER)
        if not name:
            return None
        path = Path(name)
        try:
            result = import_acknowledgement(self._repo, _read(path, MAX_ACK_BYTES), path.name)
        except (OSError, StoreError) as error:
            self.status.setText(escape(f"Not imported: {_message(error)}"))
            return None
        self.status.setText(escape(result.message))
        self.refresh()
        self.acknowledged.emit(result)
        return result

    def done(self, result: int) -> None:
        """Closing stops a running export first (it records nothing once cancelled)."""
        self.jobs.stop_all()
        super().done(result)


class SyncActions(QObject):
    """The two Post menu entries; enabled while a store is open, each opening the dialog (one at a time)."""

    def __init__(self, window: QMainWindow, menu: QMenu, store_of: Callable[[], Store | None]) -> None:
        super().__init__(window)
        self._window, self._store_of = window, store_of
        menu.addSeparator()
        self.export_action = menu.addAction("E&xport DHS-191 to headquarters…", self.open_export)
        self.ack_action = menu.addAction("Import ac&knowledgement…", self.open_acknowledgement)
        menu.aboutToShow.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        for action in (self.export_action, self.ack_action):
            action.setEnabled(self._store_of() is not None)

    def open_export(self) -> ExportDialog | None:
        store = self._store_of()
        if store is None:
            return None
        for old in self._window.findChildren(ExportDialog):
            old.close()
        dialog = ExportDialog(store.repo, self._window)
        dialog.setModal(True)
        dialog.show()
        return dialog

    def open_acknowledgement(self) -> ExportDialog | None:
        dialog = self.open_export()
        if dialog is not None:
            dialog.import_acknowledgement()
        return dialog

    def close_dialogs(self) -> None:
        """Called by the lock before the store closes: a running export is stopped, then the dialog goes."""
        for dialog in self._window.findChildren(ExportDialog):
            dialog.close()
            dialog.deleteLater()
        self.refresh()


def _label(name: str) -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.setAccessibleName(name)
    return label


def _button(text: str, name: str, slot: Callable[[], object]) -> QPushButton:
    button = QPushButton(text)
    button.setAccessibleName(name)
    button.clicked.connect(slot)
    return button


def _row(*widgets: QWidget) -> QWidget:
    holder = QWidget()
    layout = QHBoxLayout(holder)
    layout.setContentsMargins(0, 0, 0, 0)
    for widget in widgets:
        layout.addWidget(widget, 1 if isinstance(widget, QLineEdit | QLabel) else 0)
    return holder


def _read(path: Path, limit: int) -> bytes:
    with open(path, "rb") as handle:
        return handle.read(limit + 1)


def _message(error: BaseException) -> str:
    if isinstance(error, OSError):
        return f"{error.filename or 'the file'} cannot be read ({error.strerror})"
    return str(error) if isinstance(error, StoreError) else f"{type(error).__name__}: {error}"


def _suggested_folder() -> Path:
    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return Path(documents or Path.home()) / "DHS-191 bundles"


def _grouped(digest: str) -> str:
    return " ".join(digest[i:i + 4] for i in range(0, len(digest), 4))
