"""A pypdf reader over a PDF in memory must not copy it: the packet path opens the same megabytes five times."""

from __future__ import annotations

import io
import os
import tracemalloc
from collections.abc import Callable

from pypdf import PdfReader, PdfWriter
from pypdf.generic import DecodedStreamObject, NameObject

from desktop.records.pdfbytes import pdf_reader

MB = 1_000_000


def big_pdf() -> bytes:
    """Two pages and a 4 MB stream that nothing reads when only the pages are counted."""
    writer = PdfWriter()
    writer.add_blank_page(612, 792)
    writer.add_blank_page(612, 792)
    ballast = DecodedStreamObject()
    ballast.set_data(os.urandom(4 * MB))
    writer.pages[0][NameObject("/Ballast")] = writer._add_object(ballast)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def peak_while_counting(open_reader: Callable[[], PdfReader]) -> int:
    tracemalloc.start()
    try:
        with open_reader() as reader:
            assert len(reader.pages) == 2
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_counting_pages_does_not_copy_the_file() -> None:
    data = big_pdf()
    # pypdf over a plain BytesIO copies it: the reason for pdf_reader (if a pypdf upgrade stops this, drop it).
    assert peak_while_counting(lambda: PdfReader(io.BytesIO(data))) > 4 * MB
    assert peak_while_counting(lambda: pdf_reader(data)) < MB
