"""What the page viewer shows of a record, made on workers (desktop/ui/operations.py): the record opened with its
page geometry and suggestions, and pages rendered by pdfium, cached in memory only (SPEC S1: never on disk)."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field

from PySide6.QtGui import QImage

from desktop.jobs import JobControl
from desktop.records import PageInfo, Suggestion, render_page, suggest
from desktop.records import store as records
from desktop.records.geometry import PageGeometry, page_geometry
from desktop.records.visibility import covered_suggestions
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


def open_record(repo: Repository, record_id: int, control: JobControl) -> OpenRecord:
    """What the viewer needs of a record, worked out on a worker: the PDF, page geometry, and suggestions."""
    stored = records.get_record(repo, record_id)
    document = records.load_record(repo, record_id, control.part(0, 2, 3))
    found = suggest(document.pdf, records.personnel_names(repo), control.part(2, 1, 3))
    # Boxes already drawn over text in the record (a redaction that looks done and is not), suggestions of their own.
    covered = covered_suggestions(document.pdf, control.part(3, 0, 3))  # quick: Cancel is what it needs
    found = sorted([*found, *covered], key=lambda s: (s.page, -s.box[3], s.box[0]))
    return OpenRecord(record_id, stored.filename, document.pdf, document.pages, page_geometry(document.pdf),
                      tuple(found))


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
