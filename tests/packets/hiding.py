"""Records crafted to hide text from the reviewer, one route per page, each with its own canary (SPEC D3, §9.1), and
ordinary pages that must stay as they are. reportlab draws what it can (colours, render modes, clips, boxes, forms);
the rest (optional content, marked content, comments, unknown operators) is written by hand into content streams
with pypdf.
"""

from __future__ import annotations

import io
import struct
from collections.abc import Callable
from dataclasses import dataclass

from PIL import Image
from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    NameObject,
    NumberObject,
    RectangleObject,
    TextStringObject,
)
from reportlab import rl_config
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

rl_config.useA85 = 0

Draw = Callable[[Canvas, str], None]


@dataclass(frozen=True)
class Route:
    name: str
    canary: str
    draw: Draw
    after: Callable[[PdfWriter, int], None] | None = None  # changes the written page (index from 0) with pypdf


def _plain(c: Canvas, canary: str) -> None:
    c.setFont("Helvetica", 11)
    c.drawString(72, 720, "Seen on every route page")


def white_on_white(c: Canvas, canary: str) -> None:
    c.setFillColorRGB(1, 1, 1)
    c.drawString(72, 600, canary)


def near_white(c: Canvas, canary: str) -> None:
    c.setFillColorRGB(0.985, 0.985, 0.985)
    c.drawString(72, 600, canary)


def under_black_box(c: Canvas, canary: str) -> None:
    c.drawString(72, 600, canary)
    c.rect(68, 594, 260, 18, stroke=0, fill=1)  # the fake redaction: looks done, is not


def under_white_box(c: Canvas, canary: str) -> None:
    c.drawString(72, 600, canary)
    c.setFillColorRGB(1, 1, 1)
    c.rect(68, 594, 260, 18, stroke=0, fill=1)


def black_on_black(c: Canvas, canary: str) -> None:
    c.rect(68, 594, 260, 18, stroke=0, fill=1)
    c.drawString(72, 600, canary)  # black text on the black box drawn before it


def render_mode(mode: int) -> Draw:
    def draw(c: Canvas, canary: str) -> None:
        text = c.beginText(72, 600)
        text.setTextRenderMode(mode)
        text.textLine(canary)
        text.setTextRenderMode(0)
        c.drawText(text)
    return draw


def off_mediabox(c: Canvas, canary: str) -> None:
    c.drawString(700, 600, canary)  # the page is 612 wide


def below_page(c: Canvas, canary: str) -> None:
    c.drawString(72, -40, canary)


def outside_cropbox(c: Canvas, canary: str) -> None:
    c.drawString(72, 40, canary)  # the crop box (set in `record`) starts at y = 100


def tiny(c: Canvas, canary: str) -> None:
    c.setFont("Helvetica", 0.6)
    c.drawString(72, 600, canary)


def scaled_tiny(c: Canvas, canary: str) -> None:
    c.saveState()
    c.scale(0.05, 0.05)
    c.setFont("Helvetica", 11)
    c.drawString(72 * 20, 600 * 20, canary)
    c.restoreState()


def under_image(c: Canvas, canary: str) -> None:
    c.drawString(72, 600, canary)
    c.drawImage(ImageReader(Image.new("RGB", (40, 8), (30, 90, 160))), 68, 590, 280, 24)


def clipped_away(c: Canvas, canary: str) -> None:
    c.saveState()
    path = c.beginPath()
    path.rect(300, 300, 5, 5)
    c.clipPath(path, stroke=0, fill=0)
    c.drawString(72, 600, canary)
    c.restoreState()


def zero_alpha(c: Canvas, canary: str) -> None:
    c.saveState()
    c.setFillAlpha(0)
    c.drawString(72, 600, canary)
    c.restoreState()


def covered_in_form(c: Canvas, canary: str) -> None:
    c.beginForm("stamp")
    c.setFont("Helvetica", 11)
    c.drawString(10, 10, canary)
    c.rect(6, 4, 260, 18, stroke=0, fill=1)
    c.endForm()
    c.saveState()
    c.translate(62, 590)
    c.doForm("stamp")
    c.restoreState()


def plain_line(c: Canvas, canary: str) -> None:
    c.drawString(72, 600, canary)


def annotation_box(writer: PdfWriter, index: int) -> None:
    """A black square annotation over the line: the viewer shows it, a vector copy would drop it (SPEC D3)."""
    from pypdf.annotations import Rectangle

    writer.add_annotation(index, Rectangle(rect=(68, 594, 330, 612), interior_color="000000"))


def under_gradient(c: Canvas, canary: str) -> None:
    c.drawString(72, 600, canary)
    c.saveState()
    path = c.beginPath()
    path.rect(68, 594, 260, 18)
    c.clipPath(path, stroke=0, fill=0)
    c.linearGradient(68, 594, 328, 612, ((0.1, 0.1, 0.3), (0.2, 0.2, 0.6)), extend=False)  # a shading (sh)
    c.restoreState()


def under_white_image(c: Canvas, canary: str) -> None:
    c.drawString(72, 600, canary)
    c.drawImage(ImageReader(Image.new("RGB", (20, 4), (255, 255, 255))), 68, 590, 280, 24)


def white_in_form(c: Canvas, canary: str) -> None:
    c.beginForm("whiteform")
    c.setFont("Helvetica", 11)
    c.setFillColorRGB(1, 1, 1)
    c.drawString(10, 10, canary)
    c.endForm()
    c.saveState()
    c.translate(62, 590)
    c.doForm("whiteform")
    c.restoreState()


def cropped_image(c: Canvas, canary: str) -> None:
    """A photo cropped by a clipping path, as word processors crop pictures: the whole photo is in the file."""
    c.saveState()
    path = c.beginPath()
    path.rect(100, 300, 100, 60)
    c.clipPath(path, stroke=0, fill=0)
    c.drawImage(ImageReader(Image.new("RGB", (60, 40), (40, 120, 200))), 100, 300, 300, 200)
    c.restoreState()


def boxed_photo(c: Canvas, canary: str) -> None:
    """A photo with a black box drawn over a face: the photo travels whole in a vector copy."""
    c.drawImage(ImageReader(Image.new("RGB", (60, 40), (200, 160, 120))), 100, 300, 300, 200)
    c.rect(200, 380, 60, 40, stroke=0, fill=1)


def image_past_edge(c: Canvas, canary: str) -> None:
    c.drawImage(ImageReader(Image.new("RGB", (60, 20), (200, 40, 40))), 400, 300, 400, 120)  # half off the page


ROUTES = [
    Route("white text on a white page", "CANARY-WHITE-ON-WHITE", white_on_white),
    Route("almost white text", "CANARY-NEAR-WHITE", near_white),
    Route("text under a black box drawn over it", "CANARY-UNDER-BLACK-BOX", under_black_box),
    Route("text under a white box drawn over it", "CANARY-UNDER-WHITE-BOX", under_white_box),
    Route("black text on a black box", "CANARY-BLACK-ON-BLACK", black_on_black),
    Route("render mode 3 (invisible)", "CANARY-RENDER-MODE-3", render_mode(3)),
    Route("render mode 7 (clip only)", "CANARY-RENDER-MODE-7", render_mode(7)),
    Route("text right of the media box", "CANARY-OFF-MEDIABOX", off_mediabox),
    Route("text below the page", "CANARY-BELOW-PAGE", below_page),
    Route("text outside the crop box", "CANARY-OUTSIDE-CROPBOX", outside_cropbox),
    Route("text of 0.6 points", "CANARY-TINY-TEXT", tiny),
    Route("text scaled down by the CTM", "CANARY-SCALED-TINY", scaled_tiny),
    Route("text under an image drawn over it", "CANARY-UNDER-IMAGE", under_image),
    Route("text clipped away", "CANARY-CLIPPED-AWAY", clipped_away),
    Route("text with fill alpha 0", "CANARY-ZERO-ALPHA", zero_alpha),
    Route("text under a box inside a form XObject", "CANARY-IN-FORM-COVERED", covered_in_form),
    Route("text under a square annotation", "CANARY-UNDER-ANNOTATION", plain_line, annotation_box),
    Route("text under a gradient (shading)", "CANARY-UNDER-SHADING", under_gradient),
    Route("text under a white image", "CANARY-UNDER-WHITE-IMAGE", under_white_image),
    Route("white text inside a form XObject", "CANARY-WHITE-IN-FORM", white_in_form),
]
CROPPED = "text outside the crop box"


def record(routes: list[Route]) -> bytes:
    """One page per route, each with a line that shows and the route's hidden text."""
    out = io.BytesIO()
    c = Canvas(out, pagesize=(612, 792), invariant=True)
    for route in routes:
        if route.name == CROPPED:
            c.setCropBox((0, 100, 612, 792))
        _plain(c, route.canary)
        c.setFont("Helvetica", 11)
        route.draw(c, route.canary)
        c.showPage()
    c.save()
    if not any(route.after for route in routes):
        return out.getvalue()
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(out.getvalue())))
    for index, route in enumerate(routes):
        if route.after is not None:
            route.after(writer, index)
    changed = io.BytesIO()
    writer.write(changed)
    return changed.getvalue()


COLOURS = [(0.0, 0.0, 0.0), (0.8, 0.0, 0.0), (0.0, 0.0, 0.6), (0.4, 0.4, 0.4), (0.0, 0.5, 0.0), (0.6, 0.6, 0.6)]


def ordinary_record(pages: int) -> bytes:
    """What records usually look like: text in colours and sizes, a table with a dark header in white type, ruled
    lines, an underline, a photo beside the text, a page with a crop box inside its media box, a landscape page."""
    out = io.BytesIO()
    c = Canvas(out, pagesize=(612, 792), invariant=True)
    for page in range(1, pages + 1):
        if page % 5 == 4:
            c.setCropBox((20, 20, 592, 772))
        if page % 5 == 0:
            c.setPageSize((792, 612))
        else:
            c.setPageSize((612, 792))
        c.setFont("Helvetica-Bold", 14)
        c.drawString(72, 560, f"Crossing history, page {page}")
        c.setFont("Helvetica", 9)
        for line in range(20):
            c.setFillColorRGB(*COLOURS[line % len(COLOURS)])
            c.drawString(72, 540 - 14 * line, f"2025-03-{line + 1:02d} Lacolle, QC  Passenger vehicle  "
                                              f"ref {page}-{line}")
        c.setFillColorRGB(0.1, 0.2, 0.5)
        c.rect(72, 230, 300, 16, stroke=0, fill=1)  # table header, drawn first
        c.setFillColorRGB(1, 1, 1)
        c.drawString(76, 235, "Port        Date        Officer")  # white on the dark header: seen
        c.setFillColorRGB(0.93, 0.93, 0.93)
        c.rect(72, 214, 300, 16, stroke=0, fill=1)  # a shaded row under its text
        c.setFillColorRGB(0, 0, 0)
        c.drawString(76, 219, "Lacolle     2025-03-02  M. Roy")
        for y in (214, 230, 246):
            c.line(72, y, 372, y)
        c.drawString(76, 190, "Underlined remark")
        c.line(76, 188, 160, 188)
        c.drawImage(ImageReader(Image.new("RGB", (40, 30), (120, 160, 90))), 420, 150, 120, 90)
        c.setFont("Helvetica", 6)
        c.drawString(72, 120, "Footnote in six-point type, still read on screen")
        c.showPage()
    c.save()
    return _rotated_last(out.getvalue())


def _rotated_last(pdf: bytes) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    writer.pages[-1].rotate(90)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


# Routes written by hand into content streams.
LAYER_NAME = "CANARY-LAYER-NAME"
ON_LAYER_NAME = "CANARY-ON-LAYER-NAME"
OC_OFF = "CANARY-OC-OFF-LAYER"
OC_FORM = "CANARY-OC-FORM-OFF"
OCMD_OFF = "CANARY-OCMD-OFF"
OC_IN_FORM = "CANARY-OC-INSIDE-FORM"
OC_IMAGE = "CANARY-OC-IMAGE-SAMPLES"
INLINE_COMMENT = "CANARY-INLINE-JPEG-COMMENT"
VE_TEXT = "CANARY-VISIBILITY-EXPRESSION"
EMPTY_GLYPHS = "CANARY-EMPTY-GLYPHS"
ZERO_FONT = "CANARY-FONT-SIZE-ZERO"
GLYPH_TEXT = "CANARY-TEXT-IN-A-GLYPH"
PATTERN_TEXT = "CANARY-TEXT-IN-A-PATTERN"
FLAT_CTM = "CANARY-FLATTENING-CTM"
FLAT_TM = "CANARY-FLATTENING-TM"
ZERO_REASON = "text drawn at a size of zero, which draws nothing and which readers still extract"
ON_TEXT = "VISIBLE-ON-LAYER-TEXT"
ACTUAL_TEXT = "CANARY-ACTUALTEXT"
ACTUAL_SHOWN = "SHOWN-INSTEAD-OF-ACTUALTEXT"
COMMENT = "CANARY-CONTENT-COMMENT"
UNKNOWN_OP = "CANARY-UNKNOWN-OPERATOR"
MARKED_PROPERTY = "CANARY-MARKED-PROPERTY"
KEPT_TEXT = "KEPT-VECTOR-TEXT"


def hand_written_record() -> tuple[bytes, dict[str, int]]:
    """Pages with optional content, marked content, comments and unknown operators; returns the PDF and the page
    number of each route (from 1)."""
    writer = PdfWriter()
    font = writer._add_object(DictionaryObject({NameObject("/Type"): NameObject("/Font"),
                                                NameObject("/Subtype"): NameObject("/Type1"),
                                                NameObject("/BaseFont"): NameObject("/Helvetica")}))
    off = writer._add_object(_ocg(LAYER_NAME))
    on = writer._add_object(_ocg(ON_LAYER_NAME))
    ocmd = writer._add_object(DictionaryObject({NameObject("/Type"): NameObject("/OCMD"),
                                                NameObject("/OCGs"): ArrayObject([off]),
                                                NameObject("/P"): NameObject("/AnyOn")}))
    form = DecodedStreamObject()
    form.set_data(_text(40, OC_FORM))
    form.update({NameObject("/Type"): NameObject("/XObject"), NameObject("/Subtype"): NameObject("/Form"),
                 NameObject("/BBox"): RectangleObject((0, 0, 612, 792)), NameObject("/OC"): off,
                 NameObject("/Resources"): DictionaryObject({NameObject("/Font"): DictionaryObject({
                     NameObject("/F1"): font})})})
    form_ref = writer._add_object(form)
    inner = DecodedStreamObject()  # a form whose own content marks a layer that is off
    inner.set_data(b"/OC /L0 BDC\n" + _text(40, OC_IN_FORM) + b"EMC\n")
    inner.update({NameObject("/Type"): NameObject("/XObject"), NameObject("/Subtype"): NameObject("/Form"),
                  NameObject("/BBox"): RectangleObject((0, 0, 612, 792)),
                  NameObject("/Resources"): DictionaryObject({
                      NameObject("/Font"): DictionaryObject({NameObject("/F1"): font}),
                      NameObject("/Properties"): DictionaryObject({NameObject("/L0"): off})})})
    inner_ref = writer._add_object(inner)
    samples = OC_IMAGE.encode()  # the canary is the image's pixels: found raw if the image travels
    image = DecodedStreamObject()
    image.set_data(samples)
    image.update({NameObject("/Type"): NameObject("/XObject"), NameObject("/Subtype"): NameObject("/Image"),
                  NameObject("/Width"): NumberObject(len(samples)), NameObject("/Height"): NumberObject(1),
                  NameObject("/ColorSpace"): NameObject("/DeviceGray"), NameObject("/BitsPerComponent"):
                  NumberObject(8), NameObject("/OC"): off})
    image_ref = writer._add_object(image)
    expression = writer._add_object(DictionaryObject({NameObject("/Type"): NameObject("/OCMD"),
                                                      NameObject("/VE"): ArrayObject([NameObject("/Not"), off])}))
    empty_font = writer._add_object(_empty_type3(writer))
    talking = _empty_type3(writer)  # its one glyph shows text of its own in Helvetica
    glyph = DecodedStreamObject()
    glyph.set_data(b"600 0 d0 BT /F1 12 Tf 0 0 Td (" + GLYPH_TEXT.encode() + b") Tj ET")
    talking[NameObject("/CharProcs")] = DictionaryObject({NameObject("/g"): writer._add_object(glyph)})
    talking[NameObject("/Resources")] = DictionaryObject({NameObject("/Font"): DictionaryObject({
        NameObject("/F1"): font})})
    talking_font = writer._add_object(talking)
    tile = DecodedStreamObject()
    tile.set_data(_text(2, PATTERN_TEXT))
    tile.update({NameObject("/Type"): NameObject("/Pattern"), NameObject("/PatternType"): NumberObject(1),
                 NameObject("/PaintType"): NumberObject(1), NameObject("/TilingType"): NumberObject(1),
                 NameObject("/BBox"): RectangleObject((0, 0, 400, 20)), NameObject("/XStep"): NumberObject(400),
                 NameObject("/YStep"): NumberObject(20), NameObject("/Resources"): DictionaryObject({
                     NameObject("/Font"): DictionaryObject({NameObject("/F1"): font})})})
    tile_ref = writer._add_object(tile)
    pages = {
        "a font whose glyphs draw nothing": _text(700, KEPT_TEXT) + b"BT /F3 12 Tf 72 600 Td (" + EMPTY_GLYPHS.encode()
                                            + b") Tj ET\n",
        "a Type 3 glyph that shows text": _text(700, KEPT_TEXT) + b"BT /F4 12 Tf 72 600 Td (AB) Tj ET\n",
        "a tiling pattern that draws text": _text(700, KEPT_TEXT) + b"/Pattern cs /P0 scn 72 600 300 20 re f\n",
        "text at font size 0": _text(700, KEPT_TEXT) + b"BT /F1 0 Tf 72 600 Td (" + ZERO_FONT.encode() + b") Tj ET\n",
        "text under a flattening matrix": _text(700, KEPT_TEXT) + b"q 1 1 1 1 0 0 cm\n" + _text(600, FLAT_CTM)
                                          + b"Q\n",
        "text with a flattening text matrix": _text(700, KEPT_TEXT) + b"BT /F1 12 Tf 0 0 0 0 72 600 Tm ("
                                              + FLAT_TM.encode() + b") Tj ET\n",
        "layer off in the page": _text(700, KEPT_TEXT) + b"/OC /L0 BDC\n" + _text(600, OC_OFF) + b"EMC\n",
        "form XObject in a layer that is off": _text(700, KEPT_TEXT) + b"q /Fm0 Do Q\n",
        "membership dictionary of layers that are off": _text(700, KEPT_TEXT) + b"/OC /MD0 BDC\n"
                                                         + _text(600, OCMD_OFF) + b"EMC\n",
        "layer off inside a form's own content": _text(700, KEPT_TEXT) + b"q /Fm1 Do Q\n",
        "image in a layer that is off": _text(700, KEPT_TEXT) + b"q 300 0 0 20 72 500 cm /Im0 Do Q\n",
        "an inline JPEG with its metadata": _text(700, KEPT_TEXT) + b"q 160 0 0 100 72 400 cm BI /W 32 /H 20 /BPC 8 "
                                            b"/CS /RGB /F /DCT ID\n" + _small_jpeg() + b"\nEI Q\n",
        "a visibility expression": _text(700, KEPT_TEXT) + b"/OC /VE0 BDC\n" + _text(600, VE_TEXT) + b"EMC\n",
        "layer on": b"/OC /L1 BDC\n" + _text(600, ON_TEXT) + b"EMC\n",
        "ActualText replacing the shown text": b"/Span <</ActualText (" + ACTUAL_TEXT.encode() + b")>> BDC\n"
                                               + _text(600, ACTUAL_SHOWN) + b"EMC\n",
        "a comment in the content stream": _text(600, KEPT_TEXT) + b"% " + COMMENT.encode() + b"\n",
        "an unknown operator between BX and EX": _text(600, KEPT_TEXT) + b"BX (" + UNKNOWN_OP.encode()
                                                 + b") Canary EX\n",
        "a marked-content property list": b"/Artifact <</Canary (" + MARKED_PROPERTY.encode() + b")>> BDC\n"
                                          + _text(600, KEPT_TEXT) + b"EMC\n",
    }
    numbers = {}
    for number, (name, data) in enumerate(pages.items(), start=1):
        page = writer.add_blank_page(612, 792)
        stream = DecodedStreamObject()
        stream.set_data(data)
        page[NameObject("/Contents")] = writer._add_object(stream)
        page[NameObject("/Resources")] = DictionaryObject({
            NameObject("/Font"): DictionaryObject({NameObject("/F1"): font, NameObject("/F3"): empty_font,
                                                   NameObject("/F4"): talking_font}),
            NameObject("/Pattern"): DictionaryObject({NameObject("/P0"): tile_ref}),
            NameObject("/Properties"): DictionaryObject({NameObject("/L0"): off, NameObject("/L1"): on,
                                                         NameObject("/MD0"): ocmd, NameObject("/VE0"): expression}),
            NameObject("/XObject"): DictionaryObject({NameObject("/Fm0"): form_ref, NameObject("/Fm1"): inner_ref,
                                                      NameObject("/Im0"): image_ref}),
        })
        numbers[name] = number
    writer._root_object[NameObject("/OCProperties")] = DictionaryObject({
        NameObject("/OCGs"): ArrayObject([off, on]),
        NameObject("/D"): DictionaryObject({NameObject("/Name"): TextStringObject("Default"),
                                            NameObject("/OFF"): ArrayObject([off]),
                                            NameObject("/Order"): ArrayObject([off, on])}),
    })
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue(), numbers


def _empty_type3(writer: PdfWriter) -> DictionaryObject:
    """A Type 3 font whose every glyph is an empty procedure, with a ToUnicode map that gives its text to readers."""
    glyph = DecodedStreamObject()
    glyph.set_data(b"600 0 0 0 0 0 d1")
    cmap = DecodedStreamObject()
    cmap.set_data(b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CMapName /Empty def "
                  b"1 begincodespacerange <00> <FF> endcodespacerange 1 beginbfrange <20> <7E> <0020> endbfrange "
                  b"endcmap CMapName currentdict /CMap defineresource pop end end")
    scale = FloatObject(0.001)
    return DictionaryObject({
        NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type3"),
        NameObject("/FontBBox"): ArrayObject([NumberObject(0)] * 4),
        NameObject("/FontMatrix"): ArrayObject([scale, NumberObject(0), NumberObject(0), scale, NumberObject(0),
                                                NumberObject(0)]),
        NameObject("/CharProcs"): DictionaryObject({NameObject("/g"): writer._add_object(glyph)}),
        NameObject("/Encoding"): DictionaryObject({NameObject("/Type"): NameObject("/Encoding"),
                                                   NameObject("/Differences"): ArrayObject(
                                                       [NumberObject(32)] + [NameObject("/g")] * 95)}),
        NameObject("/FirstChar"): NumberObject(32), NameObject("/LastChar"): NumberObject(126),
        NameObject("/Widths"): ArrayObject([NumberObject(600)] * 95), NameObject("/ToUnicode"):
        writer._add_object(cmap), NameObject("/Resources"): DictionaryObject()})


def _small_jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (32, 20), (90, 120, 200)).save(out, "JPEG", comment=INLINE_COMMENT.encode())
    return out.getvalue()


def _ocg(name: str) -> DictionaryObject:
    return DictionaryObject({NameObject("/Type"): NameObject("/OCG"), NameObject("/Name"): TextStringObject(name)})


def _text(y: int, text: str) -> bytes:
    return f"BT /F1 12 Tf 72 {y} Td ({text}) Tj ET\n".encode("latin-1")


LAYER_OFF_REASON = "content in a layer (optional content) that is hidden in the normal view"
HAND_HIDDEN = {  # route -> (the canary that must not leave, why the page is rebuilt as an image)
    "a font whose glyphs draw nothing": (EMPTY_GLYPHS, "1 line of text that cannot be seen on the page (drawn with "
                                                       "glyphs that show nothing)"),
    "a Type 3 glyph that shows text": (GLYPH_TEXT, "a font whose glyphs draw text of their own, which is not the "
                                                   "page's text and still travels"),
    "a tiling pattern that draws text": (PATTERN_TEXT, "a pattern whose tiles draw text, which is not the page's "
                                                       "text and still travels"),
    "text at font size 0": (ZERO_FONT, ZERO_REASON),
    "text under a flattening matrix": (FLAT_CTM, ZERO_REASON),
    "text with a flattening text matrix": (FLAT_TM, ZERO_REASON),
    "layer off in the page": (OC_OFF, LAYER_OFF_REASON),
    "form XObject in a layer that is off": (OC_FORM, LAYER_OFF_REASON),
    "membership dictionary of layers that are off": (OCMD_OFF, LAYER_OFF_REASON),
    "layer off inside a form's own content": (OC_IN_FORM, LAYER_OFF_REASON),
    "image in a layer that is off": (OC_IMAGE, LAYER_OFF_REASON),
    "an inline JPEG with its metadata": (INLINE_COMMENT, "an image inside the drawing instructions whose file data "
                                                         "cannot be cleaned of its metadata"),
    "a visibility expression": (VE_TEXT, "content in a layer (optional content) whose visibility cannot be told "
                                         "for sure"),
}
HAND_VECTOR = {  # route -> (canary that must not leave, text that still shows as text); the page stays vector
    "layer on": (ON_LAYER_NAME, ON_TEXT),
    "ActualText replacing the shown text": (ACTUAL_TEXT, ACTUAL_SHOWN),
    "a comment in the content stream": (COMMENT, KEPT_TEXT),
    "an unknown operator between BX and EX": (UNKNOWN_OP, KEPT_TEXT),
    "a marked-content property list": (MARKED_PROPERTY, KEPT_TEXT),
}


# Images with metadata.
EXIF_ARTIST = "CANARY-EXIF-ARTIST"
EXIF_DESCRIPTION = "CANARY-EXIF-DESCRIPTION"
JPEG_COMMENT = "CANARY-JPEG-COMMENT"
XMP_CANARY = "CANARY-XMP-IN-JPEG"
PNG_TEXT = "CANARY-PNG-TEXT-CHUNK"
TIFF_TEXT = "CANARY-TIFF-DESCRIPTION"
IMAGE_CANARIES = [EXIF_ARTIST, EXIF_DESCRIPTION, JPEG_COMMENT, XMP_CANARY, "CANARY-GPS"]
JPEG_SIZE = (320, 200)


def photo() -> Image.Image:
    image = Image.new("RGB", JPEG_SIZE, (200, 210, 220))
    for x in range(0, JPEG_SIZE[0], 16):
        image.paste((40, 60, 80), (x, 0, x + 8, JPEG_SIZE[1]))
    return image


def jpeg_with_metadata() -> bytes:
    """A photo with EXIF (artist, description, GPS with a place name), an XMP packet and a comment segment."""
    exif = Image.Exif()
    exif[0x013B] = EXIF_ARTIST
    exif[0x010E] = EXIF_DESCRIPTION
    gps = {1: "N", 2: (45.0, 30.0, 15.0), 3: "W", 4: (73.0, 33.0, 0.0), 0x1B: b"ASCII\x00\x00\x00CANARY-GPS"}
    exif[0x8825] = gps
    out = io.BytesIO()
    photo().save(out, "JPEG", quality=92, exif=exif.tobytes(), comment=JPEG_COMMENT.encode())
    data = out.getvalue()
    xmp = b"http://ns.adobe.com/xap/1.0/\x00<x:xmpmeta>" + XMP_CANARY.encode() + b"</x:xmpmeta>"
    segment = b"\xff\xe1" + struct.pack(">H", len(xmp) + 2) + xmp
    return data[:2] + segment + data[2:]


def png_with_text() -> bytes:
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Comment", PNG_TEXT)
    info.add_itxt("Author", PNG_TEXT + "-ITXT")
    out = io.BytesIO()
    photo().save(out, "PNG", pnginfo=info, dpi=(150, 150))
    return out.getvalue()


def tiff_with_tags() -> bytes:
    out = io.BytesIO()
    photo().save(out, "TIFF", tiffinfo={270: TIFF_TEXT, 315: TIFF_TEXT + "-ARTIST"}, dpi=(150, 150))
    return out.getvalue()


def jpeg_on_a_page() -> bytes:
    """A vector page of text with the photo drawn beside it, the photo's file embedded as it is (DCTDecode)."""
    out = io.BytesIO()
    c = Canvas(out, pagesize=(612, 792), invariant=True)
    c.setFont("Helvetica", 11)
    c.drawString(72, 720, KEPT_TEXT)
    c.drawImage(ImageReader(io.BytesIO(jpeg_with_metadata())), 72, 400, 320, 200)
    c.showPage()
    c.save()
    return out.getvalue()



JPX_CANARY = "CANARY-JPX-XML-BOX"


def jpx_on_a_page() -> bytes:
    """A vector page of text with a JPEG 2000 image (JPXDecode) whose file carries an XML box."""
    out = io.BytesIO()
    photo().save(out, "JPEG2000", no_jp2=False)
    data = out.getvalue()
    at = data.index(b"jp2c") - 4
    xml = b"<x:xmpmeta>" + JPX_CANARY.encode() + b"</x:xmpmeta>"
    data = data[:at] + struct.pack(">I4s", 8 + len(xml), b"xml ") + xml + data[at:]
    writer = PdfWriter()
    font = writer._add_object(DictionaryObject({NameObject("/Type"): NameObject("/Font"),
                                                NameObject("/Subtype"): NameObject("/Type1"),
                                                NameObject("/BaseFont"): NameObject("/Helvetica")}))
    image = DecodedStreamObject()
    image._data = data
    image.update({NameObject("/Type"): NameObject("/XObject"), NameObject("/Subtype"): NameObject("/Image"),
                  NameObject("/Width"): NumberObject(JPEG_SIZE[0]), NameObject("/Height"): NumberObject(JPEG_SIZE[1]),
                  NameObject("/Filter"): NameObject("/JPXDecode")})
    page = writer.add_blank_page(612, 792)
    page[NameObject("/Resources")] = DictionaryObject({
        NameObject("/Font"): DictionaryObject({NameObject("/F1"): font}),
        NameObject("/XObject"): DictionaryObject({NameObject("/Im0"): writer._add_object(image)})})
    contents = DecodedStreamObject()
    contents.set_data(_text(720, KEPT_TEXT) + b"q 320 0 0 200 72 400 cm /Im0 Do Q\n")
    page[NameObject("/Contents")] = writer._add_object(contents)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()
