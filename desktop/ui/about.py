"""Help → About Disclosure Desk: versions, folders, keyring and cipher, with a button that copies them (issue 6).

The facts come from desktop.diagnostics (Qt-free, the same as `disclosure-desk diagnostics`; with the window
running it also reports the Qt version loaded). Nothing in it is secret or personal, so it is open while locked.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop import __version__
from desktop.diagnostics import Diagnostics, gather
from desktop.logging_setup import current_log_file, log_dir
from desktop.paths import resource_path
from desktop.store import KeyVault
from desktop.ui.widgets import ICON

SUMMARY = ("An offline desk for CBP attachés: foreign-authority requests through CBP Directive 4320-025B, "
           "redaction, encrypted packets and the DHS-191 accounting.")


class AboutDialog(QDialog):
    def __init__(self, data_dir: Path, vault: KeyVault, parent: QWidget | None = None,
                 log_folder: Path | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("About Disclosure Desk")
        self.setAccessibleName("About Disclosure Desk")
        current = current_log_file()
        self.diagnostics: Diagnostics = gather(data_dir, log_folder or (current.parent if current else log_dir()),
                                               vault)
        layout = QVBoxLayout(self)
        layout.addLayout(self._heading())
        self.table = self._table(self.diagnostics)
        layout.addWidget(self.table, 1)
        self.status = QLabel("")
        self.status.setAccessibleName("Copy status")
        layout.addWidget(self.status)
        layout.addWidget(self._buttons())
        self.resize(760, 520)

    def _heading(self) -> QHBoxLayout:
        row = QHBoxLayout()
        icon = QPixmap(str(resource_path(*ICON)))
        if not icon.isNull():
            picture = QLabel()
            picture.setPixmap(icon.scaled(64, 64, Qt.AspectRatioMode.KeepAspectRatio,
                                          Qt.TransformationMode.SmoothTransformation))
            picture.setAccessibleName("Disclosure Desk icon")
            row.addWidget(picture)
        title = QLabel(f"<b>Disclosure Desk {__version__}</b><br>{SUMMARY}")
        title.setWordWrap(True)
        title.setAccessibleName("Program name and version")
        row.addWidget(title, 1)
        return row

    def _table(self, found: Diagnostics) -> QTableWidget:
        rows = found.as_rows()
        table = QTableWidget(len(rows), 2)
        table.setTabKeyNavigation(False)  # Tab leaves the table; arrows move inside it
        table.setHorizontalHeaderLabels(["Item", "Value"])
        table.setAccessibleName("Diagnostics")
        table.setAccessibleDescription("Versions, folders, keyring and cipher; Copy puts them on the clipboard")
        table.verticalHeader().setVisible(False)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setWordWrap(True)
        for number, (name, value) in enumerate(rows):
            table.setItem(number, 0, QTableWidgetItem(name))
            item = QTableWidgetItem(value)
            item.setToolTip(value)
            table.setItem(number, 1, item)
        header = table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        return table

    def _buttons(self) -> QDialogButtonBox:
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.copy_button = QPushButton("&Copy")
        self.copy_button.setAccessibleName("Copy diagnostics to the clipboard")
        self.copy_button.clicked.connect(self.copy)
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        return buttons

    def text(self) -> str:
        return self.diagnostics.as_text()

    def copy(self) -> None:
        clipboard = QGuiApplication.clipboard()
        clipboard.setText(self.text())
        self.status.setText("Copied to the clipboard: paste it into your message to support.")
