"""Issue 3 in the window: a request typed in, the checklist following the typing, a finding leading to its field,
coordination records, the registries, list filters, import/export and the original request document."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from desktop.requests import load_request_file
from desktop.requests.form import Kind, values_of
from desktop.requests.model import Request
from desktop.store import Store
from desktop.store.registries import Authority, list_entries
from desktop.ui.registries import RegistriesDialog
from desktop.ui.workspace import Workspace
from tests.conftest import SCENARIOS

SCENARIO_03 = SCENARIOS / "03-oral-not-exigent.request.json"


def messages(workspace: Workspace) -> list[str]:
    workspace.assess_now()
    return [message for message, _state, _target in workspace.checklist.findings_shown()]


def type_request(qtbot, workspace: Workspace, request: Request) -> None:
    """Types every field as a user would: text by key presses, the rest through its own control."""
    for path, value in values_of(request).items():
        editor = workspace.editor.editors[path]
        if editor.spec.kind in (Kind.LINE, Kind.TEXT, Kind.COUNTRY) and value:
            editor.focus_target().setFocus()
            qtbot.keyClicks(editor.edit, value)  # type: ignore[attr-defined]
        elif value not in ("", None, False, []):
            editor.set_value(value)


def test_scenario_03_typed_in_shows_not_in_writing_then_turns_ready(qtbot, workspace: Workspace) -> None:
    scenario = load_request_file(SCENARIO_03)
    type_request(qtbot, workspace, scenario)
    assert workspace.editor.current_request() == replace(scenario, coordination=Request().coordination)
    qtbot.mouseClick(workspace.editor.save_button, Qt.MouseButton.LeftButton)
    request_id = workspace.editor.request_id
    assert request_id is not None, workspace.editor.status.text()
    # The scenario's record-owner confirmation is a coordination record: recorded on its own tab.
    row = workspace.coordination.rows["record_owner"]
    row.done.setChecked(True)
    qtbot.keyClicks(row.who, "TECS record owner, OFO")
    qtbot.mouseClick(row.save, Qt.MouseButton.LeftButton)

    workspace.assess_now()
    shown = workspace.checklist.findings_shown()
    assert "Needs action" in workspace.checklist.outcome.text()
    not_in_writing = [s for s in shown if s[2] == "reduced_to_writing_on" and s[1] == "needs action"]
    assert not_in_writing, shown
    assert "§8.1.1" in workspace.checklist.view.toPlainText()

    workspace.checklist.choose(not_in_writing[0][2])  # the finding's link
    focused = QApplication.focusWidget()
    date_editor = workspace.editor.editors["reduced_to_writing_on"]
    assert focused is not None and (focused is date_editor.edit or date_editor.isAncestorOf(focused))

    date_editor.set_value("2026-11-04")  # the written request arrived
    qtbot.waitUntil(lambda: "Ready" in workspace.checklist.outcome.text(), timeout=2000)  # live, before saving
    qtbot.mouseClick(workspace.editor.save_button, Qt.MouseButton.LeftButton)
    assert workspace.list_panel.model.data_for_tests()[0].outcome == "ready"
    assert workspace._store.repo.get_request(request_id).outcome == "ready"


def test_checklist_follows_typing_without_saving(qtbot, workspace: Workspace) -> None:
    assert any("information" in m.lower() for m in messages(workspace))
    qtbot.keyClicks(workspace.editor.editors["information_requested"].edit, "Crossing records for March")
    qtbot.waitUntil(lambda: not any(s[2] == "information_requested"
                                    for s in workspace.checklist.findings_shown()), timeout=2000)
    assert workspace._store.repo.count_requests() == 0, "nothing is saved until the user saves"


def test_half_typed_country_is_explained_not_crashed(qtbot, workspace: Workspace) -> None:
    qtbot.keyClicks(workspace.editor.editors["requesting_authority.country"].edit, "C")
    workspace.assess_now()
    assert "two-letter" in workspace.checklist.problem.text()
    qtbot.mouseClick(workspace.editor.save_button, Qt.MouseButton.LeftButton)
    assert "Not saved" in workspace.editor.status.text()
    assert workspace._store.repo.count_requests() == 0


def test_coordination_record_clears_its_finding_and_is_kept(qtbot, workspace: Workspace) -> None:
    request_id = workspace.import_file(SCENARIOS / "05-us-citizen-les-missing-routine-use.request.json")
    assert request_id is not None
    target = next(t for _m, _s, t in workspace.checklist.findings_shown() or
                  workspace.checklist.findings_shown() if t == "coordination:oia_deconfliction") \
        if workspace.assess_now() is None else None
    assert target == "coordination:oia_deconfliction"
    workspace.checklist.choose(target)
    assert workspace.tabs.currentWidget() is workspace.coordination
    row = workspace.coordination.rows["oia_deconfliction"]
    assert QApplication.focusWidget() is row.done
    row.done.setChecked(True)
    qtbot.keyClicks(row.who, "J. Ortiz, OIA")
    qtbot.keyClicks(row.reference, "OIA-DECON-2026-77")
    qtbot.mouseClick(row.save, Qt.MouseButton.LeftButton)
    assert "coordination:oia_deconfliction" not in [t for _m, _s, t in (workspace.assess_now() or
                                                                        workspace.checklist.findings_shown())]
    stored = workspace._store.repo.coordination_records(request_id)["oia_deconfliction"]
    assert stored["done"] and stored["who"] == "J. Ortiz, OIA" and stored["reference"] == "OIA-DECON-2026-77"
    actions = [row.action for row in workspace._store.repo.history("request", request_id)]
    assert actions[-1] == "coordination.set"
    workspace.history.show_request(request_id)
    assert workspace.history.table.rowCount() == len(actions)
    # Saving the facts afterwards must not undo the coordination record.
    qtbot.mouseClick(workspace.editor.save_button, Qt.MouseButton.LeftButton)
    assert workspace._store.repo.get_request(request_id).request.coordination.oia_deconfliction


def test_typed_coordination_survives_lock(qtbot, store: Store, workspace: Workspace) -> None:
    request_id = workspace.import_file(SCENARIOS / "01-cmaa-ready.request.json")
    qtbot.keyClicks(workspace.coordination.rows["occ"].note, "asked counsel by phone, awaiting memo")
    workspace.save_drafts()
    workspace.clear()
    again = Workspace(store)
    qtbot.addWidget(again)
    assert again.editor.request_id == request_id
    assert again.coordination.rows["occ"].note.text() == "asked counsel by phone, awaiting memo"
    assert "Restored" in again.coordination.status.text()


def test_registry_authority_marked_violated_blocks_its_requests(qtbot, workspace: Workspace,
                                                                tmp_path: Path) -> None:
    request_id = workspace.import_file(SCENARIOS / "01-cmaa-ready.request.json")
    request = workspace._store.repo.get_request(request_id).request
    assert workspace._store.repo.get_request(request_id).outcome == "ready"
    dialog = RegistriesDialog(workspace._store.repo)
    qtbot.addWidget(dialog)
    dialog.changed.connect(workspace.reload_registries)
    tab = dialog.pages[Authority]
    qtbot.keyClicks(tab.inputs["name"], request.authority_name)
    qtbot.keyClicks(tab.inputs["country"], "ca")
    tab.inputs["violated_assurances"].setChecked(True)
    qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    assert [a.country for a in list_entries(workspace._store.repo, Authority)] == ["CA"]
    assert workspace._store.repo.get_request(request_id).outcome == "blocked"
    assert workspace.list_panel.model.data_for_tests()[0].outcome == "blocked"
    assert any("§10.1" in m or "assurances" in m for m in messages(workspace))
    # A request imported later from the same authority is blocked too, whatever its file says.
    later_file = tmp_path / "later.json"
    later_file.write_text(SCENARIO_03.read_text().replace("OTT-2026-0142", "OTT-2026-0199"))
    later = workspace.import_file(later_file)
    assert later is not None
    assert workspace._store.repo.get_request(later).outcome == "blocked"


def test_picking_an_official_from_the_registry_fills_the_fields(qtbot, workspace: Workspace) -> None:
    from desktop.requests.model import OfficialPosition
    from desktop.store.registries import Official, save_entry

    save_entry(workspace._store.repo, Official("Laura Benitez", OfficialPosition.FURTHER_DELEGATE, 14, True))
    workspace.reload_registries()
    picker = workspace.editor.pickers[Official]
    picker.setCurrentIndex(1)
    picker.activated.emit(1)
    editors = workspace.editor.editors
    assert editors["disclosing_official.name"].value() == "Laura Benitez"
    assert editors["disclosing_official.position"].value() == "further_delegate"
    assert editors["disclosing_official.grade"].value() == 14
    assert editors["disclosing_official.supervisory"].value() is True


def test_list_filters_by_outcome_country_and_due_date(qtbot, workspace: Workspace) -> None:
    today = date.today()
    for path in sorted(SCENARIOS.glob("*.request.json")):
        request = load_request_file(path)
        # The scenarios' own needed-by date (2026-11-30) passes with the calendar: due far ahead, whatever today is.
        workspace._store.repo.add_request(replace(request, reference=f"{request.reference}-{path.name[:2]}",
                                                  needed_by=today + timedelta(days=365)))
    for days, ref in ((-2, "LATE"), (3, "SOON"), (60, "LATER")):
        workspace._store.repo.add_request(Request(reference=ref, needed_by=today + timedelta(days=days)))
    panel = workspace.list_panel
    panel.refresh()

    def choose(combo, data) -> int:
        combo.setCurrentIndex(combo.findData(data))
        combo.activated.emit(combo.currentIndex())
        return panel.model.total()

    choose(panel.outcome_filter, "blocked")
    blocked = {r.reference for r in panel.model.data_for_tests()}
    # Scenarios 04 and 08 are blocked by their facts; a bare request is blocked until it is filled in.
    assert {ref[-2:] for ref in blocked if "-" in ref} == {"04", "08"}
    assert blocked - {ref for ref in blocked if "-" in ref} == {"LATE", "SOON", "LATER"}
    assert choose(panel.outcome_filter, None) == 11
    assert choose(panel.country_filter, "MX") == 1
    choose(panel.country_filter, None)
    choose(panel.due_filter, "overdue")
    assert [r.reference for r in panel.model.data_for_tests()] == ["LATE"]
    assert "overdue" in panel.model.data(panel.model.index(0, 4))
    choose(panel.due_filter, 7)
    due_soon = [r.reference for r in panel.model.data_for_tests()]
    assert {"LATE", "SOON"} <= set(due_soon) and "LATER" not in due_soon
    soon_row = due_soon.index("SOON")
    assert "overdue" not in panel.model.data(panel.model.index(soon_row, 4))


def test_import_of_a_bad_file_says_why_and_stores_nothing(qtbot, workspace: Workspace, tmp_path: Path,
                                                          monkeypatch) -> None:
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _parent, _title, text: shown.append(text))
    bad = json.loads(SCENARIO_03.read_text())
    bad["channel"] = "carrier pigeon"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(bad))
    assert workspace.import_file(path) is None
    assert "channel" in shown[0] and "Nothing was added" in shown[0]
    assert workspace._store.repo.count_requests() == 0


def test_export_writes_the_interchange_json(qtbot, workspace: Workspace, tmp_path: Path) -> None:
    request_id = workspace.import_file(SCENARIO_03)
    out = tmp_path / "out.json"
    workspace.export_file(request_id, out)
    assert load_request_file(out) == load_request_file(SCENARIO_03)


def test_original_request_document_is_kept_and_bad_files_refused(qtbot, workspace: Workspace,
                                                                 tmp_path: Path) -> None:
    request_id = workspace.import_file(SCENARIO_03)
    letter = tmp_path / "request-letter.pdf"
    letter.write_bytes(b"%PDF-1.7\n% a scanned request letter\n%%EOF\n")
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    binary = tmp_path / "tool.exe"
    binary.write_bytes(b"MZ\x90\x00\x03\x00\x00\x00" * 10)
    assert workspace.attachments.attach(letter)
    assert not workspace.attachments.attach(empty)
    assert "empty" in workspace.attachments.status.text()
    assert not workspace.attachments.attach(binary)
    assert "not a PDF" in workspace.attachments.status.text()
    kept = workspace._store.repo.list_attachments(request_id)
    assert [(a.filename, a.media_type, a.kind) for a in kept] == [("request-letter.pdf", "application/pdf",
                                                                   "original_request")]
    assert workspace._store.repo.attachment_content(kept[0].id) == letter.read_bytes()
    assert workspace.attachments.table.rowCount() == 1


def test_the_list_is_read_once_when_shown_and_a_header_click_sorts_it(qtbot, store: Store, monkeypatch) -> None:
    """With 20,000 requests every read of a page costs; building the list used to read it four times."""
    from desktop.store.repository import Repository
    from desktop.ui.request_list import RequestListPanel

    for number, path in enumerate(sorted(SCENARIOS.glob("*.request.json"))[:3]):
        store.repo.add_request(replace(load_request_file(path), reference=f"OTT-2026-090{3 - number}"))
    reads: list[tuple[str, bool]] = []
    real = Repository.list_requests

    def counted(self: Repository, query=None):  # type: ignore[no-untyped-def]
        reads.append((query.order_by, query.descending))
        return real(self, query)

    monkeypatch.setattr(Repository, "list_requests", counted)
    panel = RequestListPanel(store.repo)
    qtbot.addWidget(panel)
    panel.show()
    assert reads == [("received_on", True)]
    header = panel.table.horizontalHeader()
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(header.sectionViewportPosition(0) + 5, 5))
    assert reads[-1] == ("reference", False)
    shown = [panel.model.index(row, 0).data() for row in range(panel.model.rowCount())]
    assert shown == ["OTT-2026-0901", "OTT-2026-0902", "OTT-2026-0903"]
