"""SPEC P3 in a real encrypted store: refused while held, Bates numbers continuous and never reused, supersede."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from desktop.jobs import Cancelled, JobControl
from desktop.packets import PacketRefused, finalize_packet, list_packets, packet_content
from desktop.packets.finalize import Disclosure, FinalizedPacket, next_bates, post_settings
from desktop.packets.intake import IncomingRecord, store_records
from desktop.packets.model import PacketError, PacketRecord, PacketSettings
from desktop.requests import Request
from desktop.store import Store
from desktop.store.sqlcipher import Connection
from tests.packets.helpers import ready, record_pdf, scenario


def add(store: Store, request: Request) -> int:
    return store.repo.add_request(request)


def records(store: Store, request_id: int, pages: tuple[int, ...] = (2, 3)) -> list[PacketRecord]:
    incoming = [IncomingRecord(f"r{i}.pdf", "application/pdf", record_pdf(n, f"Record {i} of {n}"), n, True)
                for i, n in enumerate(pages)]
    ids = store_records(store.repo, request_id, incoming, "TECS")
    return [PacketRecord(item.content, contains_pii=True, title=item.filename, record_id=record_id)
            for item, record_id in zip(incoming, ids, strict=True)]


def state(store: Store) -> tuple[int, int, int, list[tuple[str, int]]]:
    """What must not change when finalizing is refused: audit length, packets, packet records, the counter."""
    with store.repo.read() as conn:
        audit = conn.execute("SELECT count(*) FROM audit_log").fetchone()[0]
        packets = conn.execute("SELECT count(*) FROM packets").fetchone()[0]
        linked = conn.execute("SELECT count(*) FROM packet_records").fetchone()[0]
        counter = conn.execute("SELECT prefix, next FROM bates_counter").fetchall()
    return audit, packets, linked, counter


def test_bates_numbers_continue_across_packets_and_a_new_packet_supersedes(store: Store) -> None:
    first_id = add(store, ready())
    first = finalize_packet(store.repo, first_id, records(store, first_id, (2, 3)))
    assert (first.built.bates_first, first.built.bates_last) == (1, 5)
    other = add(store, replace(ready(), reference="OTT-2026-0143"))
    second = finalize_packet(store.repo, other, records(store, other, (4,)))
    assert (second.built.bates_first_label, second.built.bates_last_label) == ("OTT000006", "OTT000009")
    again = finalize_packet(store.repo, first_id, records(store, first_id, (2, 3)))
    assert (again.built.bates_first, again.built.bates_last) == (10, 14)
    assert again.superseded == (first.packet_id,)
    rows = list_packets(store.repo, first_id)
    assert [(r.id, r.state, r.superseded_by) for r in rows] == [
        (first.packet_id, "superseded", again.packet_id), (again.packet_id, "final", None)]
    assert next_bates(store.repo, "OTT") == 15
    assert store.repo.verify_audit().ok


def test_what_was_sent_is_kept(store: Store) -> None:
    request_id = add(store, ready())
    done = finalize_packet(store.repo, request_id, records(store, request_id))
    assert packet_content(store.repo, done.packet_id) == done.built.encrypted_pdf
    row = list_packets(store.repo, request_id)[0]
    assert (row.sha256, row.page_count, row.bates_prefix) == (done.built.sha256, done.built.page_count, "OTT")
    with store.repo.read() as conn:
        linked = conn.execute("SELECT record_id, first_page, last_page FROM packet_records WHERE packet_id = ? "
                              "ORDER BY first_page", (done.packet_id,)).fetchall()
    assert [(a, b) for _, a, b in linked] == [(r.first, r.last) for r in done.built.record_pages]
    assert store.repo.get_request(request_id).status == "disclosed"
    entry = store.repo.history("request", request_id)[-1]
    assert entry.action == "packet.finalize" and '"bates": "OTT000001-OTT000005"' in entry.detail
    assert done.built.password not in entry.detail


@pytest.mark.parametrize("prefix, outcome, code", [("03", "needs_action", "NOT_IN_WRITING"),
                                                   ("04", "blocked", "PROTECTED_CLASS")])
def test_refused_while_the_rules_hold_the_request(store: Store, prefix: str, outcome: str, code: str) -> None:
    request_id = add(store, scenario(prefix))
    packet_records = records(store, request_id)
    before = state(store)
    with pytest.raises(PacketRefused) as refused:
        finalize_packet(store.repo, request_id, packet_records)
    assert refused.value.outcome == outcome
    assert code in {f.code for f in refused.value.findings}
    assert all(f.severity.value in ("block", "action") for f in refused.value.findings)
    assert code in str(refused.value) and refused.value.findings[0].section in str(refused.value)
    assert state(store) == before
    assert store.repo.get_request(request_id).status == "open"


def test_a_cancelled_build_allocates_nothing(store: Store) -> None:
    request_id = add(store, ready())
    packet_records = records(store, request_id)
    control = JobControl()

    def cancel_midway(done: int, total: int, label: str) -> None:
        if done >= 3:
            control.cancel()

    control.progress = cancel_midway
    before = state(store)
    with pytest.raises(Cancelled):
        finalize_packet(store.repo, request_id, packet_records, control=control)
    assert state(store) == before
    done = finalize_packet(store.repo, request_id, packet_records)
    assert done.built.bates_first == 1


def test_a_failing_accounting_hook_stores_nothing(store: Store) -> None:
    request_id = add(store, ready())
    packet_records = records(store, request_id)
    seen: list[Disclosure] = []

    def failing(conn: Connection, disclosure: Disclosure) -> None:
        seen.append(disclosure)
        raise RuntimeError("DHS-191 entry could not be written")

    before = state(store)
    with pytest.raises(RuntimeError):
        finalize_packet(store.repo, request_id, packet_records, accounting=failing)
    assert state(store) == before and len(seen) == 1
    assert next_bates(store.repo, "OTT") == 1


def test_the_accounting_hook_sees_the_disclosure_in_the_transaction(store: Store) -> None:
    request_id = add(store, ready())
    seen: list[tuple[Disclosure, int]] = []

    def accounting(conn: Connection, disclosure: Disclosure) -> None:
        stored = conn.execute("SELECT count(*) FROM packets WHERE id = ?", (disclosure.packet_id,)).fetchone()[0]
        seen.append((disclosure, stored))

    done = finalize_packet(store.repo, request_id, records(store, request_id, (2, 3)), accounting=accounting,
                           settings=replace(_settings(store), date=date(2026, 11, 21)))
    disclosure, stored = seen[0]
    assert stored == 1 and disclosure == done.disclosure
    assert disclosure.bates_range == "OTT000001-OTT000005" and disclosure.disclosed_on == date(2026, 11, 21)
    assert [(r.bates_first, r.bates_last, r.contains_pii) for r in disclosure.records] == [(1, 2, True), (3, 5, True)]
    assert disclosure.request.subjects[0].name == "Daniel R. Okafor"


def test_numbers_taken_during_a_build_are_not_reused(store: Store) -> None:
    """Another packet finalized while this one is built: this one is rebuilt with the next numbers."""
    first_id, other_id = add(store, ready()), add(store, replace(ready(), reference="OTT-2026-0150"))
    first_records, other_records = records(store, first_id, (2,)), records(store, other_id, (3,))
    control = JobControl()
    interrupted: list[FinalizedPacket] = []

    def finalize_the_other_once(done: int, total: int, label: str) -> None:
        if not interrupted:
            interrupted.append(finalize_packet(store.repo, other_id, other_records))

    control.progress = finalize_the_other_once
    done = finalize_packet(store.repo, first_id, first_records, control=control)
    assert (interrupted[0].built.bates_first, interrupted[0].built.bates_last) == (1, 3)
    assert (done.built.bates_first, done.built.bates_last) == (4, 5)


def test_records_must_be_in_the_store_for_that_request(store: Store) -> None:
    request_id, other_id = add(store, ready()), add(store, replace(ready(), reference="OTT-2026-0151"))
    with pytest.raises(PacketError, match="imported into the store"):
        finalize_packet(store.repo, request_id, [PacketRecord(record_pdf(1))])
    with pytest.raises(PacketError, match="another request"):
        finalize_packet(store.repo, request_id, records(store, other_id))


def test_the_post_prefix_is_the_stores(store: Store) -> None:
    request_id = add(store, ready())
    with pytest.raises(PacketError, match="numbers its packets with OTT"):
        finalize_packet(store.repo, request_id, records(store, request_id),
                        settings=replace(_settings(store), bates_prefix="MEX"))


def _settings(store: Store) -> PacketSettings:
    return post_settings(store.repo)
