"""Exporting the DHS-191 entries headquarters has not acknowledged (SPEC A2, issue 5).

A plain function with a JobControl (progress per entry, Cancel between entries): the window runs it on a worker,
the command line directly. The bundle is written as a stream (issue 15): the entries are read from the store a page
at a time, each DHS-191 page is rendered, zipped, signed and encrypted, and only ciphertext reaches the disk (SPEC
S1), into a hidden file beside the bundle; memory does not grow with the number of entries. Then one repository
transaction numbers the batch, records which entries it carries and renames the file into place, so the batch
exists in the store exactly when its file does. A cancelled or failed export leaves no batch and no file, and its
number is used by the next export.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from cryptography import x509

from desktop.accounting import Entry, entries
from desktop.jobs import JobControl
from desktop.store.fileio import fsync_directory
from desktop.store.repository import Repository, now_text
from desktop.store.sqlcipher import Connection
from desktop.sync import bundle, cms
from desktop.sync.certificates import check_recipient, load_certificate, remember
from desktop.sync.errors import SyncError
from desktop.sync.identity import PostIdentity, post_identity

_PAGE = 200  # entries read from the store at a time


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
    size: int
    sha256: str  # of the file
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
    uuids = _pending_uuids(repo)
    if not uuids:
        raise SyncError("Every DHS-191 entry has been acknowledged by headquarters; there is nothing to export.")
    batch = next_batch(repo)
    path = out_dir / f"dhs191-{_slug(identity.name)}-batch-{batch:06d}.p7m"
    if path.exists():
        raise SyncError(f"{path} already exists; choose another folder, or move that file away.")
    made_folder = not out_dir.exists()
    partial = out_dir / f".{path.name}.{os.getpid()}.partial"
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        with open(partial, "xb") as handle:
            built = _write(repo, uuids, repo.setting("post_name").strip() or identity.name, batch, identity,
                           recipient, control, handle)
        control.step(len(uuids), len(uuids), "Recording the batch…")
        return _record(repo, batch, built, partial, path, recipient)
    except OSError as error:
        raise SyncError(f"The bundle could not be written to {path} ({error.strerror}); nothing was recorded."
                        ) from error
    finally:
        partial.unlink(missing_ok=True)
        if made_folder and out_dir.exists() and not path.exists() and not any(out_dir.iterdir()):
            out_dir.rmdir()  # a cancelled or failed export leaves nothing behind, not even the folder it made


def next_batch(repo: Repository) -> int:
    with repo.read() as conn:
        return _next_batch(conn)


def _next_batch(conn: Connection) -> int:
    return int(conn.execute("SELECT coalesce(max(batch_no), 0) + 1 FROM export_batches").fetchone()[0])


def _pending_uuids(repo: Repository) -> tuple[str, ...]:
    """The entries headquarters has not acknowledged, in the order of accounting's unacknowledged_entries: every
    entry, corrections and the entries they supersede alike, so headquarters holds the whole history."""
    with repo.read() as conn:
        return tuple(row[0] for row in conn.execute(
            "SELECT uuid FROM dhs191_entries WHERE acknowledged_at IS NULL ORDER BY disclosed_on, created_at, rowid"))


def _paged(repo: Repository, uuids: Sequence[str]) -> Iterator[Entry]:
    """The entries, in `uuids` order, read a page at a time: never all of them in memory (entries do not change
    once written, so pages read at different moments agree)."""
    for start in range(0, len(uuids), _PAGE):
        page = uuids[start:start + _PAGE]
        found = {entry.uuid: entry for entry in entries(repo, uuids=list(page))}
        for uuid in page:
            if uuid in found:
                yield found[uuid]
            else:
                raise SyncError(f"DHS-191 entry {uuid} was removed while the bundle was being written; export again.")


def _write(repo: Repository, uuids: tuple[str, ...], post: str, batch: int, identity: PostIdentity,
           recipient: x509.Certificate, control: JobControl, handle: BinaryIO) -> _Built:
    from desktop.accounting.dhs191_pdf import render_entry_pdf  # reportlab on first use: the CLI starts quickly

    out = _Hashing(handle)
    writer = bundle.BundleWriter(out, identity.certificate, identity.key, recipient)
    writer.add_text(bundle.JSONL, bundle.jsonl_lines(entry.a2_row() for entry in _paged(repo, uuids)))
    writer.add_text(bundle.CSV, bundle.csv_lines(entry.a2_row() for entry in _paged(repo, uuids)))
    total = len(uuids)
    for done, entry in enumerate(_paged(repo, uuids)):
        control.step(done, total, f"DHS-191 page {done + 1} of {total}")
        writer.add(bundle.pdf_name(entry.uuid), render_entry_pdf(entry, post, entry.packet_sha256))
    control.step(total, total, "Signing and encrypting the bundle…")
    manifest = writer.finish(post, batch, now_text(), total)
    handle.flush()
    os.fsync(handle.fileno())
    control.check()
    return _Built(out.size, out.digest.hexdigest(), hashlib.sha256(manifest).hexdigest(), uuids)


class _Hashing:
    """The bundle file, hashed and counted as it is written (the batch records the file's SHA-256)."""

    def __init__(self, handle: BinaryIO) -> None:
        self._handle = handle
        self.digest = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> int:
        self.digest.update(data)
        self.size += len(data)
        return self._handle.write(data)


def _record(repo: Repository, batch: int, built: _Built, partial: Path, path: Path, recipient: x509.Certificate
            ) -> ExportResult:
    hq = cms.fingerprint(recipient)
    detail = {"entries": len(built.uuids), "sha256": built.sha256, "hq_fingerprint": hq, "file": path.name}
    renamed = False
    try:
        with repo.transaction("dhs191.export", "export_batch", batch, detail) as tx:
            conn = tx.conn
            if _next_batch(conn) != batch:
                raise SyncError("Another export was made while this one was being built; export again.")
            remember(conn, recipient)
            cursor = conn.execute(
                "INSERT INTO export_batches (batch_no, created_at, entry_count, sha256, hq_fingerprint, "
                "manifest_sha256, file_name) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (batch, now_text(), len(built.uuids), built.sha256, hq, built.manifest_sha256, path.name))
            batch_id = int(cursor.lastrowid or 0)
            conn.executemany("INSERT INTO export_batch_entries (batch_id, uuid) VALUES (?, ?)",
                             [(batch_id, uuid) for uuid in built.uuids])
            conn.executemany("UPDATE dhs191_entries SET batch_id = ? WHERE uuid = ?",
                             [(batch_id, uuid) for uuid in built.uuids])
            if path.exists():
                raise SyncError(f"{path} already exists; choose another folder, or move that file away.")
            os.replace(partial, path)
            renamed = True
            fsync_directory(path.parent)
    except BaseException:
        if renamed:
            path.unlink(missing_ok=True)  # the batch did not commit: its file must not exist either
        raise
    return ExportResult(path, batch, len(built.uuids), built.size, built.sha256, built.manifest_sha256, hq)
def _slug(post: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", post.lower()).strip("-") or "post"
