"""Documents kept with the request: the original written request, §8.1.1 (kept encrypted in the store)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.requests.attachments import KINDS, AttachmentRefused, accept_attachment
from desktop.store import Repository, StoreError

FILE_FILTER = "Requests (*.pdf *.png *.jpg *.jpeg *.tif *.tiff *.eml *.msg *.txt);;All files (*)"


class AttachmentsPanel(QWidget):
    def __init__(self, repo: Repository, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._repo = repo
        self._request_id: int | None = None
        self.kind = QComboBox()
        self.kind.setAccessibleName("Kind of document")
        for value, text in KINDS.items():
            self.kind.addItem(text, value)
        self.attach_button = QPushButton("&Attach document…")
        self.attach_button.setAccessibleName("Attach a document to this request")
        self.attach_button.clicked.connect(self._choose)
        self.table = QTableWidget(0, 4)
        self.table.setAccessibleName("Documents kept with this request")
        self.table.setHorizontalHeaderLabels(["Document", "Kind", "Size", "Added"])
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)  # Tab leaves the table; arrows move inside it
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setAccessibleName("Attachments status")
        top = QHBoxLayout()
        top.addWidget(self.kind)
        top.addWidget(self.attach_button)
        top.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status)
        self.show_request(None)

    def show_request(self, request_id: int | None) -> None:
        self._request_id = request_id
        self.attach_button.setEnabled(request_id is not None)
        self.status.setText("Save the request first; then attach the request document." if request_id is None else "")
        self._fill()

    def _fill(self) -> None:
        rows = self._repo.list_attachments(self._request_id) if self._request_id is not None else []
        self.table.setRowCount(len(rows))
        for line, row in enumerate(rows):
            values = [row.filename, KINDS.get(row.kind, row.kind), f"{row.size / 1024:.0f} KB", row.added_at[:10]]
            for column, value in enumerate(values):
                self.table.setItem(line, column, QTableWidgetItem(value))

    def _choose(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "Attach the request document", "", FILE_FILTER)
        if name:
            self.attach(Path(name))

    def attach(self, path: Path) -> bool:
        if self._request_id is None:
            return False
        try:
            accepted = accept_attachment(path)
            self._repo.add_attachment(self._request_id, str(self.kind.currentData()), accepted.filename,
                                      accepted.media_type, accepted.content)
        except (AttachmentRefused, StoreError, OSError) as error:
            self.status.setText(f"Not attached. {error}")
            return False
        self.status.setText(f"Attached {accepted.filename}; it is kept encrypted in the store.")
        self._fill()
        return True

    def clear(self) -> None:
        self._request_id = None
        self.table.setRowCount(0)
