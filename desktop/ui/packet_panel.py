"""The packet tab (SPEC P1-P3): what the rules say, the packet built and finalized off the UI thread, and the packets
already sent for the request.

"Build packet" stays disabled while the rules say blocked or needs_action, with the findings that hold it listed
(SPEC P3). A build runs on a worker with progress and Cancel; a cancelled or failed build stores nothing and takes
no Bates numbers (desktop/packets/finalize.py). The password is shown once, in its own dialog.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QItemSelection, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.accounting import record_disclosure
from desktop.jobs import JobControl
from desktop.packets import PacketError, PacketRecord
from desktop.packets.finalize import (
    AccountingHook,
    FinalizedPacket,
    finalize_packet,
    list_packets,
    next_bates,
    packet_content,
)
from desktop.packets.model import bates_label
from desktop.records import RedactionError
from desktop.records import store as records
from desktop.rules import Assessment, Finding, Severity, evaluate
from desktop.store import Repository, StoreError
from desktop.store.fileio import atomic_write_bytes
from desktop.ui.job_tracker import JobTracker
from desktop.ui.packets_model import PacketsModel
from desktop.ui.password_dialog import PasswordDialog
from desktop.ui.rows_model import ID_ROLE
from desktop.ui.widgets import outcome_label, rows_table

MARKS = {Severity.BLOCK: "✖ blocked", Severity.ACTION: "● needs action", Severity.FOLLOWUP: "◐ follow-up",
         Severity.ADVICE: "ℹ advice"}
OUTCOMES = {
    "ready": "Ready: nothing holds this request; the packet can be built and finalized.",
    "needs_action": "Needs action: the packet cannot be built until the items below are done.",
    "blocked": "Blocked: this information may not be disclosed while the facts below stand.",
}


def finalize_from_store(repo: Repository, request_id: int, control: JobControl,
                        accounting: AccountingHook) -> FinalizedPacket:
    """The job: every record of the request with its boxes, then redacted (SPEC D3), built, numbered, encrypted
    and stored in one transaction. Runs on a worker; nothing is written to disk."""
    sources = records.records_to_send(repo, request_id, control.part(0, 1, 20))
    packet_records = [PacketRecord.of_stored(record) for record in sources]
    return finalize_packet(repo, request_id, packet_records, control=control.part(1, 19, 20),
                           accounting=accounting)


class PacketPanel(QWidget):
    finalized = Signal(int)  # a packet was finalized for this request id

    def __init__(self, repo: Repository, parent: QWidget | None = None,
                 accounting: AccountingHook = record_disclosure) -> None:
        super().__init__(parent)
        self._repo = repo
        # SPEC P3, A1: the DHS-191 entries are written in the transaction that finalizes the packet, or neither is.
        self._accounting = accounting
        self._request_id: int | None = None
        self._jobs = JobTracker(self)
        self.password_dialog: PasswordDialog | None = None
        self.model = PacketsModel()
        self._build_widgets()
        self._lay_out()
        self.show_request(None)

    def _build_widgets(self) -> None:
        self.outcome = outcome_label()
        self.findings = QListWidget()
        self.findings.setAccessibleName("Findings that concern the packet")
        self.findings.setWordWrap(True)
        self.findings.setMaximumHeight(140)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName("What the packet will hold")
        self.build_button = QPushButton("&Build packet…")
        self.build_button.setAccessibleName("Build, encrypt and finalize the packet")
        self.build_button.clicked.connect(self.build)
        self.table = rows_table(self.model, "Packets finalized for this request")
        self.table.selectionModel().selectionChanged.connect(self._packet_chosen)
        self.save_copy_button = QPushButton("Save a &copy of the encrypted packet…")
        self.save_copy_button.setAccessibleName("Save a copy of the selected packet, encrypted as it was sent")
        self.save_copy_button.clicked.connect(self._choose_copy)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setAccessibleName("Packet status")

    def _lay_out(self) -> None:
        build_row = QHBoxLayout()
        build_row.addWidget(self.summary, 1)
        build_row.addWidget(self.build_button)
        copy_row = QHBoxLayout()
        copy_row.addWidget(QLabel("Packets finalized for this request (kept as sent, §10.2.2):"), 1)
        copy_row.addWidget(self.save_copy_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.outcome)
        layout.addWidget(self.findings, 1)
        layout.addLayout(build_row)
        layout.addWidget(self.status)
        layout.addLayout(copy_row)
        layout.addWidget(self.table, 3)

    def show_request(self, request_id: int | None) -> None:
        if request_id != self._request_id:
            self._jobs.stop_all(wait=False)
            self.status.clear()
        self._request_id = request_id
        self.refresh()

    def refresh(self) -> None:
        request_id = self._request_id
        self.findings.clear()
        if request_id is None:
            self.outcome.setText("Save the request first; its packet is built here once the rules allow it.")
            self.summary.clear()
            self.model.clear()
            self._enable(False)
            return
        assessment = evaluate(self._repo.get_request(request_id).request)
        self._show_assessment(assessment)
        problem = self._blocker(assessment)
        self.summary.setText(problem or self._contents())
        self.model.set_rows(list_packets(self._repo, request_id))
        self._enable(problem is None)

    def _show_assessment(self, assessment: Assessment) -> None:
        self.outcome.setText(OUTCOMES[assessment.outcome.value])
        holding = assessment.holding()
        rest = [f for f in assessment.findings if f not in holding]
        for finding in (*holding, *rest):
            self.findings.addItem(_finding_text(finding))

    def _blocker(self, assessment: Assessment) -> str | None:
        """Why the packet cannot be built now, with what to do; None when it can."""
        if assessment.holding():
            return (f"Build packet is off: {len(assessment.holding())} finding(s) above hold the request. Resolve them "
                    "on the Facts and Coordination tabs and save.")
        if self._request_id is None or not records.list_records(self._repo, self._request_id):
            return "Build packet is off: import the records to disclose on the Records tab first."
        if not self._repo.setting("bates_prefix").strip():
            return "Build packet is off: the post has no Bates prefix; set it in the post's settings."
        return None

    def _contents(self) -> str:
        assert self._request_id is not None
        stored = records.list_records(self._repo, self._request_id)
        pages = sum(r.page_count for r in stored)
        boxed = sum(1 for r in stored if r.redactions)
        prefix = self._repo.setting("bates_prefix").strip()
        first = bates_label(prefix, next_bates(self._repo, prefix))
        sent = [p.id for p in list_packets(self._repo, self._request_id) if p.state == "final"]
        again = f" It supersedes packet #{sent[-1]}, which stays on record as sent." if sent else ""
        return (f"The packet will hold {len(stored)} record(s), {pages} page(s); {boxed} record(s) with redactions, "
                f"whose boxed pages are rebuilt as images, so nothing under a box survives (§9.1). "
                f"Numbered from {first}, then encrypted (AES-256)."
                f"{again} Unsaved changes on the Facts tab are not part of it: save them first.")

    def _enable(self, can_build: bool) -> None:
        self.build_button.setEnabled(can_build and not self._jobs.busy)
        self.save_copy_button.setEnabled(self._selected_packet() is not None)

    def build(self) -> None:
        request_id = self._request_id
        if request_id is None or not self.build_button.isEnabled():
            return
        accounting = self._accounting
        self.build_button.setEnabled(False)
        self.status.setText("Building the packet…")
        self._jobs.run(lambda control: finalize_from_store(self._repo, request_id, control, accounting),
                       self._built, self._failed, title="Building the packet", cancellable=True,
                       on_cancelled=self._cancelled)

    def _built(self, done: FinalizedPacket) -> None:
        self.refresh()
        self.status.setText(f"Packet #{done.packet_id} finalized: {done.built.page_count} pages, "
                            f"{done.built.bates_first_label}–{done.built.bates_last_label}.")
        request = done.disclosure.request
        self.password_dialog = PasswordDialog(self._repo, done.disclosure.request_id, request, done.packet_id,
                                              done.built, self)
        self.password_dialog.finished.connect(self._password_closed)
        self.password_dialog.setModal(True)
        self.password_dialog.show()
        self.finalized.emit(done.disclosure.request_id)

    def _password_closed(self, _result: int) -> None:
        if self.password_dialog is not None:
            self.password_dialog.deleteLater()
            self.password_dialog = None

    def _failed(self, error: BaseException) -> None:
        self.refresh()
        known = isinstance(error, PacketError | RedactionError | StoreError)
        text = str(error) if known else f"{type(error).__name__}: {error}"
        self.status.setText(f"No packet was stored and no Bates numbers were taken. {text}")
        QMessageBox.warning(self, "Packet not built", f"{text}\n\nNothing was stored and no Bates numbers were taken.")

    def _cancelled(self) -> None:
        self.refresh()
        self.status.setText("Cancelled: nothing was stored and no Bates numbers were taken.")

    def _selected_packet(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        return int(rows[0].data(ID_ROLE)) if rows else None

    def _packet_chosen(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        self.save_copy_button.setEnabled(self._selected_packet() is not None)

    def _choose_copy(self) -> None:
        packet_id = self._selected_packet()
        if packet_id is None:
            return
        name, _ = QFileDialog.getSaveFileName(self, "Save a copy of the encrypted packet", f"packet-{packet_id}.pdf",
                                              "PDF (*.pdf)")
        if name:
            self.save_copy(packet_id, Path(name))

    def save_copy(self, packet_id: int, path: Path) -> bool:
        """The encrypted packet exactly as sent; its password is the one given when it was finalized."""
        try:
            atomic_write_bytes(path, packet_content(self._repo, packet_id))
            self._repo.record_event("packet.save", "request", self._request_id, {"packet_id": packet_id,
                                                                                 "file": path.name})
        except (OSError, StoreError, PacketError) as error:
            self.status.setText(f"Not saved: {error}. Choose a folder you may write to and try again.")
            return False
        self.status.setText(f"Saved {path.name}: encrypted as sent; it opens with the password given then.")
        return True

    def clear(self) -> None:
        """Stops a build (nothing is stored), forgets the password and every packet row (SPEC S3)."""
        self._jobs.stop_all(wait=True)
        if self.password_dialog is not None:
            self.password_dialog.forget()
        self._request_id = None
        self.model.clear()
        self.findings.clear()
        for label in (self.outcome, self.summary, self.status):
            label.clear()
        self.build_button.setEnabled(False)
        self.save_copy_button.setEnabled(False)


def _finding_text(finding: Finding) -> str:
    return f"{MARKS[finding.severity]}: {finding.message} ({finding.section})"
