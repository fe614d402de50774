"""The checks of a redacted PDF (SPEC D3) search each covered run once in a batch of pages' text joined and once per
encoding in a batch of streams joined: they must find whatever a search page by page and stream by stream finds,
name the same page, and find nothing that is only made by joining; batches keep memory flat in page count."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfWriter
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

from desktop.records import RedactionError
from desktop.records import verify as check
from desktop.records.pdfbytes import pdf_reader
from desktop.records.verify import DataCheck, Placement, check_text

RUN = "A-204000017 ref 0040-17"  # text that was under a box on page 1


def bare_pdf(*contents: bytes) -> bytes:
    """One page per content stream, Helvetica as /F1, nothing else (no Info: the check refuses one)."""
    writer = PdfWriter()
    writer.metadata = None
    font = writer._add_object(DictionaryObject({NameObject("/Type"): NameObject("/Font"),
                                                NameObject("/Subtype"): NameObject("/Type1"),
                                                NameObject("/BaseFont"): NameObject("/Helvetica")}))
    for data in contents:
        page = writer.add_blank_page(612, 792)
        page[NameObject("/Resources")] = DictionaryObject({NameObject("/Font"): DictionaryObject({
            NameObject("/F1"): font})})
        stream = DecodedStreamObject()
        stream.set_data(data)
        page[NameObject("/Contents")] = writer._add_object(stream)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def verify(pdf: bytes, pages: int, covered: dict[int, tuple[str, ...]]) -> None:
    """Both checks over a whole PDF: its streams as they would have been written, then its pages read back."""
    data = DataCheck(covered)
    with pdf_reader(pdf) as reader:
        assert len(reader.pages) == pages
        for page in reader.pages:
            data.add(page.get_contents().get_data())
    whole = (0.0, 0.0, 612.0, 792.0)
    check_text(pdf, None, [Placement(n, n, whole, n in covered) for n in range(1, pages + 1)], covered)
    data.finish()


def text(line: str) -> bytes:
    return f"BT /F1 9 Tf 72 700 Td ({line}) Tj ET".encode("latin-1")


def test_a_run_left_as_text_is_found_on_the_first_page_that_shows_it() -> None:
    pdf = bare_pdf(b"", text("nothing here"), text(f"again {RUN} here"), text(f"{RUN} also"))
    with pytest.raises(RedactionError, match="still appears on page 3 of the result"):
        verify(pdf, 4, {1: (RUN,)})


@pytest.mark.parametrize("hidden", [RUN.encode("latin-1"), RUN.encode("utf-16-be")])
def test_a_run_left_only_in_the_data_is_found(hidden: bytes) -> None:
    pdf = bare_pdf(b"", text("nothing here"), b"% " + hidden + b"\n" + text("still nothing"))
    with pytest.raises(RedactionError, match="still inside the result's data"):
        verify(pdf, 3, {1: (RUN,)})


def test_what_only_joining_makes_is_not_a_hit() -> None:
    half = len(RUN) // 2
    # The run split across two streams in a row, and a run that would only match across two pages' text.
    pdf = bare_pdf(b"", text("ends with ALPHA") + b" % " + RUN[:half].encode(), RUN[half:].encode() + b"\n" +
                   text("BETA starts this"))
    with pdf_reader(pdf) as reader:
        assert len(reader.pages) == 3
    verify(pdf, 3, {1: (RUN, "ALPHA\nBETA")})


def test_short_runs_prove_nothing_and_are_not_searched() -> None:
    verify(bare_pdf(b"", text("CBP of a")), 2, {1: ("CBP", "of a")})


def test_batches_find_a_run_in_any_batch_and_on_the_right_page(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(check, "BATCH_PAGES", 2)
    monkeypatch.setattr(check, "BATCH_BYTES", 64)
    pdf = bare_pdf(b"", *[text(f"filler line {n}") for n in range(2, 7)], text(f"late {RUN}"))
    with pytest.raises(RedactionError, match="still appears on page 7 of the result"):
        check_text(pdf, None, [Placement(n, n, (0, 0, 612, 792), n == 1) for n in range(1, 8)], {1: (RUN,)})
    data = DataCheck({1: (RUN,)})
    for n in range(10):
        data.add(f"stream {n} ".encode() * 8)
    data.add(b"% " + RUN.encode("utf-16-be"))
    with pytest.raises(RedactionError, match="still inside the result's data"):
        data.finish()


def test_a_rasterized_page_with_text_left_is_refused() -> None:
    pdf = bare_pdf(text("an image page should have no text"))
    with pytest.raises(RedactionError, match="page 1 still has text after rasterizing"):
        check_text(pdf, None, [Placement(1, 1, (0, 0, 612, 792), True)], {1: ("whatever was boxed",)})


def test_only_the_records_area_of_a_page_is_its_text() -> None:
    """A packet page holds the record and, outside it, the marking bands: the bands' words are not the record's."""
    pdf = bare_pdf(text(RUN))  # drawn at y = 700
    check_text(pdf, None, [Placement(2, 1, (0, 0, 612, 600), False)], {1: (RUN,)})
    with pytest.raises(RedactionError, match="still appears on page 2 of the result"):
        check_text(pdf, None, [Placement(2, 1, (0, 0, 612, 792), False)], {1: (RUN,)})


HIDDEN_RUN = "CANARY-HIDDEN-RUN 0042"  # text that could not be seen on page 1, so page 1 was rebuilt as an image


def _text_at(y: int, text: str) -> bytes:
    return f"BT /F1 12 Tf 72 {y} Td ({text}) Tj ET".encode()


def test_text_that_could_not_be_seen_refuses_the_result_where_it_still_shows() -> None:
    result = bare_pdf(b"", _text_at(700, HIDDEN_RUN))  # page 1 rebuilt (no text), page 2 carries the run
    placements = [Placement(1, 1, (0, 0, 612, 792), True), Placement(2, 2, (0, 0, 612, 792), False)]
    with pytest.raises(RedactionError, match="could not be seen on page 1 of the record is still in the result, on "
                                             "page 2"):
        check_text(result, None, placements, {}, {1: (HIDDEN_RUN,)}, lambda number: "other words")


def test_text_hidden_on_one_page_may_show_where_the_record_shows_it() -> None:
    result = bare_pdf(b"", _text_at(700, HIDDEN_RUN))
    placements = [Placement(1, 1, (0, 0, 612, 792), True), Placement(2, 2, (0, 0, 612, 792), False)]
    check_text(result, None, placements, {}, {1: (HIDDEN_RUN,)}, lambda number: f"seen here: {HIDDEN_RUN}")
