"""Bundles imported by parallel processes at the same moment (issue 16), on SQLite and on PostgreSQL.

Real processes (multiprocessing, spawn), held at a barrier so that they import at once. Afterwards every entry is
there exactly once, each post's batches are in order, gaps and repeats are reported as for one import at a time,
and a bundle imported twice at once yields one acknowledgement.
"""

from __future__ import annotations

import multiprocessing
from pathlib import Path
from typing import Any

import pytest

from tests.hq.conftest import bundle_file
from tests.hq.postgres import HqTarget
from tests.hq.workers import import_at_once
from tests.sync.helpers import Party, payload_zip, rows, seal

pytestmark = pytest.mark.slow


def run_at_once(db: HqTarget, hq: Party, bundles: list[Path]) -> list[dict[str, Any]]:
    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(len(bundles)), context.Queue()
    workers = [context.Process(target=import_at_once, args=(db.kind, db.db, str(path), str(hq.key_path),
                                                            str(hq.cert_path), barrier, results))
               for path in bundles]
    for worker in workers:
        worker.start()
    found = [results.get(timeout=180) for _ in workers]
    assert not [r for r in found if "error" in r], found
    for worker in workers:
        worker.join(timeout=60)
        assert worker.exitcode == 0
    return found


def entry_rows(db: HqTarget) -> list[tuple[str, str, int]]:
    store = db.open()
    try:
        rows_ = [(r["uuid"], r["post"], r["batch"]) for r in store.export_rows("0001-01-01", "9999-12-31")]
        return rows_
    finally:
        store.close()


def batch_numbers(db: HqTarget) -> dict[str, list[int]]:
    store = db.open()
    try:
        names = {p.fingerprint: p.name for p in store.posts()}
        found: dict[str, list[int]] = {}
        for batch in store.batches():
            found.setdefault(names[batch.post_fingerprint], []).append(batch.batch)
        return found
    finally:
        store.close()


def test_bundles_of_several_posts_imported_at_once_are_all_merged(db: HqTarget, hq: Party, posts: dict[str, Party],
                                                                  tmp_path: Path) -> None:
    bundles, expected = [], set()
    for name, party in list(posts.items())[:3]:
        for batch in (1, 2):
            entries = rows(40, post=name)
            expected |= {str(e["uuid"]) for e in entries}
            sealed = seal(payload_zip(entries, batch=batch, post=name), party, hq)
            bundles.append(bundle_file(tmp_path, f"{name}-{batch}.p7m", sealed))
    results = run_at_once(db, hq, bundles)
    assert not [r for r in results if "refused" in r]
    held = entry_rows(db)
    assert len(held) == len(expected) == 240 and {u for u, _, _ in held} == expected  # each exactly once
    assert batch_numbers(db) == {name: [1, 2] for name in list(posts)[:3]}
    for result in results:
        # Batch 2 may have come first: then, and only then, it reported batch 1 as not received yet.
        assert result["missing"] in ([], [1]) and (result["missing"] == [] or result["batch"] == 2)
        assert (result["new"], result["held"], result["repeated"]) == (40, 0, False)


def test_the_same_bundle_imported_three_times_at_once_is_merged_once(db: HqTarget, hq: Party,
                                                                     posts: dict[str, Party], tmp_path: Path) -> None:
    entries = rows(60, post="Ottawa")
    path = bundle_file(tmp_path, "ottawa-1.p7m", seal(payload_zip(entries, post="Ottawa"), posts["Ottawa"], hq))
    results = run_at_once(db, hq, [path, path, path])
    first = [r for r in results if not r["repeated"]]
    again = [r for r in results if r["repeated"]]
    assert len(first) == 1 and len(again) == 2
    assert (first[0]["new"], first[0]["held"]) == (60, 0)
    assert all((r["new"], r["held"]) == (0, 60) for r in again)
    assert len({repr(sorted(r["ack"].items())) for r in results}) == 1  # one acknowledgement for the bundle
    assert len(entry_rows(db)) == 60 and batch_numbers(db) == {"Ottawa": [1]}


def test_a_replayed_batch_number_racing_the_original_is_refused(db: HqTarget, hq: Party, posts: dict[str, Party],
                                                                tmp_path: Path) -> None:
    party = posts["Mexico City"]
    one = bundle_file(tmp_path, "a.p7m", seal(payload_zip(rows(30, "Mexico City"), post="Mexico City"), party, hq))
    other = bundle_file(tmp_path, "b.p7m", seal(payload_zip(rows(30, "Mexico City"), post="Mexico City"), party, hq))
    results = run_at_once(db, hq, [one, other])
    refused = [r for r in results if "refused" in r]
    assert len(refused) == 1 and "batch 1 from Mexico City was already imported" in refused[0]["refused"]
    assert len(entry_rows(db)) == 30 and batch_numbers(db) == {"Mexico City": [1]}


def test_two_posts_racing_with_the_same_entry_keep_one_and_refuse_the_other_whole(db: HqTarget, hq: Party,
                                                                                  posts: dict[str, Party],
                                                                                  tmp_path: Path) -> None:
    shared = rows(1, "Toronto")[0]
    bundles = []
    for name in ("Toronto", "Monterrey"):
        entries = [*rows(200, name), {**shared, "post": name}]
        bundles.append(bundle_file(tmp_path, f"{name}.p7m", seal(payload_zip(entries, post=name), posts[name], hq)))
    results = run_at_once(db, hq, bundles)
    refused = [r for r in results if "refused" in r]
    assert len(refused) == 1 and f"entry {shared['uuid']} was received from another post" in refused[0]["refused"]
    held = entry_rows(db)
    assert len(held) == 201 and [u for u, _, _ in held].count(str(shared["uuid"])) == 1  # the loser left nothing
    assert len(batch_numbers(db)) == 1
