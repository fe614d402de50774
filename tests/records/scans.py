"""Scanned pages made on the spot: lines of text drawn into a 200-dpi picture, tilted a little and speckled like a
fax, saved as a PDF holding nothing but that picture (no text layer). Each planted phrase's box is known in PDF
points from the bottom-left, so a test can check that a suggestion covers where the phrase was drawn."""

from __future__ import annotations

import io
import math
import random
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFont
from reportlab import rl_config
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from desktop.paths import resource_path

DPI = 200
PAGE_PT = (612.0, 792.0)
FONT_PX = 30  # about 11 pt at 200 dpi
LINE_PX = 62
LEFT_PX = 150
TOP_PX = 160

rl_config.useA85 = 0


@dataclass(frozen=True)
class Planted:
    page: int
    text: str  # the phrase looked for, as drawn
    box: tuple[float, float, float, float]  # where it was drawn, PDF points from the bottom-left (before the tilt)


def _font() -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(resource_path("fonts", "DejaVuSans.ttf")), FONT_PX)


def scanned_page(lines: list[str], marks: list[str], page: int = 1, tilt: float = 1.2, seed: int = 7,
                 speckles: int = 2500) -> tuple[Image.Image, list[Planted]]:
    """A page image with `lines` drawn top to bottom; every phrase of `marks` (each on one of the lines) is
    returned with its box."""
    width, height = round(PAGE_PT[0] * DPI / 72), round(PAGE_PT[1] * DPI / 72)
    image = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(image)
    font = _font()
    planted: list[Planted] = []
    for number, line in enumerate(lines):
        y = TOP_PX + number * LINE_PX
        draw.text((LEFT_PX, y), line, font=font, fill=0)
        for mark in marks:
            at = line.find(mark)
            if at >= 0:
                x0 = LEFT_PX + draw.textlength(line[:at], font=font)
                x1 = x0 + draw.textlength(mark, font=font)
                planted.append(Planted(page, mark, _to_points((x0, y, x1, y + FONT_PX * 1.2), height)))
    rnd = random.Random(seed)
    image = image.rotate(tilt, resample=Image.Resampling.BICUBIC, fillcolor=255)
    pixels = image.load()
    assert pixels is not None
    for _ in range(speckles):
        pixels[rnd.randrange(width), rnd.randrange(height)] = rnd.choice((0, 90, 160))
    return image, planted


def _to_points(box: tuple[float, float, float, float], height_px: int) -> tuple[float, float, float, float]:
    s = 72 / DPI
    x0, top, x1, bottom = box
    return x0 * s, (height_px - bottom) * s, x1 * s, (height_px - top) * s


def image_only_pdf(images: list[Image.Image]) -> bytes:
    """One Letter page per picture, nothing but the picture on it."""
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=PAGE_PT)
    for image in images:
        buffer = io.BytesIO()
        image.save(buffer, "PNG")
        canvas.drawImage(ImageReader(io.BytesIO(buffer.getvalue())), 0, 0, *PAGE_PT)
        canvas.showPage()
    canvas.save()
    return out.getvalue()


def png_bytes(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG", dpi=(DPI, DPI))
    return buffer.getvalue()


def overlaps(a: tuple[float, ...], b: tuple[float, ...], slack: float = 0.0) -> bool:
    """Whether two boxes share area; the tilt moves a phrase by up to a few points from where it was drawn."""
    return a[0] < b[2] + slack and b[0] < a[2] + slack and a[1] < b[3] + slack and b[1] < a[3] + slack


def centre_distance(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    return math.dist(((a[0] + a[2]) / 2, (a[1] + a[3]) / 2), ((b[0] + b[2]) / 2, (b[1] + b[3]) / 2))
