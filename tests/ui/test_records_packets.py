"""Issue 4 in the window: records imported off the UI thread, a box drawn, moved and deleted with the mouse, a
suggestion accepted, a packet built with progress and read back with its password, a cancelled build that leaves
nothing, a refused file that changes nothing, and no packet while the rules hold the request."""

from __future__ import annotations

import threading
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QLabel, QMessageBox, QProgressDialog

from desktop.packets.finalize import list_packets, next_bates
from desktop.records import boxes
from desktop.records import store as records
from desktop.store import Store
from desktop.ui import operations
from desktop.ui.page_view import MarkKind
from desktop.ui.page_viewer import PageViewer
from desktop.ui.workspace import Workspace
from tests.packets.helpers import ready, scenario
from tests.records.helpers import image_bytes, simple_pdf

SSN = "512-34-8765"
EMAIL = "j.doe@example.org"
VISIBLE = "Second page stays as text"
LEFT = Qt.MouseButton.LeftButton


def record_file(tmp_path: Path, name: str = "tecs_crossings.pdf") -> Path:
    path = tmp_path / name
    path.write_bytes(simple_pdf([[(72, 700, f"Subject SSN {SSN}"), (72, 650, f"Contact {EMAIL}")],
                                 [(72, 700, VISIBLE)]]))
    return path


def open_request(workspace: Workspace, prefix: str = "01") -> int:
    request_id = workspace._store.repo.add_request(ready() if prefix == "01" else scenario(prefix))
    workspace.open_request(request_id)
    return request_id


def import_record(qtbot, workspace: Workspace, monkeypatch, path: Path) -> int:
    """Through the button and the (patched) file dialog, as a user would; waits for the first page to show."""
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *args, **kwargs: ([str(path)], ""))
    workspace.tabs.setCurrentWidget(workspace.records)
    qtbot.mouseClick(workspace.records.import_button, LEFT)
    qtbot.waitUntil(lambda: workspace.records.model.rowCount() == 1, timeout=15_000)
    viewer = workspace.records.viewer
    qtbot.waitUntil(lambda: viewer.record is not None and viewer.view.has_image, timeout=15_000)
    record_id = workspace.records.selected_record_id()
    assert record_id is not None
    return record_id


def press_drag_release(qtbot, viewer: PageViewer, start: tuple[float, float], end: tuple[float, float]) -> None:
    """A drag between two points in PDF page space (points from the bottom-left), with real mouse events."""
    assert viewer.record is not None
    geometry = viewer.record.geometry[viewer.page - 1]
    view = viewer.view
    a, b = view.point_for(*geometry.to_view(*start)), view.point_for(*geometry.to_view(*end))
    qtbot.mousePress(view.viewport(), LEFT, pos=a)
    qtbot.mouseMove(view.viewport(), pos=(a + b) / 2)
    qtbot.mouseMove(view.viewport(), pos=b)
    qtbot.mouseRelease(view.viewport(), LEFT, pos=b)


def audit_length(store: Store) -> int:
    with store.repo.read() as conn:
        return int(conn.execute("SELECT count(*) FROM audit_log").fetchone()[0])


def test_import_lists_the_record_with_its_pages(qtbot, workspace: Workspace, monkeypatch, tmp_path: Path) -> None:
    request_id = open_request(workspace)
    record_id = import_record(qtbot, workspace, monkeypatch, record_file(tmp_path))
    stored = records.get_record(workspace._store.repo, record_id)
    assert (stored.filename, stored.page_count, stored.source_system) == ("tecs_crossings.pdf", 2, "TECS")
    assert len(stored.subject_ids) == 1, "checked by default: the record concerns the request's subject"
    model = workspace.records.model
    assert [model.index(0, c).data() for c in (0, 1, 2)] == ["tecs_crossings.pdf", "2", "TECS"]
    viewer = workspace.records.viewer
    assert viewer.page_label.text() == "Page 1 of 2"
    assert not viewer.flag.isVisibleTo(viewer), "the page has text: suggestions can see it"
    assert workspace._store.repo.history("request", request_id)[-1].action == "record.import"


def test_a_scan_is_flagged_as_a_page_suggestions_cannot_see(qtbot, workspace: Workspace, tmp_path: Path) -> None:
    open_request(workspace)
    scan = tmp_path / "scan.png"
    scan.write_bytes(image_bytes("PNG", (600, 800)))
    workspace.records.import_paths([scan])
    viewer = workspace.records.viewer
    qtbot.waitUntil(lambda: viewer.view.has_image, timeout=15_000)
    assert viewer.flag.isVisibleTo(viewer) and "Suggestions cannot see this page" in viewer.flag.text()
    assert workspace.records.model.index(0, 1).data() == "1 (1 without text)"
    assert viewer.suggestions.count() == 0


def test_draw_move_and_delete_a_box_with_the_mouse(qtbot, workspace: Workspace, monkeypatch, tmp_path: Path) -> None:
    request_id = open_request(workspace)
    record_id = import_record(qtbot, workspace, monkeypatch, record_file(tmp_path))
    viewer = workspace.records.viewer
    repo = workspace._store.repo

    press_drag_release(qtbot, viewer, (100, 600), (300, 560))
    [drawn] = boxes.list_boxes(repo, record_id)
    box = drawn.box
    assert (box.page, drawn.origin, drawn.state, box.reason) == (1, "user", "accepted", "9.1.2")
    assert box.x0 == pytest.approx(100, abs=2) and box.x1 == pytest.approx(300, abs=2)
    assert box.y0 == pytest.approx(560, abs=2) and box.y1 == pytest.approx(600, abs=2)
    assert viewer.view.selected is not None and viewer.view.selected.kind is MarkKind.BOX

    index = viewer.reason.findData("9.1.1")
    viewer.reason.setCurrentIndex(index)
    viewer.reason.activated.emit(index)  # what choosing it in the list does
    assert boxes.list_boxes(repo, record_id)[0].box.reason == "9.1.1"

    press_drag_release(qtbot, viewer, (200, 580), (250, 480))  # grab the middle, drag right and down
    moved = boxes.list_boxes(repo, record_id)[0].box
    assert moved.x0 == pytest.approx(box.x0 + 50, abs=2) and moved.y0 == pytest.approx(box.y0 - 100, abs=2)
    assert moved.x1 - moved.x0 == pytest.approx(box.x1 - box.x0, abs=0.01)

    qtbot.keyClick(viewer.view, Qt.Key.Key_Delete)
    assert boxes.list_boxes(repo, record_id) == []
    actions = [entry.action for entry in repo.history("request", request_id)]
    assert actions[-4:] == ["redaction.add", "redaction.reason", "redaction.move", "redaction.delete"]


def test_draw_resize_select_and_delete_a_box_from_the_keyboard(qtbot, workspace: Workspace, monkeypatch,
                                                               tmp_path: Path) -> None:
    """Issue 6: keyboard-only operation of every screen, the page viewer included."""
    open_request(workspace)
    record_id = import_record(qtbot, workspace, monkeypatch, record_file(tmp_path))
    viewer = workspace.records.viewer
    repo = workspace._store.repo
    viewer.view.setFocus()

    qtbot.keyClick(viewer.view, Qt.Key.Key_Insert)
    [drawn] = boxes.list_boxes(repo, record_id)
    assert drawn.origin == "user" and drawn.box.page == 1
    width, height = drawn.box.x1 - drawn.box.x0, drawn.box.y1 - drawn.box.y0
    ctrl, shift = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.ShiftModifier
    qtbot.keyClick(viewer.view, Qt.Key.Key_Right, ctrl | shift)
    qtbot.keyClick(viewer.view, Qt.Key.Key_Down, ctrl)
    resized = boxes.list_boxes(repo, record_id)[0].box
    assert resized.x1 - resized.x0 == pytest.approx(width + 10, abs=0.5)
    assert resized.y1 - resized.y0 == pytest.approx(height + 1, abs=0.5)
    assert resized.x0 == pytest.approx(drawn.box.x0, abs=0.5), "resizing keeps the top-left corner"

    qtbot.keyClick(viewer.view, Qt.Key.Key_Escape)
    assert viewer.view.selected is None
    kinds = set()
    for _ in range(len(viewer.view.marks())):
        qtbot.keyClick(viewer.view, Qt.Key.Key_BracketRight)
        assert viewer.view.selected is not None
        kinds.add(viewer.view.selected.kind)
    assert kinds == {MarkKind.BOX, MarkKind.SUGGESTION}, "] reaches the suggestions as well as the box"
    while viewer.view.selected is None or viewer.view.selected.kind is not MarkKind.BOX:
        qtbot.keyClick(viewer.view, Qt.Key.Key_BracketRight)
    qtbot.keyClick(viewer.view, Qt.Key.Key_Delete)
    assert boxes.list_boxes(repo, record_id) == []


def test_a_click_without_a_drag_draws_nothing(qtbot, workspace: Workspace, monkeypatch, tmp_path: Path) -> None:
    open_request(workspace)
    record_id = import_record(qtbot, workspace, monkeypatch, record_file(tmp_path))
    press_drag_release(qtbot, workspace.records.viewer, (100, 600), (101, 599))
    assert boxes.list_boxes(workspace._store.repo, record_id) == []


def test_accept_one_suggestion_and_reject_another(qtbot, workspace: Workspace, monkeypatch, tmp_path: Path) -> None:
    open_request(workspace)
    record_id = import_record(qtbot, workspace, monkeypatch, record_file(tmp_path))
    viewer = workspace.records.viewer
    shown = [viewer.suggestions.item(i).text() for i in range(viewer.suggestions.count())]
    assert any(SSN in text and "SSN" in text for text in shown) and any(EMAIL in text for text in shown), shown
    dashed = [m for m in viewer.view.marks() if m.kind is MarkKind.SUGGESTION]
    assert len(dashed) == len(shown)

    viewer.suggestions.setCurrentRow(next(i for i, text in enumerate(shown) if SSN in text))
    assert viewer.view.selected is not None and viewer.view.selected.kind is MarkKind.SUGGESTION
    qtbot.mouseClick(viewer.accept_button, LEFT)
    viewer.suggestions.setCurrentRow(next(i for i in range(viewer.suggestions.count())
                                          if EMAIL in viewer.suggestions.item(i).text()))
    qtbot.mouseClick(viewer.reject_button, LEFT)

    stored = boxes.list_boxes(workspace._store.repo, record_id)
    assert sorted((s.origin, s.state, s.box.reason) for s in stored) == [
        ("suggestion", "accepted", "9.1.2"), ("suggestion", "rejected", "9.1.2")]
    assert viewer.suggestions.count() == 0
    assert [m.kind for m in viewer.view.marks()] == [MarkKind.BOX], "the accepted one is a box, the rejected gone"
    assert workspace.records.model.index(0, 5).data() == "1"


def test_build_packet_with_progress_and_read_it_back_with_the_password(qtbot, workspace: Workspace, monkeypatch,
                                                                       tmp_path: Path) -> None:
    request_id = open_request(workspace)
    record_id = import_record(qtbot, workspace, monkeypatch, record_file(tmp_path))
    viewer = workspace.records.viewer
    viewer.suggestions.setCurrentRow(next(i for i in range(viewer.suggestions.count())
                                          if SSN in viewer.suggestions.item(i).text()))
    qtbot.mouseClick(viewer.accept_button, LEFT)
    progress: list[tuple[int, int, str]] = []
    monkeypatch.setattr(operations, "_show_progress", lambda _dialog, *step: progress.append(step))

    panel = workspace.packet
    workspace.tabs.setCurrentWidget(panel)
    assert panel.build_button.isEnabled(), panel.summary.text()
    assert "OTT000001" in panel.summary.text()
    qtbot.mouseClick(panel.build_button, LEFT)
    qtbot.waitUntil(lambda: panel.password_dialog is not None, timeout=60_000)
    dialog = panel.password_dialog
    password = dialog.password.text()
    assert len(password) >= 16
    assert any("another channel" in label.text() and "§8.1.7, fn 27" in label.text()
               for label in dialog.findChildren(QLabel))
    labels = [label for _done, _total, label in progress]
    assert "Redacting record page 1 of 2 (OTT000001)" in labels and "Adding record page 2 of 2 (OTT000002)" in labels
    assert any("Checking the encrypted packet" in label for label in labels)
    assert all(0 <= done <= total for done, total, _ in progress)

    out, draft = tmp_path / "out" / "packet.pdf", tmp_path / "out" / "packet.eml"
    out.parent.mkdir()
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, **kwargs: (str(out), ""))
    qtbot.mouseClick(dialog.save_pdf_button, LEFT)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, **kwargs: (str(draft), ""))
    qtbot.mouseClick(dialog.save_eml_button, LEFT)
    assert b"X-Unsent: 1" in draft.read_bytes() and password.encode() not in draft.read_bytes()
    assert sorted(p.name for p in out.parent.iterdir()) == ["packet.eml", "packet.pdf"], "no other file, no temp"

    with pytest.raises(pdfium.PdfiumError):
        pdfium.PdfDocument(str(out))
    document = pdfium.PdfDocument(str(out), password=password)
    try:
        text = "\n".join(page.get_textpage().get_text_range() for page in document)
    finally:
        document.close()
    assert SSN not in text and "512-34" not in text, "the canary under the accepted box must be gone"
    assert VISIBLE in text, "a page without boxes keeps its text"

    qtbot.mouseClick(dialog.close_button, LEFT)
    qtbot.waitUntil(lambda: panel.password_dialog is None)
    [row] = list_packets(workspace._store.repo, request_id)
    assert (row.state, row.bates_first) == ("final", 1)
    assert panel.model.rowCount() == 1 and panel.model.index(0, 3).data().startswith("OTT000001")
    with workspace._store.repo.read() as conn:
        accounted = conn.execute("SELECT count(*) FROM dhs191_entries WHERE packet_id = ?", (row.id,)).fetchone()[0]
    assert accounted == 1, "one DHS-191 entry for the one subject the record concerns (SPEC A1)"
    assert records.get_record(workspace._store.repo, record_id).redactions == 1


def test_cancelled_build_leaves_nothing_behind(qtbot, workspace: Workspace, monkeypatch, tmp_path: Path) -> None:
    request_id = open_request(workspace)
    import_record(qtbot, workspace, monkeypatch, record_file(tmp_path))
    store = workspace._store
    started, go_on = threading.Event(), threading.Event()
    real = records.records_to_send

    def held(*args, **kwargs):  # the build waits here until the test has pressed Cancel
        started.set()
        go_on.wait(10)
        return real(*args, **kwargs)

    monkeypatch.setattr(records, "records_to_send", held)
    before = (audit_length(store), next_bates(store.repo, "OTT"))
    panel = workspace.packet
    qtbot.mouseClick(panel.build_button, LEFT)
    assert started.wait(10)
    progress_dialog = panel.findChild(QProgressDialog)
    assert progress_dialog is not None and progress_dialog.labelText() == "Building the packet"
    progress_dialog.canceled.emit()  # what its Cancel button sends
    go_on.set()
    qtbot.waitUntil(lambda: "Cancelled" in panel.status.text(), timeout=15_000)
    assert "no Bates numbers were taken" in panel.status.text()
    assert list_packets(store.repo, request_id) == []
    assert (audit_length(store), next_bates(store.repo, "OTT")) == before
    assert store.repo.get_request(request_id).status == "open"
    assert panel.password_dialog is None and panel.build_button.isEnabled()


def test_refused_files_say_why_and_leave_the_store_unchanged(qtbot, workspace: Workspace, monkeypatch,
                                                            tmp_path: Path) -> None:
    request_id = open_request(workspace)
    truncated, empty = tmp_path / "truncated.pdf", tmp_path / "empty.pdf"
    truncated.write_bytes(record_file(tmp_path).read_bytes()[:400])
    empty.write_bytes(b"")
    warnings: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _parent, _title, text, *args, **kwargs: warnings.append(text))
    before = audit_length(workspace._store)
    workspace.records.import_paths([truncated, empty])
    qtbot.waitUntil(lambda: bool(warnings), timeout=15_000)
    assert "truncated.pdf is a damaged PDF" in warnings[0] and "import it again" in warnings[0]
    assert "empty.pdf is empty" in warnings[0]
    assert records.list_records(workspace._store.repo, request_id) == []
    assert audit_length(workspace._store) == before
    assert workspace.records.model.rowCount() == 0 and "Not imported: 2 file(s)" in workspace.records.status.text()


def test_packet_button_is_off_while_the_request_needs_action(qtbot, workspace: Workspace, monkeypatch,
                                                             tmp_path: Path) -> None:
    request_id = open_request(workspace, "03")
    import_record(qtbot, workspace, monkeypatch, record_file(tmp_path))
    panel = workspace.packet
    assert not panel.build_button.isEnabled()
    assert panel.outcome.text().startswith("Needs action")
    findings = [panel.findings.item(i).text() for i in range(panel.findings.count())]
    assert findings[0].startswith("● needs action") and "(§8.1.1)" in findings[0]
    assert "finding(s) above hold the request" in panel.summary.text()
    panel.build()  # even called directly: nothing happens
    assert list_packets(workspace._store.repo, request_id) == []


def test_closing_the_password_unseen_asks_first_and_the_lock_does_not(qtbot, store: Store, monkeypatch) -> None:
    from desktop.packets.model import BuiltPacket
    from desktop.ui.password_dialog import PasswordDialog

    built = BuiltPacket("ABCD-EFGH-JKMN-PQRS-TV", "0" * 64, 3, "OTT", 1, 3, (), 90.0, encrypted_pdf=b"%PDF-encrypted")
    asked: list[str] = []
    answer = [QMessageBox.StandardButton.Cancel]

    def question(_parent, title, _text, *_args):
        asked.append(title)
        return answer[0]

    monkeypatch.setattr(QMessageBox, "question", question)
    dialog = PasswordDialog(store.repo, 1, scenario("01"), 7, built)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.mouseClick(dialog.close_button, LEFT)
    assert asked == ["Close without the password?"] and dialog.isVisible(), "Cancel keeps the password on screen"
    answer[0] = QMessageBox.StandardButton.Close
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert len(asked) == 2 and not dialog.isVisible() and dialog.password.text() == ""

    copied = PasswordDialog(store.repo, 1, scenario("01"), 7, built)
    qtbot.addWidget(copied)
    copied.show()
    qtbot.mouseClick(copied.copy_button, LEFT)
    qtbot.mouseClick(copied.close_button, LEFT)
    assert len(asked) == 2 and not copied.isVisible(), "once copied, Close closes"

    locked = PasswordDialog(store.repo, 1, scenario("01"), 7, built)
    qtbot.addWidget(locked)
    locked.show()
    locked.forget()
    assert len(asked) == 2 and not locked.isVisible(), "the idle lock never waits on a question"
