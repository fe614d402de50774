"""A page's text with boxes, and a page rendered for the view (SPEC D2); both straight from pdfium."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pypdfium2.raw as pdfium_c
from PIL import Image

from desktop.records import _pdfium
from desktop.records.model import Rect, TextSpan


class PageText:
    """A page's characters, one per pdfium char index (so a regex match maps straight back to boxes), with loose
    boxes (the font's full height, so a box over them covers accents too) looked up only where they are wanted."""

    def __init__(self, textpage: Any) -> None:
        self._textpage = textpage
        self._boxes: dict[int, Rect | None] = {}
        self.text = _chars(textpage)

    def box(self, index: int) -> Rect | None:
        """None where pdfium made the char up (spaces, line breaks between runs) or it has no extent."""
        if index not in self._boxes:
            self._boxes[index] = _char_box(self._textpage, index)
        return self._boxes[index]

    def boxes(self, start: int, end: int) -> list[Rect]:
        return [box for box in map(self.box, range(start, end)) if box is not None]


@contextmanager
def page_text(pg: Any) -> Iterator[PageText]:
    """The text of an open page; boxes can be asked for until the block ends. The caller holds the pdfium lock."""
    textpage = pg.get_textpage()
    try:
        yield PageText(textpage)
    finally:
        textpage.close()


def page_words(pdf: bytes, page_number: int) -> list[TextSpan]:
    """The words of a page (split at white space) with their boxes, in PDF points from the bottom-left."""
    with _pdfium.document(pdf) as doc, _pdfium.LOCK:
        check_page_number(len(doc), page_number)
        with _pdfium.page(doc, page_number) as pg, page_text(pg) as text:
            return _words(page_number, text)


def render_page(pdf: bytes, page_number: int, dpi: int = 100) -> Image.Image:
    """The page as the reader sees it (annotations and filled-in form fields included), RGB."""
    if not 10 <= dpi <= 600:
        raise ValueError(f"dpi must be between 10 and 600, not {dpi}")
    with _pdfium.document(pdf, forms=True) as doc, _pdfium.LOCK:
        check_page_number(len(doc), page_number)
        with _pdfium.page(doc, page_number) as pg:
            bitmap = pg.render(scale=dpi / 72, may_draw_forms=True)
            image: Image.Image = bitmap.to_pil().convert("RGB")  # a copy: the bitmap's buffer goes with it
            bitmap.close()
    return image


def check_page_number(count: int, page_number: int) -> None:
    if not 1 <= page_number <= count:
        raise ValueError(f"There is no page {page_number}: the record has {count} page{'s' * (count != 1)}.")


def has_text(pg: Any) -> bool:
    """Whether pdfium finds any text on the page; a scan without an OCR layer has none."""
    textpage = pg.get_textpage()
    try:
        return bool(textpage.get_text_range().strip())
    finally:
        textpage.close()


def _chars(textpage: Any) -> str:
    count = int(textpage.count_chars())
    whole = str(textpage.get_text_range())
    if len(whole) == count:  # the usual case: one UTF-16 unit per char, none left out or put in
        return whole
    return "".join(_char(textpage, i) for i in range(count))


def _char(textpage: Any, index: int) -> str:
    code = int(pdfium_c.FPDFText_GetUnicode(textpage.raw, index))
    return chr(code) if 0 < code < 0x110000 and not 0xD800 <= code < 0xE000 else "\ufffd"


def _char_box(textpage: Any, index: int) -> Rect | None:
    if pdfium_c.FPDFText_IsGenerated(textpage.raw, index) == 1:
        return None
    x0, y0, x1, y1 = (float(v) for v in textpage.get_charbox(index, loose=True))
    return (x0, y0, x1, y1) if x1 > x0 and y1 > y0 else None


def union(boxes: list[Rect]) -> Rect:
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


def _words(page_number: int, text: PageText) -> list[TextSpan]:
    words: list[TextSpan] = []
    start = None
    for i, char in enumerate(text.text + " "):
        if char.isspace():
            if start is not None:
                words.extend(_word(page_number, text, start, i))
            start = None
        elif start is None:
            start = i
    return words


def _word(page_number: int, text: PageText, start: int, end: int) -> list[TextSpan]:
    known = text.boxes(start, end)
    if not known:
        return []
    box = union(known)
    # One box per character: one without extent gets a zero-width box where it stands.
    boxes: list[Rect] = []
    for found in map(text.box, range(start, end)):
        edge = boxes[-1][2] if boxes else box[0]
        boxes.append(found or (edge, box[1], edge, box[3]))
    return [TextSpan(page_number, text.text[start:end], box, tuple(boxes))]
