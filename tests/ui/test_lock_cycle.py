"""Issue 2, in the window: first run, lock by idle timer, no request data visible while locked, unlock, and the
typed-but-unsaved text comes back as a draft."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QApplication, QLabel, QLineEdit, QPlainTextEdit, QWidget

from desktop.store import KeyVault, create_store
from desktop.ui.app import AppWindow
from tests.conftest import CHEAP_KDF, PASSPHRASE

CANARY_SAVED = "Zyxsavedcanary Border Agency"
CANARY_TYPED = "Zyxtypedcanary reason not yet saved"


def visible_text(root: QWidget) -> str:
    """Everything a person could read in the window: labels, fields, and every cell of every table."""
    parts: list[str] = []
    for widget in [root, *root.findChildren(QWidget)]:
        if isinstance(widget, QLabel):
            parts.append(widget.text())
        elif isinstance(widget, QLineEdit):
            parts.append(widget.text())
        elif isinstance(widget, QPlainTextEdit):
            parts.append(widget.toPlainText())
        elif isinstance(widget, QAbstractItemView) and widget.model() is not None:
            model = widget.model()
            for row in range(model.rowCount()):
                for column in range(model.columnCount()):
                    parts.append(str(model.data(model.index(row, column))))
    return "\n".join(parts)


@pytest.fixture
def window(qtbot, data_dir: Path, vault: KeyVault) -> AppWindow:
    app_window = AppWindow(data_dir, vault, create=partial(create_store, kdf=CHEAP_KDF), idle_ms=400)
    qtbot.addWidget(app_window)
    app_window.show()
    return app_window


def first_run(qtbot, window: AppWindow) -> None:
    page = window.first_run
    assert page is not None, "a new data folder must open on the first-run screen"
    assert not page.create_button.isEnabled()
    qtbot.keyClicks(page.passphrase, PASSPHRASE)
    qtbot.keyClicks(page.confirm, PASSPHRASE)
    qtbot.keyClicks(page.post_name, "Ottawa")
    qtbot.keyClicks(page.bates_prefix, "ott")
    assert page.meter.value() >= 60
    assert page.create_button.isEnabled(), page.problems.text()
    qtbot.mouseClick(page.create_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.store is not None, timeout=10_000)


def test_first_run_refuses_weak_passphrase_and_mismatch(qtbot, window: AppWindow) -> None:
    page = window.first_run
    qtbot.keyClicks(page.passphrase, "short")
    qtbot.keyClicks(page.confirm, "shorter")
    qtbot.keyClicks(page.post_name, "Ottawa")
    qtbot.keyClicks(page.bates_prefix, "OTT")
    assert not page.create_button.isEnabled()
    assert "at least 12 characters" in page.problems.text()
    assert "differ" in page.problems.text()


def test_idle_lock_hides_everything_and_unlock_restores_the_draft(qtbot, window: AppWindow, data_dir: Path) -> None:
    first_run(qtbot, window)
    assert (data_dir / "store.db").exists()
    editor = window.workspace.editor
    qtbot.keyClicks(editor.editors["requesting_authority.name"].edit, CANARY_SAVED)
    qtbot.keyClicks(editor.editors["requesting_authority.country"].edit, "ca")
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    assert window.workspace.list_panel.model.total() == 1
    editor.editors["reason"].edit.setPlainText(CANARY_TYPED)  # typed, not saved

    qtbot.waitUntil(lambda: window.is_locked, timeout=5_000)  # the idle timer, shortened to 0.4 s

    text = visible_text(window)
    assert "Zyxsavedcanary" not in text and "Zyxtypedcanary" not in text
    assert window.workspace is None and window.store is None

    qtbot.keyClicks(window.unlock_page.passphrase, "not the passphrase at all")
    qtbot.keyClick(window.unlock_page.passphrase, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "does not open" in window.unlock_page.message.text(), timeout=5_000)
    assert window.is_locked

    window.unlock_page.passphrase.clear()
    qtbot.keyClicks(window.unlock_page.passphrase, PASSPHRASE)
    qtbot.keyClick(window.unlock_page.passphrase, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not window.is_locked, timeout=5_000)

    editor = window.workspace.editor
    assert editor.editors["requesting_authority.name"].value() == CANARY_SAVED
    assert editor.editors["reason"].value() == CANARY_TYPED, "typed but unsaved text must survive the lock"
    assert "Restored" in editor.status.text()
    assert window.workspace.list_panel.model.total() == 1


def test_draft_survives_closing_the_window(qtbot, window: AppWindow, data_dir: Path, vault: KeyVault) -> None:
    first_run(qtbot, window)
    qtbot.keyClicks(window.workspace.editor.editors["information_requested"].edit, "Zyxcrash crossing records wanted")
    window.close()  # as on quitting or a session logout

    reopened = AppWindow(data_dir, vault, idle_ms=60_000)
    qtbot.addWidget(reopened)
    reopened.show()
    assert reopened.first_run is None
    qtbot.keyClicks(reopened.unlock_page.passphrase, PASSPHRASE)
    qtbot.keyClick(reopened.unlock_page.passphrase, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not reopened.is_locked, timeout=5_000)
    assert reopened.workspace.editor.editors["information_requested"].value() == "Zyxcrash crossing records wanted"


def test_keyring_unlocks_without_typing(qtbot, data_dir: Path, vault: KeyVault) -> None:
    create_store(data_dir, PASSPHRASE, post_name="Mexico City", bates_prefix="MEX", use_keyring=True, vault=vault,
                 kdf=CHEAP_KDF).lock()
    window = AppWindow(data_dir, vault, idle_ms=60_000)
    qtbot.addWidget(window)
    window.show()
    window.start()
    assert not window.is_locked
    assert "Mexico City" in window.windowTitle()


def test_lock_now_shortcut_locks(qtbot, window: AppWindow) -> None:
    first_run(qtbot, window)
    window.lock_action.trigger()
    assert window.is_locked
    assert QApplication.focusWidget() in (None, window.unlock_page.passphrase)
