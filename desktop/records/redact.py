"""Real redaction (SPEC D3, §9.1): each page with a box is rasterized with the boxes burned in as solid black and
written back as an image-only page of the same size; pages without boxes stay vector; the result is a brand-new PDF
(desktop/records/rebuild.py) that is read back and checked (desktop/records/verify.py) before it is returned.

All in memory: a cancelled or failed redaction leaves nothing behind.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from pypdf import PdfReader
from pypdf.errors import PdfReadError

from desktop.jobs import JobControl
from desktop.records import _pdfium
from desktop.records.model import REASONS, Box, Rect, RedactionError
from desktop.records.pdfbytes import pdf_reader
from desktop.records.raster import RasterPage, rasterize
from desktop.records.rebuild import rebuild
from desktop.records.verify import verify

_TOLERANCE_PT = 1.0  # a box drawn to the very edge may stick out by rounding


def redact(pdf: bytes, boxes: Sequence[Box], dpi: int = 150, control: JobControl | None = None) -> bytes:
    """The redacted PDF; raises RedactionError for boxes that cannot be applied or a result that fails its check,
    desktop.jobs.Cancelled when cancelled."""
    control = control or JobControl()
    if not 72 <= dpi <= 600:
        raise RedactionError(f"The redaction resolution must be between 72 and 600 dpi, not {dpi}.")
    rasters: dict[int, RasterPage] = {}
    with _reader(pdf) as source:
        with _pdfium.document(pdf, forms=True) as doc:
            count = len(source.pages)
            by_page = _validated(doc, boxes, count)
            for number in range(1, count + 1):
                control.step(number - 1, count + 1, f"Redacting page {number} of {count}")
                if number in by_page:
                    rasters[number] = rasterize(doc, number, by_page[number], dpi)
        control.step(count, count + 1, "Checking the redacted PDF")  # the last step: build and read back
        out = rebuild(source, rasters)
    verify(out, count, {number: raster.covered for number, raster in rasters.items()})
    control.progress(count + 1, count + 1, "Redaction done and checked")
    return out


def _reader(pdf: bytes) -> PdfReader:
    try:
        reader = pdf_reader(pdf)
        if reader.is_encrypted:
            raise RedactionError("The record is an encrypted PDF; import it through ingest, which refuses such files.")
        if not reader.pages:
            raise RedactionError("The record has no pages.")
        return reader
    except (PdfReadError, ValueError, OSError) as error:
        raise RedactionError(f"The record is not a readable PDF ({error}); import it again.") from error


def _validated(doc: Any, boxes: Sequence[Box], count: int) -> dict[int, list[Box]]:
    """Boxes by page, each clipped to its page; any box that is wrong is an error naming it (and nothing is done)."""
    with _pdfium.LOCK:
        if len(doc) != count:
            raise RedactionError("The record reads differently in two PDF libraries (it is damaged); import it again.")
    by_page: dict[int, list[Box]] = {}
    bboxes: dict[int, Rect] = {}  # a page is loaded once for all its boxes
    for index, box in enumerate(boxes, start=1):
        if not isinstance(box.page, int) or not 1 <= box.page <= count:
            raise RedactionError(f"Box {index} is on page {box.page}, but the record has {count} page"
                                 f"{'s' * (count != 1)}.")
        by_page.setdefault(box.page, []).append(_checked(doc, index, box, bboxes))
    return by_page


def _checked(doc: Any, index: int, box: Box, bboxes: dict[int, Rect]) -> Box:
    if box.reason not in REASONS:
        raise RedactionError(f"Box {index} (page {box.page}) has reason {box.reason!r}; it must be one of "
                             f"{', '.join(REASONS)} (§9.1.1-§9.1.7).")
    coords = (box.x0, box.y0, box.x1, box.y1)
    if not all(isinstance(c, int | float) and math.isfinite(c) for c in coords) or box.x0 >= box.x1 \
            or box.y0 >= box.y1:
        raise RedactionError(f"Box {index} (page {box.page}) is not a rectangle: it needs x0 < x1 and y0 < y1 "
                             f"in points, and has {coords}.")
    if box.page not in bboxes:
        with _pdfium.LOCK, _pdfium.page(doc, box.page) as pg:
            left, bottom, right, top = (float(v) for v in pg.get_bbox())
        bboxes[box.page] = (left, bottom, right, top)
    left, bottom, right, top = bboxes[box.page]
    t = _TOLERANCE_PT
    if box.x0 < left - t or box.y0 < bottom - t or box.x1 > right + t or box.y1 > top + t:
        raise RedactionError(f"Box {index} (page {box.page}) reaches outside the page: the page spans "
                             f"({left:g}, {bottom:g}) to ({right:g}, {top:g}) points, the box {coords}.")
    return Box(box.page, max(box.x0, left), max(box.y0, bottom), min(box.x1, right), min(box.y1, top), box.reason)
