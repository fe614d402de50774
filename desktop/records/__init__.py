"""Records to disclose (SPEC D1-D3): import, page text and suggestions, real redaction. Qt-free, all in memory.

    document = ingest("scan.pdf", data, Limits(), control)        # RecordRefused names what is wrong and what to do
    spans = page_words(document.pdf, 1)                            # words with character boxes, PDF points
    found = suggest(document.pdf, personnel_names=["Jane Roe"])    # §9.1.x suggestions for the user to accept
    image = render_page(document.pdf, 1, dpi=100)                  # for the page view
    clean = redact(document.pdf, [Box(1, 72, 700, 300, 720, "9.1.2")], control=control)

Boxes are in PDF points from the bottom-left of the page (pdfium page space). Nothing here writes a file: the
store keeps everything encrypted (SPEC S1).
"""

from desktop.records.ingest import ingest
from desktop.records.model import (
    REASONS,
    Box,
    Limits,
    PageInfo,
    RecordDocument,
    RecordRefused,
    RedactionError,
    Suggestion,
    TextSpan,
)
from desktop.records.pages import page_words, render_page
from desktop.records.redact import redact
from desktop.records.suggest import suggest

__all__ = [
    "REASONS",
    "Box",
    "Limits",
    "PageInfo",
    "RecordDocument",
    "RecordRefused",
    "RedactionError",
    "Suggestion",
    "TextSpan",
    "ingest",
    "page_words",
    "redact",
    "render_page",
    "suggest",
]
