"""Headquarters imports a post's bundle (SPEC A3): decrypt, verify, check, merge by UUID, acknowledge.

The whole import, reading included, is one transaction of the consolidated store: the entries are written as the
bundle streams (issue 15) and every check at the end, signature first, decides whether it commits, so a refused
bundle (one line saying why) leaves the store exactly as it was, and no reader ever sees part of one. Importing
the same bundle again changes nothing and acknowledges again; a batch number that arrives again with other
content is refused as a replay; a gap in a post's batch numbers is reported. An entry never changes: one that
arrives again must read the same.

Several imports may run at once (analysts, processes; issue 16): once its entries are in, an import locks its post
in the store (`lock_post`: SQLite's one write lock, taken at BEGIN IMMEDIATE, or a PostgreSQL advisory lock held
to the end of the transaction), and a transaction that lost a race anyway (`HqRetry`) is run again from the
start, so that every entry ends up exactly once and the same bundle imported twice at once is merged once, with
one acknowledgement.
"""

from __future__ import annotations

import io
import os
import random
import time
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, ExitStack, nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import BinaryIO, TypeVar

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from desktop.hq.store import (
    EntryWriter,
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
    """Decrypts, verifies and checks the whole bundle and merges it, in one transaction (SPEC A3).

    The bundle is read as a stream, once (issue 15), inside the transaction that merges it: each entry goes into
    the store with its PDF as the PDF streams past, before the signature and the manifest at the end have been
    checked, and anything found wrong at the end rolls the whole transaction back. Other readers of the store see
    none of it until it commits (both backends isolate an open transaction's rows), so a bundle is visible whole
    or not at all, and the decrypted payload is never held whole nor kept anywhere outside the store. Why not
    check first and merge after: the proof (the signature) comes after every PDF, so checking first meant keeping
    every PDF somewhere until then, which cost as much again as the whole baseline import."""
    limits = limits or BundleLimits()
    with _opened(source) as handle:
        size = handle.seek(0, io.SEEK_END) - handle.seek(0, io.SEEK_SET)
        if size > limits.max_bundle_bytes:
            raise BundleRefused(f"the bundle is {size:,} bytes, over the {limits.max_bundle_bytes:,} accepted")
        posts = store.posts()
        known: _Labels | None = None  # what a pass learned when its guess was wrong (see _StreamingMerge)
        for _ in range(RETRIES):
            try:
                return _retrying(store, partial(_import, handle=handle, posts=posts, recipient=recipient, limits=limits,
                                                known=known))
            except _Relabel as learned:
                known = learned.labels
    raise HqStoreError("the consolidated store kept changing under this import (other imports of the same "
                       "entries); nothing was imported. Run the import again.")


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


@dataclass(frozen=True)
class _Labels:
    post: RegisteredPost
    batch: int


class _Relabel(Exception):
    """The entries were written under a guessed post or batch that the bundle's end proved wrong: the import runs
    once more, from the start, with the right ones (the HQ role may not UPDATE entries, which never change)."""

    def __init__(self, labels: _Labels) -> None:
        super().__init__(f"batch {labels.batch} of {labels.post.name}")
        self.labels = labels


def _import(tx: HqTransaction, handle: BinaryIO, posts: list[RegisteredPost], recipient: Recipient,
            limits: BundleLimits, known: _Labels | None) -> ImportReport:
    handle.seek(0)
    merge = _StreamingMerge(tx, posts, known)
    try:
        try:
            payload = bundle.read_bundle(handle, recipient.certificate, recipient.key,
                                         [_certificate(p) for p in posts], limits, merge)
        finally:
            merge.end()
    except (cms.CmsError, bundle.BundleError) as error:
        raise BundleRefused(f"the bundle is refused: {error}") from None
    with payload:  # PDFs that came before entries.jsonl wait, sealed, for the merge
        merge.raise_failure()
        post = next(p for p in posts if p.fingerprint == cms.fingerprint(payload.signer))
        return _merge(tx, post, payload, recipient, merge)


class _StreamingMerge:
    """The import's side of `bundle.Merge`: once entries.jsonl is in, it locks the post, finds which entries the
    store holds already, and then writes each other entry with its PDF as the PDF arrives.

    The entries' rows carry the post and the batch number, which the bundle proves only at its end (the signer
    and the manifest come last). So they are written under a guess: the registered post whose name the entries
    carry (else the only or the first post), and the number after its highest batch, which is what a post sends
    next. `_merge` checks the guess; a wrong one (a late or out-of-order batch) costs a second pass.

    A store error while streaming is kept, not raised, so that the stream still reaches its signature, which
    decides how the bundle is refused; it is raised once the bundle has checked (a lost race: HqRetry)."""

    def __init__(self, tx: HqTransaction, posts: list[RegisteredPost], known: _Labels | None) -> None:
        self._tx, self._posts = tx, posts
        self.received_at = _now()
        self.got: bundle.Entries | None = None
        self.held: dict[str, HeldEntry] = {}
        self.labels: _Labels | None = known
        self.written = 0
        self._writer: EntryWriter | None = None
        self._stack = ExitStack()
        self._failure: BaseException | None = None

    def entries(self, entries: bundle.Entries) -> None:
        self.got = entries
        try:
            if self.labels is None:
                self.labels = self._guess(entries)
            self._tx.lock_post(self.labels.post.fingerprint)  # imports of one post one after the other
            if self.labels.batch == 0:
                self.labels = _Labels(self.labels.post,
                                      max(self._tx.batch_numbers(self.labels.post.fingerprint), default=0) + 1)
            self.held = self._tx.held(entries.uuids())
        except Exception as error:  # noqa: BLE001  # kept for after the signature (the class says why)
            self._failure = error

    def pdf(self, uuid: str, data: bytes, sha256: bytes) -> None:
        if self._failure is not None or uuid in self.held or self.got is None or self.labels is None:
            return
        try:
            if self._writer is None:
                self._writer = self._stack.enter_context(
                    self._tx.entry_writer(self.labels.post.fingerprint, self.labels.batch, self.received_at))
            self._writer.write(NewEntry(self.got.row(uuid), self.got.line(uuid), data, sha256.hex()))
            self.written += 1
        except Exception as error:  # noqa: BLE001  # kept for after the signature (the class says why)
            self._failure = error

    def end(self) -> None:
        """Ends the writing (PostgreSQL: the COPY), so that the transaction can be asked other things."""
        self._writer = None
        try:
            self._stack.close()
        except Exception as error:  # noqa: BLE001  # a row the store refused shows here on PostgreSQL
            if self._failure is None:
                self._failure = error

    def raise_failure(self) -> None:
        if self._failure is not None:
            raise self._failure

    def _guess(self, entries: bundle.Entries) -> _Labels:
        uuids = entries.uuids()
        name = entries.row(uuids[0])["post"] if uuids else None
        named = [p for p in self._posts if p.name == name]
        return _Labels((named or self._posts)[0], 0)


def _merge(tx: HqTransaction, post: RegisteredPost, payload: Payload, recipient: Recipient, merge: _StreamingMerge
           ) -> ImportReport:
    manifest = payload.manifest
    guessed = merge.labels
    if guessed is None or guessed.post.fingerprint != post.fingerprint:
        tx.lock_post(post.fingerprint)
    earlier = tx.batch(post.fingerprint, manifest.batch)
    if earlier is not None and earlier.manifest_sha256 != payload.manifest_sha256:
        raise BundleRefused(f"the bundle is refused: batch {manifest.batch} from {post.name} was already imported "
                            f"on {earlier.received_at[:10]} with other content (a replayed or reused batch number)")
    entries, held = payload.entries, merge.held
    _check_unchanged(post, entries, held)
    right = _Labels(post, manifest.batch)
    if merge.written and (earlier is not None or guessed != right):
        # Written under a wrong guess (or, for a batch already received, written at all: a race the other
        # import won after this one read what the store holds): undo, and run again knowing the answer.
        raise _Relabel(right)
    uuids = entries.uuids()
    now = merge.received_at
    if earlier is None:
        tx.add_batch(ReceivedBatch(post.fingerprint, manifest.batch, payload.manifest_sha256, manifest.post,
                                   manifest.created, manifest.entry_count, now, len(held)))
        if payload.spooled:  # PDFs that came before entries.jsonl (older writers' order), now from the spool
            wanted = {uuid for uuid in uuids if uuid not in held}
            with tx.entry_writer(post.fingerprint, manifest.batch, now) as writer:
                try:
                    for uuid, pdf in payload.pdfs(wanted):
                        writer.write(NewEntry(entries.row(uuid), entries.line(uuid), pdf))
                except (cms.CmsError, bundle.BundleError) as error:
                    raise BundleRefused(f"the bundle is refused: {error}") from None
    # One acknowledgement per bundle: the same bundle imported again (or at the same moment by another process)
    # gets the very acknowledgement the first import made, dated when the batch was received.
    acknowledged = now if earlier is None else earlier.received_at
    ack = Acknowledgement(manifest.post, post.fingerprint, manifest.batch, payload.manifest_sha256, acknowledged,
                          cms.fingerprint(recipient.certificate), tuple(uuids))
    new = 0 if earlier is not None else len(uuids) - len(held)
    return ImportReport(post, manifest.batch, len(uuids), new, len(held), earlier is not None,
                        _missing(tx.batch_numbers(post.fingerprint)), ack)


def _check_unchanged(post: RegisteredPost, entries: bundle.Entries, held: dict[str, HeldEntry]) -> None:
    for uuid, known in held.items():
        if known.post_fingerprint != post.fingerprint:
            raise BundleRefused(f"the bundle is refused: entry {uuid} was received from another post")
        if known.line != entries.line(uuid):
            raise BundleRefused(f"the bundle is refused: entry {uuid} differs from the copy received in batch "
                                f"{known.batch}; DHS-191 entries never change (a correction is a new entry)")


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
