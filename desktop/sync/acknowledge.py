"""The post imports headquarters' acknowledgement and marks those entries synced (SPEC A3).

Refused whole, with the reason, unless: it is for this post (its certificate's fingerprint), for a batch this post
exported, signed by the headquarters certificate that batch was encrypted to, for that batch's manifest, and names
only entries the batch carried. Importing the same acknowledgement again changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from desktop.store.repository import Repository, now_text
from desktop.sync import acknowledgement
from desktop.sync.certificates import stored_certificate
from desktop.sync.errors import SyncError, SyncInputError
from desktop.sync.identity import post_identity


@dataclass(frozen=True)
class AckResult:
    batch: int
    acknowledged: int  # entries marked synced now
    already: int  # entries an earlier acknowledgement had marked

    @property
    def message(self) -> str:
        if not self.acknowledged:
            return f"Batch {self.batch} was already acknowledged; nothing changed."
        again = f" ({self.already} were already)" if self.already else ""
        return (f"Headquarters acknowledged batch {self.batch}: {self.acknowledged} DHS-191 entries marked "
                f"synced{again}.")


@dataclass(frozen=True)
class _Batch:
    id: int
    manifest_sha256: str
    hq_fingerprint: str


def import_acknowledgement(repo: Repository, data: bytes, source: str = "the acknowledgement") -> AckResult:
    try:
        claimed = acknowledgement.unverified(data)
    except acknowledgement.AcknowledgementError as error:
        raise SyncInputError(f"{source}: {error}") from None
    identity = post_identity(repo)
    if claimed.post_fingerprint != identity.fingerprint:
        raise SyncError(f"{source} is for another post ({claimed.post!r}, certificate "
                        f"{claimed.post_fingerprint[:16]}…), not this one; nothing was changed.")
    batch = _batch(repo, claimed.batch, source)
    ack = _verified(repo, data, batch, source)
    if ack.manifest_sha256 != batch.manifest_sha256:
        raise SyncError(f"{source} is for a different batch {ack.batch} than the one this post exported (the "
                        "manifest differs); nothing was changed.")
    _check_members(repo, batch.id, ack.entries, source)
    return _mark(repo, ack.batch, batch.id, ack.entries)


def _batch(repo: Repository, number: int, source: str) -> _Batch:
    with repo.read() as conn:
        row = conn.execute("SELECT id, manifest_sha256, hq_fingerprint FROM export_batches WHERE batch_no = ?",
                           (number,)).fetchone()
    if row is None:
        raise SyncError(f"{source} is for batch {number}, which this post never exported; nothing was changed.")
    return _Batch(int(row[0]), str(row[1]), str(row[2]))


def _verified(repo: Repository, data: bytes, batch: _Batch, source: str) -> acknowledgement.Acknowledgement:
    certificate = stored_certificate(repo, batch.hq_fingerprint)
    if certificate is None:
        raise SyncError(f"The headquarters certificate batch {batch.id} was sent to is no longer in the store; "
                        f"{source} cannot be checked.")
    try:
        ack = acknowledgement.read(data, [certificate])
    except acknowledgement.AcknowledgementError as error:
        raise SyncError(f"{source} is refused: {error} (it must be signed by the headquarters certificate the "
                        "batch was encrypted to); nothing was changed.") from None
    if ack.hq_fingerprint != batch.hq_fingerprint:
        raise SyncError(f"{source} names another headquarters certificate than the batch was sent to; refused.")
    return ack


def _check_members(repo: Repository, batch_id: int, uuids: tuple[str, ...], source: str) -> None:
    with repo.read() as conn:
        carried = {row[0] for row in conn.execute("SELECT uuid FROM export_batch_entries WHERE batch_id = ?",
                                                  (batch_id,))}
    unknown = sorted(set(uuids) - carried)
    if unknown:
        raise SyncError(f"{source} names {len(unknown)} entries this batch did not carry (e.g. {unknown[0]}); "
                        "nothing was changed.")


def _mark(repo: Repository, number: int, batch_id: int, uuids: tuple[str, ...]) -> AckResult:
    with repo.read() as conn:
        pending = {row[0] for row in conn.execute(
            "SELECT e.uuid FROM export_batch_entries b JOIN dhs191_entries e ON e.uuid = b.uuid "
            "WHERE b.batch_id = ? AND e.acknowledged_at IS NULL", (batch_id,))}
        open_batch = conn.execute("SELECT acknowledged_at IS NULL FROM export_batches WHERE id = ?",
                                  (batch_id,)).fetchone()[0]
    marking = sorted(pending & set(uuids))
    if not marking and not open_batch:
        return AckResult(number, 0, len(set(uuids)))  # the same acknowledgement again: no change, no audit entry
    now = now_text()
    with repo.transaction("dhs191.acknowledged", "export_batch", number, {"entries": len(marking)}) as tx:
        tx.conn.executemany("UPDATE dhs191_entries SET acknowledged_at = ? WHERE uuid = ? AND acknowledged_at IS NULL",
                            [(now, uuid) for uuid in marking])
        tx.conn.execute("UPDATE export_batches SET acknowledged_at = coalesce(acknowledged_at, ?) WHERE id = ?",
                        (now, batch_id))
    return AckResult(number, len(marking), len(set(uuids)) - len(marking))
