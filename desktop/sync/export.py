"""Exporting the DHS-191 entries headquarters has not acknowledged (SPEC A2, issue 5).

A plain function with a JobControl (progress per entry, Cancel between entries): the window runs it on a worker,
the command line directly. The ZIP, its signature and its encryption are built in memory (nothing readable reaches
the disk, SPEC S1); then one repository transaction numbers the batch, records which entries it carries and writes
the encrypted file, so the batch exists in the store exactly when its file does. A cancelled or failed export
leaves no batch and no file, and its number is used by the next export.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509

from desktop.accounting import Entry, unacknowledged_entries
from desktop.jobs import JobControl
from desktop.store.fileio import atomic_write_bytes
from desktop.store.repository import Repository, now_text
from desktop.store.sqlcipher import Connection
from desktop.sync import bundle, cms
from desktop.sync.certificates import check_recipient, load_certificate, remember
from desktop.sync.errors import SyncError
from desktop.sync.identity import PostIdentity, post_identity


@dataclass(frozen=True)
class ExportResult:
    path: Path
    batch: int
    entry_count: int
    size: int
    sha256: str  # of the file written
    manifest_sha256: str
    hq_fingerprint: str


@dataclass(frozen=True)
class _Built:
    data: bytes
    manifest_sha256: str
    uuids: tuple[str, ...]


def pending_count(repo: Repository) -> int:
    """How many entries the next bundle would carry."""
    with repo.read() as conn:
        return int(conn.execute("SELECT count(*) FROM dhs191_entries WHERE acknowledged_at IS NULL").fetchone()[0])


def export_bundle(repo: Repository, recipient: x509.Certificate | bytes, out_dir: Path,
                  control: JobControl | None = None) -> ExportResult:
    """Writes `out_dir/dhs191-<post>-batch-NNNNNN.p7m`, signed by the post and encrypted to `recipient` (a
    certificate, or its PEM or DER bytes)."""
    control = control or JobControl()
    if isinstance(recipient, bytes):
        recipient = load_certificate(recipient, "the headquarters certificate")
    check_recipient(recipient, "the headquarters certificate")
    identity = post_identity(repo)
    entries = unacknowledged_entries(repo)
    if not entries:
        raise SyncError("Every DHS-191 entry has been acknowledged by headquarters; there is nothing to export.")
    batch = next_batch(repo)
    built = _build(entries, repo.setting("post_name").strip() or identity.name, batch, identity, recipient, control)
    path = out_dir / f"dhs191-{_slug(identity.name)}-batch-{batch:06d}.p7m"
    if path.exists():
        raise SyncError(f"{path} already exists; choose another folder, or move that file away.")
    control.step(len(entries), len(entries), "Recording the batch…")
    return _record(repo, batch, built, path, recipient)


def next_batch(repo: Repository) -> int:
    with repo.read() as conn:
        return _next_batch(conn)


def _next_batch(conn: Connection) -> int:
    return int(conn.execute("SELECT coalesce(max(batch_no), 0) + 1 FROM export_batches").fetchone()[0])


def _build(entries: list[Entry], post: str, batch: int, identity: PostIdentity, recipient: x509.Certificate,
           control: JobControl) -> _Built:
    from desktop.accounting.dhs191_pdf import render_entry_pdf  # reportlab on first use: the CLI starts quickly

    rows = [entry.a2_row() for entry in entries]
    members: dict[str, bytes] = {bundle.JSONL: bundle.entries_jsonl(rows), bundle.CSV: bundle.entries_csv(rows)}
    total = len(entries)
    for done, entry in enumerate(entries):
        control.step(done, total, f"DHS-191 page {done + 1} of {total}")
        members[bundle.pdf_name(entry.uuid)] = render_entry_pdf(entry, post, entry.packet_sha256)
    manifest = bundle.manifest_bytes(post, batch, now_text(), total, members)
    control.step(total, total, "Signing and encrypting the bundle…")
    payload = bundle.write_zip(manifest, members.items())
    del members  # the PDFs are in the ZIP now; peak memory is what a 10,000-entry export is limited by
    signed = cms.sign(payload, identity.certificate, identity.key)
    del payload
    encrypted = cms.encrypt(signed, recipient)
    control.check()
    return _Built(encrypted, hashlib.sha256(manifest).hexdigest(), tuple(entry.uuid for entry in entries))


def _record(repo: Repository, batch: int, built: _Built, path: Path, recipient: x509.Certificate) -> ExportResult:
    digest = hashlib.sha256(built.data).hexdigest()
    hq = cms.fingerprint(recipient)
    detail = {"entries": len(built.uuids), "sha256": digest, "hq_fingerprint": hq, "file": path.name}
    written = False
    try:
        with repo.transaction("dhs191.export", "export_batch", batch, detail) as tx:
            conn = tx.conn
            if _next_batch(conn) != batch:
                raise SyncError("Another export was made while this one was being built; export again.")
            remember(conn, recipient)
            cursor = conn.execute(
                "INSERT INTO export_batches (batch_no, created_at, entry_count, sha256, hq_fingerprint, "
                "manifest_sha256, file_name) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (batch, now_text(), len(built.uuids), digest, hq, built.manifest_sha256, path.name))
            batch_id = int(cursor.lastrowid or 0)
            conn.executemany("INSERT INTO export_batch_entries (batch_id, uuid) VALUES (?, ?)",
                             [(batch_id, uuid) for uuid in built.uuids])
            conn.executemany("UPDATE dhs191_entries SET batch_id = ? WHERE uuid = ?",
                             [(batch_id, uuid) for uuid in built.uuids])
            path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write_bytes(path, built.data)
            written = True
    except OSError as error:
        raise SyncError(f"The bundle could not be written to {path} ({error.strerror}); nothing was recorded."
                        ) from error
    except BaseException:
        if written:
            path.unlink(missing_ok=True)  # the batch did not commit: its file must not exist either
        raise
    return ExportResult(path, batch, len(built.uuids), len(built.data), digest, built.manifest_sha256, hq)


def _slug(post: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", post.lower()).strip("-") or "post"
