"""The repository against a real SQLCipher store: requests, search and filters, coordination, drafts, audit."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from keyring.backends import fail

from desktop.assessment import attach_rules
from desktop.requests import load_request_file
from desktop.requests.model import Request, RequestingAuthority, Subject
from desktop.rules import assess_for_store
from desktop.store import ConflictError, KeyVault, NotFoundError, RequestQuery, Store, create_store
from desktop.store.repository import Repository
from desktop.store.sqlcipher import IntegrityError
from tests.conftest import CHEAP_KDF, PASSPHRASE, scenario_paths
from tests.conftest import scenario as scenario_path

TODAY = date(2026, 11, 20)
REFERENCES = ["OTT-2026-0001", "MEX-2026-0002", "OTT-2026-0003", "LON-2026-0004", "OTT-2026-0005"]


def scenario(prefix: str) -> Request:
    return load_request_file(scenario_path(prefix))


def audit_count(store: Store) -> int:
    with store.repo.read() as conn:
        return int(conn.execute("SELECT count(*) FROM audit_log").fetchone()[0])


def table_count(store: Store, table: str) -> int:
    with store.repo.read() as conn:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def last_audit(store: Store) -> tuple[str, str, dict[str, object]]:
    with store.repo.read() as conn:
        action, entity_id, detail = conn.execute(
            "SELECT action, entity_id, detail FROM audit_log ORDER BY seq DESC LIMIT 1"
        ).fetchone()
    return action, entity_id, json.loads(detail)


@contextmanager
def adds_audit_entries(store: Store, expected: int) -> Iterator[None]:
    before = audit_count(store)
    yield
    assert audit_count(store) - before == expected
    assert store.repo.verify_audit().ok


def make(reference: str, *, country: str = "CA", authority: str = "Canada Border Services Agency",
         received: date | None = date(2026, 11, 2), needed: date | None = date(2026, 11, 30),
         subject: str = "Daniel R. Okafor") -> Request:
    base = scenario("01")
    return replace(
        base,
        reference=reference,
        requesting_authority=RequestingAuthority(name=authority, country=country),
        received_on=received,
        needed_by=needed,
        subjects=(Subject(name=subject),),
    )


@pytest.fixture
def repo(store: Store) -> Repository:
    return store.repo


def five_requests() -> list[Request]:
    """Five requests with known countries and dates around TODAY."""
    return [
        make("OTT-2026-0001", needed=date(2026, 11, 10), received=date(2026, 10, 1)),  # overdue
        make("MEX-2026-0002", country="MX", authority="Agencia Nacional de Aduanas de México",
             needed=date(2026, 11, 25), received=date(2026, 11, 15), subject="Comercializadora Norteña"),
        make("OTT-2026-0003", needed=date(2026, 12, 31), received=date(2026, 11, 5), subject="Kevin J. Marsh"),
        make("LON-2026-0004", country="GB", authority="HM Revenue and Customs", needed=None, received=None,
             subject="Alice Brown"),
        make("OTT-2026-0005", needed=TODAY, received=date(2026, 11, 5), subject="Bob Stone"),  # due today
    ]


@pytest.fixture
def filled(repo: Repository) -> dict[str, int]:
    return {request.reference: repo.add_request(request) for request in five_requests()}


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Repository]:
    """One store holding the five requests, for the tests that only read (one store each would be slow)."""
    opened = create_store(tmp_path_factory.mktemp("shared") / "data", PASSPHRASE, post_name="Ottawa",
                          bates_prefix="OTT", use_keyring=False, vault=KeyVault(fail.Keyring()), kdf=CHEAP_KDF)
    try:
        for request in five_requests():
            opened.repo.add_request(request)
        yield opened.repo
    finally:
        opened.lock()


def references(repo: Repository, query: RequestQuery) -> list[str]:
    return [row.reference for row in repo.list_requests(query)]


@pytest.mark.parametrize("path", scenario_paths(), ids=lambda p: p.name[:2])
def test_a_request_comes_back_as_it_was_added(repo: Repository, path: Path) -> None:
    request = load_request_file(path)
    request_id = repo.add_request(request)
    stored = repo.get_request(request_id)
    assert stored.request == request
    assert stored.status == "open" and stored.outcome is None  # no rules attached
    assert repo.request_id_by_reference(request.reference) == request_id


def test_update_changes_the_request_and_names_the_fields_in_the_audit(store: Store, repo: Repository) -> None:
    request = replace(scenario("01"), subjects=(Subject("A. One"), Subject("B. Two")))
    request_id = repo.add_request(request)
    changed = replace(request, reason="A new reason.", subjects=(Subject("A. One"),))
    with adds_audit_entries(store, 1):
        repo.update_request(request_id, changed)
    assert repo.get_request(request_id).request == changed
    assert last_audit(store) == ("request.update", str(request_id), {"fields": ["reason", "subjects"]})
    assert [entry.action for entry in repo.history("request", request_id)] == ["request.add", "request.update"]


def test_update_keeps_the_reference_when_none_is_given(repo: Repository) -> None:
    request_id = repo.add_request(scenario("01"))
    repo.update_request(request_id, replace(scenario("01"), reference=""))
    assert repo.get_request(request_id).request.reference == "OTT-2026-0142"


def test_unknown_ids_and_references_say_so(repo: Repository) -> None:
    with pytest.raises(NotFoundError, match="no request with id 99"):
        repo.get_request(99)
    with pytest.raises(NotFoundError, match="'request list' shows them"):
        repo.request_id_by_reference("NOPE-1")


def test_list_and_count_see_every_request(shared: Repository) -> None:
    assert shared.count_requests() == 5
    assert sorted(references(shared, RequestQuery())) == sorted(REFERENCES)
    row = next(r for r in shared.list_requests() if r.reference == "MEX-2026-0002")
    assert (row.id, row.country, row.received_on, row.needed_by, row.status) == (
        shared.request_id_by_reference("MEX-2026-0002"), "MX", "2026-11-15", "2026-11-25", "open")
    assert row.authority == "Agencia Nacional de Aduanas de México"
    assert shared.request_countries() == ["CA", "GB", "MX"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Okafor", {"OTT-2026-0001"}),
        ("okaf", {"OTT-2026-0001"}),  # a prefix of a word
        ("Daniel Okafor", {"OTT-2026-0001"}),  # every word must match
        ("Okafor Marsh", set()),
        ("Norteña", {"MEX-2026-0002"}),
        ("nortena", {"MEX-2026-0002"}),  # diacritics removed
        ("OTT-2026", {"OTT-2026-0001", "OTT-2026-0003", "OTT-2026-0005"}),  # reference prefix
        ("MEX-2026-0002", {"MEX-2026-0002"}),
        ("Revenue", {"LON-2026-0004"}),  # authority
        ("Aduanas Mexico", {"MEX-2026-0002"}),
        ("GB", {"LON-2026-0004"}),  # the authority's country is indexed with its name
        ("Fortin", {"OTT-2026-0001", "MEX-2026-0002", "OTT-2026-0003", "LON-2026-0004", "OTT-2026-0005"}),
    ],
)
def test_full_text_search(shared: Repository, text: str, expected: set[str]) -> None:
    query = RequestQuery(text=text)
    assert set(references(shared, query)) == expected
    assert shared.count_requests(query) == len(expected)


@pytest.mark.parametrize(
    "text",
    ['"', "*", "NEAR(", "NEAR(Okafor Fortin, 3)", "-", "--", "Okafor -Fortin", "(", ")", "^Okafor", ":",
     "reference:OTT", "subjects : Okafor", "'", "Oka*for", "AND", "OR Okafor", "NOT", "Okafor NOT Marsh",
     "{subjects}: x", "+", "\\", "%", "_", "💥",
     "\x00"],
)
def test_fts_syntax_in_user_input_is_searched_for_not_obeyed(shared: Repository, text: str) -> None:
    found = references(shared, RequestQuery(text=text))
    assert shared.count_requests(RequestQuery(text=text)) == len(found)


@pytest.mark.parametrize("text", ['"Okafor', 'Okafor"', "^Okafor", "-Okafor", "Okafor -", "Okafor*",
                                  "(Okafor)", "Okafor:", "Daniel R. Okafor", "Okafor, Daniel"])
def test_punctuation_around_a_name_still_finds_it(shared: Repository, text: str) -> None:
    assert references(shared, RequestQuery(text=text)) == ["OTT-2026-0001"]


def test_search_follows_an_update(repo: Repository, filled: dict[str, int]) -> None:
    request_id = filled["OTT-2026-0001"]
    renamed = replace(repo.get_request(request_id).request, subjects=(Subject("Zelda Quist"),))
    repo.update_request(request_id, renamed)
    assert references(repo, RequestQuery(text="Okafor")) == []
    assert references(repo, RequestQuery(text="Quist")) == ["OTT-2026-0001"]


def test_country_filter(shared: Repository) -> None:
    query = RequestQuery(country="CA")
    assert set(references(shared, query)) == {"OTT-2026-0001", "OTT-2026-0003", "OTT-2026-0005"}
    assert shared.count_requests(query) == 3
    assert shared.count_requests(RequestQuery(country="MX", text="Okafor")) == 0


def test_overdue_is_strictly_before_today(shared: Repository) -> None:
    assert references(shared, RequestQuery(overdue_only=True, today=TODAY)) == ["OTT-2026-0001"]
    assert shared.count_requests(RequestQuery(overdue_only=True, today=date(2026, 11, 21))) == 2


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        (0, {"OTT-2026-0001", "OTT-2026-0005"}),  # overdue and due today
        (5, {"OTT-2026-0001", "OTT-2026-0005", "MEX-2026-0002"}),
        (4, {"OTT-2026-0001", "OTT-2026-0005"}),
        (60, {"OTT-2026-0001", "OTT-2026-0005", "MEX-2026-0002", "OTT-2026-0003"}),  # never one without a date
    ],
)
def test_due_within_includes_the_overdue(shared: Repository, days: int,
                                         expected: set[str]) -> None:
    query = RequestQuery(due_within_days=days, today=TODAY)
    assert set(references(shared, query)) == expected
    assert shared.count_requests(query) == len(expected)


def test_a_negative_due_within_means_overdue_by_that_many_days(shared: Repository) -> None:
    assert references(shared, RequestQuery(due_within_days=-5, today=TODAY)) == ["OTT-2026-0001"]


def test_outcome_filter_uses_what_the_rules_said(store: Store, repo: Repository) -> None:
    attach_rules(store)
    for prefix, reference in (("01", "OTT-1"), ("03", "OTT-3"), ("04", "OTT-4"), ("07", "OTT-7")):
        repo.add_request(replace(scenario(prefix), reference=reference))
    assert set(references(repo, RequestQuery(outcome="ready"))) == {"OTT-1", "OTT-7"}
    assert references(repo, RequestQuery(outcome="needs_action")) == ["OTT-3"]
    assert references(repo, RequestQuery(outcome="blocked")) == ["OTT-4"]
    assert repo.count_requests(RequestQuery(outcome="blocked", country="MX")) == 0


def test_default_order_is_newest_received_first_with_undated_last(shared: Repository) -> None:
    newest_first = references(shared, RequestQuery())
    # OTT-0003 and OTT-0005 share a date: the later id comes first in descending order.
    assert newest_first == ["MEX-2026-0002", "OTT-2026-0005", "OTT-2026-0003", "OTT-2026-0001", "LON-2026-0004"]
    oldest_first = references(shared, RequestQuery(descending=False))
    assert oldest_first == ["OTT-2026-0001", "OTT-2026-0003", "OTT-2026-0005", "MEX-2026-0002", "LON-2026-0004"]


@pytest.mark.parametrize("descending", [True, False])
def test_a_page_of_the_list_walks_the_index_instead_of_sorting_the_table(shared: Repository, descending: bool) -> None:
    """The window asks for a page at a time; with 20,000 requests a whole-table sort took 108 ms a page."""
    executed: list[str] = []
    with shared.read() as conn:
        conn.set_trace_callback(executed.append)
    try:
        shared.list_requests(RequestQuery(descending=descending))
    finally:
        with shared.read() as conn:
            conn.set_trace_callback(None)
    [listing] = [sql for sql in executed if sql.lstrip().startswith("SELECT r.id")]
    with shared.read() as conn:
        plan = [row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + listing)]
    assert not any("TEMP B-TREE" in step for step in plan), plan


def test_order_by_other_columns_and_an_unknown_one(shared: Repository) -> None:
    assert references(shared, RequestQuery(order_by="reference", descending=False)) == sorted(REFERENCES)
    by_needed = references(shared, RequestQuery(order_by="needed_by", descending=False))
    assert by_needed == ["OTT-2026-0001", "OTT-2026-0005", "MEX-2026-0002", "OTT-2026-0003", "LON-2026-0004"]
    injected = RequestQuery(order_by="reference; DROP TABLE requests")
    assert references(shared, injected) == references(shared, RequestQuery())


def test_paging_covers_every_row_once(shared: Repository) -> None:
    pages = [references(shared, RequestQuery(limit=2, offset=offset)) for offset in (0, 2, 4, 6)]
    assert [len(page) for page in pages] == [2, 2, 1, 0]
    assert sum(pages, []) == references(shared, RequestQuery())


def test_a_duplicate_reference_is_a_conflict_that_says_what_to_do(store: Store, repo: Repository) -> None:
    repo.add_request(scenario("01"))
    before = audit_count(store), repo.count_requests()
    with pytest.raises(ConflictError) as caught:
        repo.add_request(scenario("03"))
    message = str(caught.value)
    assert "'OTT-2026-0142' is already in the store" in message
    assert "Open that one, or give this request another reference" in message
    assert (audit_count(store), repo.count_requests()) == before


def test_an_update_cannot_take_another_requests_reference(repo: Repository) -> None:
    repo.add_request(scenario("01"))
    other = repo.add_request(scenario("02"))
    with pytest.raises(ConflictError, match="OTT-2026-0142"):
        repo.update_request(other, replace(scenario("02"), reference="OTT-2026-0142"))
    assert repo.get_request(other).request.reference == "MEX-2026-0077"


def test_an_empty_reference_gets_the_posts_next_number(repo: Repository) -> None:
    year = date.today().year
    first = repo.add_request(replace(scenario("01"), reference=""))
    second = repo.add_request(replace(scenario("03"), reference=""))
    assert repo.get_request(first).request.reference == f"OTT-{year}-0001"
    assert repo.get_request(second).request.reference == f"OTT-{year}-0002"


def test_numbering_falls_back_to_req_without_a_bates_prefix(repo: Repository) -> None:
    repo.set_settings({"bates_prefix": ""})
    request_id = repo.add_request(replace(scenario("01"), reference=""))
    assert repo.get_request(request_id).request.reference == f"REQ-{date.today().year}-0001"


def test_numbering_skips_a_reference_already_taken(repo: Repository) -> None:
    year = date.today().year
    repo.add_request(replace(scenario("01"), reference=f"OTT-{year}-0002"))
    request_id = repo.add_request(replace(scenario("03"), reference=""))
    assert repo.get_request(request_id).request.reference == f"OTT-{year}-0003"


def test_set_coordination_keeps_who_when_reference_and_note(store: Store, repo: Repository) -> None:
    request_id = repo.add_request(scenario("02"))
    with adds_audit_entries(store, 1):
        repo.set_coordination(request_id, "attache_notified", True, who="J. Rivera", done_on=date(2026, 11, 3),
                              reference="EMAIL 2026-11-03 09:14", note="Mexico City attaché replied same day")
    records = repo.coordination_records(request_id)
    assert records["attache_notified"] == {
        "done": True, "who": "J. Rivera", "done_on": "2026-11-03", "reference": "EMAIL 2026-11-03 09:14",
        "note": "Mexico City attaché replied same day",
    }
    assert records["occ"]["done"] is False
    assert repo.get_request(request_id).request.coordination.attache_notified is True
    assert last_audit(store) == ("coordination.set", str(request_id), {"item": "attache_notified", "done": True})


def test_set_coordination_recomputes_the_outcome(store: Store, repo: Repository) -> None:
    attach_rules(store)
    request_id = repo.add_request(scenario("02"))  # held only for the §7.3.2.2 notice to the attaché
    assert repo.get_request(request_id).outcome == "needs_action"
    repo.set_coordination(request_id, "attache_notified", True, who="J. Rivera")
    stored = repo.get_request(request_id)
    assert stored.outcome == "ready" == assess_for_store(stored.request)[0]
    row = repo.list_requests(RequestQuery(text="MEX-2026-0077"))[0]
    assert (row.outcome, row.step) == assess_for_store(stored.request)
    repo.set_coordination(request_id, "attache_notified", False)
    assert repo.get_request(request_id).outcome == "needs_action"


def test_an_update_keeps_the_coordination_record(repo: Repository) -> None:
    request_id = repo.add_request(scenario("02"))
    repo.set_coordination(request_id, "attache_notified", True, who="J. Rivera", reference="EMAIL 1")
    request = repo.get_request(request_id).request
    repo.update_request(request_id, replace(request, reason="Clarified."))
    record = repo.coordination_records(request_id)["attache_notified"]
    assert (record["done"], record["who"], record["reference"]) == (True, "J. Rivera", "EMAIL 1")


def test_an_unknown_coordination_item_is_refused(store: Store, repo: Repository) -> None:
    request_id = repo.add_request(scenario("02"))
    with adds_audit_entries(store, 0), pytest.raises(ValueError, match="unknown coordination item"):
        repo.set_coordination(request_id, "lunch", True)


def test_drafts_save_load_and_discard(store: Store, repo: Repository) -> None:
    payload = {"reference": "OTT-2026-0200", "reason": "Typed before the lock", "subjects": [{"name": "Ana"}]}
    assert repo.load_draft("request:new") is None
    with adds_audit_entries(store, 1):
        repo.save_draft("request:new", payload)
    assert repo.load_draft("request:new") == payload
    with adds_audit_entries(store, 0):
        repo.save_draft("request:new", dict(reversed(payload.items())))  # the same content: no write
    with adds_audit_entries(store, 1):
        repo.save_draft("request:new", {**payload, "reason": "Edited"})
    assert repo.load_draft("request:new") == {**payload, "reason": "Edited"}
    with adds_audit_entries(store, 1):
        repo.discard_draft("request:new")
    assert repo.load_draft("request:new") is None
    with adds_audit_entries(store, 0):
        repo.discard_draft("request:new")


WRITES: dict[str, Callable[[Repository, int], object]] = {
    "set_settings": lambda repo, _: repo.set_settings({"post_name": "Mexico City", "idle_lock_minutes": "5"}),
    "add_request": lambda repo, _: repo.add_request(scenario("02")),
    "add_request_numbered": lambda repo, _: repo.add_request(replace(scenario("03"), reference="")),
    "update_request": lambda repo, rid: repo.update_request(rid, replace(scenario("01"), reason="Changed")),
    "set_coordination": lambda repo, rid: repo.set_coordination(rid, "occ", True, who="OCC"),
    "add_attachment": lambda repo, rid: repo.add_attachment(rid, "original_request", "req.pdf", "application/pdf",
                                                            b"%PDF-1.7 original"),
    "save_draft": lambda repo, _: repo.save_draft("k", {"a": 1}),
    "record_event": lambda repo, _: repo.record_event("store.backup_written", "store", None, {"file": "b.zip"}),
}


@pytest.mark.parametrize("name", sorted(WRITES))
def test_every_write_adds_exactly_one_audit_entry(store: Store, repo: Repository, name: str) -> None:
    request_id = repo.add_request(scenario("01"))
    with adds_audit_entries(store, 1):
        WRITES[name](repo, request_id)


def test_attachments_keep_their_bytes(repo: Repository) -> None:
    request_id = repo.add_request(scenario("01"))
    attachment_id = repo.add_attachment(request_id, "original_request", "req.pdf", "application/pdf", b"%PDF-1.7 x")
    [listed] = repo.list_attachments(request_id)
    assert (listed.id, listed.filename, listed.size) == (attachment_id, "req.pdf", 10)
    assert repo.attachment_content(attachment_id) == b"%PDF-1.7 x"


def test_a_failure_inside_a_transaction_rolls_back_the_change_and_its_audit_entry(store: Store,
                                                                                   repo: Repository) -> None:
    with adds_audit_entries(store, 0), pytest.raises(RuntimeError, match="power cut"):
        with repo.transaction("settings.update", "settings") as tx:
            tx.conn.execute("UPDATE settings SET value = 'Half-written' WHERE key = 'post_name'")
            tx.conn.execute("INSERT INTO settings (key, value) VALUES ('never_kept', 'x')")
            raise RuntimeError("power cut")
    assert repo.setting("post_name") == "Ottawa" and "never_kept" not in repo.settings()
    repo.set_settings({"post_name": "Whole"})  # the connection is usable again, outside any transaction
    assert repo.setting("post_name") == "Whole"


def test_a_refused_insert_rolls_back_with_its_audit_entry(store: Store, repo: Repository) -> None:
    request_id = repo.add_request(scenario("01"))
    with adds_audit_entries(store, 0), pytest.raises(IntegrityError):
        repo.add_attachment(request_id, "holiday_photo", "x.jpg", "image/jpeg", b"\xff\xd8")
    assert repo.list_attachments(request_id) == []


def test_a_failure_late_in_add_request_leaves_nothing_behind(store: Store, repo: Repository,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    def broken_index(*_args: object) -> None:
        raise OSError("disk full")

    counts = {table: table_count(store, table) for table in ("requests", "subjects", "coordination", "requests_fts")}
    monkeypatch.setattr(Repository, "_index", broken_index)
    with adds_audit_entries(store, 0), pytest.raises(OSError, match="disk full"):
        repo.add_request(scenario("01"))
    assert {table: table_count(store, table) for table in counts} == counts
    monkeypatch.undo()
    repo.add_request(scenario("01"))
    assert references(repo, RequestQuery(text="Okafor")) == ["OTT-2026-0142"]
