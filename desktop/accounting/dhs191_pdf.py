"""DHS-191 style PDFs: one entry on one page (SPEC A1), and the accounting for an individual (552a(c)(3)).

Rendered in memory and returned as bytes: nothing is written to disk except where the user saves it (SPEC S1).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date
from functools import cache
from xml.sax.saxutils import escape

from reportlab import rl_config
from reportlab.lib.colors import black, lightgrey
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from desktop.accounting.entries import Entry
from desktop.documents.fonts import fonts

rl_config.useA85 = 0  # plain binary streams, as the packet's own pages
MARGIN = 54.0
WIDTH = LETTER[0] - 2 * MARGIN
BANNER = "FOR OFFICIAL USE ONLY - Privacy Act information (5 U.S.C. 552a)"
TITLE = "DHS-191 Privacy Act Disclosure Record"
B7_MARK = "(b)(7) law-enforcement request"
# The entry form's fixed words are Latin-1 and set in the PDF standard fonts, which are not embedded: only the
# values (names in any script) need the embedded DejaVu subset. Halves the size and time of the PDFs a bundle carries.
LABEL_FONT, NOTE_FONT = "Helvetica-Bold", "Helvetica"


@cache
def _styles() -> dict[str, ParagraphStyle]:
    regular, bold = fonts()
    body = ParagraphStyle("body", fontName=regular, fontSize=9, leading=11.5)
    return {
        "body": body,
        "label": ParagraphStyle("label", parent=body, fontName=bold),
        "title": ParagraphStyle("title", parent=body, fontName=bold, fontSize=14, leading=18, spaceAfter=4),
        "small": ParagraphStyle("small", parent=body, fontSize=7.5, leading=9.5),
    }


def _p(text: str, style: str = "body") -> Paragraph:
    return Paragraph("<br/>".join(escape(line) for line in text.split("\n")) or "&nbsp;", _styles()[style])


def _grid(rows: Sequence[tuple[str, str]], label_width: float = 150.0) -> Table:
    cells = [[_p(label, "label"), _p(value, "small" if _unbroken(value) else "body")] for label, value in rows]
    table = Table(cells, colWidths=[label_width, WIDTH - label_width])
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, black), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("BACKGROUND", (0, 0), (0, -1), lightgrey), ("TOPPADDING", (0, 0), (-1, -1), 3),
                               ("BOTTOMPADDING", (0, 0), (-1, -1), 4)]))
    return table


def _unbroken(value: str) -> bool:
    """A hash or other long word: set smaller so that it stays on one line, whole, for copying."""
    return any(len(word) > 40 for word in value.split())


def entry_rows(entry: Entry, post: str, packet_sha256: str) -> list[tuple[str, str]]:
    """Every field of the entry, labelled as the DHS-191 and 552a(c)(1) name them."""
    rows = [
        ("Entry (UUID)", entry.uuid),
        ("Post", post),
        ("Request reference", entry.request_reference),
        ("Disclosure (Bates range)", entry.disclosure_id),
        ("Name of individual", entry.individual_name),
        ("Identifier", entry.individual_identifier or "(none recorded)"),
        ("Date of disclosure", entry.disclosed_on.isoformat()),
        ("Nature of the records disclosed", entry.nature),
        ("Purpose of the disclosure", entry.purpose),
        ("Recipient", entry.recipient_name),
        ("Recipient's address", entry.recipient_address),
        ("Authority (routine use, SORN or agreement)", entry.authority),
        ("SORN", entry.sorn or "(none recorded)"),
        ("Method of disclosure", entry.method),
        ("Disclosing official", entry.disclosing_official),
        ("Office", entry.office),
        ("Retain until (§10.2.1)", entry.retain_until.isoformat()),
        ("552a(b)(7) law-enforcement request", "Yes - not in the individual's accounting (552a(c)(3))"
         if entry.b7 else "No"),
        ("Packet SHA-256", packet_sha256 or "(not recorded)"),
    ]
    if entry.supersedes:
        rows.append(("Corrects entry", f"{entry.supersedes} - reason: {entry.correction_reason}"))
    if entry.superseded_by:
        rows.append(("Superseded by", entry.superseded_by))
    return rows


def _banner(c: Canvas, _doc: object, font: str | None = None) -> None:
    c.saveState()
    c.setFont(font or fonts()[0], 7.5)
    c.drawCentredString(LETTER[0] / 2, LETTER[1] - 30, BANNER)
    c.drawCentredString(LETTER[0] / 2, 24, f"{BANNER} - page {c.getPageNumber()}")
    c.restoreState()


def _build(story: list[Flowable], title: str) -> bytes:
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=LETTER, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
                            bottomMargin=MARGIN, invariant=1, pageCompression=1, title=title, author="",
                            subject="", creator="Disclosure Desk")
    doc.build(story, onFirstPage=_banner, onLaterPages=_banner)
    return out.getvalue()


def render_entry_pdf(entry: Entry, post: str, packet_sha256: str) -> bytes:
    """One DHS-191 style page: every field, the post and the packet's SHA-256 (SPEC A1).

    Drawn straight on the canvas rather than through platypus: a sync bundle carries one PDF per entry (SPEC A2),
    thousands at a time, and the fixed form needs no flowing layout. Long free text shrinks the type until the
    form fits, so the entry always stays on one page.
    """
    rows = entry_rows(entry, post, packet_sha256)
    for size in (9.0, 8.0, 7.0, 6.0, 5.0, 4.0):
        laid = _lay_out_rows(rows, size)
        if sum(height for _, _, height in laid) <= _FORM_HEIGHT:
            break
    out = io.BytesIO()
    c = Canvas(out, pagesize=LETTER, invariant=1, pageCompression=1)
    c.setTitle(TITLE)
    c.setCreator("Disclosure Desk")
    _banner(c, None, LABEL_FONT)
    _draw_form(c, post, laid, size)
    c.showPage()
    c.save()
    return out.getvalue()


_LABEL_WIDTH = 170.0
_PAD = 3.0
_TOP = LETTER[1] - MARGIN - 40  # below the title lines
_FORM_HEIGHT = _TOP - MARGIN - 30  # above the closing note


def _lay_out_rows(rows: Sequence[tuple[str, str]], size: float) -> list[tuple[list[str], list[str], float]]:
    regular, _ = fonts()
    bold = LABEL_FONT
    leading = size * 1.25
    laid = []
    for label, value in rows:
        label_lines = simpleSplit(label, bold, size, _LABEL_WIDTH - 2 * _PAD)
        value_size = size * 0.85 if _unbroken(value) else size
        value_lines = [line for part in value.split("\n")
                       for line in simpleSplit(part, regular, value_size, WIDTH - _LABEL_WIDTH - 2 * _PAD) or [""]]
        laid.append((label_lines, value_lines, max(len(label_lines), len(value_lines)) * leading + 2 * _PAD))
    return laid


def _draw_form(c: Canvas, post: str, laid: list[tuple[list[str], list[str], float]], size: float) -> None:
    regular, _ = fonts()
    bold = LABEL_FONT
    c.setFont(bold, 14)
    c.drawString(MARGIN, LETTER[1] - MARGIN - 4, TITLE)
    c.setFont(regular, 7.5)
    c.drawString(MARGIN, LETTER[1] - MARGIN - 20,
                 f"Accounting of disclosure under 5 U.S.C. 552a(c)(1) and CBP Directive 4320-025B §10.2 - {post}")
    leading, y = size * 1.25, _TOP
    c.setLineWidth(0.5)
    for label_lines, value_lines, height in laid:
        c.setFillColor(lightgrey)
        c.rect(MARGIN, y - height, _LABEL_WIDTH, height, stroke=1, fill=1)
        c.setFillColor(black)
        c.rect(MARGIN + _LABEL_WIDTH, y - height, WIDTH - _LABEL_WIDTH, height, stroke=1, fill=0)
        _lines(c, bold, size, MARGIN + _PAD, y - _PAD - size, leading, label_lines)
        value_size = size * 0.85 if len(value_lines) == 1 and _unbroken(value_lines[0]) else size
        _lines(c, regular, value_size, MARGIN + _LABEL_WIDTH + _PAD, y - _PAD - size, leading, value_lines)
        y -= height
    note = ("Kept by the disclosing office for five years from the disclosure or the life of the record, whichever "
            "is longer (§10.2.1); a copy goes to the CBP Privacy Office.")
    _lines(c, NOTE_FONT, 7.5, MARGIN, y - 14, 9.5, simpleSplit(note, NOTE_FONT, 7.5, WIDTH))


def _lines(c: Canvas, font: str, size: float, x: float, y: float, leading: float, lines: Sequence[str]) -> None:
    text = c.beginText(x, y)
    text.setFont(font, size, leading)
    for line in lines:
        text.textLine(line)
    c.drawText(text)


def render_individual_report(name: str, identifier: str, found: Sequence[Entry], post: str, *,
                             for_individual: bool, today: date) -> bytes:
    """552a(c)(3): every disclosure of one person's records. The individual's copy leaves out (b)(7) disclosures;
    the agency copy marks them."""
    shown = [e for e in found if not (for_individual and e.b7)]
    copy = "Copy for the individual (552a(c)(3))" if for_individual else (
        "Agency copy - (b)(7) disclosures marked; leave them out of the individual's copy")
    story: list[Flowable] = [
        _p("Accounting of disclosures for an individual", "title"),
        _p(f"{copy}. Post: {post}. Prepared {today.isoformat()}.", "small"),
        Spacer(1, 6),
        _grid([("Individual", name), ("Identifier", identifier or "(none recorded)"),
               ("Disclosures listed", str(len(shown)))], 120.0),
        Spacer(1, 10),
    ]
    for entry in shown:
        story += [_grid(_report_rows(entry, for_individual), 120.0), Spacer(1, 8)]
    if not shown:
        story.append(_p("No disclosure of this person's records is recorded in this store."))
    return _build(story, "Accounting of disclosures")


def _report_rows(entry: Entry, for_individual: bool) -> list[tuple[str, str]]:
    rows = [("Date of disclosure", entry.disclosed_on.isoformat()), ("Nature", entry.nature),
            ("Purpose", entry.purpose), ("Recipient", entry.recipient_name),
            ("Recipient's address", entry.recipient_address)]
    if not for_individual:
        rows = [("Entry (UUID)", entry.uuid), *rows, ("Authority", entry.authority),
                ("Request reference", entry.request_reference)]
        if entry.b7:
            rows.insert(0, ("(b)(7)", f"{B7_MARK}: withhold from the individual's copy (552a(c)(3))"))
    if entry.supersedes:
        rows.append(("Corrected", f"corrects an earlier entry: {entry.correction_reason}"))
    return rows
