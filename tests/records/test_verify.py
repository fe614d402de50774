"""The read-back check of a redacted PDF (SPEC D3) searches each covered run once in all pages' text joined and once
per encoding in all streams joined: it must find whatever a search page by page and stream by stream finds, name
the same page, and find nothing that is only made by joining."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfWriter
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

from desktop.records import RedactionError
from desktop.records.pdfbytes import pdf_reader
from desktop.records.verify import verify

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
