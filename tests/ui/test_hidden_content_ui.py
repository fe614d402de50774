"""Issue 13 in the window: a box already drawn over text in a record is a suggestion of its own, and the packet's
status names the pages that went out as images for what could not be seen on them, and why."""

from __future__ import annotations

from pathlib import Path

from desktop.records import boxes
from desktop.ui.workspace import Workspace
from tests.packets import hiding
from tests.ui.test_records_packets import LEFT, import_record, open_request

FAKE = next(r for r in hiding.ROUTES if r.name == "text under a black box drawn over it")


def crafted(tmp_path: Path) -> Path:
    path = tmp_path / "blacked_out.pdf"
    path.write_bytes(hiding.record([FAKE]))
    return path


def test_a_box_drawn_over_text_is_suggested_as_still_there(qtbot, workspace: Workspace,  # noqa: F811
                                                           monkeypatch, tmp_path: Path) -> None:
    open_request(workspace)
    record_id = import_record(qtbot, workspace, monkeypatch, crafted(tmp_path))
    viewer = workspace.records.viewer
    shown = [viewer.suggestions.item(i).text() for i in range(viewer.suggestions.count())]
    found = [i for i, text in enumerate(shown) if "a box drawn over text: the text under it is still there" in text]
    assert len(found) == 1 and FAKE.canary in shown[found[0]], shown
    viewer.suggestions.setCurrentRow(found[0])
    qtbot.mouseClick(viewer.accept_button, LEFT)
    stored = boxes.list_boxes(workspace._store.repo, record_id)
    assert [(s.origin, s.state) for s in stored] == [("suggestion", "accepted")]
    box = stored[0].box
    assert box.x0 <= 73 and box.x1 >= 200 and box.y0 <= 601 and box.y1 >= 606  # over the covered line


def test_the_packet_status_names_the_pages_rebuilt_and_why(qtbot, workspace: Workspace,  # noqa: F811
                                                           monkeypatch, tmp_path: Path) -> None:
    open_request(workspace)
    import_record(qtbot, workspace, monkeypatch, crafted(tmp_path))
    viewer = workspace.records.viewer
    while viewer.suggestions.count():  # left as they are: the page is rebuilt anyway
        viewer.suggestions.setCurrentRow(0)
        qtbot.mouseClick(viewer.reject_button, LEFT)
    panel = workspace.packet
    workspace.tabs.setCurrentWidget(panel)
    assert panel.build_button.isEnabled(), panel.summary.text()
    qtbot.mouseClick(panel.build_button, LEFT)
    qtbot.waitUntil(lambda: panel.password_dialog is not None, timeout=60_000)
    status = panel.status.text()
    assert "1 page without boxes went out as images" in status
    assert "record 1, page 1 (OTT000001): 1 line of text that cannot be seen on the page (covered by something " \
           "drawn over it" in status
