"""The request list panel: search over request facts, sortable columns, rows fetched on demand."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
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


class RequestListPanel(QWidget):
    request_chosen = Signal(int)
    new_requested = Signal()

    def __init__(self, repo: Repository, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = RequestListModel(repo)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search requests (reference, authority, subject, requester, reason)…")
        self.search.setAccessibleName("Search requests")
        self.search.setClearButtonEnabled(True)
        self.new_button = QPushButton("&New request")
        self.new_button.setAccessibleName("New request")
        self.count = QLabel()
        self.table = QTableView()
        self.table.setAccessibleName("Requests")
        self.table.setModel(self.model)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(Column.RECEIVED, Qt.SortOrder.DescendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        for column in Column:
            fit = QHeaderView.ResizeMode.ResizeToContents
            mode = QHeaderView.ResizeMode.Stretch if column is Column.AUTHORITY else fit
            header.setSectionResizeMode(column, mode)
        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.new_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.count)
        self._debounce = QTimer(self, singleShot=True, interval=250)
        self._debounce.timeout.connect(self._apply_search)
        self.search.textChanged.connect(lambda _text: self._debounce.start())
        self.table.activated.connect(self._chosen)
        self.table.clicked.connect(self._chosen)
        self.new_button.clicked.connect(self.new_requested)
        self._show_count()

    def _apply_search(self) -> None:
        self.model.set_query(replace(self.model.query, text=self.search.text()))
        self._show_count()

    def _chosen(self, index: object) -> None:
        request_id = self.model.request_id(index.row())  # type: ignore[attr-defined]
        if request_id is not None:
            self.request_chosen.emit(request_id)

    def refresh(self) -> None:
        self.model.reload()
        self._show_count()

    def _show_count(self) -> None:
        total = self.model.total()
        self.count.setText(f"{total} request{'s' if total != 1 else ''}")

    def clear(self) -> None:
        self.search.clear()
        self.model.clear()
        self.count.clear()
