"""Post → Privacy incidents… and Post → Retention and disposition… (§11, §10.2): enabled while a store is open,
each opening its dialog (one at a time), both closed and emptied by the lock before the store closes (SPEC S3).

What the dialogs change reaches the workspace through its own methods: an authority marked as having violated the
assurances blocks requests in the list (reload_registries); a disposed-of request leaves it (forget_requests).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QMainWindow, QMenu

from desktop.store import Store
from desktop.ui.incidents_dialog import IncidentsDialog
from desktop.ui.retention_dialog import RetentionDialog

if TYPE_CHECKING:
    from desktop.ui.workspace import Workspace


class PrivacyActions(QObject):
    def __init__(self, window: QMainWindow, menu: QMenu, store_of: Callable[[], Store | None],
                 workspace_of: Callable[[], Workspace | None]) -> None:
        super().__init__(window)
        self._window, self._store_of, self._workspace_of = window, store_of, workspace_of
        self.today: Callable[[], date | None] = lambda: None  # the retention list's "today"; tests move it
        menu.addSeparator()
        self.incidents_action = menu.addAction("Privacy &incidents…", self.open_incidents)
        self.retention_action = menu.addAction("Re&tention and disposition…", self.open_retention)
        menu.aboutToShow.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        for action in (self.incidents_action, self.retention_action):
            action.setEnabled(self._store_of() is not None)

    def open_incidents(self) -> IncidentsDialog | None:
        store = self._store_of()
        if store is None:
            return None
        self.close_dialogs()  # one at a time
        dialog = IncidentsDialog(store.repo, self._window)
        dialog.authority_marked.connect(self._registry_changed)
        self._show(dialog)
        return dialog

    def open_retention(self) -> RetentionDialog | None:
        store = self._store_of()
        if store is None:
            return None
        self.close_dialogs()
        dialog = RetentionDialog(store.repo, self._window, today=self.today)
        dialog.disposed.connect(self._disposed)
        self._show(dialog)
        return dialog

    @staticmethod
    def _show(dialog: IncidentsDialog | RetentionDialog) -> None:
        dialog.setModal(True)
        dialog.show()

    def _registry_changed(self) -> None:
        workspace = self._workspace_of()
        if workspace is not None:
            workspace.reload_registries()

    def _disposed(self, request_ids: list[int]) -> None:
        workspace = self._workspace_of()
        if workspace is not None:
            workspace.forget_requests(request_ids)

    def close_dialogs(self) -> None:
        """Called by the lock before the store closes: the dialogs are emptied, then go."""
        dialogs: list[IncidentsDialog | RetentionDialog] = [*self._window.findChildren(IncidentsDialog),
                                                            *self._window.findChildren(RetentionDialog)]
        for dialog in dialogs:
            dialog.clear()
            dialog.close()
            dialog.deleteLater()
        self.refresh()
