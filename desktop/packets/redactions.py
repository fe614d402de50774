"""Redactions JSON v1 (SPEC section 7), the command line's way to say what to redact before a packet is built.

    {"format": "disclosure-desk/redactions/v1",
     "boxes": [{"record": 0, "page": 1, "box": [x0, y0, x1, y1], "reason": "9.1.1"}]}

`record` is the index in `--record` order, `page` counts from 1, the box is in PDF points from the bottom-left of
the page, and `reason` is one of the §9.1.1-§9.1.7 grounds. Parsing is strict like the request interchange: an
unknown key, a wrong type or a value out of range is a RedactionsError naming the field.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

FORMAT = "disclosure-desk/redactions/v1"
REASONS = tuple(f"9.1.{n}" for n in range(1, 8))  # §9.1.1-§9.1.7
MAX_BYTES = 5_000_000
MAX_BOXES = 100_000
_BOX_KEYS = {"record", "page", "box", "reason"}


class RedactionsError(ValueError):
    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"field {field}: {problem}")
        self.field = field
        self.problem = problem


@dataclass(frozen=True)
class RedactionBox:
    record: int  # index in --record order
    page: int  # from 1
    x0: float
    y0: float
    x1: float
    y1: float
    reason: str  # "9.1.1" .. "9.1.7"


def parse_redactions(raw: bytes, record_count: int) -> list[RedactionBox]:
    if len(raw) > MAX_BYTES:
        raise RedactionsError("(file)", f"is over the {MAX_BYTES:,}-byte limit")
    try:
        document = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise RedactionsError("(file)", f"is not UTF-8 JSON ({error})") from error
    if not isinstance(document, dict):
        raise RedactionsError("(file)", "must be a JSON object")
    extra = set(document) - {"format", "boxes"}
    if extra:
        raise RedactionsError(sorted(extra)[0], "is not a field of redactions v1")
    if document.get("format") != FORMAT:
        raise RedactionsError("format", f"must be {FORMAT!r}")
    boxes = document.get("boxes", [])
    if not isinstance(boxes, list) or len(boxes) > MAX_BOXES:
        raise RedactionsError("boxes", f"must be a list of at most {MAX_BOXES:,} boxes")
    return [_box(f"boxes[{i}]", item, record_count) for i, item in enumerate(boxes)]


def _box(where: str, item: Any, record_count: int) -> RedactionBox:
    if not isinstance(item, dict):
        raise RedactionsError(where, "must be an object with record, page, box and reason")
    odd = sorted(set(item) ^ _BOX_KEYS)
    if odd:
        raise RedactionsError(f"{where}.{odd[0]}", "is missing" if odd[0] in _BOX_KEYS else "is not a field of a box")
    record = _int(f"{where}.record", item["record"], 0, record_count - 1)
    page = _int(f"{where}.page", item["page"], 1, 100_000)
    x0, y0, x1, y1 = _rect(f"{where}.box", item["box"])
    reason = item["reason"]
    if reason not in REASONS:
        raise RedactionsError(f"{where}.reason", f"must be one of {', '.join(REASONS)} (§9.1)")
    return RedactionBox(record, page, x0, y0, x1, y1, reason)


def _int(field: str, value: Any, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise RedactionsError(field, "must be a whole number")
    if not low <= value <= high:
        raise RedactionsError(field, f"is {value}; it must be from {low} to {high}")
    return int(value)


def _rect(field: str, value: Any) -> tuple[float, float, float, float]:
    if not isinstance(value, list) or len(value) != 4:
        raise RedactionsError(field, "must be [x0, y0, x1, y1] in PDF points")
    if any(isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v) for v in value):
        raise RedactionsError(field, "must hold four finite numbers")
    x0, y0, x1, y1 = (float(v) for v in value)
    if x1 <= x0 or y1 <= y0:
        raise RedactionsError(field, "must have x0 < x1 and y0 < y1 (bottom-left, then top-right corner)")
    return x0, y0, x1, y1


def check_pages(boxes: Sequence[RedactionBox], page_counts: Sequence[int]) -> None:
    """After the records are read: every box on a page that exists."""
    for i, box in enumerate(boxes):
        if box.page > page_counts[box.record]:
            raise RedactionsError(f"boxes[{i}].page", f"is {box.page}, but record {box.record} has "
                                                      f"{page_counts[box.record]} page(s)")
