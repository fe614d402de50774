"""Issue 15: after unlock the request list's first rows come before anything else of the workspace. The facts tab
(the editor beside the checklist) is built once the list has been painted, every other tab the first time it is
shown; nothing typed is lost on the way, and lock still empties every view and keeps the drafts (SPEC S3)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from desktop.assessment import attach_rules
from desktop.requests.model import Request, RequestingAuthority
from desktop.store import KeyVault, create_store
from desktop.ui.app import AppWindow
from desktop.ui.coordination import CoordinationPanel
from desktop.ui.records_panel import RecordsPanel
from desktop.ui.request_editor import RequestEditor
from desktop.ui.workspace import TAB_INDEX, Workspace
from tests.conftest import CHEAP_KDF, PASSPHRASE
from tests.ui.steps import unlock
from tests.ui.test_lock_cycle import visible_text

CANARY = "Zyxlazycanary Border Agency"
TYPED = "Zyxlazytyped crossing records for March"
NOTED = "Zyxlazynoted memo 4320-17"


@pytest.fixture
def window(qtbot, data_dir: Path, vault: KeyVault) -> AppWindow:
    store = create_store(data_dir, PASSPHRASE, post_name="Ottawa", bates_prefix="OTT", use_keyring=False,
                         vault=vault, kdf=CHEAP_KDF)
    for number in range(3):
        store.repo.add_request(Request(requesting_authority=RequestingAuthority(f"{CANARY} {number}", "CA")))
    store.lock()
    app_window = AppWindow(data_dir, vault, idle_ms=600_000)
    qtbot.addWidget(app_window)
    app_window.resize(1280, 720)
    app_window.show()
    return app_window


def at_unlock(window: AppWindow) -> dict[str, Any]:
    """What the window holds the moment the unlocked store has reached it (connected after the window's own
    handler, as bench/startup_child.py is), before the event loop has come round again."""
    seen: dict[str, Any] = {}

    def look(_store: object) -> None:
        workspace = window.workspace
        assert workspace is not None
        seen.update(rows=workspace.list_panel.model.rowCount(), editors=len(window.findChildren(RequestEditor)),
                    records=len(window.findChildren(RecordsPanel)), workspace=workspace)

    window.unlock_page.unlocked.connect(look)
    return seen


def test_unlock_shows_the_rows_before_any_detail_panel_is_built(qtbot, window: AppWindow) -> None:
    seen = at_unlock(window)
    unlock(qtbot, window)
    assert seen["rows"] == 3, "the first rows are there when the window has the store"
    assert seen["editors"] == 0 and seen["records"] == 0, "no detail panel is built before the first rows"
    workspace = seen["workspace"]
    qtbot.waitUntil(lambda: len(window.findChildren(RequestEditor)) == 1)  # right after the list's first paint
    assert workspace.tabs.currentIndex() == 0 and workspace.tabs.currentWidget().isAncestorOf(workspace.editor)
    assert window.findChildren(RecordsPanel) == [], "a tab not shown yet is not built"

    workspace.tabs.setCurrentIndex(TAB_INDEX["records"])
    assert isinstance(workspace.tabs.currentWidget(), RecordsPanel), "shown, the tab is built in its place"
    assert workspace.tabs.currentWidget() is workspace.records
    assert workspace.tabs.tabText(TAB_INDEX["records"]) == "&Records"
    assert [workspace.tabs.tabText(i) for i in range(workspace.tabs.count())] == [
        "&Facts and checklist", "C&oordination", "&Documents", "&Records", "Pac&ket", "&Accounting", "&History"]


def test_choosing_a_request_before_the_editor_is_built_builds_it_and_shows_its_fields(qtbot, store) -> None:
    """A workspace never painted (nothing has built its facts tab yet): a row chosen builds it, with the request."""
    attach_rules(store)
    workspace = Workspace(store)
    qtbot.addWidget(workspace)
    request_id = store.repo.add_request(Request(requesting_authority=RequestingAuthority(CANARY, "CA")))
    workspace.list_panel.refresh()
    assert workspace.findChildren(RequestEditor) == []
    workspace.list_panel.request_chosen.emit(request_id)
    assert workspace.editor.request_id == request_id
    assert workspace.editor.editors["requesting_authority.name"].value() == CANARY
    assert workspace.findChildren(CoordinationPanel) == []
    workspace.tabs.setCurrentIndex(TAB_INDEX["coordination"])
    assert workspace.tabs.currentWidget() is workspace.coordination
    assert workspace.coordination.draft_key == f"coordination:{request_id}", "built late, it shows the open request"
    workspace.clear()


def test_lock_keeps_what_was_typed_in_a_tab_built_late_and_unlock_brings_it_back(qtbot, window: AppWindow) -> None:
    unlock(qtbot, window)
    workspace = window.workspace
    workspace.open_request(2)
    workspace.tabs.setCurrentIndex(TAB_INDEX["coordination"])  # built now, on first use
    row = workspace.coordination.rows["occ"]
    row.reference.setText(NOTED)  # typed, not recorded
    workspace.editor.editors["information_requested"].set_value(TYPED)  # typed, not saved

    window.lock()
    assert window.workspace is None
    assert NOTED not in visible_text(window) and TYPED not in visible_text(window), "lock empties the late tab too"
    qtbot.waitUntil(lambda: window.findChildren(CoordinationPanel) == [])  # and the workspace goes, with it

    unlock(qtbot, window)
    workspace = window.workspace
    qtbot.waitUntil(lambda: workspace.editor.request_id == 2)  # back at the request open when it locked
    assert workspace.editor.editors["information_requested"].value() == TYPED
    workspace.tabs.setCurrentIndex(TAB_INDEX["coordination"])
    assert workspace.coordination.rows["occ"].reference.text() == NOTED


def test_lock_before_the_facts_tab_is_built_keeps_the_request_to_come_back_to(qtbot, window: AppWindow) -> None:
    """Locked the moment it unlocked (the idle lock, say): the request open before and its draft are not lost to
    the editor that was never built in between."""
    unlock(qtbot, window)
    window.workspace.open_request(3)
    window.workspace.editor.editors["information_requested"].set_value(TYPED)
    window.lock()

    seen = at_unlock(window)

    def lock_at_once(_store: object) -> None:
        window.unlock_page.unlocked.disconnect(lock_at_once)
        window.lock()

    window.unlock_page.unlocked.connect(lock_at_once)  # before the list is even painted
    window.unlock_page.passphrase.setText(PASSPHRASE)
    window.unlock_page.unlock_button.click()
    qtbot.waitUntil(lambda: "workspace" in seen and window.is_locked, timeout=10_000)
    assert seen["editors"] == 0, "locked before the facts tab was built"

    unlock(qtbot, window)
    qtbot.waitUntil(lambda: window.workspace.editor.request_id == 3)
    assert window.workspace.editor.editors["information_requested"].value() == TYPED


def test_a_refused_passphrase_lets_what_the_click_paused_go_on(qtbot, data_dir: Path, vault: KeyVault) -> None:
    """The click pauses the modules loading behind the unlock screen (Argon2id needs the cores); a wrong passphrase
    gives the screen back, and the loading goes on while the user types again."""
    create_store(data_dir, PASSPHRASE, post_name="Ottawa", bates_prefix="OTT", use_keyring=False, vault=vault,
                 kdf=CHEAP_KDF).lock()
    window = AppWindow(data_dir, vault, idle_ms=600_000)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.unlock_page.painted):
        window.show()
    window.unlock_page.passphrase.setText("not the passphrase at all")
    window.unlock_page.unlock_button.click()  # in the same turn: the widget modules are still to come
    assert not window.background.done
    qtbot.waitUntil(lambda: "does not open" in window.unlock_page.message.text(), timeout=10_000)
    qtbot.waitUntil(lambda: window.background.done, timeout=30_000)
    assert window.is_locked
