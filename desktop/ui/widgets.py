"""Small reusable widgets and layout helpers."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QWidget


def centered(content: QWidget, max_width: int = 640) -> QWidget:
    """Holds `content` in a column of readable width, centred in whatever space the window gives."""
    holder = QWidget()
    content.setMaximumWidth(max_width)
    row = QHBoxLayout(holder)
    row.addStretch(1)
    row.addWidget(content, 100)
    row.addStretch(1)
    return holder
