"""The post's side (SPEC A2): its signing identity, headquarters' certificates, and the export that OpenSSL opens."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from pathlib import Path

import pytest
from cryptography import x509

from desktop.accounting import A2_COLUMNS
from desktop.jobs import Cancelled, JobControl
from desktop.store import Store
from desktop.sync import (
    SyncError,
    SyncInputError,
    check_recipient,
    default_hq_certificate,
    export_bundle,
    hq_certificates,
    import_hq_certificate,
    load_certificate,
    post_identity,
)
from desktop.sync.bundle import COLUMNS, FORMAT
from tests.sync.helpers import Party, make_party, open_with_openssl, seed_entries


def test_the_bundle_columns_are_the_accounting_columns() -> None:
    assert COLUMNS == A2_COLUMNS


def test_the_post_identity_is_made_once_and_kept_only_inside_the_encrypted_store(store: Store) -> None:
    first = post_identity(store.repo)
    again = post_identity(store.repo)
    assert first.fingerprint == again.fingerprint
    assert first.name == "Ottawa"
    assert [e.action for e in store.repo.history("post_identity", 1)] == ["post_identity.create"]
    on_disk = b"".join(p.read_bytes() for p in store.paths.root.rglob("*") if p.is_file())
    assert b"PRIVATE KEY" not in on_disk and first.certificate_pem()[30:80] not in on_disk


@pytest.mark.parametrize(("kind", "reason"), [
    ("ec", "EC certificate cannot receive bundles"),
    ("small", "at least 2048"),
    ("sign-only", "does not allow key encipherment"),
    ("expired", "not valid today"),
])
def test_a_certificate_bundles_cannot_be_encrypted_to_is_refused(tmp_path: Path, kind: str, reason: str) -> None:
    options = {"ec": {"rsa_bits": None}, "small": {"rsa_bits": 1024}, "sign-only": {"key_encipherment": False},
               "expired": {"days": 10, "start_days_ago": 30}}[kind]
    party = make_party(tmp_path, f"HQ {kind}", **options)  # type: ignore[arg-type]
    with pytest.raises(SyncInputError, match=reason):
        check_recipient(party.certificate, "HQ.pem")


def test_something_that_is_not_a_certificate_is_refused_naming_the_file() -> None:
    with pytest.raises(SyncInputError, match=r"^notes\.txt: not an X\.509 certificate"):
        load_certificate(b"hello", "notes.txt")


def test_an_imported_certificate_becomes_the_default(store: Store, hq: Party) -> None:
    with pytest.raises(SyncError, match="No headquarters certificate"):
        default_hq_certificate(store.repo)
    kept = import_hq_certificate(store.repo, hq.certificate, "hq.pem")
    assert kept.is_default and [c.fingerprint for c in hq_certificates(store.repo)] == [kept.fingerprint]
    assert default_hq_certificate(store.repo) == hq.certificate


def test_openssl_decrypts_and_verifies_the_exported_bundle(store: Store, hq: Party, post_pem: Path,
                                                           tmp_path: Path) -> None:
    uuids = seed_entries(store, 3)
    result = export_bundle(store.repo, hq.certificate, tmp_path / "out")
    assert result.path.name == "dhs191-ottawa-batch-000001.p7m" and result.entry_count == 3
    assert result.path.read_bytes().startswith(b"MIME-Version: 1.0")
    payload = open_with_openssl(result.path, hq, post_pem, tmp_path)

    archive = zipfile.ZipFile(io.BytesIO(payload))
    names = archive.namelist()
    # The manifest comes last: it names every other member's SHA-256, known only once each was written (streamed).
    assert names[:2] == ["entries.jsonl", "entries.csv"] and names[-1] == "manifest.json"
    assert sorted(names[2:-1]) == sorted(f"dhs191/{u}.pdf" for u in uuids)
    manifest = json.loads(archive.read("manifest.json"))
    assert {k: manifest[k] for k in ("format", "post", "batch", "entry_count")} == {
        "format": FORMAT, "post": "Ottawa", "batch": 1, "entry_count": 3}
    assert manifest["sha256"] == {n: hashlib.sha256(archive.read(n)).hexdigest() for n in names[:-1]}
    assert result.manifest_sha256 == hashlib.sha256(archive.read("manifest.json")).hexdigest()

    lines = [json.loads(line) for line in archive.read("entries.jsonl").decode().splitlines()]
    assert [list(line) for line in lines] == [list(COLUMNS)] * 3
    assert sorted(line["uuid"] for line in lines) == sorted(uuids)
    table = list(csv.reader(io.StringIO(archive.read("entries.csv").decode("utf-8-sig"))))
    assert tuple(table[0]) == COLUMNS and len(table) == 4
    assert all(archive.read(f"dhs191/{u}.pdf").startswith(b"%PDF-") for u in uuids)


def test_the_batch_and_its_entries_are_recorded_with_an_audit_entry(store: Store, hq: Party, tmp_path: Path) -> None:
    uuids = seed_entries(store, 2)
    result = export_bundle(store.repo, hq.certificate, tmp_path)
    with store.repo.read() as conn:
        batch = conn.execute("SELECT id, batch_no, entry_count, sha256, hq_fingerprint, manifest_sha256 "
                             "FROM export_batches").fetchall()
        carried = sorted(r[0] for r in conn.execute("SELECT uuid FROM export_batch_entries"))
        linked = {r[0] for r in conn.execute("SELECT batch_id FROM dhs191_entries")}
    assert batch == [(batch[0][0], 1, 2, result.sha256, result.hq_fingerprint, result.manifest_sha256)]
    assert result.sha256 == hashlib.sha256(result.path.read_bytes()).hexdigest()
    assert carried == sorted(uuids) and linked == {batch[0][0]}
    assert [e.action for e in store.repo.history("export_batch", 1)] == ["dhs191.export"]
    assert store.repo.verify_audit().ok


def test_entries_not_acknowledged_go_again_in_the_next_batch(store: Store, hq: Party, tmp_path: Path) -> None:
    seed_entries(store, 2)
    export_bundle(store.repo, hq.certificate, tmp_path)
    seed_entries(store, 1)
    second = export_bundle(store.repo, hq.certificate, tmp_path)
    assert (second.batch, second.entry_count, second.path.name) == (2, 3, "dhs191-ottawa-batch-000002.p7m")


def test_nothing_to_export_is_said_and_no_batch_is_made(store: Store, hq: Party, tmp_path: Path) -> None:
    with pytest.raises(SyncError, match="nothing to export"):
        export_bundle(store.repo, hq.certificate, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_a_cancelled_export_leaves_no_batch_and_no_file(store: Store, hq: Party, tmp_path: Path) -> None:
    seed_entries(store, 5)
    control = JobControl()

    def cancel_at_third(done: int, total: int, label: str) -> None:
        if done == 2:
            control.cancel()

    control.progress = cancel_at_third
    with pytest.raises(Cancelled):
        export_bundle(store.repo, hq.certificate, tmp_path / "out", control)
    with store.repo.read() as conn:
        assert conn.execute("SELECT count(*) FROM export_batches").fetchone()[0] == 0
    assert not (tmp_path / "out").exists()
    assert export_bundle(store.repo, hq.certificate, tmp_path / "out").batch == 1  # the number was not used up


def test_an_existing_file_is_not_overwritten(store: Store, hq: Party, tmp_path: Path) -> None:
    seed_entries(store, 1)
    (tmp_path / "dhs191-ottawa-batch-000001.p7m").write_bytes(b"someone else's")
    with pytest.raises(SyncError, match="already exists"):
        export_bundle(store.repo, hq.certificate, tmp_path)
    with store.repo.read() as conn:
        assert conn.execute("SELECT count(*) FROM export_batches").fetchone()[0] == 0


def test_the_progress_names_each_page_and_the_signing(store: Store, hq: Party, tmp_path: Path) -> None:
    seed_entries(store, 2)
    seen: list[tuple[int, int, str]] = []
    export_bundle(store.repo, hq.certificate, tmp_path, JobControl(lambda d, t, label: seen.append((d, t, label))))
    assert seen[:2] == [(0, 2, "DHS-191 page 1 of 2"), (1, 2, "DHS-191 page 2 of 2")]
    assert seen[-2][2].startswith("Signing") and seen[-1] == (2, 2, "Recording the batch…")


def test_the_certificate_may_be_given_as_pem_bytes(store: Store, hq: Party, tmp_path: Path) -> None:
    seed_entries(store, 1)
    result = export_bundle(store.repo, hq.cert_path.read_bytes(), tmp_path)
    assert x509.load_pem_x509_certificate(hq.cert_path.read_bytes()).fingerprint is not None
    assert result.entry_count == 1


def test_the_certificate_set_in_the_window_settings_is_the_export_default(store: Store, hq: Party) -> None:
    from desktop import settings

    settings.import_hq_certificate(store.repo, hq.cert_path.read_bytes())  # the first-run wizard and Settings
    assert default_hq_certificate(store.repo) == hq.certificate


def test_a_certificate_given_for_one_export_is_kept_but_not_made_the_default(store: Store, hq: Party,
                                                                             tmp_path: Path) -> None:
    import_hq_certificate(store.repo, hq.certificate, "hq.pem")
    other = make_party(tmp_path / "other", "HQ next year")
    seed_entries(store, 1)
    export_bundle(store.repo, other.certificate, tmp_path / "out")
    kept = {c.fingerprint: c.is_default for c in hq_certificates(store.repo)}
    assert len(kept) == 2 and default_hq_certificate(store.repo) == hq.certificate
