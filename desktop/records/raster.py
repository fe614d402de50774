"""A page with redaction boxes, rasterized with the boxes burned in (SPEC D3): the only copy of that page that leaves
this module is pixels, so no text, vector, image or annotation under a box can survive."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from PIL import Image, ImageChops, ImageDraw
from pypdf.generic import DecodedStreamObject, EncodedStreamObject, NameObject, NumberObject

from desktop.records import _pdfium
from desktop.records.model import Box

PAD_PT = 1.0  # a box is widened by this on every side, so anti-aliased glyph edges go too
MAX_PIXELS = 50_000_000  # an oversized page is rendered at a lower resolution rather than exhausting memory


@dataclass(frozen=True)
class RasterPage:
    width_pt: float  # the page as displayed: crop box, /Rotate applied
    height_pt: float
    bands: tuple[Image.Image, Image.Image, Image.Image]  # red, green, blue with the boxes burned in; not pdfium's


def rasterize(doc: Any, number: int, boxes: list[Box], dpi: int) -> RasterPage:
    """Renders the page with its boxes burned in. pdfium's part: hold nothing else of pdfium while it runs."""
    with _pdfium.LOCK, _pdfium.page(doc, number) as pg:
        width_pt, height_pt = (float(v) for v in pg.get_size())
        scale = min(dpi / 72, math.sqrt(MAX_PIXELS / (width_pt * height_pt)))
        # RGBX, which PIL uses in pdfium's own buffer: the boxes are burned into the rendering itself, and the only
        # copies made are its three colour bands (2 MB each at 150 dpi), which outlive the bitmap. (An RGB rendering
        # was copied twice first, to_pil and convert, each a fresh 6 MB: 5 ms a page.)
        bitmap = pg.render(scale=scale, may_draw_forms=True, draw_annots=True, rev_byteorder=True, prefer_bgrx=True)
        try:
            rendered = bitmap.to_pil()
            draw = ImageDraw.Draw(rendered)
            for box in boxes:
                draw.rectangle(_device_rect(pg, rendered.size, box), fill="black")
            red, green, blue = (rendered.getchannel(band) for band in "RGB")
        finally:
            bitmap.close()
    return RasterPage(width_pt, height_pt, (red, green, blue))


def image_xobject(bands: tuple[Image.Image, Image.Image, Image.Image]) -> EncodedStreamObject:
    """The image XObject of a rendered page, Flate-compressed, 8 bits per component: one channel when the page has
    no colour (a third of the size, the same pixels: any band is the gray), else RGB. No pdfium here: it runs on a
    worker thread while the next page renders (zlib and PIL let go of the GIL)."""
    red, green, blue = bands
    colour = ImageChops.difference(red, green).getbbox() is not None or \
        ImageChops.difference(green, blue).getbbox() is not None
    image = Image.merge("RGB", bands) if colour else red
    samples = DecodedStreamObject()
    samples.set_data(image.tobytes())
    samples.update({
        NameObject("/Type"): NameObject("/XObject"), NameObject("/Subtype"): NameObject("/Image"),
        NameObject("/Width"): NumberObject(image.width), NameObject("/Height"): NumberObject(image.height),
        NameObject("/ColorSpace"): NameObject("/DeviceRGB" if colour else "/DeviceGray"),
        NameObject("/BitsPerComponent"): NumberObject(8),
    })
    # Measured on Letter pages at 150 dpi (dense 9-point log lines, prose, a ruled table, a sparse form): on gray,
    # level 4 is within 1.5% of level 6 in size for 25-30% less time (19 against 27 ms on the dense page, the
    # longest step of a redacted page), and level 3 is 7-60% larger. On colour level 6 gains 2% over 3 for 45 ms
    # more, so colour stays at 3.
    return samples.flate_encode(level=3 if colour else 4)


def _device_rect(pg: Any, size: tuple[int, int], box: Box) -> tuple[int, int, int, int]:
    """The padded box in bitmap pixels, rounded outwards by a further pixel."""
    corners = [_pdfium.page_to_device(pg, size, x, y) for x in (box.x0 - PAD_PT, box.x1 + PAD_PT)
               for y in (box.y0 - PAD_PT, box.y1 + PAD_PT)]
    xs, ys = [c[0] for c in corners], [c[1] for c in corners]
    return max(min(xs) - 1, 0), max(min(ys) - 1, 0), min(max(xs) + 1, size[0] - 1), min(max(ys) + 1, size[1] - 1)


def covered_text(doc: Any, number: int, boxes: list[Box]) -> tuple[str, ...]:
    """The text pdfium finds inside each padded box of page `number`, line by line, white space collapsed: what the
    result is checked for afterwards (desktop/records/verify.py)."""
    with _pdfium.LOCK, _pdfium.page(doc, number) as pg:
        return _covered_text(pg, boxes)


def _covered_text(pg: Any, boxes: list[Box]) -> tuple[str, ...]:
    textpage = pg.get_textpage()
    try:
        found = [str(textpage.get_text_bounded(b.x0 - PAD_PT, b.y0 - PAD_PT, b.x1 + PAD_PT, b.y1 + PAD_PT))
                 for b in boxes]
    finally:
        textpage.close()
    runs = (" ".join(line.split()) for text in found for line in text.splitlines())
    return tuple(dict.fromkeys(run for run in runs if run))
