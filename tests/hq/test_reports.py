"""What the Privacy Office asks of the consolidated store (issue 16), on SQLite and on PostgreSQL alike:
entries by post and month, posts behind on batches or acknowledgements, one individual's accounting across every
post as PDF (552a(c)(3)), and the CSV of a period."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from desktop.hq import Recipient, import_bundle
from desktop.hq.report import ReportError, individual_pdf, period, resolve_individual, summary, write_csv
from tests.accounting.helpers import pdf_text
from tests.hq.postgres import HqTarget
from tests.sync.helpers import Party, payload_zip, rows, seal

TODAY = date(2026, 12, 1)


def entries(post: str, count: int, **fields: Any) -> list[dict[str, object]]:
    return [{**row, **fields} for row in rows(count, post)]


def bring(db: HqTarget, hq: Party, party: Party, batch: int, found: list[dict[str, object]], recipient: Recipient,
          acknowledged: str | None = "2026-11-20T13:00:00+00:00") -> None:
    post = str(found[0]["post"]) if found else party.certificate.subject.rfc4514_string()[3:]
    store = db.open()
    try:
        report = import_bundle(store, seal(payload_zip(found, batch=batch, post=post), party, hq), recipient)
        if acknowledged:
            store.record_acknowledgement(report.post.fingerprint, report.batch, acknowledged)
    finally:
        store.close()


def test_entries_are_counted_by_post_and_month_of_disclosure(db: HqTarget, hq: Party, posts: dict[str, Party],
                                                             recipient: Recipient) -> None:
    bring(db, hq, posts["Ottawa"], 1, entries("Ottawa", 3, disclosed_on="2026-10-05")
          + entries("Ottawa", 2, disclosed_on="2026-11-20", b7=True), recipient)
    bring(db, hq, posts["Mexico City"], 1, entries("Mexico City", 4, disclosed_on="2026-11-02"), recipient)
    store = db.open()
    try:
        made = summary(store, *period(None, None), TODAY)
        november = summary(store, *period("2026-11-01", "2026-11-30"), TODAY)
    finally:
        store.close()
    assert [(m.post, m.month, m.entries, m.b7) for m in made.months] == [
        ("Mexico City", "2026-11", 4, 0), ("Ottawa", "2026-10", 3, 0), ("Ottawa", "2026-11", 2, 2)]
    assert made.totals == {"Mexico City": 4, "Ottawa": 5}
    assert november.totals == {"Mexico City": 4, "Ottawa": 2}
    assert "Ottawa                   2026-10        3 entries" in made.text()


def test_posts_behind_on_batches_or_acknowledgements_are_named(db: HqTarget, hq: Party, posts: dict[str, Party],
                                                               recipient: Recipient) -> None:
    ottawa = entries("Ottawa", 3)
    bring(db, hq, posts["Ottawa"], 1, ottawa, recipient, acknowledged="2026-10-01T09:00:00+00:00")
    # Batch 3 re-sends batch 1's entries, acknowledged seven weeks before: Ottawa never imported that ack.
    bring(db, hq, posts["Ottawa"], 3, [*ottawa, *entries("Ottawa", 1)], recipient, acknowledged=None)
    bring(db, hq, posts["Mexico City"], 1, entries("Mexico City", 2), recipient)
    store = db.open()
    try:
        status = {s.post.name: s for s in summary(store, *period(None, None), TODAY).posts}
        later = {s.post.name: s for s in summary(store, *period(None, None), date.today() + timedelta(60)).posts}
    finally:
        store.close()
    problems = " | ".join(status["Ottawa"].problems)
    assert status["Ottawa"].missing == (2,) and "batch 2 missing (never received)" in problems
    assert "acknowledgement of batch 3 missing: never written for the post" in problems
    assert "acknowledgement overdue at the post: batch 3 re-sent 3 entries acknowledged on 2026-10-01" in problems
    assert status["Mexico City"].ok
    assert status["Toronto"].ok  # registered today: no batch yet is not late yet
    assert later["Toronto"].problems[0].startswith("batch overdue: registered ")
    assert "no batch, 60 days ago (due every 31 days, §10.2.1)" in later["Toronto"].problems[0]
    assert later["Mexico City"].problems[0].startswith("batch overdue: last batch received ")


def test_no_batch_yet_is_not_overdue_until_the_interval_has_passed(db: HqTarget) -> None:
    store = db.open()
    try:
        today = date.fromisoformat(store.posts()[0].registered_at[:10])
        assert all(s.ok for s in summary(store, *period(None, None), today).posts)
    finally:
        store.close()


def test_one_individual_across_every_post_with_b7_marked_and_left_out_of_their_copy(
        db: HqTarget, hq: Party, posts: dict[str, Party], recipient: Recipient, tmp_path: Path) -> None:
    person = {"individual_name": "Chinedu Okafor", "individual_identifier": "A-204-551-873"}
    bring(db, hq, posts["Ottawa"], 1, entries("Ottawa", 1, disclosed_on="2026-03-01", **person), recipient)
    bring(db, hq, posts["Mexico City"], 1, [
        *entries("Mexico City", 1, disclosed_on="2026-05-02", b7=True, recipient_name="Fiscalía General", **person),
        *entries("Mexico City", 1, individual_name="Someone Else", individual_identifier="X-1")], recipient)
    store = db.open()
    try:
        found = resolve_individual(store, "a-204-551-873")
        assert (found.name, found.disclosures, found.b7, found.posts) == ("Chinedu Okafor", 2, 1, 2)
        agency = pdf_text(individual_pdf(store, found, for_individual=False, today=TODAY), tmp_path)
        mine = pdf_text(individual_pdf(store, found, for_individual=True, today=TODAY), tmp_path)
        with pytest.raises(ReportError, match="No DHS-191 entry from any post names 'nobody'"):
            resolve_individual(store, "nobody")
    finally:
        store.close()
    assert "Mexico City, Ottawa" in agency and "(b)(7) law-enforcement request" in agency
    assert "2026-05-02" in agency and "Fiscalía General" in agency and "2026-03-01" in agency
    assert "Copy for the individual (552a(c)(3))" in mine and "Disclosures listed 1" in mine
    assert "2026-05-02" not in mine and "Fiscalía" not in mine and "(b)(7) law" not in mine and "2026-03-01" in mine
    assert "Someone Else" not in agency and "Someone Else" not in mine  # one person's report only


def test_two_people_matching_is_refused_with_the_list(db: HqTarget, hq: Party, posts: dict[str, Party],
                                                      recipient: Recipient) -> None:
    bring(db, hq, posts["Ottawa"], 1, [
        *entries("Ottawa", 1, individual_name="Ana Ruiz", individual_identifier="P-1"),
        *entries("Ottawa", 1, individual_name="Ana Ruiz Soto", individual_identifier="P-2")], recipient)
    store = db.open()
    try:
        with pytest.raises(ReportError, match=r"2 individuals match 'ruiz'.*Give the identifier"):
            resolve_individual(store, "ruiz")
        assert resolve_individual(store, "ana ruiz").identifier == "P-1"  # an exact name wins
        assert resolve_individual(store, "P-2").name == "Ana Ruiz Soto"
        assert [i.name for i in store.individuals("100%")] == []  # a % typed is a character, not a pattern
    finally:
        store.close()


def test_the_csv_of_a_period_holds_its_entries_only(db: HqTarget, hq: Party, posts: dict[str, Party],
                                                    recipient: Recipient) -> None:
    inside = entries("Ottawa", 2, disclosed_on="2026-11-30", recipient_name='Agence "A", Québec')
    bring(db, hq, posts["Ottawa"], 1, [*inside, *entries("Ottawa", 3, disclosed_on="2026-12-01")], recipient)
    out = io.BytesIO()
    store = db.open()
    try:
        count = write_csv(store, *period("2026-11-01", "2026-11-30"), out)
    finally:
        store.close()
    data = out.getvalue()
    assert data.startswith(b"\xef\xbb\xbf") and count == 2
    table = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert table[0][:2] == ["uuid", "post"] and table[0][-3:] == ["b7", "batch", "received_at"]
    assert sorted(r[0] for r in table[1:]) == sorted(str(e["uuid"]) for e in inside)
    assert {r[9] for r in table[1:]} == {'Agence "A", Québec'} and {r[-2] for r in table[1:]} == {"1"}


@pytest.mark.parametrize(("start", "end", "reason"), [
    ("2026-13-01", None, "--from '2026-13-01' is not a date"),
    ("2026-12-01", "2026-11-01", "--from 2026-12-01 is after --to 2026-11-01"),
])
def test_a_period_that_is_not_one_is_refused(start: str, end: str | None, reason: str) -> None:
    with pytest.raises(ReportError, match=reason):
        period(start, end)
