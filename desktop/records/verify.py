"""The redacted PDF is read back before anyone sees it (SPEC D3: "the output is checked by extracting its text
again"). Any failure raises RedactionError and nothing is returned. Messages never quote the redacted text: they
may end up in a log (SPEC S1)."""

from __future__ import annotations

import io
from collections.abc import Iterator, Mapping

from pypdf import PdfReader
from pypdf.errors import PdfReadError
from pypdf.generic import DictionaryObject, IndirectObject, StreamObject

from desktop.records import _pdfium
from desktop.records.model import RedactionError

MIN_CHECKED = 4  # shorter runs ("a", "of", "CBP") occur anywhere and prove nothing
_FORBIDDEN_ROOT = ("/Outlines", "/AcroForm", "/Names", "/OpenAction", "/AA", "/Metadata", "/StructTreeRoot")
_FORBIDDEN_PAGE = ("/Annots", "/Thumb", "/AA", "/Metadata", "/PieceInfo")


def verify(out: bytes, page_count: int, covered: Mapping[int, tuple[str, ...]]) -> None:
    _check_structure(out, page_count)
    texts = _page_texts(out)
    for number in covered:
        if texts[number - 1].strip():
            raise RedactionError(f"Redaction failed its check: page {number} still has text after rasterizing. "
                                 "Nothing was saved; report this as a defect.")
    flat = [" ".join(t.split()) for t in texts]
    streams = list(_stream_data(out))
    for number, runs in covered.items():
        for run in (r for r in runs if len(r.replace(" ", "")) >= MIN_CHECKED):
            _check_gone(number, run, flat, streams)


def _check_gone(number: int, run: str, texts: list[str], streams: list[bytes]) -> None:
    where = next((i + 1 for i, text in enumerate(texts) if run in text), None)
    if where is not None:
        raise RedactionError(f"Text under a box on page {number} still appears on page {where} of the result. If it "
                             f"must go, box it on page {where} too; if it may stay, narrow the box on page {number}. "
                             "Nothing was saved.")
    needles = {run.encode(codec, "ignore") for codec in ("latin-1", "utf-16-be")} - {b""}
    if any(needle in data for needle in needles for data in streams):
        raise RedactionError(f"Text under a box on page {number} is still inside the result's data. Nothing was "
                             "saved; report this as a defect.")


def _check_structure(out: bytes, page_count: int) -> None:
    if out.count(b"%%EOF") != 1:
        raise RedactionError("The redacted PDF has more than one revision; nothing was saved. Report this as a defect.")
    try:
        reader = PdfReader(io.BytesIO(out), strict=True)
        pages = reader.pages
        found = len(pages)
    except (PdfReadError, ValueError) as error:
        raise RedactionError(f"The redacted PDF does not read back ({error}); nothing was saved.") from error
    if found != page_count:
        raise RedactionError(f"The redacted PDF has {found} pages instead of {page_count}; nothing was saved.")
    extra = [k for k in ("/Info", "/Prev", "/Encrypt") if k in reader.trailer]
    root = reader.trailer["/Root"].get_object()
    extra += [k for k in _FORBIDDEN_ROOT if isinstance(root, DictionaryObject) and k in root]
    extra += [k for page in pages for k in _FORBIDDEN_PAGE if k in page]
    if extra:
        raise RedactionError(f"The redacted PDF still carries {', '.join(sorted(set(extra)))}; nothing was saved. "
                             "Report this as a defect.")


def _page_texts(out: bytes) -> list[str]:
    texts = []
    with _pdfium.document(out) as doc, _pdfium.LOCK:
        for number in range(1, len(doc) + 1):
            with _pdfium.page(doc, number) as pg:
                textpage = pg.get_textpage()
                texts.append(str(textpage.get_text_range()))
                textpage.close()
    return texts


def _stream_data(out: bytes) -> Iterator[bytes]:
    """Every stream of the file, decompressed, except image samples (pixels, where text cannot hide as text)."""
    reader = PdfReader(io.BytesIO(out))
    numbers = {(n, gen) for gen, table in reader.xref.items() for n in table}
    numbers |= {(n, 0) for n in reader.xref_objStm}
    for number, generation in sorted(numbers):
        found = reader.get_object(IndirectObject(number, generation, reader))
        if isinstance(found, StreamObject) and not _is_image(found):
            yield found.get_data()


def _is_image(stream: DictionaryObject) -> bool:
    return stream.get("/Subtype") == "/Image"
