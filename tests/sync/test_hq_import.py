"""Headquarters imports bundles (SPEC A3): merge by UUID, and refuse whole, with the reason, what does not check.

Every refusal leaves the consolidated store exactly as it was (compared as a full dump). Each test runs on both
backends (`db`: SQLite, and PostgreSQL as the HQ role of db/hq_postgres/role.sql; tests/hq/postgres.py).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from desktop.hq import (
    BundleRefused,
    HqCounts,
    ImportReport,
    Recipient,
    import_bundle,
    load_recipient,
    register_post,
)
from desktop.hq.importer import HqInputError
from desktop.store import Store
from desktop.sync import bundle, export_bundle, post_identity
from desktop.sync.bundle import BundleLimits
from tests.hq.postgres import HqTarget
from tests.sync.helpers import Party, make_party, members_for, payload_zip, raw_zip, rows, seal, seed_entries


@pytest.fixture
def recipient(hq: Party) -> Recipient:
    return load_recipient(hq.key_path.read_bytes(), hq.cert_path.read_bytes())


def export(store: Store, hq: Party, folder: Path, count: int = 3) -> bytes:
    seed_entries(store, count)
    return export_bundle(store.repo, hq.certificate, folder).path.read_bytes()


def imported(db: HqTarget, data: bytes, recipient: Recipient, limits: BundleLimits | None = None
             ) -> tuple[ImportReport, HqCounts]:
    opened = db.open()
    try:
        return import_bundle(opened, data, recipient, limits), opened.counts()
    finally:
        opened.close()


def refused(db: HqTarget, data: bytes, recipient: Recipient, match: str, limits: BundleLimits | None = None
            ) -> str:
    before = db.dump()
    with pytest.raises(BundleRefused, match=match) as caught:
        imported(db, data, recipient, limits)
    assert db.dump() == before, "a refused bundle changed the consolidated store"
    assert "\n" not in str(caught.value)
    return str(caught.value)


def sealed_by_post(store: Store, hq: Party, payload: bytes) -> bytes:
    identity = post_identity(store.repo)
    return seal(payload, (identity.certificate, identity.key), hq)


def test_importing_the_same_bundle_twice_changes_nothing(store: Store, hq: Party, db: HqTarget, recipient: Recipient,
                                                         tmp_path: Path) -> None:
    data = export(store, hq, tmp_path)
    first, counts = imported(db, data, recipient)
    assert (first.new, first.already_held, first.repeated, counts.entries, counts.batches) == (3, 0, False, 3, 1)
    state = db.dump()
    second, again = imported(db, data, recipient)
    assert (second.new, second.already_held, second.repeated) == (0, 3, True)
    assert again == counts and db.dump() == state
    assert "already imported with the same content; nothing changed" in second.summary()
    assert second.acknowledgement.entries == first.acknowledgement.entries


def test_entries_that_come_again_in_a_later_batch_are_merged_by_uuid(store: Store, hq: Party, db: HqTarget,
                                                                     recipient: Recipient, tmp_path: Path) -> None:
    imported(db, export(store, hq, tmp_path, 2), recipient)
    report, counts = imported(db, export(store, hq, tmp_path, 1), recipient)  # not acknowledged: sent again
    assert (report.batch, report.entry_count, report.new, report.already_held) == (2, 3, 1, 2)
    assert (counts.entries, counts.batches) == (3, 2)


def test_a_bundle_with_one_byte_changed_is_refused(store: Store, hq: Party, db: HqTarget, recipient: Recipient,
                                                   tmp_path: Path) -> None:
    data = bytearray(export(store, hq, tmp_path))
    body = data.index(b"\n\n") + 2
    at = body + (len(data) - body) // 2
    while data[at] in b"\r\n":  # a base64 character, so exactly one ciphertext byte changes
        at += 1
    data[at] = ord("A") if data[at] != ord("A") else ord("B")
    refused(db, bytes(data), recipient, "the bundle is refused: its content does not match the signed digest")


def test_a_bundle_signed_by_an_unknown_post_is_refused(hq: Party, db: HqTarget, recipient: Recipient,
                                                       tmp_path: Path) -> None:
    stranger = make_party(tmp_path / "stranger", "Stranger post", rsa_bits=None)
    message = refused(db, seal(payload_zip(rows(2)), stranger, hq), recipient, "not registered here")
    assert message.startswith("the bundle is refused: it is signed by a certificate that is not registered")


def test_a_bundle_for_another_headquarters_is_refused(store: Store, hq: Party, db: HqTarget, tmp_path: Path) -> None:
    other = make_party(tmp_path / "other", "Other HQ")
    data = export(store, other, tmp_path)
    refused(db, data, load_recipient(hq.key_path.read_bytes(), hq.cert_path.read_bytes()), "cannot be decrypted")


def test_a_replayed_batch_number_with_other_content_is_refused(store: Store, hq: Party, db: HqTarget,
                                                               recipient: Recipient, tmp_path: Path) -> None:
    imported(db, export(store, hq, tmp_path), recipient)
    replay = sealed_by_post(store, hq, payload_zip(rows(1), batch=1))
    refused(db, replay, recipient, "batch 1 from Ottawa was already imported on .* with other content")


def test_a_gap_in_batch_numbers_is_reported(store: Store, hq: Party, db: HqTarget, recipient: Recipient) -> None:
    report, _ = imported(db, sealed_by_post(store, hq, payload_zip(rows(1), batch=3)), recipient)
    assert report.missing == (1, 2)
    assert report.summary().endswith("Gap: batches 1, 2 not received yet.")


def test_an_entry_that_changed_since_it_was_received_is_refused(store: Store, hq: Party, db: HqTarget,
                                                                recipient: Recipient) -> None:
    entries = rows(2)
    imported(db, sealed_by_post(store, hq, payload_zip(entries, batch=1)), recipient)
    entries[1] = {**entries[1], "recipient_name": "Someone else"}
    refused(db, sealed_by_post(store, hq, payload_zip(entries, batch=2)), recipient,
            f"entry {entries[1]['uuid']} differs from the copy received in batch 1")


PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.mark.filterwarnings("ignore:Duplicate name")
@pytest.mark.parametrize(("extra", "listed", "reason"), [
    ([("../../etc/cron.d/evil", PDF)], True, r"'\.\./\.\./etc/cron\.d/evil' points outside the bundle"),
    ([("dhs191/../../evil.pdf", PDF)], True, "path traversal"),
    ([("/etc/passwd", b"x")], True, "has an absolute path"),
    ([("C:/Windows/evil.dll", b"x")], True, "has an absolute path"),
    ([("entries.jsonl", b"")], True, "'entries.jsonl' appears twice"),
    ([("notes.txt", b"hello")], True, "'notes.txt' is not one a bundle holds"),
    ([("dhs191/0000.pdf", PDF)], True, "is not one a bundle holds"),
    ([("dhs191/00000000-0000-4000-8000-000000000000.pdf", PDF)], True, "an entry that entries.jsonl does not list"),
    ([("dhs191/00000000-0000-4000-8000-000000000000.pdf", PDF)], False, "not listed"),
])
def test_a_payload_with_a_bad_member_is_refused(store: Store, hq: Party, db: HqTarget, recipient: Recipient,
                                                extra: list[tuple[str, bytes]], listed: bool, reason: str) -> None:
    payload = payload_zip(rows(2), extra=extra, listed_extra=listed)
    refused(db, sealed_by_post(store, hq, payload), recipient, reason)


def test_a_zip_bomb_is_refused_before_it_is_unpacked(store: Store, hq: Party, db: HqTarget,
                                                     recipient: Recipient) -> None:
    entries = rows(1)
    bomb = [("dhs191/00000000-0000-4000-8000-000000000000.pdf", b"%PDF-" + bytes(8 << 20))]  # 8 MiB in ~8 KiB
    refused(db, sealed_by_post(store, hq, payload_zip(entries, extra=bomb)), recipient,
            "expands more than 100 times")
    plain = sealed_by_post(store, hq, payload_zip(entries))
    refused(db, plain, recipient, "unpacks to .* over the 100 accepted", BundleLimits(max_member_bytes=100))
    refused(db, plain, recipient, "over the 1,000 accepted", BundleLimits(max_bundle_bytes=1_000))


@pytest.mark.parametrize(("mutate", "reason"), [
    (lambda e: e.__setitem__("b7", "no"), "b7 must be true or false"),
    (lambda e: e.__setitem__("disclosed_on", "20 Nov 2026"), "disclosed_on must be a date"),
    (lambda e: e.__setitem__("uuid", "not-a-uuid"), "is not a lower-case UUID"),
    (lambda e: e.__setitem__("extra", "x"), "must hold exactly the columns"),
])
def test_an_entry_that_breaks_the_format_is_refused(store: Store, hq: Party, db: HqTarget, recipient: Recipient,
                                                    mutate: Callable[[dict[str, object]], None], reason: str) -> None:
    entries = rows(1)
    good = {bundle.pdf_name(str(entries[0]["uuid"])): PDF}
    mutate(entries[0])
    lines = "".join(json.dumps(e) + "\n" for e in entries).encode()
    members = {bundle.JSONL: lines, bundle.CSV: b"", **good}
    manifest = bundle.manifest_bytes("Ottawa", 1, "2026-11-20T12:00:00+00:00", 1, members)
    payload = raw_zip([(bundle.MANIFEST, manifest), *members.items()])
    refused(db, sealed_by_post(store, hq, payload), recipient, reason)


def test_a_manifest_that_does_not_match_is_refused(store: Store, hq: Party, db: HqTarget, recipient: Recipient) -> None:
    entries = rows(2)
    members = members_for(entries)
    manifest = bundle.manifest_bytes("Ottawa", 1, "2026-11-20T12:00:00+00:00", 3, members)
    refused(db, sealed_by_post(store, hq, raw_zip([(bundle.MANIFEST, manifest), *members.items()])), recipient,
            "entries.jsonl has 2 entries; manifest.json says 3")
    manifest = bundle.manifest_bytes("Ottawa", 1, "2026-11-20T12:00:00+00:00", 2, members)
    members[bundle.CSV] += b"x"
    refused(db, sealed_by_post(store, hq, raw_zip([(bundle.MANIFEST, manifest), *members.items()])), recipient,
            "entries.csv does not match its SHA-256 in manifest.json")


def test_registering_a_post_twice_is_said_and_changes_nothing(db: HqTarget, post_pem: Path) -> None:
    opened = db.open()
    try:
        post, added = register_post(opened, post_pem.read_bytes())
        assert (post.name, added, opened.counts().posts) == ("Ottawa", False, 1)
        with pytest.raises(HqInputError, match="not a PEM X.509 certificate"):
            register_post(opened, b"junk")
    finally:
        opened.close()


def test_a_key_that_does_not_match_the_certificate_is_refused(hq: Party, tmp_path: Path) -> None:
    other = make_party(tmp_path, "Other HQ")
    with pytest.raises(HqInputError, match="do not belong together"):
        load_recipient(other.key_path.read_bytes(), hq.cert_path.read_bytes())


def test_an_encrypted_headquarters_key_opens_with_its_passphrase_from_the_environment(hq: Party, monkeypatch
                                                                                      ) -> None:
    from cryptography.hazmat.primitives import serialization

    locked = hq.key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                  serialization.BestAvailableEncryption(b"hq key passphrase"))
    with pytest.raises(HqInputError, match="DISCLOSURE_DESK_HQ_KEY_PASSPHRASE"):
        load_recipient(locked, hq.cert_path.read_bytes())
    monkeypatch.setenv("DISCLOSURE_DESK_HQ_KEY_PASSPHRASE", "hq key passphrase")
    assert load_recipient(locked, hq.cert_path.read_bytes()).certificate == hq.certificate
