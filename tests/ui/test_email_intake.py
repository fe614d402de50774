"""File → New request from e-mail… and an e-mail dropped on the request list (issue 14), in the real window."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox

from desktop.requests.model import AuthorityKind, Channel
from desktop.store import KeyVault, Store
from desktop.store.registries import Authority, list_entries, save_entry
from desktop.ui.app import AppWindow
from tests.requests.mail_fixtures import MsgAttachment, MsgMessage, build_eml, build_msg


@pytest.fixture
def window(qtbot, store: Store, data_dir: Path, vault: KeyVault) -> Iterator[AppWindow]:
    save_entry(store.repo, Authority(name="Canada Border Services Agency", country="CA",
                                     kind=AuthorityKind.CUSTOMS, official_domains=("cbsa-asfc.gc.ca",)))
    app_window = AppWindow(data_dir, vault, idle_ms=600_000)
    qtbot.addWidget(app_window)
    app_window.show()
    app_window._enter(store)
    yield app_window
    app_window.lock()


def drop(widget, paths: list[Path]) -> bool:
    """Drags files over the widget and drops them, as a file manager would; whether the drag was accepted."""
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(path)) for path in paths])
    action, buttons, keys = Qt.DropAction.CopyAction, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    enter = QDragEnterEvent(QPoint(10, 10), action, data, buttons, keys)
    QApplication.sendEvent(widget, enter)
    if not enter.isAccepted():
        return False
    QApplication.sendEvent(widget, QDropEvent(QPoint(10, 10).toPointF(), action, data, buttons, keys))
    return True


def test_the_file_menu_action_takes_in_an_outlook_message_as_a_draft(qtbot, window: AppWindow, store: Store,
                                                                    tmp_path: Path, monkeypatch) -> None:
    message = tmp_path / "Request.msg"
    message.write_bytes(build_msg(MsgMessage(attachments=[MsgAttachment("letter.pdf", b"%PDF-1.4\n")])))
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *args, **kwargs: (str(message), ""))
    file_menu = window.menuBar().actions()[0].menu()
    assert window.email_action in file_menu.actions() and window.email_action.isEnabled()

    window.email_action.trigger()
    workspace = window.workspace
    assert workspace is not None
    qtbot.waitUntil(lambda: workspace.list_panel.model.total() == 1, timeout=10_000)
    qtbot.waitUntil(lambda: workspace.editor.request_id is not None, timeout=10_000)
    shown = workspace.editor.current_request()
    assert shown.requester is not None and shown.requester.email == "claire.dubois@cbsa-asfc.gc.ca"
    assert shown.channel is Channel.OFFICIAL_EMAIL and shown.authority_name == "Canada Border Services Agency"
    assert "draft from the e-mail" in workspace.list_panel.notice.text()
    assert workspace.attachments.table.rowCount() == 2  # the message and its attachment, under Documents
    assert workspace.attachments.table.item(0, 0).text() == "Request.msg"

    window.lock()
    assert not window.email_action.isEnabled()


def test_an_eml_dropped_on_the_list_becomes_a_request_and_other_files_are_not_taken(qtbot, window: AppWindow,
                                                                                  store: Store,
                                                                                  tmp_path: Path) -> None:
    workspace = window.workspace
    assert workspace is not None
    notes = tmp_path / "notes.txt"
    notes.write_text("not an e-mail", "utf-8")
    assert not drop(workspace.list_panel, [notes]), "only .msg and .eml are offered for intake"

    message = tmp_path / "forwarded.eml"
    message.write_bytes(build_eml(sender="Agent <agent@gmail.com>").as_bytes())
    assert drop(workspace.list_panel, [message])
    qtbot.waitUntil(lambda: workspace.editor.request_id is not None, timeout=10_000)
    shown = workspace.editor.current_request()
    assert shown.requester is not None and shown.requester.email == "agent@gmail.com"
    assert shown.channel is None and shown.requesting_authority is None, "not an official address (fn 25)"
    assert [row.reference for row in store.repo.list_requests()] == [shown.reference]


def test_a_hostile_message_dropped_is_refused_with_the_reason_and_nothing_stored(qtbot, window: AppWindow,
                                                                               store: Store, tmp_path: Path,
                                                                               monkeypatch) -> None:
    warnings: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _parent, _title, text, *args: warnings.append(text))
    hostile = tmp_path / "request.msg"
    hostile.write_bytes(b"this is not an Outlook file")
    workspace = window.workspace
    assert workspace is not None
    assert drop(workspace.list_panel, [hostile])
    qtbot.waitUntil(lambda: bool(warnings), timeout=10_000)
    assert "request.msg is not an Outlook message" in warnings[0] and "Nothing of these messages" in warnings[0]
    assert store.repo.list_requests() == [] and workspace.list_panel.notice.text() == "No request was added."


def test_the_registry_keeps_an_authoritys_official_domains_and_refuses_a_bad_one(qtbot, window: AppWindow,
                                                                                store: Store) -> None:
    dialog = window.open_registries()
    assert dialog is not None
    page = dialog.pages[Authority]
    page.entries.setCurrentRow(0)
    domains = page.inputs["official_domains"]
    assert domains.text() == "cbsa-asfc.gc.ca"
    domains.setText("cbsa-asfc.gc.ca, @Pacific.CBSA-ASFC.gc.ca")
    page.save()
    assert list_entries(store.repo, Authority)[0].official_domains == ("cbsa-asfc.gc.ca", "pacific.cbsa-asfc.gc.ca")

    page.entries.setCurrentRow(0)
    page.inputs["official_domains"].setText("not a domain")
    page.save()
    assert page.status.text().startswith("Not saved.") and "fn 25" in page.status.text()
    assert list_entries(store.repo, Authority)[0].official_domains == ("cbsa-asfc.gc.ca", "pacific.cbsa-asfc.gc.ca")
    dialog.close()
