"""Issue 14 in the window: a scanned record's pages are read with OCR from the page viewer on a worker, with
progress and Cancel (pages read before Cancel are kept); the suggestions then show, the subject's own marked as
such and a wrong check digit named."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QProgressDialog

from desktop.records import ocr
from desktop.records import store as records
from desktop.ui.page_viewer import READ_BY_OCR, UNREAD
from desktop.ui.workspace import Workspace
from tests.packets.helpers import ready
from tests.records.scans import image_only_pdf, scanned_page

LEFT = Qt.MouseButton.LeftButton
# Scenario 01's subject is Daniel R. Okafor, "CA passport HK482913": his passport is his own, the SIN is not.
PAGE_1 = ["Traveller: Daniel R. Okafor", "Passport: HK482913", "Companion NAS : 123-456-783"]
PAGE_2 = ["Second page: SSN 536-90-4399"]
PAGE_3 = ["Third page: CURP BOXW310820HNERXN09"]


def open_scan(qtbot, workspace: Workspace, tmp_path: Path) -> int:
    workspace.open_request(workspace._store.repo.add_request(ready()))
    workspace.tabs.setCurrentWidget(workspace.records)
    scan = tmp_path / "scanned_report.pdf"
    scan.write_bytes(image_only_pdf([scanned_page(lines, [], seed=seed)[0]
                                     for seed, lines in enumerate((PAGE_1, PAGE_2, PAGE_3))]))
    workspace.records.import_paths([scan])
    viewer = workspace.records.viewer
    qtbot.waitUntil(lambda: viewer.record is not None and viewer.view.has_image, timeout=20_000)
    record_id = workspace.records.selected_record_id()
    assert record_id is not None
    return record_id


def test_reading_scanned_pages_shows_their_suggestions(qtbot, workspace: Workspace, tmp_path: Path) -> None:
    record_id = open_scan(qtbot, workspace, tmp_path)
    viewer = workspace.records.viewer
    assert viewer.flag.isVisibleTo(viewer) and viewer.flag.text() == UNREAD
    assert viewer.read_button.isVisibleTo(viewer) and viewer.suggestions.count() == 0

    qtbot.mouseClick(viewer.read_button, LEFT)
    dialog = viewer.findChild(QProgressDialog)
    assert dialog is not None and dialog.labelText() == "Reading scanned pages", "progress, with Cancel"
    assert not viewer.read_button.isEnabled(), "one reading at a time"
    qtbot.waitUntil(lambda: viewer.record is not None and viewer.record.unread == (), timeout=30_000)

    items = [viewer.suggestions.item(i).text() for i in range(viewer.suggestions.count())]
    passport = [t for t in items if "Passport: HK482913" in t]
    sin = [t for t in items if "SIN: 123-456-783" in t]
    assert len(passport) == 1 and "the subject's own" in passport[0], items
    assert len(sin) == 1 and "check digit wrong" in sin[0] and "the subject's own" not in sin[0], items
    assert any("SSN: 536-90-4399" in t for t in items) and any("CURP" in t for t in items), "every page was read"
    assert all("read by OCR" in t for t in items)
    assert viewer.flag.text() == READ_BY_OCR and not viewer.read_button.isVisibleTo(viewer)
    assert records.unread_pages(workspace._store.repo, record_id) == []


def test_cancel_stops_reading_and_keeps_the_pages_read(qtbot, workspace: Workspace, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    record_id = open_scan(qtbot, workspace, tmp_path)
    viewer = workspace.records.viewer
    real, on_page_2, go_on = ocr.ocr_page, threading.Event(), threading.Event()

    def held(pdf: bytes, page: int, geometry: object = None) -> ocr.OcrPage:
        if page == 2:  # page 1 is read; page 2 waits until the test has pressed Cancel, then finishes
            on_page_2.set()
            go_on.wait(10)
        return real(pdf, page, geometry)  # type: ignore[arg-type]

    monkeypatch.setattr(ocr, "ocr_page", held)
    qtbot.mouseClick(viewer.read_button, LEFT)
    qtbot.waitUntil(on_page_2.is_set, timeout=30_000)
    dialog = viewer.findChild(QProgressDialog)
    assert dialog is not None and "page 2" in dialog.labelText()
    dialog.canceled.emit()  # what its Cancel button sends
    go_on.set()
    qtbot.waitUntil(lambda: "Reading stopped" in viewer.status.text(), timeout=30_000)
    qtbot.waitUntil(lambda: viewer.suggestions.count() > 0, timeout=15_000)

    assert records.unread_pages(workspace._store.repo, record_id) == [3], "pages 1 and 2 kept, page 3 not read"
    items = [viewer.suggestions.item(i).text() for i in range(viewer.suggestions.count())]
    assert any("Passport: HK482913" in t for t in items) and any("536-90-4399" in t for t in items)
    assert not any("CURP" in t for t in items)
    assert viewer.read_button.isVisibleTo(viewer) and viewer.read_button.isEnabled()
