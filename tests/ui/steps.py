"""What a user does on the way into the window, as steps the UI tests share: the first-run wizard and unlock."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from desktop.requests.model import OfficialPosition
from desktop.ui.app import AppWindow
from desktop.ui.first_run import FirstRunWizard
from tests.conftest import PASSPHRASE


def click(qtbot, button: QPushButton) -> None:
    assert button.isVisible() and button.isEnabled(), f"{button.text()!r} cannot be clicked"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def fill_passphrase(qtbot, wizard: FirstRunWizard, passphrase: str = PASSPHRASE) -> None:
    qtbot.keyClicks(wizard.passphrase, passphrase)
    qtbot.keyClicks(wizard.confirm, passphrase)


def fill_post(qtbot, wizard: FirstRunWizard, post: str = "Ottawa", prefix: str = "ott") -> None:
    qtbot.keyClicks(wizard.post_name, post)
    qtbot.keyClicks(wizard.bates_prefix, prefix)


def add_official(qtbot, wizard: FirstRunWizard, name: str, position: OfficialPosition, grade: int,
                 supervisory: bool, *, press_add: bool = True) -> None:
    page = wizard.officials_page
    qtbot.keyClicks(page.name, name)
    page.position.setCurrentIndex(page.position.findData(position.value))
    page.grade.setValue(grade)
    page.supervisory.setChecked(supervisory)
    if press_add:
        click(qtbot, page.add_button)


def complete_first_run(qtbot, window: AppWindow, *, certificate: Path | None = None, keyring: bool = False) -> None:
    """Every page of the wizard with the fewest answers, then Create; returns once the workspace is open."""
    wizard = window.first_run
    assert wizard is not None, "a new data folder must open on the first-run wizard"
    assert not wizard.create_button.isEnabled()
    fill_passphrase(qtbot, wizard)
    assert wizard.meter.value() >= 60
    click(qtbot, wizard.next_button)
    fill_post(qtbot, wizard)
    click(qtbot, wizard.next_button)
    click(qtbot, wizard.next_button)  # officials: optional
    if keyring:
        wizard.keyring.setChecked(True)
    click(qtbot, wizard.next_button)
    if certificate is not None:
        assert wizard.certificate.load_file(certificate), wizard.certificate.problem.text()
    click(qtbot, wizard.next_button)
    assert wizard.create_button.isEnabled(), wizard.problems.text()
    click(qtbot, wizard.create_button)
    qtbot.waitUntil(lambda: window.store is not None, timeout=10_000)


def unlock(qtbot, window: AppWindow, passphrase: str = PASSPHRASE) -> None:
    window.unlock_page.passphrase.clear()
    qtbot.keyClicks(window.unlock_page.passphrase, passphrase)
    qtbot.keyClick(window.unlock_page.passphrase, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not window.is_locked, timeout=10_000)
