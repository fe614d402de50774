"""The unlocked workspace: the request list beside the open request's tabs. Built on unlock, destroyed on lock.

The workspace composes the panels and passes messages between them; each panel talks to the core itself.

Built in steps (issue 15): on unlock only the request list and the tab bar, so the first rows are on screen as soon
as the store is open; the facts tab (the editor beside the checklist) right after the list's first paint; every
other tab the first time it is shown or asked for (its attribute, e.g. `workspace.records`, builds it). A panel not
built yet holds nothing typed, so lock saves and clears only those that are built, and keeps the request to resume.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, TypeVar, cast

from PySide6.QtCore import QEvent, QObject, QSignalBlocker, Qt, QTimer, Signal
from PySide6.QtWidgets import QFileDialog, QMessageBox, QSplitter, QTabWidget, QVBoxLayout, QWidget

from desktop.jobs import JobControl
from desktop.store import Store, StoreError
from desktop.ui.job_tracker import JobTracker
from desktop.ui.request_list import RequestListPanel

if TYPE_CHECKING:  # each imported when its tab is first built
    from desktop import intake as email_intake
    from desktop.ui.accounting_panel import AccountingPanel, IndividualAccountingDialog
    from desktop.ui.attachments import AttachmentsPanel
    from desktop.ui.checklist import ChecklistPanel
    from desktop.ui.coordination import CoordinationPanel
    from desktop.ui.history import HistoryPanel
    from desktop.ui.packet_panel import PacketPanel
    from desktop.ui.records_panel import RecordsPanel
    from desktop.ui.request_editor import RequestEditor

WORKSPACE_DRAFT = "workspace"
ASSESS_DELAY_MS = 200  # the checklist follows typing, without re-running on every key press
EMAIL_FILTER = "E-mail (*.msg *.eml);;All files (*)"
# The tabs in their order: the attribute that builds each (the facts tab is the editor with the checklist).
TABS = (("editor", "&Facts and checklist"), ("coordination", "C&oordination"), ("attachments", "&Documents"),
        ("records", "&Records"), ("packet", "Pac&ket"), ("accounting", "&Accounting"), ("history", "&History"))
TAB_INDEX = {name: index for index, (name, _label) in enumerate(TABS)}
# The tabs that show one request; each built one is given the open request (show_request) when it changes.
REQUEST_PANELS = ("coordination", "attachments", "records", "packet", "accounting", "history")
Panel = TypeVar("Panel", bound=QWidget)


class _Part(Protocol):
    """What every built panel has: lock empties it (SPEC S3)."""

    def clear(self) -> None: ...


class _RequestPart(_Part, Protocol):
    def show_request(self, request_id: int | None) -> None: ...


class Workspace(QWidget):
    first_rows_shown = Signal()  # once: the list's first rows painted and the facts tab built after them

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._store = store
        repo = store.repo
        self._built: dict[str, QWidget] = {}
        self._request_id: int | None = None  # the request the tabs show
        state = repo.load_draft(WORKSPACE_DRAFT) or {}
        self._resume_id = state.get("request_id") if isinstance(state.get("request_id"), int) else None
        self._resumed = self._cleared = False
        self.list_panel = RequestListPanel(repo)
        self.individual_dialog: IndividualAccountingDialog | None = None
        self._jobs = JobTracker(self)  # e-mail intake
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Request")
        self.tabs.tabBar().setAccessibleName("Parts of the request")
        for _name, label in TABS:  # empty pages until each is built (_install)
            self.tabs.addTab(QWidget(), label)
        self.tabs.currentChanged.connect(self._tab_shown)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.list_panel)
        splitter.addWidget(self.tabs)
        splitter.setSizes([400, 880])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)
        self._assess_timer = QTimer(self, singleShot=True, interval=ASSESS_DELAY_MS)
        self._assess_timer.timeout.connect(self.assess_now)
        self.list_panel.request_chosen.connect(self.open_request)
        self.list_panel.new_requested.connect(self._new_request)
        self.list_panel.import_requested.connect(self._import)
        self.list_panel.export_requested.connect(self._export)
        self.list_panel.emails_dropped.connect(self.take_in_emails)
        self._first_paint = _FirstPaint(self.list_panel.table.viewport(), self._after_first_paint)

    def _after_first_paint(self) -> None:
        """The list's first rows are on screen: now the facts tab, back at the request open when the store locked."""
        if self._cleared:  # locked in between
            return
        self._facts()
        self.first_rows_shown.emit()

    def _resume(self) -> None:
        """Back to the request that was open when the store locked, with its draft."""
        self._resumed = True
        if self._resume_id is not None:
            try:
                self.open_request(self._resume_id)
            except StoreError:
                self.editor.open_new()
        self.assess_now()

    # The panels, each built on first use.

    @property
    def editor(self) -> RequestEditor:
        self._facts()
        return cast("RequestEditor", self._built["editor"])

    @property
    def checklist(self) -> ChecklistPanel:
        self._facts()
        return cast("ChecklistPanel", self._built["checklist"])

    def _facts(self) -> None:
        if "editor" in self._built:
            return
        from desktop.ui.checklist import ChecklistPanel
        from desktop.ui.request_editor import RequestEditor

        editor, checklist = RequestEditor(self._store.repo), ChecklistPanel()
        self._built.update(editor=editor, checklist=checklist)
        editor.saved.connect(self._saved)
        editor.values_changed.connect(self._assess_timer.start)
        checklist.target_chosen.connect(self.go_to)
        facts = QSplitter(Qt.Orientation.Horizontal)
        facts.addWidget(editor)
        facts.addWidget(checklist)
        facts.setSizes([540, 340])
        self._install("editor", facts)
        if not self._resumed:  # not built for a request being opened: the one open when the store locked
            self._resume()

    @property
    def coordination(self) -> CoordinationPanel:
        from desktop.ui.coordination import CoordinationPanel

        def build() -> CoordinationPanel:
            panel = CoordinationPanel(self._store.repo)
            panel.recorded.connect(self._coordination_recorded)
            return panel
        return self._panel("coordination", build)

    @property
    def attachments(self) -> AttachmentsPanel:
        from desktop.ui.attachments import AttachmentsPanel

        return self._panel("attachments", lambda: AttachmentsPanel(self._store.repo))

    @property
    def records(self) -> RecordsPanel:
        from desktop.ui.records_panel import RecordsPanel

        def build() -> RecordsPanel:
            panel = RecordsPanel(self._store.repo)
            panel.changed.connect(self._records_changed)
            return panel
        return self._panel("records", build)

    @property
    def packet(self) -> PacketPanel:
        from desktop.ui.packet_panel import PacketPanel

        def build() -> PacketPanel:
            panel = PacketPanel(self._store.repo)
            panel.finalized.connect(self._packet_finalized)
            return panel
        return self._panel("packet", build)

    @property
    def accounting(self) -> AccountingPanel:
        from desktop.ui.accounting_panel import AccountingPanel

        return self._panel("accounting", lambda: AccountingPanel(self._store.repo))

    @property
    def history(self) -> HistoryPanel:
        from desktop.ui.history import HistoryPanel

        return self._panel("history", lambda: HistoryPanel(self._store.repo))

    def _panel(self, name: str, build: Callable[[], Panel]) -> Panel:
        panel = self._built.get(name)
        if panel is None:
            panel = self._built[name] = build()
            cast(_RequestPart, panel).show_request(self._request_id)
            self._install(name, panel)
        return cast(Panel, panel)

    def _install(self, name: str, page: QWidget) -> None:
        """The built page in place of its tab's empty one, under the same label, the same tab still current."""
        index = TAB_INDEX[name]
        empty, current = self.tabs.widget(index), self.tabs.currentIndex()
        blocker = QSignalBlocker(self.tabs)  # not a tab change: _tab_shown must not run for it
        self.tabs.removeTab(index)
        self.tabs.insertTab(index, page, TABS[index][1])
        self.tabs.setCurrentIndex(current)
        blocker.unblock()
        if empty is not None:
            empty.deleteLater()

    def _tab_shown(self, index: int) -> None:
        if 0 <= index < len(TABS):
            getattr(self, TABS[index][0])  # builds it when it was not built yet

    def _shown(self, names: tuple[str, ...], request_id: int | None) -> None:
        """The built panels among `names` show `request_id`; the others will when they are built."""
        for name in names:
            panel = self._built.get(name)
            if panel is not None:
                cast(_RequestPart, panel).show_request(request_id)

    def open_request(self, request_id: int) -> None:
        self._resumed = True  # a request chosen before the resume came round wins over it
        self._save_coordination_draft()
        self.editor.open_request(request_id)
        self._show_panels(request_id)

    def _show_panels(self, request_id: int | None) -> None:
        self._request_id = request_id
        self._shown(REQUEST_PANELS, request_id)

    def _save_coordination_draft(self) -> None:
        coordination = self._built.get("coordination")
        if coordination is not None:
            cast("CoordinationPanel", coordination).save_draft()

    def _new_request(self) -> None:
        self._resumed = True
        self.editor.save_draft()
        self._save_coordination_draft()
        self.editor.open_new()
        self._show_panels(None)

    def _saved(self, request_id: int) -> None:
        self.list_panel.refresh()
        self._show_panels(request_id)

    def _coordination_recorded(self, request_id: int) -> None:
        self.editor.set_coordination(self._store.repo.get_request(request_id).request.coordination)
        self.list_panel.refresh()
        self._shown(("packet", "history"), request_id)

    def _records_changed(self, request_id: int) -> None:
        self._shown(("packet", "history"), request_id)

    def _packet_finalized(self, request_id: int) -> None:
        self.list_panel.refresh()  # the request is now disclosed
        self._shown(("accounting", "history"), request_id)  # its DHS-191 entries (SPEC A1)

    def assess_now(self) -> None:
        from desktop.requests.form import FormError
        from desktop.rules import evaluate

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
        from desktop.requests import InterchangeError, load_request_file

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
        from desktop import intake as email_intake

        self.editor.save_draft()
        self._save_coordination_draft()
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
        from desktop.requests import request_to_json
        from desktop.store.fileio import atomic_write_bytes

        request = self._store.repo.get_request(request_id).request
        atomic_write_bytes(path, request_to_json(request).encode("utf-8"))
        self._store.repo.record_event("request.export", "request", request_id, {"file": path.name})

    def save_drafts(self) -> None:
        """What is typed in the built panels, and the request to come back to (the one still to be resumed when the
        facts tab was never built)."""
        request_id = self._resume_id
        if "editor" in self._built:
            self.editor.save_draft()
            request_id = self.editor.request_id
        self._save_coordination_draft()
        self._store.repo.save_draft(WORKSPACE_DRAFT, {"request_id": request_id})

    def reload_registries(self) -> None:
        self.list_panel.refresh()
        if "editor" not in self._built:  # built later, it reads the registries then
            return
        self.editor.reload_registries()
        if self.editor.request_id is not None:
            self.editor.open_request(self.editor.request_id)

    def forget_requests(self, request_ids: list[int]) -> None:
        """After a disposition (§10.2): the removed requests leave the list, and the tabs if one was open."""
        if self._resume_id in request_ids:
            self._resume_id = None
        if self._request_id in request_ids or ("editor" in self._built and self.editor.request_id in request_ids):
            self.editor.open_new()
            self._show_panels(None)
        self.list_panel.refresh()

    def open_individual_accounting(self) -> IndividualAccountingDialog:
        """Post menu: accounting for an individual (552a(c)(3)); a child of the workspace, gone when it locks."""
        if self.individual_dialog is None:
            from desktop.ui.accounting_panel import IndividualAccountingDialog

            self.individual_dialog = IndividualAccountingDialog(self._store.repo, self)
        self.individual_dialog.show()
        self.individual_dialog.raise_()
        return self.individual_dialog

    def clear(self) -> None:
        """Empties every view so nothing of a request stays on screen or in a model (SPEC S3); a panel never built
        holds nothing."""
        self._cleared = True
        self._jobs.stop_all(wait=True)
        for panel in self._built.values():
            cast(_Part, panel).clear()
        if self.individual_dialog is not None:
            self.individual_dialog.clear()
            self.individual_dialog.close()
        self.list_panel.clear()


class _FirstPaint(QObject):
    """Calls `then` once, on the turn of the event loop after `widget` is first painted (the list's rows on screen),
    so that what is built then does not hold up that paint."""

    def __init__(self, widget: QWidget, then: Callable[[], None]) -> None:
        super().__init__(widget)
        self._widget, self._then = widget, then
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if watched is self._widget and event.type() == QEvent.Type.Paint:
            self._widget.removeEventFilter(self)
            QTimer.singleShot(0, self, self._then)
        return False
