"""The import merges while the bundle streams (issue 15), on SQLite and on PostgreSQL: each entry goes into the
store with its PDF inside the import's one transaction, before the signature and the manifest at the end have
checked. What a user relies on is unchanged: a bundle that fails at its end leaves the consolidated store exactly
as it was, and an analyst reading the store meanwhile sees the bundle whole or not at all.

Each import here reads its bundle through `Watched`, which looks at the store from outside (a second connection)
when the reading is well past the PDFs' start: that look proves the entries were being written by then (SQLite:
the rollback journal holds the pages they changed; PostgreSQL: the import's COPY holds its lock on `entries`) and
that nobody else could see them.
"""

from __future__ import annotations

import hashlib
import io
import os
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from desktop.hq import BundleRefused, Recipient, import_bundle
from desktop.sync import bundle
from tests.hq.postgres import HqTarget
from tests.sync.helpers import Party, rows, seal_streamed


@dataclass(frozen=True)
class Look:
    entries: int  # what another connection sees
    batches: int
    writing: bool  # the import had written entries, uncommitted


class Watched(io.BytesIO):
    """A bundle file that calls `look` once, when the import reads past `fraction` of it."""

    def __init__(self, data: bytes, look: Callable[[], Look], fraction: float = 0.6) -> None:
        super().__init__(data)
        self._at, self._look = int(len(data) * fraction), look
        self.seen: Look | None = None

    def read(self, size: int | None = -1, /) -> bytes:
        if self.seen is None and self.tell() >= self._at:
            self.seen = self._look()
        return super().read(size)


def looker(db: HqTarget) -> Callable[[], Look]:
    if db.kind == "sqlite":
        def look() -> Look:
            conn = sqlite3.connect(db.db, timeout=0)  # a reader that never waits for the import's lock
            try:
                entries, batches = conn.execute("SELECT (SELECT count(*) FROM entries), "
                                                "(SELECT count(*) FROM batches)").fetchone()
            finally:
                conn.close()
            journal = Path(db.db + "-journal")  # pages the open transaction changed, kept to roll them back
            return Look(entries, batches, journal.exists() and journal.stat().st_size > 0)
        return look

    def look_pg() -> Look:
        with psycopg.connect(db.db) as conn:
            entries, batches = conn.execute("SELECT (SELECT count(*) FROM entries), "
                                            "(SELECT count(*) FROM batches)").fetchone()  # type: ignore[misc]
            (copying,) = conn.execute(
                "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation WHERE c.relname = 'entries' "
                "AND l.mode = 'RowExclusiveLock' AND l.pid <> pg_backend_pid() AND l.database = "
                "(SELECT oid FROM pg_database WHERE datname = current_database())").fetchone()  # type: ignore[misc]
        return Look(entries, batches, copying > 0)
    return look_pg


def big_bundle(party: Party | tuple[Party, ec.EllipticCurvePrivateKey], hq: Party, count: int = 24, batch: int = 1,
               entry_count: int | None = None) -> bytes:
    """A bundle as the export writes it (entries, CSV, PDFs, manifest last), with PDFs big enough that the
    bundle is read in many pieces; signed by the party's key, or by another key in its certificate's name."""
    found = rows(count)
    members = [(bundle.JSONL, bundle.entries_jsonl(found)), (bundle.CSV, bundle.entries_csv(found))]
    members += [(bundle.pdf_name(str(e["uuid"])), b"%PDF-1.4\n%" + os.urandom(40_000) + b"\n%%EOF\n") for e in found]
    signer = (party.certificate, party.key) if isinstance(party, Party) else (party[0].certificate, party[1])
    return seal_streamed(members, signer, hq, batch=batch,  # type: ignore[arg-type]
                         entry_count=count if entry_count is None else entry_count)


def small_first_batch(db: HqTarget, party: Party, hq: Party, recipient: Recipient) -> None:
    store = db.open()
    try:
        import_bundle(store, big_bundle(party, hq, count=3), recipient)
    finally:
        store.close()


def test_a_bundle_imported_while_another_analyst_reads_appears_whole_at_commit(db: HqTarget, hq: Party,
                                                                                posts: dict[str, Party],
                                                                                recipient: Recipient) -> None:
    party = posts["Ottawa"]
    small_first_batch(db, party, hq, recipient)
    source = Watched(big_bundle(party, hq, batch=2), looker(db))
    store = db.open()
    try:
        report = import_bundle(store, source, recipient)
        assert (report.batch, report.new) == (2, 24)
        assert store.counts().entries == 27
    finally:
        store.close()
    assert source.seen == Look(entries=3, batches=1, writing=True)  # streamed, and none of it visible


@pytest.mark.parametrize("broken", ["signature", "manifest", "replay"])
def test_a_bundle_that_fails_at_its_end_leaves_the_store_as_it_was_though_its_entries_were_streamed(
        broken: str, db: HqTarget, hq: Party, posts: dict[str, Party], recipient: Recipient) -> None:
    party = posts["Ottawa"]
    small_first_batch(db, party, hq, recipient)
    data = {
        "signature": lambda: big_bundle((party, ec.generate_private_key(ec.SECP256R1())), hq, batch=2),
        "manifest": lambda: big_bundle(party, hq, batch=2, entry_count=25),  # the count is checked at the end
        "replay": lambda: big_bundle(party, hq, batch=1),  # batch 1 again, other entries: refused by the store
    }[broken]()
    before = db.dump()
    source = Watched(data, looker(db))
    store = db.open()
    try:
        with pytest.raises(BundleRefused, match={"signature": "signature does not verify",
                                                 "manifest": "manifest.json says 25",
                                                 "replay": "replayed or reused batch number"}[broken]):
            import_bundle(store, source, recipient)
    finally:
        store.close()
    assert source.seen == Look(entries=3, batches=1, writing=True)
    assert db.dump() == before


def test_a_batch_that_arrives_out_of_order_or_from_a_post_named_otherwise_lands_where_it_belongs(
        db: HqTarget, hq: Party, posts: dict[str, Party], recipient: Recipient) -> None:
    """The rows are written under a guess of post and batch (the bundle proves both only at its end); a wrong
    guess is undone and the bundle merged again with the right ones."""
    store = db.open()
    try:
        first = import_bundle(store, big_bundle(posts["Ottawa"], hq, count=2, batch=3), recipient)
        assert (first.batch, first.new, first.missing) == (3, 2, (1, 2))
        toronto = import_bundle(store, big_bundle(posts["Toronto"], hq, count=2), recipient)  # its rows say Ottawa
        assert (toronto.post.name, toronto.new) == ("Toronto", 2)
        late = import_bundle(store, big_bundle(posts["Ottawa"], hq, count=2, batch=1), recipient)
        assert (late.batch, late.missing) == (1, (2,))
        where = {(r["uuid"], r["batch"]) for r in store.export_rows("0001-01-01", "9999-12-31")}
        by_post: dict[str, list[int]] = {b.post_fingerprint: [] for b in store.batches()}
        for b in store.batches():
            by_post[b.post_fingerprint].append(b.batch)
    finally:
        store.close()
    expected = {(u, 3) for u in first.acknowledgement.entries} | {(u, 1) for u in toronto.acknowledgement.entries} | {
        (u, 1) for u in late.acknowledgement.entries}
    assert where == expected
    assert sorted(by_post.values()) == [[1], [1, 3]]


def test_a_bundle_whose_pdfs_come_before_its_entries_still_imports_whole(db: HqTarget, hq: Party,
                                                                         posts: dict[str, Party],
                                                                         recipient: Recipient) -> None:
    """Another writer's order: the PDFs cannot go to the store before their entries are known, so they wait in
    the sealed spool and are merged at the end, in the same transaction."""
    found = rows(3)
    pdfs = [(bundle.pdf_name(str(e["uuid"])), b"%PDF-1.4\n%" + os.urandom(2_000) + b"\n%%EOF\n") for e in found]
    members = [*pdfs, (bundle.JSONL, bundle.entries_jsonl(found)), (bundle.CSV, bundle.entries_csv(found))]
    party = posts["Ottawa"]
    store = db.open()
    try:
        report = import_bundle(store, seal_streamed(members, (party.certificate, party.key), hq,  # type: ignore[arg-type]
                                                    entry_count=3), recipient)
        assert (report.new, store.counts().entries) == (3, 3)
    finally:
        store.close()
    stored = "\n".join(map(str, db.dump()))
    assert all(hashlib.sha256(pdf).hexdigest() in stored for _, pdf in pdfs)  # the store's pdf_sha256 of its bytes
