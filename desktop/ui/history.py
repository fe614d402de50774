"""The request's history: what the audit log holds about it (SPEC S6), oldest first."""

from __future__ import annotations

import json

from PySide6.QtWidgets import QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

from desktop.store import Repository


class HistoryPanel(QWidget):
    def __init__(self, repo: Repository, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._repo = repo
        self.table = QTableWidget(0, 4)
        self.table.setAccessibleName("History of this request")
        self.table.setHorizontalHeaderLabels(["When (UTC)", "Who", "What", "Details"])
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.setTabKeyNavigation(False)  # Tab leaves the table; arrows move inside it
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)

    def show_request(self, request_id: int | None) -> None:
        entries = self._repo.history("request", request_id) if request_id is not None else []
        self.table.setRowCount(len(entries))
        for line, entry in enumerate(entries):
            values = [entry.at.replace("T", " ")[:19], entry.actor, entry.action, _describe(entry.detail)]
            for column, value in enumerate(values):
                self.table.setItem(line, column, QTableWidgetItem(value))
        self.table.resizeColumnsToContents()

    def clear(self) -> None:
        self.table.setRowCount(0)


def _describe(detail: str) -> str:
    try:
        values = json.loads(detail)
    except ValueError:
        return detail
    return "; ".join(f"{key}: {', '.join(map(str, v)) if isinstance(v, list) else v}" for key, v in values.items())
