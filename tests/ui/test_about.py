"""Help → About Disclosure Desk (issue 6): versions, folders, keyring and cipher, copied as text; open while locked."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from PySide6.QtCore import Qt, qVersion
from PySide6.QtWidgets import QApplication, QPushButton

import desktop
from desktop.store import KeyVault, create_store
from desktop.ui.about import AboutDialog
from desktop.ui.app import AppWindow
from tests.conftest import CHEAP_KDF, PASSPHRASE


def rows(dialog: AboutDialog) -> dict[str, str]:
    table = dialog.table
    return {table.item(row, 0).text(): table.item(row, 1).text() for row in range(table.rowCount())}


def test_it_shows_versions_folders_keyring_and_cipher(qtbot, data_dir: Path, vault: KeyVault, tmp_path: Path
                                                      ) -> None:
    create_store(data_dir, PASSPHRASE, post_name="Ottawa", bates_prefix="OTT", use_keyring=True, vault=vault,
                 kdf=CHEAP_KDF).lock()
    dialog = AboutDialog(data_dir, vault, log_folder=tmp_path / "logs")
    qtbot.addWidget(dialog)
    shown = rows(dialog)
    assert shown["Disclosure Desk"] == desktop.__version__
    assert shown["Qt"] == qVersion()  # the Qt the window runs on
    assert shown["SQLCipher version"].startswith("4.")
    for component in ("Python", "PySide6", "sqlcipher3", "pypdfium2", "reportlab", "pypdf", "cryptography"):
        assert shown[component] and shown[component] != "unknown", component
    assert shown["Data folder"] == str(data_dir) and shown["Log folder"] == str(tmp_path / "logs")
    assert shown["Keyring holds the store key"] == "yes"
    assert "MemoryKeyring" in shown["Keyring backend"]


def test_copy_puts_the_same_facts_on_the_clipboard(qtbot, data_dir: Path, no_keyring_vault: KeyVault) -> None:
    dialog = AboutDialog(data_dir, no_keyring_vault)
    qtbot.addWidget(dialog)
    dialog.show()
    QApplication.clipboard().clear()
    qtbot.mouseClick(dialog.copy_button, Qt.MouseButton.LeftButton)
    copied = QApplication.clipboard().text()
    assert copied == dialog.text() and copied.startswith("Disclosure Desk diagnostics")
    for name, value in rows(dialog).items():
        assert f"{name}:" in copied and value in copied
    assert "Copied" in dialog.status.text()
    assert "no store yet" in copied and "(none usable)" in copied


def test_every_control_has_an_accessible_name(qtbot, data_dir: Path, no_keyring_vault: KeyVault) -> None:
    dialog = AboutDialog(data_dir, no_keyring_vault)
    qtbot.addWidget(dialog)
    assert dialog.table.accessibleName() == "Diagnostics"
    for button in dialog.findChildren(QPushButton):
        assert button.accessibleName() or button.text().replace("&", ""), button


def test_the_help_menu_opens_it_while_locked(qtbot, data_dir: Path, vault: KeyVault) -> None:
    window = AppWindow(data_dir, vault, create=partial(create_store, kdf=CHEAP_KDF))
    qtbot.addWidget(window)
    window.show()
    menus = {action.text(): action for action in window.menuBar().actions()}
    assert "&Help" in menus
    assert [a.text() for a in menus["&Help"].menu().actions()] == ["&About Disclosure Desk"]
    assert window.is_locked
    window.about_action.trigger()
    dialogs = window.findChildren(AboutDialog)
    assert len(dialogs) == 1 and dialogs[0].isVisible() and dialogs[0].isModal()
    assert rows(dialogs[0])["Data folder"].startswith(str(data_dir))
    dialogs[0].reject()

