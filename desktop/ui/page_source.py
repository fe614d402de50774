"""What the page viewer shows of a record, made on workers (desktop/ui/operations.py): the record opened with its
page geometry and suggestions, and pages rendered by pdfium, cached in memory only (SPEC S1: never on disk)."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field, replace

from PySide6.QtGui import QImage

from desktop.jobs import JobControl
from desktop.records import PageInfo, RecordDocument, Suggestion, render_page
from desktop.records import store as records
from desktop.records.geometry import PageGeometry, page_geometry
from desktop.store import Repository

CACHE_BYTES = 160 * 1024 * 1024  # rendered pages kept for paging back and forth; a Letter page at 100 dpi is 2.6 MB


@dataclass(frozen=True)
class OpenRecord:
    record_id: int
    filename: str
    pdf: bytes = field(repr=False)
    pages: tuple[PageInfo, ...]
    geometry: tuple[PageGeometry, ...]
    suggestions: tuple[Suggestion, ...] = field(repr=False)
    unread: tuple[int, ...] = ()  # scanned pages OCR has not read yet: no suggestions there until it has
    document: RecordDocument | None = field(default=None, repr=False, compare=False)


def open_record(repo: Repository, record_id: int, control: JobControl) -> OpenRecord:
    """What the viewer needs of a record, worked out on a worker: the PDF, page geometry, and suggestions (from
    the text layer and from what OCR already read of scanned pages; reading the others is read_scans)."""
    stored = records.get_record(repo, record_id)
    document = records.load_record(repo, record_id, control.part(0, 2, 3))
    found = records.record_suggestions(repo, record_id, document, control.part(2, 1, 3))
    return OpenRecord(record_id, stored.filename, document.pdf, document.pages, page_geometry(document.pdf),
                      tuple(found), tuple(records.unread_pages(repo, record_id)), document)


def read_scans(repo: Repository, record: OpenRecord, control: JobControl) -> OpenRecord:
    """Reads the record's unread scanned pages with OCR (kept in the encrypted store), then its suggestions again.
    Cancelled, the pages read so far are kept and Cancelled is raised; refresh_suggestions then shows them."""
    records.read_scanned_pages(repo, record.record_id, control.part(0, 9, 10), record.document)
    return refresh_suggestions(repo, record, control.part(9, 1, 10))


def refresh_suggestions(repo: Repository, record: OpenRecord, control: JobControl) -> OpenRecord:
    document = record.document or records.load_record(repo, record.record_id)
    found = records.record_suggestions(repo, record.record_id, document, control)
    return replace(record, suggestions=tuple(found), unread=tuple(records.unread_pages(repo, record.record_id)))


def render_image(pdf: bytes, page: int, dpi: int) -> QImage:
    """The page as a QImage (a worker may make one; only pixmaps belong to the UI thread)."""
    image = render_page(pdf, page, dpi)
    data = image.tobytes()
    return QImage(data, image.width, image.height, 3 * image.width, QImage.Format.Format_RGB888).copy()


class PageCache:
    """Rendered pages by (record, page, dpi), least recently used dropped first; memory only."""

    def __init__(self, budget: int = CACHE_BYTES) -> None:
        self._images: OrderedDict[tuple[int, int, int], QImage] = OrderedDict()
        self._budget = budget

    def get(self, key: tuple[int, int, int]) -> QImage | None:
        image = self._images.get(key)
        if image is not None:
            self._images.move_to_end(key)
        return image

    def put(self, key: tuple[int, int, int], image: QImage) -> None:
        self._images[key] = image
        while len(self._images) > 1 and sum(i.sizeInBytes() for i in self._images.values()) > self._budget:
            self._images.popitem(last=False)

    def __len__(self) -> int:
        return len(self._images)

    def clear(self) -> None:
        self._images.clear()
