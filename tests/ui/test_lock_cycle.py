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
from tests.ui.steps import complete_first_run, fill_passphrase

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
    complete_first_run(qtbot, window)


def test_first_run_refuses_weak_passphrase_and_mismatch(qtbot, window: AppWindow) -> None:
    page = window.first_run
    fill_passphrase(qtbot, page, "short")
    qtbot.keyClicks(page.confirm, "er")
    assert not page.next_button.isEnabled() and not page.create_button.isEnabled()
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


def test_lock_empties_the_records_and_packet_tabs(qtbot, data_dir: Path, vault: KeyVault, tmp_path: Path) -> None:
    from tests.packets.helpers import ready
    from tests.records.helpers import simple_pdf

    create_store(data_dir, PASSPHRASE, post_name="Ottawa", bates_prefix="OTT", use_keyring=False, vault=vault,
                 kdf=CHEAP_KDF).lock()
    window = AppWindow(data_dir, vault, idle_ms=60_000)
    qtbot.addWidget(window)
    window.show()
    qtbot.keyClicks(window.unlock_page.passphrase, PASSPHRASE)
    qtbot.keyClick(window.unlock_page.passphrase, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not window.is_locked, timeout=5_000)
    workspace = window.workspace
    request_id = window.store.repo.add_request(ready())
    workspace.open_request(request_id)
    record = tmp_path / "record.pdf"
    record.write_bytes(simple_pdf([[(72, 700, "Zyxrecordcanary SSN 512-34-8765")]]))
    workspace.records.import_paths([record])
    viewer = workspace.records.viewer
    qtbot.waitUntil(lambda: viewer.view.has_image, timeout=15_000)
    assert workspace.records.model.rowCount() == 1 and len(viewer.cache) == 1 and viewer.suggestions.count() == 1
    assert workspace.packet.findings.count() >= 1

    window.lock_action.trigger()

    assert workspace.records.model.rowCount() == 0 and workspace.packet.model.rowCount() == 0
    assert viewer.record is None and len(viewer.cache) == 0 and viewer.suggestions.count() == 0
    assert viewer.view.scene().items() == [], "no page image, box or suggestion left in the scene"
    assert workspace.packet.findings.count() == 0 and workspace.records.subjects.count() == 0
    assert "Zyxrecordcanary" not in visible_text(workspace) and "512-34" not in visible_text(workspace)
