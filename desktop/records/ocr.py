"""Reading scanned pages (SPEC D2, issue 14): offline OCR of a page without a text layer, as words with boxes in
PDF page space, so that the same suggestions run on a scan as on a text layer.

Why Tesseract (tesserocr) and not RapidOCR, measured on this project's generated 200-dpi Letter pages (26 lines of
English, Spanish and French with identifiers, tilted 1.5 degrees, speckled; 2-core machine, see bench/ocr.py):
- tesserocr 2.13 with tessdata_fast eng+spa+fra: 1.7-1.9 s a page; every accent right (é è ê à ç ñ ü), every
  identifier read but an occasional O for 0 (which identifiers.py allows for). It gives a box for every character
  and word, which is what a redaction box needs. Its wheels (Linux, Windows, macOS) carry libtesseract and
  leptonica themselves; the three traineddata files (7.5 MB, Apache-2.0, from Debian's tesseract-ocr-eng/spa/fra)
  ship in resources/ocr/tessdata, so a checkout, an install and the PyInstaller bundle find them the same way.
- rapidocr 3.10 (PP-OCRv6 small, the models its wheel carries): accents right too, but 5.8-6.0 s a page, one long
  line lost altogether, spaces dropped between words ("avril1979"), boxes per line only; it needs numpy, OpenCV and
  onnxruntime (about 100 MB more in the bundle), and other languages' models are downloaded at run time, which an
  offline post cannot do.

Nothing read here is written anywhere: the page is rendered in memory, handed to Tesseract in memory (tesserocr
passes the picture as an in-memory buffer, never a file path), and the words come back as Python objects. The
store keeps them encrypted (desktop/records/store.py, the record_ocr table); they never go into a packet.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from PIL import Image, ImageOps, ImageStat

from desktop.jobs import JobControl
from desktop.paths import resource_path
from desktop.records.geometry import PageGeometry, page_geometry
from desktop.records.model import Rect, TextSpan
from desktop.records.pages import render_page

LANGUAGES = "eng+spa+fra"  # the posts' languages: Ottawa (English, French), Mexico City (Spanish, English)
OCR_DPI = 200  # a fax is 200 dpi; more only slows Tesseract down without reading more
ENGINE_NAME = f"tesseract-{LANGUAGES}-{OCR_DPI}"  # kept with each cached page, so a change of engine reads again
MIN_CONFIDENCE = 20.0  # below this a "word" is speckle or a smudge, not text


class OcrUnavailable(RuntimeError):
    """The OCR engine or its language files are missing from this installation."""


@dataclass(frozen=True)
class OcrWord:
    """One word read on a page: its text and one box per character, in PDF points from the bottom-left."""

    text: str
    char_boxes: tuple[Rect, ...]
    line: int  # words of the same line share it; lines are numbered top to bottom as Tesseract reads them

    @property
    def box(self) -> Rect:
        return _union(self.char_boxes)


@dataclass(frozen=True)
class OcrPage:
    page: int
    words: tuple[OcrWord, ...]

    def spans(self) -> list[TextSpan]:
        """The words as pages.page_words gives a text layer's: for what works on words, e.g. a box's covered text."""
        return [TextSpan(self.page, w.text, w.box, w.char_boxes) for w in self.words]

    def to_json(self) -> dict[str, Any]:
        return {"page": self.page, "words": [
            {"t": w.text, "l": w.line, "b": [[round(v, 2) for v in b] for b in w.char_boxes]} for w in self.words]}

    @staticmethod
    def from_json(value: dict[str, Any]) -> OcrPage:
        return OcrPage(int(value["page"]), tuple(
            OcrWord(str(w["t"]), tuple((float(b[0]), float(b[1]), float(b[2]), float(b[3])) for b in w["b"]),
                    int(w["l"])) for w in value["words"]))


class OcrText:
    """An OCR'd page in the shape the suggestions read (like pages.PageText): `text` with one space between words
    and one line break between lines, and a box for every character that was read (None for the spaces)."""

    def __init__(self, page: OcrPage) -> None:
        parts: list[str] = []
        self._boxes: list[Rect | None] = []
        previous_line: int | None = None
        for word in page.words:
            if previous_line is not None:
                gap = "\n" if word.line != previous_line else " "
                parts.append(gap)
                self._boxes.append(None)
            parts.append(word.text)
            self._boxes.extend(word.char_boxes)
            previous_line = word.line
        self.text = "".join(parts)

    def box(self, index: int) -> Rect | None:
        return self._boxes[index] if 0 <= index < len(self._boxes) else None

    def boxes(self, start: int, end: int) -> list[Rect]:
        return [b for b in self._boxes[start:end] if b is not None]


def tessdata_dir() -> str:
    """The bundled language files (resources/ocr/tessdata): the same place in a checkout and in the bundle."""
    folder = resource_path("ocr", "tessdata")
    missing = [lang for lang in LANGUAGES.split("+") if not (folder / f"{lang}.traineddata").is_file()]
    if missing:
        raise OcrUnavailable(f"The OCR language files {', '.join(missing)} are missing from {folder}; reinstall "
                             "Disclosure Desk. Until then read scanned pages yourself and draw the boxes (§9.1).")
    return str(folder)


class _Engine:
    """One Tesseract for the process, made on first use (loading three languages takes a third of a second) and
    used by one page at a time: a Tesseract handle is not thread-safe."""

    _lock = threading.Lock()
    _api: Any = None

    @classmethod
    def read(cls, image: Any) -> list[tuple[str, tuple[int, int, int, int], bool, bool, float]]:
        with cls._lock:
            api = cls._open()
            api.SetImage(image)
            api.Recognize()
            return list(_symbols(api))

    @classmethod
    def _open(cls) -> Any:
        if cls._api is None:
            try:
                import tesserocr
            except ImportError as error:
                raise OcrUnavailable("The OCR engine (tesserocr) is not installed; reinstall Disclosure Desk. Until "
                                     "then read scanned pages yourself and draw the boxes (§9.1).") from error
            # The wheel's libtesseract is built without OpenMP: one page runs on one core, and the other keeps the
            # window and pdfium responsive.
            cls._api = tesserocr.PyTessBaseAPI(path=tessdata_dir(), lang=LANGUAGES, psm=tesserocr.PSM.AUTO,
                                               oem=tesserocr.OEM.LSTM_ONLY)
            # The picture comes from pdfium with no resolution in it: say it, rather than let Tesseract guess.
            cls._api.SetVariable("user_defined_dpi", str(OCR_DPI))
        return cls._api


def _symbols(api: Any) -> Iterator[tuple[str, tuple[int, int, int, int], bool, bool, float]]:
    """(character(s), pixel box, starts a word, starts a line, word confidence) for every symbol read."""
    from tesserocr import RIL, iterate_level

    iterator = api.GetIterator()
    if iterator is None:  # an empty page
        return
    confidence = 0.0
    for symbol in iterate_level(iterator, RIL.SYMBOL):
        text = symbol.GetUTF8Text(RIL.SYMBOL)
        box = symbol.BoundingBox(RIL.SYMBOL)
        if not text or box is None:
            continue
        starts_word = bool(symbol.IsAtBeginningOf(RIL.WORD))
        if starts_word:
            confidence = float(symbol.Confidence(RIL.WORD))
        yield text, tuple(box), starts_word, bool(symbol.IsAtBeginningOf(RIL.TEXTLINE)), confidence


def ocr_page(pdf: bytes, page_number: int, geometry: PageGeometry | None = None) -> OcrPage:
    """The words of one page, read from the page as the reader sees it, boxes mapped to PDF page space (rotated
    and cropped pages included, through the same geometry as the page view)."""
    geometry = geometry or page_geometry(pdf)[page_number - 1]
    image = render_page(pdf, page_number, OCR_DPI).convert("L")
    angle = skew_angle(image)
    upright = image.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=255) if angle else image
    return _page_of(page_number, _Engine.read(upright), geometry, angle, (image.width / 2, image.height / 2))


def skew_angle(image: Image.Image) -> float:
    """The degrees to turn a scan by (counter-clockwise) so its lines are level. A page fed in a degree or two
    askew makes Tesseract split lines into false columns and misread digits (measured: a 2-degree page lost four
    of its eleven identifiers); level, it reads them all. The angle whose rows of ink are most sharply separated
    (the largest variance of the row sums), coarse then fine, on a reduced copy: PIL only, no numpy or OpenCV in
    the bundle."""
    coarse = ImageOps.invert(image.reduce(8))
    best = _sharpest(coarse, [a / 2 for a in range(-2 * MAX_SKEW, 2 * MAX_SKEW + 1)])
    fine = ImageOps.invert(image.reduce(4))
    return _sharpest(fine, [best + a / 8 for a in range(-3, 4)])


MAX_SKEW = 4  # degrees either way: a page fed more askew than that is scanned again, not read


def _sharpest(image: Image.Image, angles: Sequence[float]) -> float:
    def sharpness(angle: float) -> float:
        turned = image.rotate(angle, resample=Image.Resampling.BILINEAR) if angle else image
        rows = turned.resize((1, image.height), Image.Resampling.BOX)
        return float(ImageStat.Stat(rows).var[0])

    return max(angles, key=lambda a: (sharpness(a), -abs(a)))


def _page_of(page_number: int, symbols: Sequence[tuple[str, tuple[int, int, int, int], bool, bool, float]],
             geometry: PageGeometry, angle: float = 0.0, centre: tuple[float, float] = (0.0, 0.0)) -> OcrPage:
    scale = 72 / OCR_DPI  # pixels to points of the page as shown
    turn = _unturn(angle, centre)
    words: list[OcrWord] = []
    text, line, keep = "", -1, False
    boxes: list[Rect] = []

    def flush() -> None:
        if text.strip() and keep:
            words.append(OcrWord(text, tuple(boxes), line))

    for chars, (left, top, right, bottom), starts_word, starts_line, confidence in symbols:
        if starts_word or not text:
            flush()
            text, boxes, keep = "", [], confidence >= MIN_CONFIDENCE
            line += int(starts_line or line < 0)
        x0, y0, x1, y1 = turn(left, top, right, bottom)
        rect = geometry.rect_to_page((x0 * scale, y0 * scale, x1 * scale, y1 * scale))
        width = (rect[2] - rect[0]) / len(chars)  # a ligature read as two letters shares its box
        for i, char in enumerate(chars):
            text += char
            boxes.append((rect[0] + i * width, rect[1], rect[0] + (i + 1) * width, rect[3]))
    flush()
    return OcrPage(page_number, tuple(words))


def ocr_pages(pdf: bytes, page_numbers: Sequence[int], control: JobControl | None = None,
              each: Callable[[OcrPage], None] | None = None) -> list[OcrPage]:
    """Several pages, with progress page by page; Cancel stops between pages (Cancelled), after `each` was given
    every page read so far."""
    control = control or JobControl()
    geometry = page_geometry(pdf)
    out: list[OcrPage] = []
    for index, number in enumerate(page_numbers):
        control.step(index, len(page_numbers), f"Reading scanned page {number} ({index + 1} of {len(page_numbers)})")
        out.append(ocr_page(pdf, number, geometry[number - 1]))
        if each is not None:
            each(out[-1])
    control.progress(len(page_numbers), len(page_numbers), "Scanned pages read")
    return out


def _unturn(angle: float, centre: tuple[float, float]) -> Callable[[float, float, float, float],
                                                                   tuple[float, float, float, float]]:
    """Maps a box found on the levelled picture back onto the page as scanned (its bounds after turning back)."""
    if not angle:
        return lambda x0, y0, x1, y1: (x0, y0, x1, y1)
    # PIL turned the picture counter-clockwise by `angle` about its centre, y pointing down: turn the corners back.
    cos, sin = math.cos(math.radians(angle)), math.sin(math.radians(angle))
    cx, cy = centre

    def back(x0: float, y0: float, x1: float, y1: float) -> tuple[float, float, float, float]:
        corners = [(x - cx, y - cy) for x in (x0, x1) for y in (y0, y1)]
        points = [(cx + dx * cos - dy * sin, cy + dx * sin + dy * cos) for dx, dy in corners]
        return (min(p[0] for p in points), min(p[1] for p in points), max(p[0] for p in points),
                max(p[1] for p in points))

    return back


def _union(boxes: Sequence[Rect]) -> Rect:
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))
