"""What a person looking at a page cannot see, found with pdfium (SPEC D3, §9.1): a page without redaction boxes
stays vector only when every character of its text shows, and none of its images reaches past the page's edge.

Text that cannot be seen, by route:
- drawn invisible (render mode 3, as a scanner's OCR layer; mode 7, a clipping path only);
- outside the page as shown (media box within crop box);
- too small to read (under MIN_TEXT_PT);
- covered by later painting (a box, an image, a shading), in the colour behind it (white on white), clipped away,
  transparent, under an annotation, or drawn with glyphs that show nothing (a Type 3 font of empty procedures, with
  a ToUnicode map that still gives the text to every reader): found in pixels. The page is rendered twice at a
  low resolution, as it is and with its text objects switched off (FPDFPageObj_SetIsActive, in memory: the file is
  not touched), and a character whose box shows no difference between the two is not seen.

Rendering costs milliseconds, so it runs only for pages where one of those could happen: text that is not dark on
nothing, that overlaps a shape or image, sits under a clip that cuts into it, has transparency or no extent, or a
page with annotations. An ordinary page of text is decided from its objects' properties alone (about a
millisecond).

`covered_text` finds the same "box drawn over text" at import, for the page view to suggest a real box (§9.1): a
filled shape or an image painted after the text it lies over.
"""

from __future__ import annotations

import ctypes
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pypdfium2.raw as pdfium_c
from PIL import Image, ImageChops

from desktop.jobs import JobControl
from desktop.records import _pdfium
from desktop.records.model import Rect, Suggestion

MIN_TEXT_PT = 2.0  # a glyph this small shows as a smudge on screen at any usual zoom: 1/36 inch
EDGE_PT = 1.0  # text or an image may reach this far past the page's edge (rounding, bleed)
IMAGE_EDGE_PT = 3.0
CHECK_SCALE = 1.0  # 72 dpi: a 4-point glyph is still 4 pixels
COVER_AREA_PT2 = 4.0  # an overlap smaller than 2 x 2 points is a shared edge, not a cover
_PAINTING_ANNOTS = frozenset({pdfium_c.FPDF_ANNOT_SQUARE, pdfium_c.FPDF_ANNOT_CIRCLE, pdfium_c.FPDF_ANNOT_POLYGON,
                              pdfium_c.FPDF_ANNOT_FREETEXT, pdfium_c.FPDF_ANNOT_STAMP, pdfium_c.FPDF_ANNOT_INK,
                              pdfium_c.FPDF_ANNOT_REDACT})
SEEN_LEVEL = 16  # a pixel differs when one colour channel differs by more than this (of 255)
LIGHT = 200  # text whose fill is at least this light in every channel may be the colour behind it (white)

INVISIBLE = "drawn invisible"
OUTSIDE = "outside the page"
TINY = "too small to read"
UNSEEN = "covered by something drawn over it, or in the colour behind it"
EMPTY = "drawn with glyphs that show nothing"
IMAGE_OUTSIDE = "an image reaches past the edge of the page, and the part outside cannot be seen"
IMAGE_COVERED = "an image partly covered by a box or image drawn over it, and what is under the cover would travel"
IMAGE_CLIPPED = "an image is partly cut away (cropped by a clipping path), and the part cut away would still travel"

_DRAWS_NOTHING = frozenset("\u00ad\u200b\u200c\u200d\u2060\ufeff")
Matrix = tuple[float, float, float, float, float, float]
_IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


@dataclass(frozen=True)
class Hidden:
    """What cannot be seen on one page: lines (runs) of text and why, and other reasons (images)."""

    runs: tuple[str, ...] = ()  # the hidden text, one run per line, white space collapsed
    why: tuple[str, ...] = ()  # the routes (INVISIBLE, OUTSIDE, TINY, UNSEEN, EMPTY), in that order
    other: tuple[str, ...] = ()  # e.g. IMAGE_OUTSIDE

    def __bool__(self) -> bool:
        return bool(self.runs or self.other)

    def reasons(self) -> tuple[str, ...]:
        """What the user is told, e.g. "2 lines of text that cannot be seen on the page (drawn invisible)"."""
        told = list(self.other)
        if self.runs:
            lines = len(self.runs)
            told.insert(0, f"{lines} line{'s' * (lines != 1)} of text that cannot be seen on the page "
                           f"({', '.join(self.why)})")
        return tuple(told)


@dataclass(slots=True)
class _Object:
    handle: Any
    kind: int
    bounds: Rect  # page space
    order: int  # paint order on the page, forms' contents in place
    mode: int = 0
    suspicious: bool = False
    invisible: bool = False
    tiny: bool = False
    filled: bool = False
    clipped: bool = False


@dataclass
class _Page:
    visible: Rect
    texts: list[_Object] = field(default_factory=list)
    by_address: dict[int, _Object] = field(default_factory=dict)  # made only when characters are looked up
    others: list[_Object] = field(default_factory=list)  # leaf paths, images, shadings
    annotated: bool = False


def hidden_on_page(pg: Any) -> Hidden:
    """What cannot be seen on an open pdfium page. The caller holds the pdfium lock."""
    page = _objects(pg)
    _mark_suspicious(page)
    images = [o for o in page.others if o.kind == pdfium_c.FPDF_PAGEOBJ_IMAGE]
    outside = any(not _inside(o.bounds, page.visible, IMAGE_EDGE_PT) for o in images)
    covered = any(_covered(image, page, pg) for image in images)
    other = (*((IMAGE_OUTSIDE,) if outside else ()), *((IMAGE_COVERED,) if covered else ()),
             *((IMAGE_CLIPPED,) if any(o.clipped for o in images) else ()))
    if not any(o.suspicious or o.invisible or o.tiny or not _inside(o.bounds, page.visible, EDGE_PT)
               for o in page.texts):
        return Hidden(other=other)
    seen = _pixel_check(pg, page) if any(o.suspicious for o in page.texts) else None
    runs, why = _hidden_runs(pg, page, seen)
    return Hidden(runs, why, other)


def _covered(image: _Object, page: _Page, pg: Any) -> bool:
    """An image with a filled shape, another image or a shading painted over part of it, or a painting annotation
    (a box, a stamp, ink) over it: the fake redaction of a picture, whose pixels under the cover would still be in
    the file."""
    for other in page.others:
        if other.order > image.order and (other.filled or other.kind != pdfium_c.FPDF_PAGEOBJ_PATH) \
                and _overlap_area(image.bounds, other.bounds) > COVER_AREA_PT2:
            return True
    return page.annotated and any(_overlap_area(image.bounds, rect) > COVER_AREA_PT2 for rect in _painting_annots(pg))


def _painting_annots(pg: Any) -> list[Rect]:
    rects = []
    for index in range(int(pdfium_c.FPDFPage_GetAnnotCount(pg.raw))):
        annot = pdfium_c.FPDFPage_GetAnnot(pg.raw, index)
        if not annot:
            continue
        try:
            if int(pdfium_c.FPDFAnnot_GetSubtype(annot)) in _PAINTING_ANNOTS:
                rect = pdfium_c.FS_RECTF()
                if pdfium_c.FPDFAnnot_GetRect(annot, rect):
                    rects.append((min(rect.left, rect.right), min(rect.bottom, rect.top),
                                  max(rect.left, rect.right), max(rect.bottom, rect.top)))
        finally:
            pdfium_c.FPDFPage_CloseAnnot(annot)
    return rects


def _overlap_area(a: Rect, b: Rect) -> float:
    return max(0.0, min(a[2], b[2]) - max(a[0], b[0])) * max(0.0, min(a[3], b[3]) - max(a[1], b[1]))


def covered_text(pg: Any) -> list[tuple[Rect, str]]:
    """Text with a filled shape or an image painted over it: (the covered text's box, the text), one per line.
    The caller holds the pdfium lock."""
    page = _objects(pg)
    covers = [o for o in page.others if o.filled or o.kind == pdfium_c.FPDF_PAGEOBJ_IMAGE]
    if not covers or not page.texts:
        return []
    found: list[tuple[Rect, str]] = []
    textpage = pg.get_textpage()
    try:
        line: list[tuple[Rect, str]] = []
        for _, char, box, obj in _chars(textpage, page):
            if char in "\r\n" or obj is None or box is None:
                _flush(line, found, char)
                continue
            centre = ((box[0] + box[2]) / 2, (box[1] + box[3]) / 2)
            if any(c.order > obj.order and _contains(c.bounds, centre) for c in covers):
                line.append((box, char))
            else:
                _flush(line, found, char)
        _flush(line, found, "")
    finally:
        textpage.close()
    return found


def _flush(line: list[tuple[Rect, str]], found: list[tuple[Rect, str]], char: str) -> None:
    if char == " " and line:
        line.append((line[-1][0], " "))
        return
    text = " ".join("".join(c for _, c in line).split())
    if text:
        boxes = [b for b, _ in line]
        found.append(((min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes),
                       max(b[3] for b in boxes)), text))
    line.clear()


def _objects(pg: Any) -> _Page:
    left, bottom, right, top = (float(v) for v in pg.get_bbox())
    page = _Page((left, bottom, right, top), annotated=int(pdfium_c.FPDFPage_GetAnnotCount(pg.raw)) > 0)
    count = int(pdfium_c.FPDFPage_CountObjects(pg.raw))
    _walk(page, [pdfium_c.FPDFPage_GetObject(pg.raw, i) for i in range(count)], _IDENTITY, [0])
    return page


def _walk(page: _Page, handles: list[Any], matrix: Matrix, order: list[int]) -> None:
    for handle in handles:
        kind = int(pdfium_c.FPDFPageObj_GetType(handle))
        order[0] += 1
        if kind == pdfium_c.FPDF_PAGEOBJ_FORM:
            inner = _compose(_matrix(handle), matrix)
            count = int(pdfium_c.FPDFFormObj_CountObjects(handle))
            _walk(page, [pdfium_c.FPDFFormObj_GetObject(handle, i) for i in range(count)], inner, order)
            continue
        own = _bounds(handle)
        obj = _Object(handle, kind, own if matrix is _IDENTITY else _transformed(own, matrix), order[0])
        if kind == pdfium_c.FPDF_PAGEOBJ_TEXT:
            _text_properties(obj, own, matrix)
            page.texts.append(obj)
        else:
            obj.filled = kind == pdfium_c.FPDF_PAGEOBJ_PATH and _fills(handle)
            obj.clipped = kind == pdfium_c.FPDF_PAGEOBJ_IMAGE and _clipped(handle, own)
            page.others.append(obj)


# Out-parameters for pdfium, made once: every call is under the pdfium lock, so one set serves all (making them per
# call was a third of the check's time on a page of text).
_SIZE = ctypes.c_float()
_RGBA = tuple(ctypes.c_uint() for _ in range(4))
_MATRIX = pdfium_c.FS_MATRIX()
_BOX = tuple(ctypes.c_float() for _ in range(4))


def _text_properties(obj: _Object, own: Rect, matrix: Matrix) -> None:
    handle = obj.handle
    obj.mode = int(pdfium_c.FPDFTextObj_GetTextRenderMode(handle))
    obj.invisible = obj.mode in (pdfium_c.FPDF_TEXTRENDERMODE_INVISIBLE, pdfium_c.FPDF_TEXTRENDERMODE_CLIP)
    # A line at least 3 times the smallest size high and wide cannot be that small (a fast path: two calls fewer).
    if min(obj.bounds[2] - obj.bounds[0], obj.bounds[3] - obj.bounds[1]) < 3 * MIN_TEXT_PT:
        pdfium_c.FPDFTextObj_GetFontSize(handle, _SIZE)
        a, b, c, d, _, _ = _compose(_matrix(handle), matrix)
        obj.tiny = _SIZE.value * math.sqrt(abs(a * d - b * c)) < MIN_TEXT_PT
    pdfium_c.FPDFPageObj_GetFillColor(handle, *_RGBA)
    # HasTransparency: a fill or stroke alpha below 1, a blend mode or a soft mask. A line with no height or width
    # is drawn with glyphs that show nothing (a Type 3 font of empty procedures), or is a lone space.
    width, height = own[2] - own[0], own[3] - own[1]
    obj.suspicious = min(_RGBA[0].value, _RGBA[1].value, _RGBA[2].value) >= LIGHT or min(width, height) < 0.5 \
        or bool(pdfium_c.FPDFPageObj_HasTransparency(handle)) or _clipped(handle, own)


def _mark_suspicious(page: _Page) -> None:
    """Text overlapping any shape or image, or on a page with annotations, is looked at in pixels."""
    if page.annotated:
        for obj in page.texts:
            obj.suspicious = True
        return
    if not page.others:
        return
    span = _union([o.bounds for o in page.texts]) if page.texts else None
    near = [o for o in page.others if span is not None and _overlaps(o.bounds, span)]
    for obj in page.texts:
        if not obj.suspicious and any(_overlaps(obj.bounds, other.bounds) for other in near):
            obj.suspicious = True


def _pixel_check(pg: Any, page: _Page) -> Image.Image:
    """Where the page's text changes pixels: a mask (mode L, nonzero where seen) at CHECK_SCALE."""
    shown = _render(pg)
    handles = [o.handle for o in page.texts]
    try:
        for handle in handles:
            pdfium_c.FPDFPageObj_SetIsActive(handle, False)
        bare = _render(pg)
    finally:
        for handle in handles:
            pdfium_c.FPDFPageObj_SetIsActive(handle, True)
    red, green, blue = ImageChops.difference(shown, bare).split()
    strongest = ImageChops.lighter(ImageChops.lighter(red, green), blue)
    return strongest.point(lambda v: 255 if v > SEEN_LEVEL else 0)


def _render(pg: Any) -> Image.Image:
    bitmap = pg.render(scale=CHECK_SCALE, may_draw_forms=True, draw_annots=True)
    try:
        image: Image.Image = bitmap.to_pil().convert("RGB")
        return image
    finally:
        bitmap.close()


def _hidden_runs(pg: Any, page: _Page, seen: Image.Image | None) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The page's hidden text, one run per line, and the routes by which it is hidden."""
    to_pixels = _device_map(pg, seen.size) if seen is not None else None
    routes: set[str] = set()
    runs: list[str] = []
    current: list[str] = []
    textpage = pg.get_textpage()
    try:
        for _, char, box, obj in _chars(textpage, page):
            route = None if obj is None or box is None else _route(char, box, obj, page, seen, to_pixels)
            if route is None and char.isspace() and char not in "\r\n" and current:
                current.append(" ")
                continue
            if route is not None:
                routes.add(route)
                current.append(char)
                continue
            _end_run(current, runs)
        _end_run(current, runs)
    finally:
        textpage.close()
    return tuple(runs), tuple(r for r in (INVISIBLE, OUTSIDE, TINY, UNSEEN, EMPTY) if r in routes)


def _end_run(current: list[str], runs: list[str]) -> None:
    text = " ".join("".join(current).split())
    if text:
        runs.append(text)
    current.clear()


def _route(char: str, box: Rect, obj: _Object, page: _Page, seen: Image.Image | None,
           to_pixels: Any) -> str | None:
    if char.isspace():
        return None
    centre = ((box[0] + box[2]) / 2, (box[1] + box[3]) / 2)
    if obj.invisible:
        return INVISIBLE
    if not _contains(_grown(page.visible, EDGE_PT), centre):
        return OUTSIDE
    if obj.tiny:
        return TINY
    if obj.suspicious and seen is not None and not _shows(seen, to_pixels(box)):
        # A soft hyphen or a joiner has no extent: it draws nothing and hides nothing; any other character drawn
        # with an empty glyph is text no one sees.
        empty = box[2] - box[0] < 0.1 or box[3] - box[1] < 0.1
        return UNSEEN if not empty else None if char in _DRAWS_NOTHING else EMPTY
    return None


def _chars(textpage: Any, page: _Page) -> Iterator[tuple[int, str, Rect | None, _Object | None]]:
    """Each character of the text page with its tight box and its text object (None where pdfium made it up)."""
    if not page.by_address:
        page.by_address = {_address(o.handle): o for o in page.texts}
    count = int(textpage.count_chars())
    text = str(textpage.get_text_range())
    whole = len(text) == count
    left, bottom, right, top = (ctypes.c_double() for _ in range(4))
    for index in range(count):
        char = text[index] if whole else chr(int(pdfium_c.FPDFText_GetUnicode(textpage.raw, index)) or 0xFFFD)
        if pdfium_c.FPDFText_IsGenerated(textpage.raw, index) == 1:
            yield index, char, None, None
            continue
        handle = pdfium_c.FPDFText_GetTextObject(textpage.raw, index)
        obj = page.by_address.get(_address(handle)) if handle else None
        pdfium_c.FPDFText_GetCharBox(textpage.raw, index, left, right, bottom, top)
        yield index, char, (left.value, bottom.value, right.value, top.value), obj


def _shows(seen: Image.Image, rect: tuple[int, int, int, int]) -> bool:
    x0, y0, x1, y1 = rect
    x0, y0 = max(x0 - 1, 0), max(y0 - 1, 0)
    x1, y1 = min(x1 + 2, seen.width), min(y1 + 2, seen.height)
    if x1 <= x0 or y1 <= y0:
        return False
    return seen.crop((x0, y0, x1, y1)).getbbox() is not None


def _device_map(pg: Any, size: tuple[int, int]) -> Any:
    """Page space to the check's bitmap pixels (crop box and /Rotate applied), as a function of a box."""
    left, bottom, right, top = (float(v) for v in pg.get_bbox())
    grid = 64  # pdfium maps to whole pixels: ask at 64 times the size, so the rounding stays far below a pixel
    big = (size[0] * grid, size[1] * grid)
    (x0, y0), (x1, y1), (x2, y2) = (_pdfium.page_to_device(pg, big, x, y) for x, y in
                                    ((left, bottom), (right, bottom), (left, top)))
    per_x = ((x1 - x0) / grid / (right - left), (y1 - y0) / grid / (right - left))
    per_y = ((x2 - x0) / grid / (top - bottom), (y2 - y0) / grid / (top - bottom))
    origin = (x0 / grid - left * per_x[0] - bottom * per_y[0], y0 / grid - left * per_x[1] - bottom * per_y[1])

    def to_pixels(box: Rect) -> tuple[int, int, int, int]:
        xs, ys = [], []
        for x in (box[0], box[2]):
            for y in (box[1], box[3]):
                xs.append(origin[0] + x * per_x[0] + y * per_y[0])
                ys.append(origin[1] + x * per_x[1] + y * per_y[1])
        return math.floor(min(xs)), math.floor(min(ys)), math.ceil(max(xs)), math.ceil(max(ys))

    return to_pixels


def _fills(handle: Any) -> bool:
    fill, stroke = ctypes.c_int(), ctypes.c_int()
    if not pdfium_c.FPDFPath_GetDrawMode(handle, fill, stroke):
        return False
    if not fill.value:
        return False
    red, green, blue, alpha = (ctypes.c_uint() for _ in range(4))
    pdfium_c.FPDFPageObj_GetFillColor(handle, red, green, blue, alpha)
    return alpha.value > 0


def _clipped(handle: Any, bounds: Rect) -> bool:
    """Whether the object's clip cuts into it (a clip around the whole page, as many producers set, does not)."""
    clip = pdfium_c.FPDFPageObj_GetClipPath(handle)
    if not clip:
        return False
    paths = int(pdfium_c.FPDFClipPath_CountPaths(clip))
    if paths <= 0:
        return False
    for path in range(max(paths, 0)):
        points = []
        for segment in range(max(int(pdfium_c.FPDFClipPath_CountPathSegments(clip, path)), 0)):
            seg = pdfium_c.FPDFClipPath_GetPathSegment(clip, path, segment)
            x, y = ctypes.c_float(), ctypes.c_float()
            if seg and pdfium_c.FPDFPathSegment_GetPoint(seg, x, y):
                points.append((x.value, y.value))
        if not points:
            return True  # a clip pdfium cannot describe: look at the pixels
        area = (min(p[0] for p in points), min(p[1] for p in points), max(p[0] for p in points),
                max(p[1] for p in points))
        if not _inside(bounds, area, EDGE_PT):
            return True
    return False


def _bounds(handle: Any) -> Rect:
    if not pdfium_c.FPDFPageObj_GetBounds(handle, *_BOX):
        return (0.0, 0.0, 0.0, 0.0)
    return (_BOX[0].value, _BOX[1].value, _BOX[2].value, _BOX[3].value)


def _matrix(handle: Any) -> Matrix:
    if not pdfium_c.FPDFPageObj_GetMatrix(handle, _MATRIX):
        return _IDENTITY
    m = _MATRIX
    return (m.a, m.b, m.c, m.d, m.e, m.f)


def _compose(inner: Matrix, outer: Matrix) -> Matrix:
    """`inner` then `outer` (PDF's row-vector order: inner x outer)."""
    a, b, c, d, e, f = inner
    A, B, C, D, E, F = outer
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)


def _transformed(box: Rect, matrix: Matrix) -> Rect:
    if matrix == _IDENTITY:
        return box
    a, b, c, d, e, f = matrix
    points = [(x * a + y * c + e, x * b + y * d + f) for x in (box[0], box[2]) for y in (box[1], box[3])]
    return (min(p[0] for p in points), min(p[1] for p in points), max(p[0] for p in points),
            max(p[1] for p in points))


def _address(handle: Any) -> int:
    return int(ctypes.cast(handle, ctypes.c_void_p).value or 0)


def _inside(box: Rect, area: Rect, slack: float) -> bool:
    return box[0] >= area[0] - slack and box[1] >= area[1] - slack and box[2] <= area[2] + slack \
        and box[3] <= area[3] + slack


def _grown(area: Rect, slack: float) -> Rect:
    return (area[0] - slack, area[1] - slack, area[2] + slack, area[3] + slack)


def _contains(area: Rect, point: tuple[float, float]) -> bool:
    return area[0] <= point[0] <= area[2] and area[1] <= point[1] <= area[3]


def _overlaps(a: Rect, b: Rect) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _union(boxes: list[Rect]) -> Rect:
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


COVERED_KIND = "covered_text"
COVERED_REASON = "9.1.7"  # the ground of whoever drew the box is not known: the user sets the right one
COVERED_MESSAGE = "a box drawn over text: the text under it is still there"


def covered_suggestions(pdf: bytes, control: JobControl | None = None) -> list[Suggestion]:
    """"Already blacked out" areas (§9.1): text with a box or an image painted over it, which looks redacted and is
    not; each a suggestion to box it properly, one per covered line. Found from the page's objects at import."""
    control = control or JobControl()
    found: list[Suggestion] = []
    with _pdfium.document(pdf) as doc:
        with _pdfium.LOCK:
            count = len(doc)
        for number in range(1, count + 1):
            control.step(number - 1, count, f"Looking for boxes drawn over text on page {number} of {count}")
            with _pdfium.LOCK, _pdfium.page(doc, number) as pg:
                found += covered_page_suggestions(number, pg)
    return found


def covered_page_suggestions(number: int, pg: Any) -> list[Suggestion]:
    """covered_suggestions of one open page (the caller holds the pdfium lock)."""
    return [Suggestion(number, box, COVERED_REASON, COVERED_KIND, text) for box, text in covered_text(pg)]
