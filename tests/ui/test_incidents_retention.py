"""Post → Privacy incidents… (§11), onward disclosure permissions (§8.1.5), "Record corrected…" (552a(c)(4)) and
Post → Retention and disposition… (§10.2.1, §10.2.2), in the window; and the lock takes every one of them away."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFileDialog

from desktop.accounting.incidents import list_incidents
from desktop.accounting.onward import permissions_for
from desktop.accounting.retention import dispositions
from desktop.store import KeyVault, Store
from desktop.store.registries import Agreement, authority_for, save_entry
from desktop.ui import window_state
from desktop.ui.app import AppWindow
from desktop.ui.onward_panel import Column as OnwardColumn
from desktop.ui.retention_dialog import Column as RetentionColumn
from desktop.ui.workspace import Workspace
from tests.accounting.helpers import acknowledge_all, disclose, two_subjects
from tests.packets.helpers import ready
from tests.ui.test_keyboard import LAPTOP, unnamed_focusable
from tests.ui.test_lock_cycle import visible_text

CBSA = ready().requesting_authority
assert CBSA is not None
CANARY = "Zyxincidentcanary forwarded to a provincial agency"


@pytest.fixture
def window(qtbot, store: Store, data_dir: Path, vault: KeyVault) -> Iterator[AppWindow]:
    app_window = AppWindow(data_dir, vault, idle_ms=600_000)
    qtbot.addWidget(app_window)
    app_window.show()
    app_window._enter(store)
    yield app_window
    app_window.lock()


def workspace_of(window: AppWindow) -> Workspace:
    assert window.workspace is not None
    return window.workspace


def save_to(monkeypatch: pytest.MonkeyPatch, path: Path) -> None:
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, **kwargs: (str(path), "Text (*.txt)"))


def open_request(store: Store, reference: str) -> int:
    return store.repo.add_request(replace(ready(), reference=reference))


def outcome_in_list(window: AppWindow, request_id: int) -> str | None:
    rows = workspace_of(window).list_panel.model.data_for_tests()
    return next(row.outcome for row in rows if row.id == request_id)


def test_an_incident_that_finds_violated_assurances_blocks_the_open_request_and_drafts_three_notifications(
        qtbot, store: Store, window: AppWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    save_entry(store.repo, Agreement(title=ready().agreement, kind="cmaa", country="CA",
                                     contact="CBSA liaison officer, Ottawa"))
    pending = open_request(store, "OTT-2026-0170")
    finalized = disclose(store, two_subjects())
    workspace_of(window).list_panel.refresh()
    assert outcome_in_list(window, pending) == "ready"
    assert window.privacy_actions.incidents_action.isEnabled()
    window.privacy_actions.incidents_action.trigger()
    dialog = window.privacy_actions.open_incidents()
    assert dialog is not None and dialog.isVisible() and dialog.incidents.count() == 0
    assert unnamed_focusable(dialog) == []
    form = dialog.form
    qtbot.keyClicks(form.description, CANARY)
    form.select_packet(finalized.packet_id)
    form.finding.setText("Onward disclosure without consent")
    assert form.warning.isHidden()
    form.violated.setChecked(True)
    assert not form.warning.isHidden()  # said before saving, naming the authority
    assert CBSA.name in form.warning.text() and "blocked" in form.warning.text()
    assert "block the authority" in dialog.save_button.text().replace("&", "")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    assert outcome_in_list(window, pending) == "blocked"  # the list, refreshed from the registry
    marked = authority_for(store.repo, CBSA.name, CBSA.country)
    assert marked is not None and marked.violated_assurances
    assert "its open requests are blocked" in dialog.problem.text()
    assert dialog.incidents.count() == 1 and "violated the assurances" in dialog.incidents.item(0).text()
    assert dialog.pages.currentWidget() is dialog.view and dialog.view.tabs.count() == 3
    drafts = dialog.view.drafts
    assert "PRIVACYINCIDENTS@CBP.DHS.GOV" in drafts["privacy_office"].plain_text()
    assert "Assistant Commissioner, Office of International Affairs" in drafts["ac_oia"].plain_text()
    assert drafts["attache"].plain_text().startswith("To: CBSA liaison officer, Ottawa")
    for draft in drafts.values():
        assert draft.text.isReadOnly() and CANARY in draft.plain_text()
    qtbot.mouseClick(drafts["ac_oia"].copy_button, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == drafts["ac_oia"].plain_text()
    save_to(monkeypatch, tmp_path / "oia.txt")
    qtbot.mouseClick(drafts["ac_oia"].save_button, Qt.MouseButton.LeftButton)
    assert (tmp_path / "oia.txt").read_text("utf-8") == drafts["ac_oia"].plain_text()
    assert "encrypted drive" in drafts["ac_oia"].status.text()
    assert store.repo.verify_audit().ok


def test_an_incident_is_refused_with_the_reason_and_nothing_is_recorded(qtbot, store: Store,
                                                                         window: AppWindow) -> None:
    dialog = window.privacy_actions.open_incidents()
    assert dialog is not None
    dialog.form.description.setPlainText("A misdirected e-mail.")
    dialog.form.violated.setChecked(True)
    assert "Choose the packet or the authority" in dialog.form.warning.text()
    assert dialog.save() is None
    assert "no authority is named" in dialog.problem.text() and list_incidents(store.repo) == []
    assert dialog.pages.currentIndex() == 0  # the form stays, with what was typed
    assert dialog.form.description.toPlainText() == "A misdirected e-mail."


def test_onward_permission_request_and_cbps_answer_are_listed_in_the_accounting_tab(
        qtbot, store: Store, window: AppWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    finalized = disclose(store, two_subjects())
    request_id = finalized.disclosure.request_id
    workspace = workspace_of(window)
    workspace.open_request(request_id)
    panel = workspace.accounting.onward
    assert panel.ask_button.isEnabled() and not panel.answer_button.isEnabled()
    asking = panel.open_request()
    assert asking is not None and unnamed_focusable(asking) == []
    assert asking.packet.currentData() == finalized.packet_id
    letter = tmp_path / "letter.pdf"
    letter.write_bytes(b"%PDF their letter")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *args, **kwargs: (str(letter), ""))
    qtbot.mouseClick(asking.attach_button, Qt.MouseButton.LeftButton)
    assert "letter.pdf" in asking.attached.text()
    asking.asked_by.setText("Inspector Marie-Claude Fortin")
    asking.save()
    assert "third_party" in asking.problem.text() and asking.isVisible()  # refused, the form stays
    asking.third_party.setText("Ontario Provincial Police")
    asking.purpose.setPlainText("The crossing history, for a joint investigation")
    asking.save()
    assert not asking.isVisible()
    assert panel.model.rowCount() == 1
    assert panel.model.index(0, OnwardColumn.SHARE_WITH).data() == "Ontario Provincial Police"
    assert panel.model.index(0, OnwardColumn.DECISION).data() == "awaiting CBP's answer"
    panel.table.selectRow(0)
    assert panel.answer_button.isEnabled()
    answering = panel.open_answer()
    assert answering is not None and unnamed_focusable(answering) == []
    answering.decision.setCurrentIndex(answering.decision.findData("granted"))
    answering.answered_by.setText("Laura Benitez")
    answering.answer.setText("Letter OTT-2027-014: for the joint investigation only")
    answering.save()
    assert not answering.isVisible()
    assert [panel.model.index(0, c).data() for c in (OnwardColumn.DECISION, OnwardColumn.ANSWERED_BY)] == [
        "granted", "Laura Benitez"]
    panel.table.selectRow(0)
    assert not panel.answer_button.isEnabled()  # answered once; a new request is a new line
    stored = permissions_for(store.repo, request_id)[0]
    assert stored.has_request_document and stored.packet_id == finalized.packet_id


def test_record_corrected_drafts_a_notice_for_every_recipient(qtbot, store: Store, window: AppWindow,
                                                               tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = disclose(store, two_subjects())
    other_authority = replace(CBSA, name="Canada Revenue Agency", address="555 Mackenzie Ave, Ottawa")
    disclose(store, replace(two_subjects("OTT-2026-0180"), requesting_authority=other_authority))  # same files
    workspace = workspace_of(window)
    workspace.open_request(first.disclosure.request_id)
    workspace.tabs.setCurrentWidget(workspace.accounting)
    assert workspace.accounting.record_corrected_button.isEnabled()
    qtbot.mouseClick(workspace.accounting.record_corrected_button, Qt.MouseButton.LeftButton)
    dialog = workspace.accounting.notices_dialog
    assert dialog is not None and dialog.isVisible() and unnamed_focusable(dialog) == []
    record_id = first.disclosure.records[0].record_id
    assert dialog.records.count() == 2
    dialog.select_record(record_id)
    assert dialog.recipients.count() == 2  # who would be told, before anything is recorded
    qtbot.mouseClick(dialog.record_button, Qt.MouseButton.LeftButton)
    assert "Describe the correction" in dialog.status.text()
    with store.repo.read() as conn:  # refused before anything was written
        assert conn.execute("SELECT corrected_at FROM records WHERE id = ?", (record_id,)).fetchone()[0] is None
    dialog.correction.setPlainText("The exit date of 12 March 2025 was wrong.")
    qtbot.mouseClick(dialog.record_button, Qt.MouseButton.LeftButton)
    assert len(dialog.notices) == 2 and "2 notice(s) drafted" in dialog.status.text()
    assert CBSA.name in dialog.recipients.item(0).text() and "Canada Revenue Agency" in dialog.recipients.item(1).text()
    assert "191 Laurier Avenue West" in dialog.notice.plain_text()
    dialog.recipients.setCurrentRow(1)
    text = dialog.notice.plain_text()
    assert "555 Mackenzie Ave" in text and "The exit date of 12 March 2025 was wrong." in text
    assert "crossings-0.pdf" in text
    save_to(monkeypatch, tmp_path / "notice.txt")
    qtbot.mouseClick(dialog.notice.save_button, Qt.MouseButton.LeftButton)
    assert (tmp_path / "notice.txt").read_text("utf-8") == text
    with store.repo.read() as conn:
        assert conn.execute("SELECT corrected_at FROM records WHERE id = ?", (record_id,)).fetchone()[0] == (
            date.today().isoformat())
    assert [a.action for a in store.repo.history("record", record_id)][-1] == "record.corrected"


def test_retention_lists_nothing_before_the_date_and_removes_only_on_confirmation(
        qtbot, store: Store, window: AppWindow) -> None:
    old = disclose(store, two_subjects("OTT-2019-0007"), on=date(2019, 3, 4))  # kept until 2024-03-04
    kept = disclose(store, two_subjects("OTT-2026-0142"))
    old_id = old.disclosure.request_id
    workspace = workspace_of(window)
    workspace.list_panel.refresh()
    workspace.open_request(old_id)
    actions = window.privacy_actions
    actions.today = lambda: date(2024, 3, 4)  # its last day: still kept
    dialog = actions.open_retention()
    assert dialog is not None and dialog.isVisible() and unnamed_focusable(dialog) == []
    assert dialog.model.rowCount() == 0 and "Nothing is past its retention date" in dialog.status.text()
    assert not dialog.remove_button.isEnabled()

    actions.today = lambda: None  # today, seven years on
    dialog = actions.open_retention()
    assert dialog is not None and dialog.model.rowCount() == 1
    assert dialog.model.index(0, RetentionColumn.REFERENCE).data() == "OTT-2019-0007"
    assert "Retention ended 2024-03-04" in dialog.model.index(0, RetentionColumn.WHY).data()
    assert "2 entries not acknowledged" in dialog.model.index(0, RetentionColumn.PRIVACY_OFFICE).data()
    dialog.table.selectRow(0)
    assert not dialog.remove_button.isEnabled()  # not without the confirmation
    dialog.confirm.setChecked(True)
    qtbot.mouseClick(dialog.remove_button, Qt.MouseButton.LeftButton)
    assert "Nothing was removed" in dialog.status.text() and "not acknowledged; export them" in dialog.status.text()
    assert not dialog.confirm.isChecked() and store.repo.get_request(old_id).request.reference == "OTT-2019-0007"

    acknowledge_all(store)  # headquarters has its copy (§10.2.1)
    dialog.refresh()
    dialog.table.selectRow(0)
    dialog.confirm.setChecked(True)
    qtbot.mouseClick(dialog.remove_button, Qt.MouseButton.LeftButton)
    assert "Removed 1 request(s)" in dialog.status.text() and dialog.model.rowCount() == 0
    assert [d[0] for d in dispositions(store.repo)] == ["OTT-2019-0007"]
    assert dialog.history.count() == 1 and "OTT-2019-0007" in dialog.history.item(0).text()
    assert store.repo.verify_audit().ok
    assert workspace.editor.request_id is None  # the open request was the one removed
    listed = [row.id for row in workspace.list_panel.model.data_for_tests()]
    assert old_id not in listed and kept.disclosure.request_id in listed


def test_lock_closes_and_empties_every_one_of_these_windows(qtbot, store: Store, window: AppWindow) -> None:
    finalized = disclose(store, two_subjects())
    workspace = workspace_of(window)
    workspace.open_request(finalized.disclosure.request_id)
    incidents = window.privacy_actions.open_incidents()
    assert incidents is not None
    incidents.form.description.setPlainText(CANARY)
    incidents.form.select_packet(finalized.packet_id)
    incidents.save()
    incidents.view.drafts["privacy_office"].copy()
    assert CANARY in QGuiApplication.clipboard().text()
    retention = window.privacy_actions.open_retention()
    assert retention is not None and not incidents.isVisible()  # one at a time
    incidents = window.privacy_actions.open_incidents()
    assert incidents is not None
    incidents.incidents.setCurrentRow(0)
    assert CANARY in incidents.view.drafts["attache"].plain_text()
    onward = workspace.accounting.onward.open_request()
    notices = workspace.accounting.open_record_corrected()
    assert onward is not None and notices is not None and notices.recipients.count() == 1

    window.lock()

    for dialog in (incidents, retention, onward, notices):
        assert not dialog.isVisible()
    assert incidents.incidents.count() == 0 and incidents.view.drafts["attache"].plain_text() == ""
    assert notices.recipients.count() == 0 and notices.records.count() == 0
    assert CANARY not in QGuiApplication.clipboard().text()  # what the dialog copied is taken back
    assert CANARY not in visible_text(window) and "Okafor" not in visible_text(window)
    assert not window.privacy_actions.incidents_action.isEnabled()
    assert not window.privacy_actions.retention_action.isEnabled()
    assert window.privacy_actions.open_incidents() is None and window.privacy_actions.open_retention() is None


def test_each_window_fits_a_laptop_screen(qtbot, store: Store, window: AppWindow) -> None:
    finalized = disclose(store, two_subjects())
    workspace = workspace_of(window)
    workspace.open_request(finalized.disclosure.request_id)
    room = window_state.default_size(LAPTOP)
    for dialog in (window.privacy_actions.open_incidents(), window.privacy_actions.open_retention(),
                   workspace.accounting.open_record_corrected(), workspace.accounting.onward.open_request()):
        assert dialog is not None
        needed = dialog.minimumSizeHint()
        assert needed.width() <= room.width() and needed.height() <= room.height(), type(dialog).__name__
        assert dialog.width() <= room.width() and dialog.height() <= room.height(), type(dialog).__name__
