"""Drawing the packet's own pages with reportlab: coversheet and letter, and the per-page marking overlays.

Record pages are never drawn over: each gets a band added below it (the App. B marking, the fn 28 restriction and
the Bates number) and, for LES, one above it (the §9.2 line), so no marking can hide what the record shows.
Everything is written to memory; fonts are the bundled DejaVu Sans, embedded as subsets.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from xml.sax.saxutils import escape

from reportlab import rl_config
from reportlab.lib.colors import black, white
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen import canvas
from reportlab.platypus import Flowable, PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from desktop.documents.fonts import BOLD as BOLD  # the fonts every generated PDF embeds
from desktop.documents.fonts import REGULAR as REGULAR
from desktop.documents.fonts import fonts as fonts
from desktop.packets.texts import Block, Markings

rl_config.useA85 = 0  # plain binary streams: smaller, and nothing ASCII85-encoded for a reader to trip on
MARGIN = 72.0
BAND_SIDE = 18.0  # left and right margin of the marking bands
FOOT_SIZE, FOOT_LEADING = 6.5, 8.0
BATES_SIZE = 9.0
HEAD_SIZE = 8.0
PAD = 5.0


# Coversheet and letter -----------------------------------------------------------------------------------------


@cache
def _styles() -> dict[str, ParagraphStyle]:
    regular, bold = fonts()
    body = ParagraphStyle("body", fontName=regular, fontSize=10, leading=13, spaceAfter=8)
    return {
        "text": body,
        "title": ParagraphStyle("title", parent=body, fontName=bold, fontSize=15, leading=19, spaceAfter=18),
        "notice": ParagraphStyle("notice", parent=body, fontName=bold, spaceAfter=0),
    }


def _markup(text: str) -> str:
    return "<br/>".join(escape(line) for line in text.split("\n"))


def _flowable(block: Block) -> Flowable:
    paragraph = Paragraph(_markup(block.text), _styles()[block.kind])
    if block.kind != "notice":
        return paragraph
    boxed = Table([[paragraph]], colWidths=[LETTER[0] - 2 * MARGIN])
    boxed.setStyle(TableStyle([("BOX", (0, 0), (-1, -1), 1.5, black), ("LEFTPADDING", (0, 0), (-1, -1), 8),
                               ("RIGHTPADDING", (0, 0), (-1, -1), 8), ("TOPPADDING", (0, 0), (-1, -1), 6),
                               ("BOTTOMPADDING", (0, 0), (-1, -1), 8)]))
    return boxed


def render_front(coversheet: Sequence[Block], letter: Sequence[Block], banner: str) -> bytes:
    """Coversheet, page break, cover letter; the handling banner at the head and foot of each page (§8.1.7)."""
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=LETTER, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
                            bottomMargin=MARGIN, invariant=1, pageCompression=1)
    story: list[Flowable] = []
    for block in coversheet:
        story += [_flowable(block), Spacer(1, 9 if block.kind == "notice" else 0)]
    story.append(PageBreak())
    story += [_flowable(block) for block in letter]

    def draw_banner(c: canvas.Canvas, _doc: object) -> None:
        _banner(c, banner.upper())

    doc.build(story, onFirstPage=draw_banner, onLaterPages=draw_banner)
    return out.getvalue()


def _banner(c: canvas.Canvas, text: str) -> None:
    _, bold = fonts()
    width, height = LETTER
    c.saveState()
    c.setFont(bold, 10)
    c.drawCentredString(width / 2, height - 40, text)
    c.drawCentredString(width / 2, 32, text)
    c.restoreState()


# Record page overlays ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bands:
    """The space added below (`foot`) and above (`head`) a record page of a given width, and the text in it."""

    foot: float
    head: float
    marking_lines: tuple[str, ...]
    lead_lines: tuple[str, ...]


def bands(width: float, markings: Markings) -> Bands:
    return _bands(round(width, 2), markings)


@cache
def _bands(width: float, markings: Markings) -> Bands:
    regular, bold = fonts()
    usable = max(width - 2 * BAND_SIDE, 72.0)
    marking = tuple(simpleSplit(markings.foot, regular, FOOT_SIZE, usable))
    lead = tuple(simpleSplit(markings.lead, bold, FOOT_SIZE, usable)) if markings.lead else ()
    foot = PAD + BATES_SIZE + 3 + (len(marking) + len(lead)) * FOOT_LEADING + PAD
    head = (HEAD_SIZE + 2 * PAD) if markings.head else 0.0
    return Bands(foot=foot, head=head, marking_lines=marking, lead_lines=lead)


def render_overlays(sizes: Sequence[tuple[float, float]], labels: Sequence[str], markings: Markings) -> bytes:
    """One overlay page per record page, each the size of the page with its bands, origin at the bottom left. The
    bands' text is drawn once per page width, as forms the pages share; each page adds only its Bates number."""
    out = io.BytesIO()
    c = canvas.Canvas(out, invariant=1, pageCompression=1)
    forms: dict[float, tuple[str, str | None]] = {}
    for (width, height), label in zip(sizes, labels, strict=True):
        band = bands(width, markings)
        c.setPageSize((width, height + band.foot + band.head))
        key = round(width, 2)
        if key not in forms:
            forms[key] = _band_forms(c, len(forms), width, band, markings.head)
        _draw_page(c, width, height, band, forms[key], label)
        c.showPage()
    c.save()
    return out.getvalue()


def _band_forms(c: canvas.Canvas, index: int, width: float, band: Bands, head: str | None) -> tuple[str, str | None]:
    """The fixed text of the foot band and, for LES, of the head band, as forms with their origin at the bottom left."""
    c.beginForm(f"foot{index}", 0, 0, width, band.foot)
    _draw_foot(c, width, band)
    c.endForm()
    if not head:
        return f"foot{index}", None
    c.beginForm(f"head{index}", 0, 0, width, band.head)
    _draw_head(c, width, band, head)
    c.endForm()
    return f"foot{index}", f"head{index}"


def _draw_page(c: canvas.Canvas, width: float, height: float, band: Bands, forms: tuple[str, str | None],
               label: str) -> None:
    foot, head = forms
    c.doForm(foot)
    if head:
        c.saveState()
        c.translate(0, height + band.foot)
        c.doForm(head)
        c.restoreState()
    _, bold = fonts()
    c.setFont(bold, BATES_SIZE)
    c.drawRightString(width - BAND_SIDE, PAD, label)  # the Bates number (SPEC P1)


def _draw_foot(c: canvas.Canvas, width: float, band: Bands) -> None:
    regular, bold = fonts()
    c.setFillColor(white)
    c.rect(0, 0, width, band.foot, stroke=0, fill=1)  # hides whatever lay outside the record's visible box
    c.setStrokeColor(black)
    c.setLineWidth(0.5)
    c.line(BAND_SIDE, band.foot - 1, width - BAND_SIDE, band.foot - 1)
    c.setFillColor(black)
    y = band.foot - PAD - FOOT_SIZE
    for font, lines in ((bold, band.lead_lines), (regular, band.marking_lines)):
        c.setFont(font, FOOT_SIZE)
        for line in lines:
            c.drawString(BAND_SIDE, y, line)
            y -= FOOT_LEADING


def _draw_head(c: canvas.Canvas, width: float, band: Bands, text: str) -> None:
    _, bold = fonts()
    c.setFillColor(white)
    c.rect(0, 0, width, band.head, stroke=0, fill=1)
    c.setFillColor(black)
    c.setFont(bold, HEAD_SIZE)
    c.drawCentredString(width / 2, PAD, text)  # §9.2
