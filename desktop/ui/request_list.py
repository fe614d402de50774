"""The request list panel: search over request facts, sortable columns, rows fetched on demand. An e-mail (.msg,
.eml) dropped on it becomes a new request (issue 14; the workspace takes it in)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.store import Repository
from desktop.ui.request_list_model import Column, RequestListModel

DUE_FILTERS = (("Any date", None), ("Overdue", "overdue"), ("Due within 7 days", 7), ("Due within 30 days", 30))
OUTCOMES = (("Any outcome", None), ("Blocked", "blocked"), ("Needs action", "needs_action"), ("Ready", "ready"))


class RequestListPanel(QWidget):
    request_chosen = Signal(int)
    new_requested = Signal()
    import_requested = Signal()
    export_requested = Signal(int)
    emails_dropped = Signal(object)  # list[Path]: the .msg and .eml files dropped on the list

    def __init__(self, repo: Repository, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = RequestListModel(repo)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search requests (reference, authority, subject, requester, reason)…")
        self.search.setAccessibleName("Search requests")
        self.search.setClearButtonEnabled(True)
        self.new_button = QPushButton("&New request")
        self.new_button.setAccessibleName("New request")
        self.import_button = QPushButton("&Import JSON…")
        self.import_button.setAccessibleName("Import a request file")
        self.export_button = QPushButton("E&xport JSON…")
        self.export_button.setAccessibleName("Export the selected request")
        self.outcome_filter = _combo("Filter by outcome", OUTCOMES)
        self.country_filter = QComboBox()
        self.country_filter.setAccessibleName("Filter by country")
        self.due_filter = _combo("Filter by due date", DUE_FILTERS)
        self.count = QLabel()
        self.notice = QLabel()
        self.notice.setWordWrap(True)
        self.notice.setAccessibleName("Request list notice")
        self.setAcceptDrops(True)
        self.table = QTableView()
        self.table.setAccessibleName("Requests")
        self.table.setModel(self.model)
        # The indicator first: enabling sorting then asks for the order the model already has, so the list is
        # read once, not once more for each of these calls.
        self.table.horizontalHeader().setSortIndicator(Column.RECEIVED, Qt.SortOrder.DescendingOrder)
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        self.table.setTabKeyNavigation(False)  # Tab leaves the list (Qt's table kept it for ever); arrows move in it
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        for column in Column:
            fit = QHeaderView.ResizeMode.ResizeToContents
            mode = QHeaderView.ResizeMode.Stretch if column is Column.AUTHORITY else fit
            header.setSectionResizeMode(column, mode)
        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.new_button)
        top.addWidget(self.import_button)
        top.addWidget(self.export_button)
        filters = QHBoxLayout()
        filters.addWidget(self.outcome_filter)
        filters.addWidget(self.country_filter)
        filters.addWidget(self.due_filter)
        filters.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.count)
        layout.addWidget(self.notice)
        self._debounce = QTimer(self, singleShot=True, interval=250)
        self._debounce.timeout.connect(self._apply_search)
        self.search.textChanged.connect(lambda _text: self._debounce.start())
        self.table.activated.connect(self._chosen)
        self.table.clicked.connect(self._chosen)
        self.new_button.clicked.connect(self.new_requested)
        self.import_button.clicked.connect(self.import_requested)
        self.export_button.clicked.connect(self._export)
        for combo in (self.outcome_filter, self.country_filter, self.due_filter):
            combo.activated.connect(lambda _index: self._apply_search())
        # The count and the country list read the whole table (they grow with the store): filled in just after the
        # first page of rows is on show, not before it (issue 15).
        self._cleared = False
        QTimer.singleShot(0, self, self._fill_summaries)

    def _fill_summaries(self) -> None:
        if self._cleared:  # locked before the event loop came round: the store is closed
            return
        self._fill_countries()
        self._show_count()

    def _apply_search(self) -> None:
        due = self.due_filter.currentData()
        self.model.set_query(replace(
            self.model.query, text=self.search.text(), outcome=self.outcome_filter.currentData(),
            country=self.country_filter.currentData(), overdue_only=due == "overdue",
            due_within_days=due if isinstance(due, int) else None,
        ))
        self._show_count()

    def _fill_countries(self) -> None:
        chosen = self.country_filter.currentData()
        self.country_filter.clear()
        self.country_filter.addItem("Any country", None)
        for country in self.model.countries():
            self.country_filter.addItem(country, country)
        self.country_filter.setCurrentIndex(max(self.country_filter.findData(chosen), 0))

    def selected_id(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.request_id(rows[0].row()) if rows else None

    def _export(self) -> None:
        request_id = self.selected_id()
        if request_id is not None:
            self.export_requested.emit(request_id)

    def _chosen(self, index: object) -> None:
        request_id = self.model.request_id(index.row())  # type: ignore[attr-defined]
        if request_id is not None:
            self.request_chosen.emit(request_id)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 (Qt's name)
        if _emails(event):
            event.acceptProposedAction()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:  # noqa: N802 (Qt's name)
        if _emails(event):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 (Qt's name)
        paths = _emails(event)
        if paths:
            event.acceptProposedAction()
            self.emails_dropped.emit(paths)

    def refresh(self) -> None:
        self.model.reload()
        self._fill_countries()
        self._show_count()

    def _show_count(self) -> None:
        total = self.model.total()
        self.count.setText(f"{total} request{'s' if total != 1 else ''}")

    def clear(self) -> None:
        self._cleared = True
        self.country_filter.clear()
        self.search.clear()
        self.model.clear()
        self.count.clear()
        self.notice.clear()


def _emails(event: QDragEnterEvent | QDragMoveEvent | QDropEvent) -> list[Path]:
    """The dropped local files that are e-mails by their name (the intake itself reads what they really are)."""
    # Imported here, not with the list: the intake's parsers (bs4, the e-mail package) would hold up the first rows
    # after unlock by half a second (issue 15); the window loads them in the background once the rows are on show.
    from desktop.intake import SUFFIXES as EMAIL_SUFFIXES

    urls = event.mimeData().urls() if event.mimeData().hasUrls() else []
    paths = [Path(url.toLocalFile()) for url in urls if url.isLocalFile()]
    return [path for path in paths if path.suffix.lower() in EMAIL_SUFFIXES]


def _combo(name: str, options: tuple[tuple[str, object], ...]) -> QComboBox:
    combo = QComboBox()
    combo.setAccessibleName(name)
    for text, value in options:
        combo.addItem(text, value)
    return combo
