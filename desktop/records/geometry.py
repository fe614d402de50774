"""Where a page's points land on the page as shown (SPEC D2): boxes are stored in PDF page space (points from the
bottom-left, SPEC section 7), the page view draws on the page as pdfium renders it (crop box and /Rotate applied,
y down). The mapping comes from pdfium itself, so that a box drawn on a rotated or cropped page is redacted where it
was drawn.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from desktop.records import _pdfium
from desktop.records.model import Rect

Point = tuple[float, float]
_SUBDIVISION = 64  # pdfium maps to whole pixels: ask for 1/64 pt so the rounding stays far below anything visible


@dataclass(frozen=True)
class PageGeometry:
    """One page: its size as shown, in points, and the affine map from page space to that view (x right, y down)."""

    number: int
    width: float
    height: float
    origin: Point  # where page space (0, 0) lands in the view
    per_x: Point  # what one point along page x moves in the view
    per_y: Point  # ... along page y

    def to_view(self, x: float, y: float) -> Point:
        return (self.origin[0] + x * self.per_x[0] + y * self.per_y[0],
                self.origin[1] + x * self.per_x[1] + y * self.per_y[1])

    def to_page(self, vx: float, vy: float) -> Point:
        (a, b), (c, d) = self.per_x, self.per_y
        det = a * d - b * c
        dx, dy = vx - self.origin[0], vy - self.origin[1]
        return (d * dx - c * dy) / det, (a * dy - b * dx) / det

    def rect_to_view(self, rect: Rect) -> Rect:
        """A page-space box as (left, top, right, bottom) in the view."""
        return _bounds([self.to_view(x, y) for x in (rect[0], rect[2]) for y in (rect[1], rect[3])])

    def rect_to_page(self, rect: Rect) -> Rect:
        """A view rectangle as a page-space box (x0, y0, x1, y1), origin bottom-left."""
        return _bounds([self.to_page(x, y) for x in (rect[0], rect[2]) for y in (rect[1], rect[3])])


def page_geometry(pdf: bytes) -> tuple[PageGeometry, ...]:
    """Every page's geometry; one pass over the document, under the pdfium lock."""
    with _pdfium.document(pdf) as doc, _pdfium.LOCK:
        return tuple(_one(doc, number) for number in range(1, len(doc) + 1))


def _one(doc: Any, number: int) -> PageGeometry:
    with _pdfium.page(doc, number) as pg:
        width, height = (float(v) for v in pg.get_size())
        left, bottom, right, top = (float(v) for v in pg.get_bbox())
        size = (max(1, round(width * _SUBDIVISION)), max(1, round(height * _SUBDIVISION)))
        corners = [_pdfium.page_to_device(pg, size, x, y) for x, y in ((left, bottom), (right, bottom), (left, top))]
    sx, sy = size[0] / width, size[1] / height
    (x0, y0), (x1, y1), (x2, y2) = ((px / sx, py / sy) for px, py in corners)
    per_x = ((x1 - x0) / (right - left), (y1 - y0) / (right - left))
    per_y = ((x2 - x0) / (top - bottom), (y2 - y0) / (top - bottom))
    origin = (x0 - left * per_x[0] - bottom * per_y[0], y0 - left * per_x[1] - bottom * per_y[1])
    return PageGeometry(number, width, height, origin, per_x, per_y)


def _bounds(points: Sequence[Point]) -> Rect:
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return min(xs), min(ys), max(xs), max(ys)
