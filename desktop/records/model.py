"""The records package's value types and errors (SPEC D1-D3); plain data, shared by ingest, suggest and redact."""

from __future__ import annotations

from dataclasses import dataclass

Rect = tuple[float, float, float, float]  # x0, y0, x1, y1 in PDF points, origin at the page's bottom-left

# §9.1.1-§9.1.7: the grounds on which information is redacted before disclosure, in the directive's words, short.
REASONS: dict[str, str] = {
    "9.1.1": "DHS personnel: names, SSNs and other PII",
    "9.1.2": "Individuals not identified in the request",
    "9.1.3": "Computer screen, internal file or system codes",
    "9.1.4": "Law Enforcement Sensitive (LES) information",
    "9.1.5": "Sensitive Security Information (SSI)",
    "9.1.6": "Another agency's or a foreign entity's information, not approved",
    "9.1.7": "Other information not appropriate for disclosure (no need to know)",
}


@dataclass(frozen=True)
class Limits:
    """What ingest accepts (SPEC D1). Pixels are per image or TIFF frame, checked from the header before decoding."""

    max_bytes: int = 200 * 1024 * 1024
    max_pages: int = 2000
    max_image_pixels: int = 60_000_000


class RecordRefused(Exception):
    """A file that cannot become a record; the message names the file, what is wrong and what to do."""


class RedactionError(Exception):
    """Boxes that cannot be applied, or a redacted PDF that failed its check (SPEC D3); nothing was produced."""


@dataclass(frozen=True)
class PageInfo:
    number: int  # from 1
    width_pt: float  # as displayed (crop box, after /Rotate)
    height_pt: float
    has_text: bool  # False for a scan: suggestions cannot see the page


@dataclass(frozen=True)
class RecordDocument:
    pdf: bytes  # the record as PDF: the file itself, or the image/text converted in memory
    media_type: str  # of the imported file: application/pdf, image/png, image/jpeg, image/tiff, text/plain
    page_count: int
    pages: tuple[PageInfo, ...]  # empty when ingest was asked for no page facts
    sha256: str  # of the imported file's bytes, as stored in records.sha256


@dataclass(frozen=True)
class TextSpan:
    """One word of a page's text with its box and one box per character, in PDF points from the bottom-left."""

    page: int
    text: str
    box: Rect
    char_boxes: tuple[Rect, ...]


@dataclass(frozen=True)
class Suggestion:
    """A proposed redaction (SPEC D2) that the user accepts or rejects."""

    page: int
    box: Rect
    reason: str  # "9.1.1".."9.1.7", a key of REASONS
    kind: str  # a kind of desktop.records.identifiers.KINDS: ssn, itin, a_number, sin, curp, rfc, passport, ...
    text: str  # what was found; shown to the user, never logged
    source: str = "text"  # "text": the page's text layer; "ocr": read from a scanned page
    checksum: bool | None = None  # False: the right form with a wrong check digit; None: the kind has none
    subject_own: bool = False  # the text is a subject's name or identifier: §9.1.2 does not cover it

    @property
    def accepted_by_default(self) -> bool:
        """Whether the suggestion goes into a redactions file written without review (`record suggest
        --redactions-out`): a subject's own identifier is left for the user to decide (§9.1.2 covers only
        individuals not identified in the request)."""
        return not self.subject_own


@dataclass(frozen=True)
class Box:
    """A redaction box (the redactions table, redactions JSON v1): page from 1, PDF points from the bottom-left."""

    page: int
    x0: float
    y0: float
    x1: float
    y1: float
    reason: str
