"""DHS-191 PDFs (SPEC A1) and the accounting for an individual (552a(c)(3)): (b)(7) disclosures marked in the
agency copy and left out of the individual's."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from desktop.accounting import entries
from desktop.accounting.dhs191_pdf import render_entry_pdf
from desktop.accounting.individual import (
    disclosures_of,
    find_individuals,
    individual_report,
    resolve_individual,
)
from desktop.accounting.texts import AccountingError
from desktop.store import Store
from tests.accounting.helpers import OKAFOR, SECOND, disclose, pdf_text, two_subjects


def pages(data: bytes) -> int:
    document = pdfium.PdfDocument(io.BytesIO(data))
    try:
        return len(document)
    finally:
        document.close()


def test_an_entry_prints_on_one_page_with_every_field_the_post_and_the_sha256(store: Store, tmp_path: Path) -> None:
    finalized = disclose(store, replace(two_subjects(), routine_use="G", sorn="DHS/CBP-011"))
    entry = entries(store.repo)[0]
    long_entry = replace(entry, purpose=entry.purpose + " More words." * 150)
    for shown in (entry, long_entry):
        data = render_entry_pdf(shown, "Ottawa", finalized.built.sha256)
        assert data.startswith(b"%PDF") and pages(data) == 1
    text = pdf_text(render_entry_pdf(entry, "Ottawa", finalized.built.sha256), tmp_path)
    for value in (entry.uuid, finalized.built.sha256, "Ottawa", entry.individual_name, entry.individual_identifier,
                  "2026-11-20", "2031-11-20", "OTT000001", "Laura Benitez", "encrypted PDF by e-mail",
                  "DHS/CBP-011", "CBP Attaché Office, Ottawa", "OTT-2026-0142", "Marie-Claude Fortin"):
        assert value in text, value


def test_individual_copy_leaves_out_b7_and_the_agency_copy_marks_it(store: Store, tmp_path: Path) -> None:
    disclose(store, two_subjects("OTT-2026-0142"), on=date(2026, 3, 1))
    disclose(store, two_subjects("OTT-2026-0160", law_enforcement=True), on=date(2026, 5, 2))
    okafor = resolve_individual(store.repo, OKAFOR.identifier)
    assert (okafor.name, okafor.disclosures, okafor.b7) == (OKAFOR.name, 2, 1)
    assert [e.b7 for e in disclosures_of(store.repo, okafor)] == [False, True]
    agency = pdf_text(individual_report(store.repo, okafor, for_individual=False), tmp_path)
    mine = pdf_text(individual_report(store.repo, okafor, for_individual=True), tmp_path)
    assert "Royal Canadian Mounted Police" in agency and "(b)(7) law-enforcement request" in agency
    assert "2026-05-02" in agency and "OTT-2026-0160" in agency
    assert "Royal Canadian Mounted Police" not in mine and "2026-05-02" not in mine and "(b)(7) law" not in mine
    assert "Canada Border Services Agency" in mine and "2026-03-01" in mine
    assert SECOND.name not in mine and SECOND.name not in agency  # one person's report only


def test_search_by_name_or_identifier_through_the_index(store: Store) -> None:
    disclose(store, two_subjects())
    assert [i.name for i in find_individuals(store.repo, "okaf")] == [OKAFOR.name]
    assert [i.name for i in find_individuals(store.repo, "amelie")] == [SECOND.name]  # accents ignored
    assert [i.name for i in find_individuals(store.repo, "GX550102")] == [SECOND.name]
    assert find_individuals(store.repo, 'passport" OR *') == []  # typed text is never FTS syntax
    with pytest.raises(AccountingError, match="2 individuals match"):
        resolve_individual(store.repo, "CA passport")
    with pytest.raises(AccountingError, match="No DHS-191 entry"):
        resolve_individual(store.repo, "Nobody")
    with store.repo.read() as conn:
        plan = " ".join(str(row) for row in conn.execute(
            "EXPLAIN QUERY PLAN SELECT rowid FROM dhs191_fts WHERE dhs191_fts MATCH 'okafor'"))
    assert "VIRTUAL TABLE INDEX" in plan
