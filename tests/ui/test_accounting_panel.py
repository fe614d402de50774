"""The accounting tab and the Post menu's "Accounting for an individual…" (SPEC A1, A4, section 8)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from desktop.accounting import entries
from desktop.accounting.individual import find_individuals
from desktop.store import KeyVault, Store
from desktop.ui.accounting_panel import Column
from desktop.ui.app import AppWindow
from desktop.ui.workspace import Workspace
from tests.accounting.helpers import OKAFOR, disclose, pdf_text, two_subjects


def save_to(monkeypatch: pytest.MonkeyPatch, path: Path) -> None:
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, **kwargs: (str(path), "PDF (*.pdf)"))


def test_tab_lists_prints_and_corrects_the_requests_entries(qtbot, store: Store, workspace: Workspace,
                                                              tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    finalized = disclose(store, two_subjects())
    workspace.open_request(finalized.disclosure.request_id)
    panel = workspace.accounting
    assert workspace.tabs.tabText(workspace.tabs.indexOf(panel)) == "&Accounting"
    assert panel.model.rowCount() == 2 and not panel.print_button.isEnabled()
    assert panel.model.index(0, Column.INDIVIDUAL).data() == OKAFOR.name
    panel.select_row(0)
    assert panel.print_button.isEnabled() and panel.correct_button.isEnabled()
    save_to(monkeypatch, tmp_path / "entry.pdf")
    qtbot.mouseClick(panel.print_button, Qt.MouseButton.LeftButton)
    assert finalized.built.sha256 in pdf_text((tmp_path / "entry.pdf").read_bytes(), tmp_path)
    assert len(pdfium.PdfDocument(str(tmp_path / "entry.pdf"))) == 1
    dialog = panel.open_correction()
    assert dialog is not None
    dialog.fields["individual_identifier"].setText("CA passport HK482914")
    dialog.save()
    assert "reason" in dialog.problem.text() and dialog.isVisible()  # refused without a reason, dialog stays
    dialog.reason.setPlainText("Typo in the passport number")
    dialog.save()
    assert not dialog.isVisible()
    assert panel.model.rowCount() == 3
    states = [panel.model.index(row, Column.STATE).data() for row in range(3)]
    assert states[0] == "superseded (corrected)" and states[2] == "correction: Typo in the passport number"
    panel.select_row(0)
    assert not panel.correct_button.isEnabled()  # only the newest entry can be corrected
    workspace.clear()
    assert panel.model.rowCount() == 0


def test_individual_dialog_searches_lists_and_prints_the_individuals_copy(
        qtbot, store: Store, workspace: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    disclose(store, two_subjects("OTT-2026-0142"), on=date(2026, 3, 1))
    disclose(store, two_subjects("OTT-2026-0160", law_enforcement=True), on=date(2026, 5, 2))
    dialog = workspace.open_individual_accounting()
    qtbot.keyClicks(dialog.search, "HK4829")
    assert dialog.people.count() == 1
    dialog.people.setCurrentRow(0)
    assert dialog.model.rowCount() == 2 and dialog.model.index(1, Column.B7).data() == "yes"
    assert dialog.for_individual.isChecked()  # the safe default: the copy the person may receive
    save_to(monkeypatch, tmp_path / "report.pdf")
    qtbot.mouseClick(dialog.print_button, Qt.MouseButton.LeftButton)
    text = pdf_text((tmp_path / "report.pdf").read_bytes(), tmp_path)
    assert "2026-03-01" in text and "2026-05-02" not in text
    assert "1 (b)(7) disclosure(s) left out" in dialog.status.text()
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, **kwargs: ("", ""))
    assert dialog.print_report() is None  # cancelled: nothing written
    workspace.clear()
    assert dialog.people.count() == 0 and dialog.model.rowCount() == 0 and not dialog.isVisible()
    assert len(entries(store.repo)) == 4 and find_individuals(store.repo, "Okafor")


def test_post_menu_opens_the_dialog_and_locking_takes_it_away(qtbot, store: Store, data_dir: Path,
                                                               vault: KeyVault) -> None:
    window = AppWindow(data_dir, vault, idle_ms=60_000)
    qtbot.addWidget(window)
    assert not window.individual_action.isEnabled()
    window._enter(store)
    assert window.individual_action.isEnabled()
    window.individual_action.trigger()
    assert window.workspace is not None and window.workspace.individual_dialog is not None
    assert window.workspace.individual_dialog.isVisible()
    window.lock()
    assert not window.individual_action.isEnabled() and window.workspace is None
