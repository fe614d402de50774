"""Small reusable widgets and layout helpers."""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QAbstractItemView, QHBoxLayout, QHeaderView, QLabel, QTableView, QWidget

ICON = ("icons", "disclosure-desk.png")  # the window and About icon, under resources/


def centered(content: QWidget, max_width: int = 640) -> QWidget:
    """Holds `content` in a column of readable width, centred in whatever space the window gives."""
    holder = QWidget()
    content.setMaximumWidth(max_width)
    row = QHBoxLayout(holder)
    row.addStretch(1)
    row.addWidget(content, 100)
    row.addStretch(1)
    return holder


def rows_table(model: QAbstractItemModel, name: str, selection: QAbstractItemView.SelectionMode | None = None
               ) -> QTableView:
    """A table of `model` chosen by whole rows (one at a time unless `selection` says otherwise), its columns as wide
    as their contents and the last one the rest."""
    # The default is looked up here, not in the signature: PySide6 builds an enum on first access, and the unlock
    # screen imports this module before its first paint (issue 15).
    selection = QAbstractItemView.SelectionMode.SingleSelection if selection is None else selection
    table = QTableView()
    table.setTabKeyNavigation(False)  # Tab leaves the table; arrows move inside it
    table.setAccessibleName(name)
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(selection)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    return table


def outcome_label() -> QLabel:
    """Where the rules' outcome for the open request is shown, in bold: the first thing read on its panel."""
    label = QLabel()
    label.setWordWrap(True)
    label.setAccessibleName("Outcome")
    bold = QFont(label.font())
    bold.setBold(True)
    label.setFont(bold)
    return label


def wrapped_label(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    return label


def buddy_label(text: str, field: QWidget) -> QLabel:
    """A label whose mnemonic (the letter after &) moves the focus to `field`."""
    label = QLabel(text)
    label.setBuddy(field)
    return label
