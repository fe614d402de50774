"""Real redaction (SPEC D3, §9.1): each page with a box is rasterized with the boxes burned in as solid black and
goes out as an image-only page of the same size; pages without boxes stay vector (desktop/records/rebuild.py) unless
they hold something a person looking at the page cannot see (desktop/records/visibility.py: invisible, covered,
off-page or tiny text, an image past the edge; rebuild.vector_plan: a layer that is off, data that cannot be
cleaned): such a page is rebuilt as an image too, and `rebuilt` says which and why, for the user.

`RecordPages` makes a record's pages one at a time into a PDF being written (desktop/records/pdfwriter.py): the
packet builder and `redact` both use it, so that no page is held once it is written and no whole clean copy of a
record is ever made. Before the first page is written, the text under every box is read (pdfium), and every stream
that then goes out from the record is searched for it; the finished file is read back and searched again
(desktop/records/verify.py). Everything stays in memory: a cancelled or failed redaction leaves nothing behind.
"""

from __future__ import annotations

import io
import math
from collections import deque
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from types import TracebackType
from typing import Any, BinaryIO

from pypdf import PdfReader
from pypdf.errors import PdfReadError
from pypdf.generic import (
    DecodedStreamObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    RectangleObject,
    StreamObject,
)

from desktop.jobs import JobControl
from desktop.records import _pdfium
from desktop.records.model import REASONS, Box, Rect, RedactionError
from desktop.records.optional import Layers
from desktop.records.pdfbytes import pdf_reader
from desktop.records.pdfwriter import Copier, ObjectWriter
from desktop.records.raster import covered_text, image_xobject, rasterize
from desktop.records.rebuild import raster_form, vector_form, vector_placement, vector_plan
from desktop.records.verify import DataCheck, Placement, check_text
from desktop.records.visibility import hidden_on_page

DPI = 150  # SPEC D3: 150-200 dpi
IN_FLIGHT = 3  # rendered pages waiting for their image to be compressed; each is 2-6 MB of pixels
_TOLERANCE_PT = 1.0  # a box drawn to the very edge may stick out by rounding


@dataclass(frozen=True)
class PlannedPage:
    number: int  # in the record, from 1
    box: Rect  # where the page's content lies in the new page's space, upright
    boxes: tuple[Box, ...]  # its redaction boxes, clipped to the page; none: it stays vector


class RecordPages:
    """A record's pages for `writer`, each drawn by one form XObject: `pages` says what is coming (sizes for the
    marking bands), `form` writes one, `finish` ends the data check. Use it in a `with`."""

    def __init__(self, writer: ObjectWriter, pdf: bytes, boxes: Sequence[Box], dpi: int = DPI):
        if not 72 <= dpi <= 600:
            raise RedactionError(f"The redaction resolution must be between 72 and 600 dpi, not {dpi}.")
        self._writer, self._pdf, self._boxes, self._dpi = writer, pdf, boxes, dpi
        self._reader: PdfReader | None = None
        self._doc_context: Any = None
        self._doc: Any = None
        self.pages: list[PlannedPage] = []
        self.covered: dict[int, tuple[str, ...]] = {}  # text under the boxes, by page
        self.rebuilt: dict[int, tuple[str, ...]] = {}  # pages without boxes rebuilt as images: why, for the user
        self.hidden: dict[int, tuple[str, ...]] = {}  # the text that could not be seen on those pages
        self._layers: Layers | None = None
        self._source_texts: dict[int, str] = {}
        self._check = DataCheck({})
        self._copier: Copier | None = None
        # Compressing a page image (25 ms at 150 dpi) runs on workers while pdfium renders the next page and the
        # vector pages are copied: zlib and PIL let go of the GIL. The image is written when done, in page order.
        self._encoders = ThreadPoolExecutor(max_workers=2, thread_name_prefix="page-image")
        self._images: deque[tuple[IndirectObject, Future[StreamObject]]] = deque()

    def __enter__(self) -> RecordPages:
        self._reader = _reader(self._pdf)
        self._doc_context = _pdfium.document(self._pdf, forms=True)
        self._doc = self._doc_context.__enter__()
        try:
            by_page = validated_boxes(self._doc, self._boxes, len(self._reader.pages))
            self.covered = {number: covered_text(self._doc, number, on_page) for number, on_page in by_page.items()}
            self._check = DataCheck(self.covered)
            self._copier = Copier(self._writer, self._reader, self._inspect)
            self._layers = Layers(self._reader)
            count = len(self._reader.pages)
            self.pages = [self._plan(number, by_page.get(number, [])) for number in range(1, count + 1)]
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        """Writes the images still being compressed (when all went well) and closes the record."""
        try:
            if kind is None:
                self._write_images(keep=0)
        finally:
            self._encoders.shutdown(wait=True, cancel_futures=True)
            self._images.clear()
            if self._reader is not None:
                self._reader.close()
            if self._doc_context is not None:
                self._doc_context.__exit__(kind, error, tb)

    def form(self, planned: PlannedPage) -> IndirectObject:
        """Writes the form XObject that draws the page (and all it needs); its /BBox is `planned.box` upright."""
        assert self._reader is not None and self._copier is not None and self._layers is not None, \
            "use RecordPages in a with statement"
        if planned.boxes:
            form = self._raster(planned.number, list(planned.boxes), None)
        else:
            page = self._reader.pages[planned.number - 1]
            plan = vector_plan(page, self._layers)
            with _pdfium.LOCK, _pdfium.page(self._doc, planned.number) as pg:
                hidden = hidden_on_page(pg)
            reasons = (*hidden.reasons(), *plan.reasons)
            if reasons:
                # What is sent is what the reviewer saw (SPEC D3): pdfium renders the page as the view showed it.
                self.rebuilt[planned.number], self.hidden[planned.number] = reasons, hidden.runs
                form = self._raster(planned.number, [], planned.box)
            else:
                form = vector_form(self._copier, page, plan, self._check.add)
        ref = self._writer.write(form)
        self._copier.flush()
        self._write_images(keep=IN_FLIGHT)
        return ref

    def rasterized(self, planned: PlannedPage) -> bool:
        """Whether the page went out as an image (known once its form is written)."""
        return bool(planned.boxes) or planned.number in self.rebuilt

    def _raster(self, number: int, boxes: list[Box], bbox: Rect | None) -> StreamObject:
        raster = rasterize(self._doc, number, boxes, self._dpi)
        image = self._writer.reserve()
        self._images.append((image, self._encoders.submit(image_xobject, raster.bands)))
        return raster_form(raster, image, bbox)

    def _write_images(self, keep: int) -> None:
        """Writes the compressed images that are ready, in order, waiting while more than `keep` are not."""
        while self._images and (len(self._images) > keep or self._images[0][1].done()):
            ref, encoding = self._images.popleft()
            self._writer.write(encoding.result(), ref)

    def finish(self, result: bytes | BinaryIO, password: str | None, placed: Sequence[Placement]) -> None:
        """Reads the finished result back (pdfium) for the text that was under the boxes and the text that could not
        be seen on the pages rebuilt for it, then ends the check of the data that went into it; RedactionError if
        either finds any (SPEC D3)."""
        check_text(result, password, placed, self.covered, self.hidden, self._source_text)
        self._check.finish()

    def _source_text(self, number: int) -> str:
        """The text of page `number` of the record, white space collapsed: a run that could not be seen on one page
        may show on another, and is then no leak there."""
        if number not in self._source_texts:
            with _pdfium.LOCK, _pdfium.page(self._doc, number) as pg:
                textpage = pg.get_textpage()
                try:
                    self._source_texts[number] = " ".join(str(textpage.get_text_range()).split())
                finally:
                    textpage.close()
        return self._source_texts[number]

    def _plan(self, number: int, boxes: list[Box]) -> PlannedPage:
        if boxes:
            with _pdfium.LOCK:
                width, height = (float(v) for v in self._doc.get_page_size(number - 1))
            return PlannedPage(number, (0.0, 0.0, width, height), tuple(boxes))
        assert self._reader is not None
        return PlannedPage(number, vector_placement(self._reader.pages[number - 1])[1], ())

    def _inspect(self, stream: StreamObject) -> None:
        if stream.get("/Subtype") == "/Image":
            return  # samples, where text cannot hide as text
        try:
            self._check.add(stream.get_data())
        except (PdfReadError, NotImplementedError, ValueError) as error:
            if self.covered:
                raise RedactionError(f"Part of the record cannot be decoded ({error}), so the redaction cannot be "
                                     "checked. Print the record to PDF again and import that.") from error


def redact(pdf: bytes, boxes: Sequence[Box], dpi: int = DPI, control: JobControl | None = None) -> bytes:
    """The redacted record as a new PDF; raises RedactionError for boxes that cannot be applied or a result that
    fails its check, desktop.jobs.Cancelled when cancelled."""
    control = control or JobControl()
    out = io.BytesIO()
    writer = ObjectWriter(out, "%PDF-1.7")
    placed: list[Placement] = []
    with RecordPages(writer, pdf, boxes, dpi) as record:
        count = len(record.pages)
        for planned in record.pages:
            control.step(planned.number - 1, count + 1, f"Redacting page {planned.number} of {count}")
            form = record.form(planned)
            writer.add_page(DictionaryObject({
                NameObject("/MediaBox"): RectangleObject(planned.box),
                NameObject("/Resources"): DictionaryObject({NameObject("/XObject"): DictionaryObject({
                    NameObject("/Record"): form})}),
                NameObject("/Contents"): writer.write(content_stream(b"/Record Do")),
            }))
            placed.append(Placement(planned.number, planned.number, planned.box, record.rasterized(planned)))
        control.step(count, count + 1, "Checking the redacted PDF")
    writer.close()
    result = out.getvalue()
    record.finish(result, None, placed)
    control.progress(count + 1, count + 1, "Redaction done and checked")
    return result


def content_stream(data: bytes) -> StreamObject:
    stream = DecodedStreamObject()
    stream.set_data(data)
    return stream


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


def check_boxes(pdf: bytes, boxes: Sequence[Box]) -> None:
    """Raises RedactionError naming the first box that cannot be applied to the record (before any work is done)."""
    with _pdfium.document(pdf) as doc:
        with _pdfium.LOCK:
            count = len(doc)
        validated_boxes(doc, boxes, count)


def validated_boxes(doc: Any, boxes: Sequence[Box], count: int) -> dict[int, list[Box]]:
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
