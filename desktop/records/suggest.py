"""Redaction suggestions from the page text (SPEC D2, issue 14); the user accepts or rejects each one.

What is looked for and on which §9.1 ground: the region's identifiers in identifiers.py (validated by
python-stdnum and phonenumbers), the post's DHS personnel names in names.py (§9.1.1).

Where the text comes from: a page's text layer (source "text"), or for a scanned page without one the words
read by OCR (source "ocr", desktop/records/ocr.py), which the caller passes in as `scans` (the store keeps them
encrypted, the command line reads them on the spot). Without `scans` a scanned page gets no suggestions and
PageInfo.has_text tells the user to look for themselves.

The request's subjects are known: a suggestion whose text is a subject's name or identifier is marked
`subject_own` and is not accepted by default, since §9.1.2 is about individuals not identified in the request.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from typing import Protocol

from desktop.jobs import JobControl
from desktop.records import _pdfium, identifiers
from desktop.records.model import Rect, Suggestion
from desktop.records.names import find_names, same_name
from desktop.records.ocr import OcrPage, OcrText
from desktop.records.pages import page_text, union

Scans = Callable[[int], "OcrPage | None"]  # the OCR'd words of a page without a text layer, or None if not read
OCR_PAD_PT = 1.5  # OCR boxes hug the ink; a redaction box must cover the whole letter, accents included


class Text(Protocol):
    text: str

    def boxes(self, start: int, end: int) -> list[Rect]: ...


def suggest(pdf: bytes, personnel_names: Sequence[str] = (), control: JobControl | None = None, *,
            subjects: Sequence[str] = (), scans: Scans | None = None) -> list[Suggestion]:
    """Suggestions for every page with text (or with `scans` words), top to bottom; each covers one line of the
    found text. `subjects` are the request's subjects' names and identifiers. With a `control`, progress is told
    page by page and Cancel stops between pages."""
    control = control or JobControl()
    found: dict[tuple[int, str, tuple[float, ...]], Suggestion] = {}
    with _pdfium.document(pdf) as doc:
        with _pdfium.LOCK:
            count = len(doc)
        for number in range(1, count + 1):
            control.step(number - 1, count, f"Looking for names, numbers and codes on page {number} of {count}")
            with _pdfium.LOCK, _pdfium.page(doc, number) as pg, page_text(pg) as text:
                items = list(page_suggestions(number, text, personnel_names)) if text.text.strip() else None
            if items is None and scans is not None:
                words = scans(number)
                items = list(page_suggestions(number, OcrText(words), personnel_names, "ocr")) if words else []
            for item in items or ():
                found.setdefault((item.page, item.kind, item.box), item)
    marked = [_marked(item, subjects) for item in found.values()]
    return sorted(marked, key=lambda s: (s.page, -s.box[3], s.box[0]))


def page_suggestions(number: int, text: Text, personnel_names: Sequence[str], source: str = "text"
                     ) -> Iterator[Suggestion]:
    """The suggestions of one page's text (a text layer's or OCR's)."""
    content = identifiers.repair_ocr_digits(text.text) if source == "ocr" else text.text
    for item in identifiers.find(content):
        yield from _boxed(number, text, item.start, item.end, item.kind, item.reason, source, item.checksum)
    for start, end in find_names(text.text, personnel_names, misread=source == "ocr"):
        yield from _boxed(number, text, start, end, "personnel_name", "9.1.1", source, None)


def _marked(item: Suggestion, subjects: Sequence[str]) -> Suggestion:
    return replace(item, subject_own=True) if any(_is_subjects(item.text, s) for s in subjects) else item


def _is_subjects(found: str, subject: str) -> bool:
    """A subject's identifier is compared without spaces, dashes and case (the request may write 123-456-782, the
    record 123 456 782); a name in any form names.py finds."""
    if not subject.strip():
        return False
    if any(c.isdigit() for c in subject):
        tokens = {_compact(subject), *(_compact(t) for t in re.split(r"[\s,;:]+", subject) if len(t) >= 5)}
        return _compact(found) in tokens
    return same_name(found, subject)


def _compact(text: str) -> str:
    """Upper case without separators, and with the letters OCR confuses with digits made digits on both sides."""
    return re.sub(r"[\W_]+", "", text).upper().translate(str.maketrans("OIL", "011"))


def _boxed(number: int, text: Text, start: int, end: int, kind: str, reason: str, source: str,
           checksum: bool | None) -> Iterator[Suggestion]:
    """One suggestion per line the match runs over, so that no box spans the gap between lines."""
    for seg_start, seg_end in _line_segments(text.text, start, end):
        boxes = text.boxes(seg_start, seg_end)
        if boxes:
            box = union(boxes)
            if source == "ocr":
                box = (box[0] - OCR_PAD_PT, box[1] - OCR_PAD_PT, box[2] + OCR_PAD_PT, box[3] + OCR_PAD_PT)
            yield Suggestion(number, box, reason, kind, text.text[seg_start:seg_end], source, checksum)


def _line_segments(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    seg = start
    for i in range(start, end + 1):
        if i == end or text[i] in "\r\n":
            if text[seg:i].strip():
                yield seg, i
            seg = i + 1
