"""Images and plain text become PDF in memory (SPEC D1), so every record is viewed, redacted and packed the same way.

reportlab writes the PDF; `invariant` keeps the bytes the same for the same input, and useA85 = 0 keeps image data
binary (ASCII85 would add a quarter to its size).
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator

from PIL import Image, ImageOps
from reportlab import rl_config
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from desktop.jobs import JobControl
from desktop.paths import resource_path
from desktop.records.images import ImageDataError, clean_jpeg
from desktop.records.model import Limits, RecordRefused

rl_config.useA85 = 0

LETTER = (612.0, 792.0)
MAX_PAGE_PT = 14_400.0  # the largest page a PDF reader has to accept (ISO 32000 Annex C)
_MARGIN = 54.0
_FONT_SIZE = 10.0
_LEADING = 12.0
_UNICODE_FONT = "DejaVuSans"

_PILLOW_FORMATS = {"image/png": "PNG", "image/jpeg": "JPEG", "image/tiff": "TIFF"}

Fits = Callable[[str], bool]


def new_canvas(buffer: io.BytesIO) -> Canvas:
    return Canvas(buffer, pagesize=LETTER, invariant=True, pageCompression=1)


def image_to_pdf(name: str, data: bytes, kind: str, limits: Limits, control: JobControl) -> bytes:
    """One page per image frame (a multi-page TIFF is a multi-page record). `kind` is the sniffed media type: Pillow
    may only use that decoder, whatever else the bytes could pass for."""
    buffer = io.BytesIO()
    canvas = new_canvas(buffer)
    with _opened(name, data, kind) as image:
        frames = int(getattr(image, "n_frames", 1))
        if frames > limits.max_pages:
            raise RecordRefused(f"{name} has {frames:,} pages (frames), more than the {limits.max_pages:,} a record "
                                "may have; split it into smaller files and import them one by one.")
        for index in range(frames):
            control.step(index, frames, f"Converting page {index + 1} of {frames}")
            image.seek(index)
            _draw_frame(canvas, name, image, data if frames == 1 else None, limits)
    canvas.save()
    return buffer.getvalue()


def _opened(name: str, data: bytes, kind: str) -> Image.Image:
    try:
        return Image.open(io.BytesIO(data), formats=[_PILLOW_FORMATS[kind]])  # reads the header only
    except Image.DecompressionBombError as error:
        raise bomb(name, str(error)) from error
    except (OSError, SyntaxError, ValueError) as error:
        raise damaged_image(name) from error


def bomb(name: str, detail: str) -> RecordRefused:
    return RecordRefused(f"{name} is refused: {detail}. An image that large is either damaged or made to exhaust "
                         "memory; scan or export the page again at a normal resolution (e.g. 300 dpi).")


def damaged_image(name: str) -> RecordRefused:
    return RecordRefused(f"{name} is a damaged or incomplete image that cannot be read; get a fresh copy (scan or "
                         "export it again) and import that.")


def check_pixels(name: str, size: tuple[int, int], limits: Limits) -> None:
    width, height = size
    if width < 1 or height < 1:
        raise damaged_image(name)
    if width * height > limits.max_image_pixels:
        raise bomb(name, f"it claims {width:,} x {height:,} pixels, more than the {limits.max_image_pixels:,} "
                         "pixels allowed per page")


def _draw_frame(canvas: Canvas, name: str, image: Image.Image, jpeg: bytes | None, limits: Limits) -> None:
    check_pixels(name, image.size, limits)
    try:
        width_pt, height_pt = _page_size(image)  # reading EXIF may decode a PNG: after the pixel check
        reader = _passthrough(image, jpeg) or ImageReader(_flattened(image))
    except (OSError, SyntaxError, ValueError) as error:
        raise damaged_image(name) from error
    canvas.setPageSize((width_pt, height_pt))
    canvas.drawImage(reader, 0, 0, width_pt, height_pt)
    canvas.showPage()


def _passthrough(image: Image.Image, jpeg: bytes | None) -> ImageReader | None:
    """A plain JPEG goes in with its compressed pixels as they are (no re-encoding, so no loss), once it is known to
    decode completely, but without what the camera or editor wrote beside them: EXIF (GPS, camera, owner), XMP,
    comments, thumbnails, ICC and Photoshop segments are cut out of the stream (desktop/records/images.py, §9.1).
    Other images are decoded and go in as their pixels only."""
    upright = image.getexif().get(0x0112, 1) == 1  # EXIF orientation: a turned photo must be decoded and turned
    if jpeg is None or image.format != "JPEG" or image.mode not in ("RGB", "L") or not upright:
        return None
    image.load()
    try:
        return ImageReader(io.BytesIO(clean_jpeg(jpeg)))
    except ImageDataError:
        return None  # decoded and written as pixels instead


def _flattened(image: Image.Image) -> Image.Image:
    """Decoded, turned upright, transparency on white, in a mode PDF holds (gray or RGB)."""
    frame = ImageOps.exif_transpose(image) or image
    if frame.mode in ("1", "L", "I;16", "I", "F"):
        return frame.convert("L")
    if frame.mode in ("RGBA", "LA", "PA") or (frame.mode == "P" and "transparency" in frame.info):
        rgba = frame.convert("RGBA")
        white = Image.new("RGB", rgba.size, "white")
        white.paste(rgba, mask=rgba.getchannel("A"))
        return white
    return frame.convert("RGB")


def _page_size(image: Image.Image) -> tuple[float, float]:
    """The scan's own size when it says its resolution; otherwise fitted to a Letter page."""
    width, height = _upright_size(image)
    dpi = image.info.get("dpi")
    if isinstance(dpi, tuple) and len(dpi) == 2 and all(50 <= float(d) <= 2400 for d in dpi):
        scale_x, scale_y = 72 / float(dpi[0]), 72 / float(dpi[1])
    else:
        box = LETTER if height >= width else (LETTER[1], LETTER[0])
        scale_x = scale_y = min(1.0, box[0] / width, box[1] / height)
    shrink = min(1.0, MAX_PAGE_PT / (width * scale_x), MAX_PAGE_PT / (height * scale_y))
    return width * scale_x * shrink, height * scale_y * shrink


def _upright_size(image: Image.Image) -> tuple[int, int]:
    turned = image.getexif().get(0x0112, 1) in (5, 6, 7, 8)
    return (image.height, image.width) if turned else (image.width, image.height)


def text_to_pdf(name: str, text: str, limits: Limits, control: JobControl) -> bytes:
    """Plain text in a monospaced font, wrapped to the page and paginated (form feeds start a new page)."""
    font = _font_for(text)
    width = LETTER[0] - 2 * _MARGIN
    pages = list(_paginate(text, lambda s: pdfmetrics.stringWidth(s, font, _FONT_SIZE) <= width))
    if len(pages) > limits.max_pages:
        raise RecordRefused(f"{name} would make {len(pages):,} pages, more than the {limits.max_pages:,} a record may "
                            "have; split it into smaller files and import them one by one.")
    buffer = io.BytesIO()
    canvas = new_canvas(buffer)
    for index, lines in enumerate(pages):
        control.step(index, len(pages), f"Converting page {index + 1} of {len(pages)}")
        _draw_lines(canvas, font, lines)
    canvas.save()
    return buffer.getvalue()


def _font_for(text: str) -> str:
    """Courier where the text fits its encoding (cp1252 covers English, Spanish and French); otherwise a Unicode
    font, so that no character of the record is lost."""
    try:
        text.encode("cp1252")
        return "Courier"
    except UnicodeEncodeError:
        if _UNICODE_FONT not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(_UNICODE_FONT, str(resource_path("fonts", "DejaVuSans.ttf"))))
        return _UNICODE_FONT


def _draw_lines(canvas: Canvas, font: str, lines: list[str]) -> None:
    canvas.setPageSize(LETTER)
    block = canvas.beginText(_MARGIN, LETTER[1] - _MARGIN - _FONT_SIZE)
    block.setFont(font, _FONT_SIZE, _LEADING)
    for line in lines:
        block.textLine(line)
    canvas.drawText(block)
    canvas.showPage()


def _paginate(text: str, fits: Fits) -> Iterator[list[str]]:
    per_page = int((LETTER[1] - 2 * _MARGIN) // _LEADING)
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    for sheet in text.split("\f"):
        lines = [wrapped for line in sheet.split("\n") for wrapped in _wrap(line.expandtabs(8), fits)]
        for start in range(0, max(len(lines), 1), per_page):
            yield lines[start : start + per_page]


def _wrap(line: str, fits: Fits) -> list[str]:
    """Greedy wrap at spaces; a word wider than the page is cut where it has to be."""
    out: list[str] = []
    current = ""
    for token in re.findall(r"\S+\s*|\s+", line.rstrip()) or [""]:
        if fits(current + token.rstrip()):
            current += token
            continue
        if current:
            out.append(current.rstrip())
        current = ""
        while not fits(token.rstrip()) and len(token) > 1:
            cut = _longest_fit(token, fits)
            out.append(token[:cut])
            token = token[cut:]
        current = token
    out.append(current.rstrip())
    return out


def _longest_fit(token: str, fits: Fits) -> int:
    low, high = 1, len(token)
    while low < high:
        middle = (low + high + 1) // 2
        low, high = (middle, high) if fits(token[:middle]) else (low, middle - 1)
    return low
