"""The unlocked workspace: the request list beside the open request's tabs. Built on unlock, destroyed on lock.

The workspace composes the panels and passes messages between them; each panel talks to the core itself.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QFileDialog, QMessageBox, QSplitter, QTabWidget, QVBoxLayout, QWidget

from desktop.jobs import JobControl
from desktop.requests import InterchangeError, email_intake, load_request_file, request_to_json
from desktop.requests.form import FormError
from desktop.rules import evaluate
from desktop.store import Store, StoreError
from desktop.store.fileio import atomic_write_bytes
from desktop.ui.accounting_panel import AccountingPanel, IndividualAccountingDialog
from desktop.ui.attachments import AttachmentsPanel
from desktop.ui.checklist import ChecklistPanel
from desktop.ui.coordination import CoordinationPanel
from desktop.ui.history import HistoryPanel
from desktop.ui.job_tracker import JobTracker
from desktop.ui.packet_panel import PacketPanel
from desktop.ui.records_panel import RecordsPanel
from desktop.ui.request_editor import RequestEditor
from desktop.ui.request_list import RequestListPanel

WORKSPACE_DRAFT = "workspace"
ASSESS_DELAY_MS = 200  # the checklist follows typing, without re-running on every key press
EMAIL_FILTER = "E-mail (*.msg *.eml);;All files (*)"


class Workspace(QWidget):
    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._store = store
        repo = store.repo
        self.list_panel = RequestListPanel(repo)
        self.editor = RequestEditor(repo)
        self.checklist = ChecklistPanel()
        self.coordination = CoordinationPanel(repo)
        self.attachments = AttachmentsPanel(repo)
        self.history = HistoryPanel(repo)
        self.records = RecordsPanel(repo)
        self.packet = PacketPanel(repo)
        self.accounting = AccountingPanel(repo)
        self.individual_dialog: IndividualAccountingDialog | None = None
        self._jobs = JobTracker(self)  # e-mail intake
        facts = QSplitter(Qt.Orientation.Horizontal)
        facts.addWidget(self.editor)
        facts.addWidget(self.checklist)
        facts.setSizes([540, 340])
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Request")
        self.tabs.tabBar().setAccessibleName("Parts of the request")
        self.tabs.addTab(facts, "&Facts and checklist")
        self.tabs.addTab(self.coordination, "C&oordination")
        self.tabs.addTab(self.attachments, "&Documents")
        self.tabs.addTab(self.records, "&Records")
        self.tabs.addTab(self.packet, "Pac&ket")
        self.tabs.addTab(self.accounting, "&Accounting")
        self.tabs.addTab(self.history, "&History")
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.list_panel)
        splitter.addWidget(self.tabs)
        splitter.setSizes([400, 880])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)
        self._assess_timer = QTimer(self, singleShot=True, interval=ASSESS_DELAY_MS)
        self._assess_timer.timeout.connect(self.assess_now)
        self._connect()
        self._resume()

    def _connect(self) -> None:
        self.list_panel.request_chosen.connect(self.open_request)
        self.list_panel.new_requested.connect(self._new_request)
        self.list_panel.import_requested.connect(self._import)
        self.list_panel.export_requested.connect(self._export)
        self.list_panel.emails_dropped.connect(self.take_in_emails)
        self.editor.saved.connect(self._saved)
        self.editor.values_changed.connect(self._assess_timer.start)
        self.checklist.target_chosen.connect(self.go_to)
        self.coordination.recorded.connect(self._coordination_recorded)
        self.records.changed.connect(self._records_changed)
        self.packet.finalized.connect(self._packet_finalized)

    def _resume(self) -> None:
        """Back to the request that was open when the store locked, with its draft."""
        state = self._store.repo.load_draft(WORKSPACE_DRAFT) or {}
        request_id = state.get("request_id")
        if isinstance(request_id, int):
            try:
                self.open_request(request_id)
            except StoreError:
                self.editor.open_new()
        self.assess_now()

    def open_request(self, request_id: int) -> None:
        self.coordination.save_draft()
        self.editor.open_request(request_id)
        self._show_panels(request_id)

    def _show_panels(self, request_id: int | None) -> None:
        self.coordination.show_request(request_id)
        self.attachments.show_request(request_id)
        self.records.show_request(request_id)
        self.packet.show_request(request_id)
        self.accounting.show_request(request_id)
        self.history.show_request(request_id)

    def _new_request(self) -> None:
        self.editor.save_draft()
        self.coordination.save_draft()
        self.editor.open_new()
        self._show_panels(None)

    def _saved(self, request_id: int) -> None:
        self.list_panel.refresh()
        self._show_panels(request_id)

    def _coordination_recorded(self, request_id: int) -> None:
        self.editor.set_coordination(self._store.repo.get_request(request_id).request.coordination)
        self.list_panel.refresh()
        self.packet.show_request(request_id)
        self.history.show_request(request_id)

    def _records_changed(self, request_id: int) -> None:
        self.packet.show_request(request_id)
        self.history.show_request(request_id)

    def _packet_finalized(self, request_id: int) -> None:
        self.list_panel.refresh()  # the request is now disclosed
        self.accounting.show_request(request_id)  # its DHS-191 entries (SPEC A1)
        self.history.show_request(request_id)

    def assess_now(self) -> None:
        self._assess_timer.stop()
        try:
            request = self.editor.current_request()
        except FormError as error:
            self.checklist.show_problem(str(error))
            return
        self.checklist.show_assessment(evaluate(request))

    def go_to(self, target: str) -> None:
        """From a checklist finding to the place that resolves it."""
        if target.startswith("coordination:"):
            self.tabs.setCurrentWidget(self.coordination)
            self.coordination.focus_item(target.split(":", 1)[1])
        else:
            self.editor.focus_field(target)

    def _import(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "Import a request", "", "Request JSON (*.json);;All files (*)")
        if name:
            self.import_file(Path(name))

    def import_file(self, path: Path) -> int | None:
        try:
            request_id = self._store.repo.add_request(load_request_file(path), source="import")
        except (InterchangeError, StoreError) as error:
            QMessageBox.warning(self, "Not imported", f"{error}\n\nNothing was added to the store.")
            return None
        self.list_panel.refresh()
        self.open_request(request_id)
        return request_id

    def new_from_email(self) -> None:
        """File → New request from e-mail… (issue 14)."""
        name, _ = QFileDialog.getOpenFileName(self, "New request from e-mail", "", EMAIL_FILTER)
        if name:
            self.take_in_emails([Path(name)])

    def take_in_emails(self, paths: list[Path]) -> None:
        """Each message becomes a draft request (one transaction each), read on a worker; a refused one changes
        nothing and is named with the reason."""
        if not paths:
            return
        if self._jobs.busy:
            self.list_panel.notice.setText("Still taking in the e-mail before; drop this one again when it is done.")
            return
        self.editor.save_draft()
        self.coordination.save_draft()
        repo = self._store.repo

        def work(control: JobControl) -> tuple[list[email_intake.Intake], list[str]]:
            taken, refused = [], []
            for index, path in enumerate(paths):
                try:
                    taken.append(email_intake.take_in_file(repo, path, control=control.part(index, 1, len(paths))))
                except (email_intake.EmailRefused, StoreError) as refusal:
                    refused.append(" ".join(str(refusal).split()))
            return taken, refused

        self.list_panel.notice.setText(f"Taking in {len(paths)} e-mail(s)…")
        self._jobs.run(work, self._emails_taken_in, self._email_failed, title="Taking in the e-mail",
                       cancellable=True, on_cancelled=self._email_cancelled)

    def _emails_taken_in(self, result: tuple[list[email_intake.Intake], list[str]]) -> None:
        taken, refused = result
        self.list_panel.refresh()
        if taken:
            last = taken[-1]
            self.open_request(last.request_id)
            self.tabs.setCurrentIndex(0)  # the facts beside the checklist, which lists what is still missing
            self.list_panel.notice.setText(
                f"{last.reference}: a draft from the e-mail, {len(last.filled)} field(s) filled from it; the "
                f"checklist shows what is missing. The message and {len(last.documents) - 1} attachment(s) are "
                "kept encrypted under Documents (§8.1.1).")
        else:
            self.list_panel.notice.setText("No request was added.")
        if refused:
            QMessageBox.warning(self, "Not taken in", "\n\n".join(refused) + "\n\nNothing of these messages "
                                "was stored.")

    def _email_cancelled(self) -> None:
        self.list_panel.refresh()  # a message taken in before Cancel stays, whole; the one under way left nothing
        self.list_panel.notice.setText("Cancelled: the e-mail being read was not stored.")

    def _email_failed(self, error: BaseException) -> None:
        self.list_panel.notice.setText(f"Nothing was taken in. {error}")

    def _export(self, request_id: int) -> None:
        reference = self._store.repo.get_request(request_id).request.reference
        name, _ = QFileDialog.getSaveFileName(self, "Export the request (not encrypted)", f"{reference}.json",
                                              "Request JSON (*.json)")
        if name:
            self.export_file(request_id, Path(name))

    def export_file(self, request_id: int, path: Path) -> None:
        request = self._store.repo.get_request(request_id).request
        atomic_write_bytes(path, request_to_json(request).encode("utf-8"))
        self._store.repo.record_event("request.export", "request", request_id, {"file": path.name})

    def save_drafts(self) -> None:
        self.editor.save_draft()
        self.coordination.save_draft()
        self._store.repo.save_draft(WORKSPACE_DRAFT, {"request_id": self.editor.request_id})

    def reload_registries(self) -> None:
        self.editor.reload_registries()
        self.list_panel.refresh()
        if self.editor.request_id is not None:
            self.editor.open_request(self.editor.request_id)

    def forget_requests(self, request_ids: list[int]) -> None:
        """After a disposition (§10.2): the removed requests leave the list, and the tabs if one was open."""
        if self.editor.request_id in request_ids:
            self.editor.open_new()
            self._show_panels(None)
        self.list_panel.refresh()

    def open_individual_accounting(self) -> IndividualAccountingDialog:
        """Post menu: accounting for an individual (552a(c)(3)); a child of the workspace, gone when it locks."""
        if self.individual_dialog is None:
            self.individual_dialog = IndividualAccountingDialog(self._store.repo, self)
        self.individual_dialog.show()
        self.individual_dialog.raise_()
        return self.individual_dialog

    def clear(self) -> None:
        """Empties every view so nothing of a request stays on screen or in a model (SPEC S3)."""
        self._jobs.stop_all(wait=True)
        self.editor.clear()
        self.checklist.clear()
        self.coordination.clear()
        self.attachments.clear()
        self.records.clear()
        self.packet.clear()
        self.accounting.clear()
        if self.individual_dialog is not None:
            self.individual_dialog.clear()
            self.individual_dialog.close()
        self.history.clear()
        self.list_panel.clear()
