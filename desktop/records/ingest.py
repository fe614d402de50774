"""Importing a record (SPEC D1): the file is sniffed, checked and made a PDF in memory, or refused with a reason.

Refused: empty, over the size limit, not a PDF/image/text, encrypted, damaged, too many pages, an image whose header
claims more pixels than allowed (checked before anything is decoded). A refusal changes nothing.
"""

from __future__ import annotations

import hashlib
from typing import Any

import pypdfium2.raw as pdfium_c
from pypdf.errors import PdfReadError

from desktop.jobs import JobControl
from desktop.records import _pdfium, convert, sniff
from desktop.records.model import Limits, PageInfo, RecordDocument, RecordRefused
from desktop.records.pages import has_text
from desktop.records.pdfbytes import pdf_reader

_PASSWORD_ERRORS = {pdfium_c.FPDF_ERR_PASSWORD, pdfium_c.FPDF_ERR_SECURITY}
_EOF_WINDOW = 2048  # readers look for %%EOF near the end; a copy cut short has none
DEFAULT_LIMITS = Limits()


def ingest(
    filename: str, data: bytes, limits: Limits = DEFAULT_LIMITS, control: JobControl | None = None, *,
    page_facts: bool = True,
) -> RecordDocument:
    """The record as a checked PDF with its page facts; raises RecordRefused (or Cancelled).

    With page_facts=False every check is made (each page is still loaded and measured) but `pages` is left empty:
    for a caller that only copies the pages on, as `packet build` does. Looking for each page's text layer, which
    only the page view shows, is three quarters of ingest's time (0.24 of 0.32 s for 200 pages of text)."""
    control = control or JobControl()
    name = filename or "The file"
    kind = _checked_kind(name, data, limits)
    if kind == sniff.PDF:
        _check_pdf_bytes(name, data)
        pdf = data
    elif kind == sniff.TEXT:
        pdf = convert.text_to_pdf(name, data.decode("utf-8"), limits, control)
    else:
        _check_header(name, kind, data, limits)
        pdf = convert.image_to_pdf(name, data, kind, limits, control)
    pages = _pages(name, pdf, limits, control, page_facts)
    _check_pypdf_agrees(name, pdf, len(pages))
    return RecordDocument(pdf, kind, len(pages), pages if page_facts else (), hashlib.sha256(data).hexdigest())


def _checked_kind(name: str, data: bytes, limits: Limits) -> str:
    if not data:
        raise RecordRefused(f"{name} is empty (0 bytes); check that it was saved or copied completely, and import it "
                            "again.")
    if len(data) > limits.max_bytes:
        raise RecordRefused(f"{name} is {len(data):,} bytes, over the {limits.max_bytes:,}-byte limit for one record; "
                            "split it into smaller files (or scan at a lower resolution) and import them.")
    kind = sniff.media_type(data)
    if kind is None:
        raise RecordRefused(_unknown_message(name, data))
    return kind


def _unknown_message(name: str, data: bytes) -> str:
    if sniff.is_utf16_text(data):
        return f"{name} is text saved as UTF-16; save it again as UTF-8 text (or print it to PDF) and import that."
    looks = " is named like a PDF but is not one (it does not begin with %PDF-)" if name.lower().endswith(".pdf") \
        else " is not a PDF, a PNG, JPEG or TIFF image, or UTF-8 text"
    return f"{name}{looks}; open it in the program that made it, save or print it as PDF, and import that."


def _check_header(name: str, kind: str, data: bytes, limits: Limits) -> None:
    size = sniff.header_size(kind, data)
    if size is not None:
        convert.check_pixels(name, size, limits)


def _check_pdf_bytes(name: str, data: bytes) -> None:
    if b"%%EOF" not in data[-_EOF_WINDOW:]:
        raise _damaged(name, "it ends before its end-of-file marker, as a download or copy cut short does")


def _check_pypdf_agrees(name: str, pdf: bytes, count: int) -> None:
    """Packets and redaction copy pages with pypdf: a file it reads differently from pdfium would fail there, later
    and less clearly."""
    try:
        with pdf_reader(pdf) as reader:
            found = len(reader.pages)
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as error:
        raise _damaged(name, "its structure is broken") from error
    if found != count:
        raise _damaged(name, f"its page tree is broken: {found} pages one way, {count} the other")


def _damaged(name: str, why: str) -> RecordRefused:
    return RecordRefused(f"{name} is a damaged PDF ({why}); get a fresh copy from its source and import it again.")


def _encrypted(name: str) -> RecordRefused:
    return RecordRefused(f"{name} is password-protected or encrypted; remove the password (or the protection) in the "
                         "program that made it, save it as a new PDF, and import it again.")


def _pages(name: str, pdf: bytes, limits: Limits, control: JobControl, text: bool) -> tuple[PageInfo, ...]:
    try:
        with _pdfium.document(pdf) as doc:
            count = _checked_count(name, doc, limits)
            return tuple(_page_info(name, doc, number, count, control, text) for number in range(1, count + 1))
    except _pdfium.PdfiumError as error:
        if getattr(error, "err_code", None) in _PASSWORD_ERRORS:
            raise _encrypted(name) from error
        raise _damaged(name, "pdfium cannot read it") from error


def _checked_count(name: str, doc: Any, limits: Limits) -> int:
    with _pdfium.LOCK:
        if _pdfium.security_revision(doc) != -1:
            raise _encrypted(name)
        if _pdfium.is_xfa_only(doc):
            raise RecordRefused(f"{name} is a dynamic XFA form, which only Adobe Reader can show; print it to PDF "
                                "from Adobe Reader and import that.")
        count = len(doc)
    if count < 1:
        raise _damaged(name, "it has no pages")
    if count > limits.max_pages:
        raise RecordRefused(f"{name} has {count:,} pages, more than the {limits.max_pages:,} a record may have; split "
                            "it into smaller files and import them one by one.")
    return count


def _page_info(name: str, doc: Any, number: int, count: int, control: JobControl, text: bool) -> PageInfo:
    control.step(number - 1, count, f"Checking page {number} of {count}")
    with _pdfium.LOCK:
        try:
            with _pdfium.page(doc, number) as pg:
                width, height = pg.get_size()
                readable = has_text(pg) if text else False
        except _pdfium.PdfiumError as error:
            raise _damaged(name, f"page {number} cannot be read") from error
    if not (width > 0 and height > 0):
        raise _damaged(name, f"page {number} has no size")
    return PageInfo(number, float(width), float(height), readable)
