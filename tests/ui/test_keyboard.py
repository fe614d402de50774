"""Issue 6, keyboard and accessibility: Tab walks the request editor field by field in form order, every control
that takes the focus has an accessible name, Tab follows each form top to bottom, the window fits a 1366x768
laptop and remembers its place, and the checklist's colours read on a dark palette as on a light one."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QAbstractSpinBox, QApplication, QComboBox, QWidget

from desktop.requests.model import Request, RequestingAuthority
from desktop.rules import evaluate
from desktop.store import KeyVault, create_store
from desktop.ui import window_state
from desktop.ui.app import AppWindow
from desktop.ui.checklist import DARK_COLOURS, LIGHT_COLOURS, ChecklistPanel
from desktop.ui.form_widgets import FieldEditor
from tests.conftest import CHEAP_KDF, PASSPHRASE
from tests.ui.steps import fill_passphrase, fill_post, unlock

LAPTOP = QRect(0, 0, 1366, 728)  # a 1366x768 screen less a 40-pixel taskbar
CANARY = "Zyxgeometrycanary Customs"


def new_window(qtbot, data_dir: Path, vault: KeyVault) -> AppWindow:
    """A window on a new data folder (the first-run wizard), shown and active so that it takes the focus."""
    window = AppWindow(data_dir, vault, create=partial(create_store, kdf=CHEAP_KDF))
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    assert window.first_run is not None
    return window


@pytest.fixture
def window(qtbot, data_dir: Path, vault: KeyVault) -> Iterator[AppWindow]:
    store = create_store(data_dir, PASSPHRASE, post_name="Ottawa", bates_prefix="OTT", use_keyring=False,
                         vault=vault, kdf=CHEAP_KDF)
    store.repo.add_request(Request(requesting_authority=RequestingAuthority(CANARY, "CA")))
    store.lock()
    app_window = AppWindow(data_dir, vault, idle_ms=600_000)
    qtbot.addWidget(app_window)
    app_window.show()
    app_window.activateWindow()
    qtbot.waitUntil(app_window.isActiveWindow)
    unlock(qtbot, app_window)
    app_window.workspace.open_request(1)
    yield app_window


def activated(qtbot, dialog: QWidget | None) -> QWidget:
    assert dialog is not None
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    return dialog


def tab_chain(qtbot, start: QWidget, stop: QWidget | None = None, limit: int = 400) -> list[QWidget]:
    """The widgets Tab visits from `start` until `stop`, or until it comes back to one already visited (repeats in
    a row, such as a date box walking its sections, count once)."""
    start.setFocus()
    assert QApplication.focusWidget() is start, f"{start.accessibleName()!r} does not take the focus"
    chain: list[QWidget] = []
    for _ in range(limit):
        current = QApplication.focusWidget()
        if chain and current is not chain[-1] and any(current is seen for seen in chain):
            return chain
        if not chain or current is not chain[-1]:
            chain.append(current)
        if current is stop:
            return chain
        qtbot.keyClick(current, Qt.Key.Key_Tab)
    raise AssertionError(f"Tab never came back round after {limit} presses: {describe(chain[-5:])}")


def describe(widgets: list[QWidget]) -> list[str]:
    return [f"{type(w).__name__}({w.accessibleName()!r})" for w in widgets]


def field_path(widget: QWidget) -> str | None:
    while widget is not None:
        if isinstance(widget, FieldEditor):
            return widget.spec.path
        widget = widget.parentWidget()
    return None


def unnamed_focusable(root: QWidget) -> list[str]:
    """Every widget under `root` that Tab can reach and that has no accessible name. The parts inside a combo or
    spin box, and widgets that hand their focus to another (focus proxies), are named by their owner."""
    missing = []
    for widget in [root, *root.findChildren(QWidget)]:
        if not widget.focusPolicy() & Qt.FocusPolicy.TabFocus or widget.focusProxy() is not None:
            continue
        if _inside_compound(widget, root) or widget.accessibleName().strip():
            continue
        parent = widget.parentWidget()
        missing.append(f"{type(widget).__name__} in {type(parent).__name__ if parent else None}")
    return missing


def _inside_compound(widget: QWidget, root: QWidget) -> bool:
    parent = widget.parentWidget()
    while parent is not None and parent is not root:
        if isinstance(parent, QComboBox | QAbstractSpinBox):
            return True
        parent = parent.parentWidget()
    return False


def assert_reading_order(chain: list[QWidget], root: QWidget, tolerance: int = 12) -> None:
    """Each next control is further down, or on the same line further right (left-to-right, top-to-bottom)."""
    inside = [w for w in chain if root.isAncestorOf(w)]
    points = [w.mapTo(root, QPoint(0, 0)) for w in inside]
    for (before, here), (a, b) in zip(zip(inside, inside[1:], strict=False), zip(points, points[1:], strict=False),
                                      strict=True):
        same_line = abs(b.y() - a.y()) <= tolerance
        assert b.y() > a.y() + tolerance or (same_line and b.x() > a.x()), \
            f"Tab goes from {describe([before])} at {a.toTuple()} back up or left to {describe([here])} at " \
            f"{b.toTuple()}"


def test_tab_from_the_first_field_visits_every_editor_field_in_form_order(qtbot, window: AppWindow) -> None:
    editor = window.workspace.editor
    editor.editors["third_agency"].set_value(True)  # its three fields are enabled only with it
    first = next(iter(editor.editors.values()))
    chain = tab_chain(qtbot, first.focusProxy() or first, stop=editor.save_button)
    visited: list[str] = []
    for widget in chain:
        path = field_path(widget)
        if path is not None and (not visited or visited[-1] != path):
            visited.append(path)
    assert visited == list(editor.editors), "every field, once each, in the order of the form"
    assert editor.save_button in chain, "Tab goes on from the last field to Save"


def test_tab_reaches_a_date_left_empty_and_leaves_it(qtbot, window: AppWindow) -> None:
    """Qt's date box kept the focus while it showed its "not given" text: a keyboard trap."""
    editor = window.workspace.editor
    date = editor.editors["received_on"]
    assert date.value() == ""
    chain = tab_chain(qtbot, date.focusProxy(), stop=editor.editors["channel"].focusProxy())
    assert chain[-1] is editor.editors["channel"].focusProxy()


def test_tab_never_gets_stuck_in_any_part_of_the_window(qtbot, window: AppWindow) -> None:
    """From the search box, Tab goes round every control of each tab of the request and comes back."""
    workspace = window.workspace
    for index in range(workspace.tabs.count()):
        workspace.tabs.setCurrentIndex(index)
        chain = tab_chain(qtbot, workspace.list_panel.search)
        assert workspace.tabs.tabBar() in chain, workspace.tabs.tabText(index)


def test_every_focusable_control_has_an_accessible_name(qtbot, window: AppWindow, data_dir: Path) -> None:
    window.workspace.go_to("coordination:record_owner")
    assert unnamed_focusable(window) == []
    for open_dialog in (window.open_registries, window.open_settings, window.open_backup, window.open_restore):
        dialog = open_dialog()
        assert dialog is not None
        assert unnamed_focusable(dialog) == [], type(dialog).__name__
        dialog.close()
    window.lock()
    assert unnamed_focusable(window.unlock_page) == []


def test_every_wizard_control_has_an_accessible_name(qtbot, tmp_path: Path, vault: KeyVault) -> None:
    window = new_window(qtbot, tmp_path / "new", vault)
    assert unnamed_focusable(window) == []


def test_tab_follows_each_form_top_to_bottom(qtbot, window: AppWindow) -> None:
    coordination = window.workspace.coordination
    window.workspace.tabs.setCurrentWidget(coordination)
    first_row = next(iter(coordination.rows.values()))
    assert_reading_order(tab_chain(qtbot, first_row.done), coordination)

    for open_dialog, first in ((window.open_settings, "idle_minutes"), (window.open_backup, "target"),
                               (window.open_restore, "source")):
        dialog = activated(qtbot, open_dialog())
        chain = tab_chain(qtbot, getattr(dialog, first))
        assert_reading_order(chain, dialog)
        assert len(chain) >= 3
        dialog.close()

    registries = activated(qtbot, window.open_registries())
    for page in registries.pages.values():
        registries.tabs.setCurrentWidget(page)
        assert_reading_order(tab_chain(qtbot, page.entries), page)
    registries.close()

    window.lock()
    activated(qtbot, window)
    chain = tab_chain(qtbot, window.unlock_page.passphrase)
    assert chain[:2] == [window.unlock_page.passphrase, window.unlock_page.unlock_button]


def test_wizard_pages_read_top_to_bottom(qtbot, tmp_path: Path, vault: KeyVault) -> None:
    wizard = new_window(qtbot, tmp_path / "new", vault).first_run
    fill_passphrase(qtbot, wizard)
    for page in wizard.pages[:-1]:
        assert wizard.current_page() is page
        if page is wizard.post_page:
            fill_post(qtbot, wizard)
        chain = tab_chain(qtbot, page.first_field())
        assert_reading_order(chain, wizard)
        assert wizard.next_button in chain, f"Next is reached by Tab on {page.title}"
        qtbot.keyClick(wizard.next_button, Qt.Key.Key_Space)
    assert wizard.current_page() is wizard.review_page and wizard.create_button.isEnabled()


def test_enter_in_a_wizard_field_goes_on(qtbot, tmp_path: Path, vault: KeyVault) -> None:
    wizard = new_window(qtbot, tmp_path / "new", vault).first_run
    fill_passphrase(qtbot, wizard)
    qtbot.keyClick(wizard.confirm, Qt.Key.Key_Return)
    assert wizard.current_page() is wizard.post_page
    assert QApplication.focusWidget() is wizard.post_name, "the new page's first field has the focus"


def test_the_window_fits_a_1366x768_laptop(window: AppWindow) -> None:
    size = window_state.default_size(LAPTOP)
    framed = size + window_state.FRAME_ALLOWANCE
    assert framed.width() <= LAPTOP.width() and framed.height() <= LAPTOP.height()
    assert size.width() >= 1200 and size.height() >= 640, "and uses the screen it has"
    needed = window.minimumSizeHint()
    assert needed.width() <= size.width() and needed.height() <= size.height(), needed
    for open_dialog in (window.open_registries, window.open_settings, window.open_backup, window.open_restore):
        dialog = open_dialog()
        assert dialog.height() + window_state.FRAME_ALLOWANCE.height() <= LAPTOP.height(), type(dialog).__name__
        dialog.close()


def test_geometry_is_remembered_and_holds_nothing_else(qtbot, window: AppWindow, data_dir: Path,
                                                        vault: KeyVault) -> None:
    window.lock()  # the offscreen test screen is small; the locked window may be smaller than the workspace
    window.resize(700, 500)
    window.close()
    stored = (data_dir / window_state.FILE_NAME).read_text("latin-1")
    assert set(line.split("=")[0] for line in stored.splitlines() if "=" in line) == {"geometry", "state"}
    assert "Zyx" not in stored and "Ottawa" not in stored
    again = AppWindow(data_dir, vault)
    qtbot.addWidget(again)
    assert (again.width(), again.height()) == (700, 500)


def test_a_first_window_takes_a_size_that_fits_its_screen(qtbot, tmp_path: Path, vault: KeyVault) -> None:
    window = AppWindow(tmp_path / "new", vault)
    qtbot.addWidget(window)
    expected = window_state.default_size(window.screen().availableGeometry())
    assert (window.width(), window.height()) == (expected.width(), expected.height())


def _luminance(colour: QColor) -> float:
    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(colour.redF()) + 0.7152 * channel(colour.greenF()) + 0.0722 * channel(colour.blueF())


def contrast(a: QColor, b: QColor) -> float:
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


@pytest.mark.parametrize(("base", "text", "colours"), [
    ("#ffffff", "#000000", LIGHT_COLOURS),
    ("#1e1e1e", "#ffffff", DARK_COLOURS),
    ("#2d2d2d", "#e0e0e0", DARK_COLOURS),
])
def test_checklist_colours_follow_the_palette(qtbot, base: str, text: str, colours: dict) -> None:
    panel = ChecklistPanel()
    qtbot.addWidget(panel)
    palette = QPalette(panel.palette())
    palette.setColor(QPalette.ColorRole.Base, QColor(base))
    palette.setColor(QPalette.ColorRole.Text, QColor(text))
    panel.setPalette(palette)
    panel.show_assessment(evaluate(Request()))
    html = panel.view.toHtml().lower()
    shown = [colour for colour in colours.values() if colour in html]
    assert shown, "the state colours of this palette are used"
    for colour in colours.values():
        assert contrast(QColor(colour), QColor(base)) >= 4.5, colour


def test_checklist_redraws_when_the_system_switches_to_dark(qtbot) -> None:
    panel = ChecklistPanel()
    qtbot.addWidget(panel)
    panel.show_assessment(evaluate(Request()))
    dark = QPalette(panel.palette())
    dark.setColor(QPalette.ColorRole.Base, QColor("#121212"))
    panel.setPalette(dark)
    html = panel.view.toHtml().lower()
    assert any(colour in html for colour in DARK_COLOURS.values())
    assert not any(colour in html for colour in LIGHT_COLOURS.values())


def test_no_style_sheet_fixes_one_colour_and_leaves_the_other_to_the_palette(window: AppWindow) -> None:
    """A text colour without its background (or the reverse) is unreadable on one of the two palettes."""
    assert QApplication.instance().styleSheet() == ""
    for widget in [window, *window.findChildren(QWidget)]:
        sheet = widget.styleSheet().lower().replace(" ", "")
        fixed_text = re.search(r"(^|[;{])color:(#|rgb)", sheet) is not None
        fixed_ground = re.search(r"background(-color)?:(#|rgb)", sheet) is not None
        assert fixed_text == fixed_ground, f"{type(widget).__name__}: {widget.styleSheet()}"
