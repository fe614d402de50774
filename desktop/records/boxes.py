"""Redaction boxes on stored records (SPEC D2, §9.1): drawn, moved, re-reasoned, deleted, or decided suggestions.

Boxes are kept in the `redactions` table in PDF points from the bottom-left of the page (SPEC section 7). A box the
user drew has origin `user`; a suggestion the user decided on has origin `suggestion` and state `accepted` (it is a
redaction) or `rejected` (it is not proposed again). Suggestions not yet decided are not stored: they are computed
from the page text whenever the record is opened, so a name added to the personnel list later is found too.

Every change is one repository transaction with its audit entry (SPEC S6), filed under the record's request so its
history shows it; the entry carries the page, the box and the reason, never the text under the box.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from desktop.records.model import REASONS, Box, Rect, Suggestion
from desktop.store.errors import NotFoundError
from desktop.store.repository import Repository, now_text

ORIGINS = ("user", "suggestion")
SAME_BOX_PT = 0.01  # a stored decision and a fresh suggestion are the same box within this


@dataclass(frozen=True)
class StoredBox:
    id: int
    record_id: int
    box: Box
    origin: str
    state: str  # accepted or rejected


def list_boxes(repo: Repository, record_id: int) -> list[StoredBox]:
    with repo.read() as conn:
        rows = conn.execute("SELECT id, record_id, page_no, x0, y0, x1, y1, reason, origin, state FROM redactions "
                            "WHERE record_id = ? ORDER BY page_no, id", (record_id,)).fetchall()
    return [StoredBox(row[0], row[1], Box(*row[2:8]), row[8], row[9]) for row in rows]


def redaction_boxes(repo: Repository, record_id: int) -> list[Box]:
    """What is redacted: the user's boxes and the accepted suggestions."""
    return [stored.box for stored in list_boxes(repo, record_id) if stored.state == "accepted"]


def add_box(repo: Repository, record_id: int, box: Box, origin: str = "user", state: str = "accepted") -> int:
    checked = _checked_box(repo, record_id, box)
    if origin not in ORIGINS or state not in ("accepted", "rejected"):
        raise ValueError(f"unknown origin/state {origin!r}/{state!r}")
    action = "redaction.add" if state == "accepted" else "redaction.reject"
    with repo.transaction(action, "request", request_of(repo, record_id), _detail(record_id, checked)) as tx:
        cursor = tx.conn.execute(
            "INSERT INTO redactions (record_id, page_no, x0, y0, x1, y1, reason, origin, state, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (record_id, checked.page, checked.x0, checked.y0, checked.x1, checked.y1, checked.reason, origin, state,
             now_text()),
        )
        box_id = int(cursor.lastrowid or 0)
        tx.detail["box"] = box_id
    return box_id


def move_box(repo: Repository, box_id: int, rect: Rect) -> None:
    stored = _stored_box(repo, box_id)
    moved = _checked_box(repo, stored.record_id, Box(stored.box.page, *rect, stored.box.reason))
    _update(repo, "redaction.move", stored, "x0 = ?, y0 = ?, x1 = ?, y1 = ?", (moved.x0, moved.y0, moved.x1, moved.y1))


def set_reason(repo: Repository, box_id: int, reason: str) -> None:
    stored = _stored_box(repo, box_id)
    _checked_reason(reason)
    if reason != stored.box.reason:
        _update(repo, "redaction.reason", stored, "reason = ?", (reason,))


def delete_box(repo: Repository, box_id: int) -> None:
    stored = _stored_box(repo, box_id)
    request_id = request_of(repo, stored.record_id)
    with repo.transaction("redaction.delete", "request", request_id, _detail(stored.record_id, stored.box)) as tx:
        tx.conn.execute("DELETE FROM redactions WHERE id = ?", (box_id,))
        tx.detail["box"] = box_id


def decide(repo: Repository, record_id: int, suggestion: Suggestion, accept: bool, reason: str | None = None) -> int:
    """The user's answer to a suggestion: accepted, it is a redaction box (with `reason` if the user changed the
    ground, e.g. §9.1.1 for a DHS employee's phone number); rejected, it is not proposed again."""
    box = Box(suggestion.page, *suggestion.box, reason or suggestion.reason)
    return add_box(repo, record_id, box, origin="suggestion", state="accepted" if accept else "rejected")


def pending(suggestions: Sequence[Suggestion], stored: Sequence[StoredBox]) -> list[Suggestion]:
    """The suggestions the user has not decided on yet, nor covered with a box of their own."""
    decided = [s.box for s in stored if s.origin == "suggestion"]
    boxes = [s.box for s in stored if s.state == "accepted"]
    return [s for s in suggestions
            if not any(_same(s, box) for box in decided) and not any(_covers(box, s) for box in boxes)]


def _same(suggestion: Suggestion, box: Box) -> bool:
    return suggestion.page == box.page and all(
        abs(a - b) <= SAME_BOX_PT for a, b in zip(suggestion.box, (box.x0, box.y0, box.x1, box.y1), strict=True))


def _covers(box: Box, suggestion: Suggestion) -> bool:
    x0, y0, x1, y1 = suggestion.box
    t = SAME_BOX_PT
    return box.page == suggestion.page and box.x0 - t <= x0 and box.y0 - t <= y0 and x1 <= box.x1 + t \
        and y1 <= box.y1 + t


def _stored_box(repo: Repository, box_id: int) -> StoredBox:
    with repo.read() as conn:
        row = conn.execute("SELECT id, record_id, page_no, x0, y0, x1, y1, reason, origin, state FROM redactions "
                           "WHERE id = ?", (box_id,)).fetchone()
    if row is None:
        raise NotFoundError("That redaction box is no longer in the store; reopen the record.")
    return StoredBox(row[0], row[1], Box(*row[2:8]), row[8], row[9])


def _update(repo: Repository, action: str, stored: StoredBox, assignments: str, values: tuple[Any, ...]) -> None:
    request_id = request_of(repo, stored.record_id)
    with repo.transaction(action, "request", request_id, _detail(stored.record_id, stored.box)) as tx:
        tx.conn.execute(f"UPDATE redactions SET {assignments} WHERE id = ?", (*values, stored.id))
        tx.detail.update({"box": stored.id, "to": list(values)})


def _detail(record_id: int, box: Box) -> dict[str, Any]:
    return {"record": record_id, "page": box.page, "reason": box.reason,
            "rect": [round(v, 2) for v in (box.x0, box.y0, box.x1, box.y1)]}


def _checked_reason(reason: str) -> None:
    if reason not in REASONS:
        raise ValueError(f"The reason must be one of {', '.join(REASONS)} (§9.1.1-§9.1.7), not {reason!r}.")


def _checked_box(repo: Repository, record_id: int, box: Box) -> Box:
    """A box on a page of the record, with a §9.1 reason and corners in order; the page view keeps it on the page,
    and redact() checks it against the page itself before anything is built (SPEC D3)."""
    _checked_reason(box.reason)
    coords = (box.x0, box.y0, box.x1, box.y1)
    if not all(math.isfinite(v) for v in coords):
        raise ValueError(f"A redaction box needs finite corners, not {coords}.")
    x0, x1, y0, y1 = min(box.x0, box.x1), max(box.x0, box.x1), min(box.y0, box.y1), max(box.y0, box.y1)
    if x0 == x1 or y0 == y1:
        raise ValueError("A redaction box must have a width and a height; draw it again.")
    with repo.read() as conn:
        found = conn.execute("SELECT page_count FROM records WHERE id = ?", (record_id,)).fetchone()
    if found is None:
        raise NotFoundError(f"There is no record {record_id} in this store; reload the records.")
    if not 1 <= box.page <= int(found[0]):
        raise ValueError(f"The record has no page {box.page}.")
    return Box(box.page, x0, y0, x1, y1, box.reason)


def request_of(repo: Repository, record_id: int) -> int:
    """The request a record belongs to; NotFoundError once it is gone."""
    with repo.read() as conn:
        found = conn.execute("SELECT request_id FROM records WHERE id = ?", (record_id,)).fetchone()
    if found is None:
        raise NotFoundError(f"There is no record {record_id} in this store; reload the records.")
    return int(found[0])
