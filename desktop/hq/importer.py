"""Headquarters imports a post's bundle (SPEC A3): decrypt, verify, check, merge by UUID, acknowledge.

Everything is checked before anything is written, and the merge is one transaction of the consolidated store, so
a refused bundle (one line saying why) leaves the store exactly as it was. Importing the same bundle again changes
nothing and acknowledges again; a batch number that arrives again with other content is refused as a replay; a
gap in a post's batch numbers is reported. An entry never changes: one that arrives again must read the same.

Several imports may run at once (analysts, processes; issue 16): the merge first locks its post in the store
(`lock_post`), and a transaction that lost a race anyway (`HqRetry`) is run again from the start, so that every
entry ends up exactly once and the same bundle imported twice at once is merged once, with one acknowledgement.
"""

from __future__ import annotations

import io
import os
import random
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO, TypeVar, overload

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from desktop.hq.store import (
    HeldEntry,
    HqRetry,
    HqStore,
    HqStoreError,
    HqTransaction,
    NewEntry,
    ReceivedBatch,
    RegisteredPost,
)
from desktop.sync import acknowledgement, bundle, cms
from desktop.sync.acknowledgement import Acknowledgement
from desktop.sync.bundle import BundleLimits, Payload
from desktop.sync.identity import post_name_of

KEY_PASSPHRASE_ENV = "DISCLOSURE_DESK_HQ_KEY_PASSPHRASE"
RETRIES = 8  # attempts of one transaction that keeps losing races (HqRetry) before the import gives up
_T = TypeVar("_T")

# A bundle file by its path, open for reading (binary, seekable), or its bytes (small bundles, tests).
BundleSource = Path | str | BinaryIO | bytes


class BundleRefused(Exception):
    """The whole bundle is refused and the consolidated store is unchanged; `str()` is the one-line reason."""


class HqInputError(Exception):
    """A key, certificate or post certificate given to the headquarters commands is unusable."""


@dataclass(frozen=True)
class Recipient:
    """Headquarters' decryption key and its certificate (which also signs the acknowledgements)."""

    certificate: x509.Certificate
    key: rsa.RSAPrivateKey


@dataclass(frozen=True)
class ImportReport:
    post: RegisteredPost
    batch: int
    entry_count: int
    new: int
    already_held: int
    repeated: bool  # the very same batch was imported before: nothing changed
    missing: tuple[int, ...]  # the post's batch numbers below its highest that have not arrived
    acknowledgement: Acknowledgement

    def summary(self) -> str:
        if self.repeated:
            text = (f"Batch {self.batch} from {self.post.name} was already imported with the same content; "
                    "nothing changed.")
        else:
            text = (f"Imported batch {self.batch} from {self.post.name}: {self.entry_count} entries, {self.new} new, "
                    f"{self.already_held} already held.")
        if self.missing:
            text += f" Gap: batch{'es' if len(self.missing) > 1 else ''} {_numbers(self.missing)} not received yet."
        return text


def load_recipient(key_pem: bytes, cert_pem: bytes) -> Recipient:
    """HQ.key (PEM; when encrypted, its passphrase from DISCLOSURE_DESK_HQ_KEY_PASSPHRASE) and HQ.pem, which match."""
    try:
        certificate = x509.load_pem_x509_certificate(cert_pem)
    except ValueError:
        raise HqInputError("--cert: not a PEM X.509 certificate") from None
    password = os.environ.get(KEY_PASSPHRASE_ENV)
    try:
        key = serialization.load_pem_private_key(key_pem, password=password.encode() if password else None)
    except TypeError:
        raise HqInputError(f"--key: the key is encrypted; set {KEY_PASSPHRASE_ENV} to its passphrase") from None
    except ValueError:
        raise HqInputError("--key: not a PEM private key, or the passphrase is wrong") from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise HqInputError("--key: headquarters' key must be RSA (bundles are encrypted with RSA key transport)")
    if key.public_key().public_numbers() != certificate.public_key().public_numbers():  # type: ignore[union-attr]
        raise HqInputError("--key and --cert do not belong together: the certificate is for another key")
    return Recipient(certificate, key)


def register_post(store: HqStore, certificate_pem: bytes, name: str | None = None) -> tuple[RegisteredPost, bool]:
    """Registers a post's signing certificate; (the post, False) when it was registered already."""
    try:
        certificate = x509.load_pem_x509_certificate(certificate_pem)
    except ValueError:
        raise HqInputError("not a PEM X.509 certificate (make it with 'disclosure-desk post-cert')") from None
    if not isinstance(certificate.public_key(), ec.EllipticCurvePublicKey | rsa.RSAPublicKey):
        raise HqInputError("the post certificate's key is neither EC nor RSA; it cannot sign bundles")
    post = RegisteredPost(cms.fingerprint(certificate), (name or post_name_of(certificate)).strip(),
                          certificate_pem.decode("ascii"), _now())

    def add(tx: HqTransaction) -> tuple[RegisteredPost, bool]:
        known = tx.post(post.fingerprint)
        if known is not None:
            return known, False
        tx.add_post(post)
        return post, True

    return _retrying(store, add)  # two analysts registering the same post at once: the second sees the first


def import_bundle(store: HqStore, source: BundleSource, recipient: Recipient, limits: BundleLimits | None = None
                  ) -> ImportReport:
    """Decrypts, verifies and checks the whole bundle, then merges it in one transaction (SPEC A3).

    The bundle is read as a stream (issue 15): one pass decrypts it, checks the signature and every member and
    keeps the entries (one line each); the PDFs wait in a spool encrypted under a key that exists only in memory
    (desktop/sync/spool.py) and reach the store one at a time. The decrypted payload is never held whole nor
    written readable anywhere, at headquarters either."""
    limits = limits or BundleLimits()
    with _opened(source) as handle:
        size = handle.seek(0, io.SEEK_END) - handle.seek(0, io.SEEK_SET)
        if size > limits.max_bundle_bytes:
            raise BundleRefused(f"the bundle is {size:,} bytes, over the {limits.max_bundle_bytes:,} accepted")
        posts = store.posts()
        try:
            payload = bundle.read_bundle(handle, recipient.certificate, recipient.key,
                                         [_certificate(p) for p in posts], limits)
        except (cms.CmsError, bundle.BundleError) as error:
            raise BundleRefused(f"the bundle is refused: {error}") from None
    with payload:  # its PDFs wait, sealed, until the merge has taken them (again, if a retry runs it again)
        post = next(p for p in posts if p.fingerprint == cms.fingerprint(payload.signer))
        return _retrying(store, lambda tx: _merge(tx, post, payload, recipient))


def acknowledgement_file(report: ImportReport, recipient: Recipient) -> bytes:
    return acknowledgement.write(report.acknowledgement, recipient.certificate, recipient.key)


def _retrying(store: HqStore, work: Callable[[HqTransaction], _T]) -> _T:
    """`work` in one transaction of the store, run again from the start when it lost a race with another import
    (HqRetry: nothing of the lost attempt was kept). A refusal (BundleRefused) is never retried."""
    for attempt in range(1, RETRIES + 1):
        try:
            with store.transaction() as tx:
                return work(tx)
        except HqRetry:
            if attempt == RETRIES:
                break
            time.sleep(random.uniform(0, 0.05 * attempt))  # jitter: the racers do not collide again in step
    raise HqStoreError(f"the consolidated store stayed busy with other imports through {RETRIES} attempts; "
                       "nothing was imported. Run the import again.")


def _merge(tx: HqTransaction, post: RegisteredPost, payload: Payload, recipient: Recipient) -> ImportReport:
    manifest = payload.manifest
    tx.lock_post(post.fingerprint)  # imports of one post one after the other (desktop/hq/postgres_store.py: why)
    earlier = tx.batch(post.fingerprint, manifest.batch)
    if earlier is not None and earlier.manifest_sha256 != payload.manifest_sha256:
        raise BundleRefused(f"the bundle is refused: batch {manifest.batch} from {post.name} was already imported "
                            f"on {earlier.received_at[:10]} with other content (a replayed or reused batch number)")
    uuids = [row["uuid"] for row in payload.rows]
    held = tx.held(uuids)
    _check_unchanged(post, payload, held)
    now = _now()
    fresh = _FreshEntries(payload, held)
    if earlier is None:
        tx.add_batch(ReceivedBatch(post.fingerprint, manifest.batch, payload.manifest_sha256, manifest.post,
                                   manifest.created, manifest.entry_count, now, len(held)))
        tx.add_entries(post.fingerprint, manifest.batch, now, fresh)
    # One acknowledgement per bundle: the same bundle imported again (or at the same moment by another process)
    # gets the very acknowledgement the first import made, dated when the batch was received.
    acknowledged = now if earlier is None else earlier.received_at
    ack = Acknowledgement(manifest.post, post.fingerprint, manifest.batch, payload.manifest_sha256, acknowledged,
                          cms.fingerprint(recipient.certificate), tuple(uuids))
    return ImportReport(post, manifest.batch, len(uuids), len(fresh), len(held), earlier is not None,
                        _missing(tx.batch_numbers(post.fingerprint)), ack)


def _check_unchanged(post: RegisteredPost, payload: Payload, held: dict[str, HeldEntry]) -> None:
    for row, line in zip(payload.rows, payload.lines, strict=True):
        known = held.get(row["uuid"])
        if known is None:
            continue
        if known.post_fingerprint != post.fingerprint:
            raise BundleRefused(f"the bundle is refused: entry {row['uuid']} was received from another post")
        if known.line != line:
            raise BundleRefused(f"the bundle is refused: entry {row['uuid']} differs from the copy received in batch "
                                f"{known.batch}; DHS-191 entries never change (a correction is a new entry)")


class _FreshEntries(Sequence[NewEntry]):
    """The entries the store does not hold yet, each with its PDF taken from the payload's spool only when the
    store's add_entries reaches it (in the ZIP's order), so the import holds one PDF at a time. A spooled copy that
    changed on disk raises BundleRefused inside the transaction, which then commits nothing."""

    def __init__(self, payload: Payload, held: dict[str, HeldEntry]) -> None:
        self._payload = payload
        self._new = {row["uuid"]: (row, line) for row, line in zip(payload.rows, payload.lines, strict=True)
                     if row["uuid"] not in held}

    def __len__(self) -> int:
        return len(self._new)

    def __iter__(self) -> Iterator[NewEntry]:
        try:
            for uuid, pdf in self._payload.pdfs(set(self._new)):
                row, line = self._new[uuid]
                yield NewEntry(row, line, pdf)
        except (cms.CmsError, bundle.BundleError) as error:
            raise BundleRefused(f"the bundle is refused: {error}") from None

    @overload
    def __getitem__(self, index: int) -> NewEntry: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[NewEntry]: ...

    def __getitem__(self, index: int | slice) -> NewEntry | Sequence[NewEntry]:
        return list(self)[index]  # reads every PDF: a store that indexes gives up flat memory; add_entries iterates


def _opened(source: BundleSource) -> AbstractContextManager[BinaryIO]:
    if isinstance(source, bytes):
        return io.BytesIO(source)
    if isinstance(source, str | Path):
        try:
            return open(source, "rb")  # noqa: SIM115  # closed by the caller's with
        except OSError as error:
            raise HqInputError(f"{source}: cannot be read ({error.strerror})") from None
    return nullcontext(source)


def _missing(numbers: Sequence[int]) -> tuple[int, ...]:
    present = set(numbers)
    return tuple(n for n in range(1, max(present, default=0)) if n not in present)


def _numbers(numbers: Sequence[int]) -> str:
    shown = ", ".join(str(n) for n in numbers[:10])
    return shown + (f" and {len(numbers) - 10} more" if len(numbers) > 10 else "")


def _certificate(post: RegisteredPost) -> x509.Certificate:
    return x509.load_pem_x509_certificate(post.certificate_pem.encode("ascii"))


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
