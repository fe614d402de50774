"""A modal box nobody answers would hang the suite: any one a test did not expect fails it at once. And the
workspace the panel tests drive, on the test's real store."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QMessageBox

from desktop.assessment import attach_rules
from desktop.store import Store
from desktop.ui.workspace import Workspace


@pytest.fixture(autouse=True)
def _unexpected_message_boxes_fail(monkeypatch) -> None:
    def refuse(_parent, title, text, *args, **kwargs):
        raise AssertionError(f"unexpected message box {title!r}: {text}")

    for name in ("warning", "critical", "information", "question"):
        monkeypatch.setattr(QMessageBox, name, refuse)


@pytest.fixture
def workspace(qtbot, store: Store) -> Iterator[Workspace]:
    attach_rules(store)
    panel = Workspace(store)
    qtbot.addWidget(panel)
    panel.resize(1280, 720)
    panel.show()
    yield panel
    panel.clear()  # as the lock does: stops the panels' jobs and draft timers before the store closes
