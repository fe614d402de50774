"""What the Privacy Office asks of the consolidated store (issue 16): `hq report` and `hq export --csv`.

- entries by post and by month of disclosure, for a period;
- posts whose batches or acknowledgements are missing or overdue: gaps in a post's batch numbers, no batch for
  longer than the due interval, an acknowledgement headquarters never wrote, and a post that keeps re-sending
  entries headquarters acknowledged long ago (it has not imported that acknowledgement);
- the accounting for one individual across every post, as the post makes it (5 U.S.C. 552a(c)(3), SPEC A4): the
  same PDF (desktop/accounting/dhs191_pdf.py), (b)(7) disclosures marked in the agency copy and left out of the
  individual's;
- every entry of a period as CSV (the A2 columns, then the batch and when headquarters received it).

Each works on either backend through the `HqStore` protocol.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from desktop.hq.store import HqStore, IndividualCount, MonthCount, ReceivedBatch, RegisteredPost
from desktop.sync.bundle import COLUMNS, csv_cell

BATCH_DUE_DAYS = 31  # a post syncs at least monthly: §10.2.1 asks for a copy of every DHS-191 at headquarters
ACK_DUE_DAYS = 14  # a post imports headquarters' acknowledgement within two weeks of its writing
EXPORT_COLUMNS = (*COLUMNS, "batch", "received_at")


class ReportError(Exception):
    """The report cannot be made as asked; the message says what to change."""


@dataclass(frozen=True)
class PostStatus:
    post: RegisteredPost
    batches: int
    last_batch: int | None
    last_received: str | None
    missing: tuple[int, ...]  # batch numbers below the highest that never arrived
    problems: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class Summary:
    start: str
    end: str
    months: list[MonthCount]
    posts: list[PostStatus]
    totals: dict[str, int] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "period": {"from": self.start, "to": self.end},
            "by_month": [{"post": m.post, "month": m.month, "entries": m.entries, "b7": m.b7} for m in self.months],
            "by_post": self.totals,
            "posts": [{"post": s.post.name, "fingerprint": s.post.fingerprint, "batches": s.batches,
                       "last_batch": s.last_batch, "last_received": s.last_received, "missing": list(s.missing),
                       "problems": list(s.problems)} for s in self.posts],
        }

    def text(self) -> str:
        lines = [f"DHS-191 entries disclosed {self.start} to {self.end}, by post and month:"]
        if not self.months:
            lines.append("  (none)")
        for m in self.months:
            lines.append(f"  {m.post:<24} {m.month}  {m.entries:>7,} entries  {m.b7:>6,} (b)(7)")
        for post, count in self.totals.items():
            lines.append(f"  {post:<24} total    {count:>7,} entries")
        attention = [s for s in self.posts if not s.ok]
        lines.append(f"Posts: {len(self.posts)} registered, {len(attention)} needing attention.")
        for status in self.posts:
            state = "; ".join(status.problems) if status.problems else "up to date"
            last = f"last batch {status.last_batch} received {status.last_received[:10]}" if status.last_received \
                else "no batch yet"
            lines.append(f"  {status.post.name:<24} {last}: {state}")
        return "\n".join(lines)


def period(start: str | None, end: str | None) -> tuple[str, str]:
    """`--from` and `--to` as YYYY-MM-DD (inclusive); the whole record when not given."""
    found = []
    for name, value, default in (("--from", start, "0001-01-01"), ("--to", end, "9999-12-31")):
        if value is None:
            found.append(default)
            continue
        try:
            found.append(date.fromisoformat(value).isoformat())
        except ValueError:
            raise ReportError(f"{name} {value!r} is not a date; give it as YYYY-MM-DD") from None
    if found[0] > found[1]:
        raise ReportError(f"--from {found[0]} is after --to {found[1]}")
    return found[0], found[1]


def summary(store: HqStore, start: str, end: str, today: date, *, batch_due_days: int = BATCH_DUE_DAYS,
            ack_due_days: int = ACK_DUE_DAYS) -> Summary:
    months = store.by_month(start, end)
    totals: dict[str, int] = {}
    for m in months:
        totals[m.post] = totals.get(m.post, 0) + m.entries
    by_post: dict[str, list[ReceivedBatch]] = {}
    for batch in store.batches():
        by_post.setdefault(batch.post_fingerprint, []).append(batch)
    posts = [_status(post, by_post.get(post.fingerprint, []), today, batch_due_days, ack_due_days)
             for post in store.posts()]
    return Summary(start, end, months, posts, totals)


def _status(post: RegisteredPost, batches: Sequence[ReceivedBatch], today: date, batch_due: int,
            ack_due: int) -> PostStatus:
    numbers = {b.batch for b in batches}
    missing = tuple(n for n in range(1, max(numbers, default=0)) if n not in numbers)
    problems: list[str] = []
    latest = max(batches, key=lambda b: b.batch, default=None)
    newest = max((b.received_at for b in batches), default=None)
    since = _day(newest) if newest else _day(post.registered_at)
    if (today - since).days > batch_due:
        what = f"last batch received {since.isoformat()}" if newest else f"registered {since.isoformat()}, no batch"
        problems.append(f"batch overdue: {what}, {(today - since).days} days ago (due every {batch_due} days, "
                        "§10.2.1)")
    if missing:
        problems.append(f"batch{'es' if len(missing) > 1 else ''} {_numbers(missing)} missing (never received)")
    unwritten = sorted(b.batch for b in batches if b.acknowledged_at is None)
    if unwritten:
        problems.append(f"acknowledgement of batch{'es' if len(unwritten) > 1 else ''} {_numbers(unwritten)} "
                        "missing: never written for the post; import the bundle again to write it")
    if latest is not None and latest.already_held:
        earlier = [b.acknowledged_at for b in batches if b.batch < latest.batch and b.acknowledged_at]
        oldest = _day(min(earlier)) if earlier else None
        if oldest is not None and (_day(latest.created) - oldest).days > ack_due:
            problems.append(f"acknowledgement overdue at the post: batch {latest.batch} re-sent "
                            f"{latest.already_held:,} entries acknowledged on {oldest.isoformat()} or later; the "
                            "post has not run 'ack import' for them")
    return PostStatus(post, len(batches), latest.batch if latest else None, newest, missing, tuple(problems))


def resolve_individual(store: HqStore, text: str) -> IndividualCount:
    """The one individual `text` names across every post, by the post's rules (desktop/accounting/individual.py):
    an exact identifier wins, then an exact name; several matches are refused with the list."""
    found = store.individuals(text)
    wanted = text.strip().casefold()
    exact = [i for i in found if i.identifier and i.identifier.casefold() == wanted]
    exact = exact or [i for i in found if i.name.casefold() == wanted]
    if len(exact) == 1:
        return exact[0]
    if len(found) == 1:
        return found[0]
    if not found:
        raise ReportError(f"No DHS-191 entry from any post names {text.strip()!r}; check the spelling, or search "
                          "by identifier.")
    listed = "; ".join(f"{i.name} [{i.identifier or 'no identifier'}]" for i in (exact or found)[:10])
    raise ReportError(f"{len(exact or found)} individuals match {text.strip()!r}: {listed}. Give the identifier so "
                      "that the report covers one person only (552a(c)(3)).")


def individual_pdf(store: HqStore, individual: IndividualCount, *, for_individual: bool, today: date) -> bytes:
    """The post's accounting PDF, over every post's entries of this individual."""
    from desktop.accounting.dhs191_pdf import render_individual_report  # reportlab on first use, not at start
    from desktop.accounting.entries import Entry

    rows = store.entries_of(individual.name, individual.identifier)
    found = [Entry(**{**row, "disclosed_on": date.fromisoformat(row["disclosed_on"]),
                      "retain_until": date.fromisoformat(row["retain_until"]), "b7": bool(row["b7"])})
             for row in rows]
    posts = sorted({e.post for e in found})
    where = f"all posts, consolidated at headquarters ({', '.join(posts)})"
    return render_individual_report(individual.name, individual.identifier, found, where,
                                    for_individual=for_individual, today=today)


def write_csv(store: HqStore, start: str, end: str, handle: Any) -> int:
    """Writes the period's entries to the binary `handle` as CSV (RFC 4180, UTF-8 with a byte-order mark, as the
    post's entries.csv), a few hundred rows at a time; the number of entries."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(EXPORT_COLUMNS)
    handle.write(b"\xef\xbb\xbf")  # the byte-order mark: Excel otherwise misreads accents
    count = 0
    for row in store.export_rows(start, end):
        if count % 500 == 0 and count:
            handle.write(_drain(buffer))
        writer.writerow([csv_cell(row[name]) for name in EXPORT_COLUMNS])
        count += 1
    handle.write(_drain(buffer))
    return count


def _drain(buffer: io.StringIO) -> bytes:
    data = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return data.encode("utf-8")


def _day(text: str) -> date:
    return datetime.fromisoformat(text).date() if "T" in text else date.fromisoformat(text[:10])


def _numbers(numbers: Sequence[int]) -> str:
    shown = ", ".join(str(n) for n in numbers[:10])
    return shown + (f" and {len(numbers) - 10} more" if len(numbers) > 10 else "")
