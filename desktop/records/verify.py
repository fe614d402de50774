"""The redacted PDF is read back before anyone sees it (SPEC D3: "the output is checked by extracting its text
again"). Any failure raises RedactionError and nothing is returned. Messages never quote the redacted text: they
may end up in a log (SPEC S1)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence

from pypdf import PdfReader
from pypdf.errors import PdfReadError
from pypdf.generic import DictionaryObject, IndirectObject, StreamObject

from desktop.records import _pdfium
from desktop.records.model import RedactionError
from desktop.records.pdfbytes import pdf_reader

MIN_CHECKED = 4  # shorter runs ("a", "of", "CBP") occur anywhere and prove nothing
_FORBIDDEN_ROOT = ("/Outlines", "/AcroForm", "/Names", "/OpenAction", "/AA", "/Metadata", "/StructTreeRoot")
_FORBIDDEN_PAGE = ("/Annots", "/Thumb", "/AA", "/Metadata", "/PieceInfo")
_CODECS = ("latin-1", "utf-16-be")  # how a run can sit in a content stream as a literal string


def verify(out: bytes, page_count: int, covered: Mapping[int, tuple[str, ...]]) -> None:
    if out.count(b"%%EOF") != 1:
        raise RedactionError("The redacted PDF has more than one revision; nothing was saved. Report this as a defect.")
    try:
        with pdf_reader(out, strict=True) as reader:
            _check_structure(reader, page_count)
            streams = list(_stream_data(reader))
    except (PdfReadError, ValueError) as error:
        raise RedactionError(f"The redacted PDF does not read back ({error}); nothing was saved.") from error
    texts = _page_texts(out)
    for number in covered:
        if texts[number - 1].strip():
            raise RedactionError(f"Redaction failed its check: page {number} still has text after rasterizing. "
                                 "Nothing was saved; report this as a defect.")
    _check_gone(covered, [" ".join(t.split()) for t in texts], streams)


def _check_gone(covered: Mapping[int, tuple[str, ...]], texts: Sequence[str], streams: Sequence[bytes]) -> None:
    """Every covered run of four characters or more, on every page of the result and in every stream of it.

    Each run is looked for once in all the pages' text joined, and each of its encodings once in all the streams
    joined, instead of once per page and once per stream (120 runs by 200 pages and 200 streams was 0.2 s; this is
    0.04 s). It proves the same thing, both ways. Each page's text and each stream is a substring of its join, so a
    run absent from the join is absent from every page and every stream. A run present in a join is looked for
    again page by page and stream by stream, and only a hit there is an error: a match that only straddles two pages
    or two streams is not one, as it was not before. The runs go in the same order, so the same error comes first."""
    joined_text, joined_data = "\n".join(texts), b"".join(streams)
    for number, runs in covered.items():
        for run in (r for r in runs if len(r.replace(" ", "")) >= MIN_CHECKED):
            where = next((i + 1 for i, text in enumerate(texts) if run in text), None) if run in joined_text else None
            if where is not None:
                raise RedactionError(f"Text under a box on page {number} still appears on page {where} of the "
                                     f"result. If it must go, box it on page {where} too; if it may stay, narrow the "
                                     f"box on page {number}. Nothing was saved.")
            needles = {run.encode(codec, "ignore") for codec in _CODECS} - {b""}
            if any(needle in joined_data and any(needle in data for data in streams) for needle in needles):
                raise RedactionError(f"Text under a box on page {number} is still inside the result's data. Nothing "
                                     "was saved; report this as a defect.")


def _check_structure(reader: PdfReader, page_count: int) -> None:
    pages = reader.pages
    found = len(pages)
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


def _stream_data(reader: PdfReader) -> Iterator[bytes]:
    """Every stream of the file, decompressed, except image samples (pixels, where text cannot hide as text)."""
    numbers = {(n, gen) for gen, table in reader.xref.items() for n in table}
    numbers |= {(n, 0) for n in reader.xref_objStm}
    for number, generation in sorted(numbers):
        found = reader.get_object(IndirectObject(number, generation, reader))
        if isinstance(found, StreamObject) and not _is_image(found):
            yield found.get_data()


def _is_image(stream: DictionaryObject) -> bool:
    return stream.get("/Subtype") == "/Image"
