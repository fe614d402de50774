"""The acknowledgement round trip (SPEC A3): headquarters acknowledges, the post marks synced, the next export skips.

The post accepts an acknowledgement only for itself, for a batch it exported, signed by the headquarters that
batch was encrypted to, naming entries that batch carried; anything else is refused whole.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from desktop.hq import Recipient, SqliteHqStore, acknowledgement_file, import_bundle, load_recipient
from desktop.store import Store
from desktop.sync import SyncError, SyncInputError, export_bundle, import_acknowledgement, pending_count
from desktop.sync import acknowledgement as ackfile
from tests.sync.helpers import Party, make_party, seed_entries


@pytest.fixture
def recipient(hq: Party) -> Recipient:
    return load_recipient(hq.key_path.read_bytes(), hq.cert_path.read_bytes())


def hq_round(store: Store, hq: Party, hq_db: Path, recipient: Recipient, folder: Path) -> bytes:
    """Export, import at headquarters, and return the acknowledgement file's bytes."""
    data = export_bundle(store.repo, hq.certificate, folder).path.read_bytes()
    opened = SqliteHqStore.open(hq_db)
    try:
        return acknowledgement_file(import_bundle(opened, data, recipient), recipient)
    finally:
        opened.close()


def acknowledged(store: Store) -> dict[str, str | None]:
    with store.repo.read() as conn:
        return dict(conn.execute("SELECT uuid, acknowledged_at FROM dhs191_entries").fetchall())


def test_the_round_trip_marks_entries_synced_and_the_next_export_leaves_them_out(
        store: Store, hq: Party, hq_db: Path, recipient: Recipient, tmp_path: Path) -> None:
    uuids = seed_entries(store, 3)
    ack = hq_round(store, hq, hq_db, recipient, tmp_path)
    assert json.loads(ack)["entries"] == uuids
    later = seed_entries(store, 1)
    result = import_acknowledgement(store.repo, ack)
    assert (result.batch, result.acknowledged, result.already) == (1, 3, 0)
    assert result.message.startswith("Headquarters acknowledged batch 1: 3 DHS-191 entries marked synced")
    marks = acknowledged(store)
    assert all(marks[u] for u in uuids) and marks[later[0]] is None
    assert pending_count(store.repo) == 1
    second = export_bundle(store.repo, hq.certificate, tmp_path)
    assert (second.batch, second.entry_count) == (2, 1)
    with store.repo.read() as conn:
        done = conn.execute("SELECT batch_no FROM export_batches WHERE acknowledged_at IS NOT NULL").fetchall()
    assert done == [(1,)]
    assert [e.action for e in store.repo.history("export_batch", 1)] == ["dhs191.export", "dhs191.acknowledged"]


def test_the_same_acknowledgement_again_changes_nothing(store: Store, hq: Party, hq_db: Path, recipient: Recipient,
                                                        tmp_path: Path) -> None:
    seed_entries(store, 2)
    ack = hq_round(store, hq, hq_db, recipient, tmp_path)
    import_acknowledgement(store.repo, ack)
    marks = acknowledged(store)
    again = import_acknowledgement(store.repo, ack)
    assert (again.acknowledged, again.already, again.message) == (0, 2, "Batch 1 was already acknowledged; "
                                                                        "nothing changed.")
    assert acknowledged(store) == marks
    assert len(store.repo.history("export_batch", 1)) == 2


def forged(ack: bytes, signer: Party, **changes: object) -> bytes:
    """The acknowledgement with `changes`, signed again by `signer`."""
    parsed = ackfile.unverified(ack)
    return ackfile.write(replace(parsed, **changes), signer.certificate, signer.key)  # type: ignore[arg-type]


def refused(store: Store, data: bytes, match: str, kind: type[Exception] = SyncError) -> None:
    before = acknowledged(store)
    with pytest.raises(kind, match=match):
        import_acknowledgement(store.repo, data)
    assert acknowledged(store) == before


def test_an_acknowledgement_naming_entries_the_batch_did_not_carry_is_refused(
        store: Store, hq: Party, hq_db: Path, recipient: Recipient, tmp_path: Path) -> None:
    seed_entries(store, 2)
    ack = hq_round(store, hq, hq_db, recipient, tmp_path)
    stranger = "00000000-0000-4000-8000-000000000000"
    refused(store, forged(ack, hq, entries=(*ackfile.unverified(ack).entries, stranger)),
            f"names 1 entries this batch did not carry \\(e.g. {stranger}\\)")


def test_an_acknowledgement_for_another_post_is_refused(store: Store, hq: Party, hq_db: Path, recipient: Recipient,
                                                        tmp_path: Path) -> None:
    seed_entries(store, 1)
    ack = hq_round(store, hq, hq_db, recipient, tmp_path)
    refused(store, forged(ack, hq, post="Mexico City", post_fingerprint="ab" * 32),
            "is for another post \\('Mexico City'")


def test_an_acknowledgement_for_a_batch_never_exported_is_refused(store: Store, hq: Party, hq_db: Path,
                                                                  recipient: Recipient, tmp_path: Path) -> None:
    seed_entries(store, 1)
    ack = hq_round(store, hq, hq_db, recipient, tmp_path)
    refused(store, forged(ack, hq, batch=7), "batch 7, which this post never exported")


def test_an_acknowledgement_not_signed_by_that_headquarters_is_refused(
        store: Store, hq: Party, hq_db: Path, recipient: Recipient, tmp_path: Path) -> None:
    seed_entries(store, 1)
    ack = hq_round(store, hq, hq_db, recipient, tmp_path)
    impostor = make_party(tmp_path / "impostor", "Impostor")
    refused(store, forged(ack, impostor), "its signature does not check")
    edited = json.loads(ack)
    edited["received_at"] = "2099-01-01T00:00:00+00:00"
    refused(store, json.dumps(edited).encode(), "it was changed after signing")


def test_a_file_that_is_not_an_acknowledgement_is_refused(store: Store) -> None:
    refused(store, b"<html>", "not JSON", SyncInputError)
    refused(store, json.dumps({"format": ackfile.FORMAT}).encode(), "not signed by headquarters", SyncInputError)
