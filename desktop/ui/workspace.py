"""The unlocked workspace: the request list beside the open request. Built on unlock, destroyed on lock."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QSplitter, QTabWidget, QVBoxLayout, QWidget

from desktop.store import Store, StoreError
from desktop.ui.request_editor import RequestEditor
from desktop.ui.request_list import RequestListPanel

WORKSPACE_DRAFT = "workspace"


class Workspace(QWidget):
    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.list_panel = RequestListPanel(store.repo)
        self.editor = RequestEditor(store.repo)
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Request")
        self.tabs.addTab(self.editor, "&Facts")
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.list_panel)
        splitter.addWidget(self.tabs)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)
        self.list_panel.request_chosen.connect(self.editor.open_request)
        self.list_panel.new_requested.connect(self._new_request)
        self.editor.saved.connect(lambda _id: self.list_panel.refresh())
        self._store = store
        self._resume()

    def _resume(self) -> None:
        """Back to the request that was open when the store locked, with its draft."""
        state = self._store.repo.load_draft(WORKSPACE_DRAFT) or {}
        request_id = state.get("request_id")
        if isinstance(request_id, int):
            try:
                self.editor.open_request(request_id)
            except StoreError:
                self.editor.open_new()

    def _new_request(self) -> None:
        self.editor.save_draft()
        self.editor.open_new()

    def save_drafts(self) -> None:
        self.editor.save_draft()
        self._store.repo.save_draft(WORKSPACE_DRAFT, {"request_id": self.editor.request_id})

    def clear(self) -> None:
        """Empties every view so nothing of a request stays on screen or in a model (SPEC S3)."""
        self.editor.clear()
        self.list_panel.clear()
