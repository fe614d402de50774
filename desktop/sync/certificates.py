"""Headquarters' certificates at the post: the recipients a bundle is encrypted to (SPEC A2, table hq_certificates).

`hq-cert import` checks a certificate before keeping it: an X.509 certificate, valid today, with an RSA key of at
least 2048 bits that may encrypt keys. RSA because CMS key transport is what `cryptography` can build and what
`openssl cms -decrypt` expects from an S/MIME bundle; an EC certificate is refused with that reason.

The default recipient is the one active row, as desktop/settings.py (first-run wizard, settings dialog) keeps it:
making a certificate the default deactivates the others, which stay so that acknowledgements signed with them
can still be checked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from desktop.store.repository import Repository, now_text
from desktop.store.sqlcipher import Connection
from desktop.sync.cms import fingerprint
from desktop.sync.errors import SyncError, SyncInputError

MIN_RSA_BITS = 2048


@dataclass(frozen=True)
class HqCertificate:
    fingerprint: str
    subject: str
    added_at: str
    not_after: str
    is_default: bool


def load_certificate(data: bytes, source: str) -> x509.Certificate:
    """A certificate from PEM or DER bytes; SyncInputError naming `source` when it is neither."""
    try:
        if b"-----BEGIN" in data[:4096]:
            return x509.load_pem_x509_certificate(data)
        return x509.load_der_x509_certificate(data)
    except ValueError:
        raise SyncInputError(f"{source}: not an X.509 certificate (PEM or DER)") from None


def check_recipient(certificate: x509.Certificate, source: str, now: datetime | None = None) -> None:
    """Refuses a certificate a bundle cannot, or should not, be encrypted to."""
    key = certificate.public_key()
    if isinstance(key, ec.EllipticCurvePublicKey):
        raise SyncInputError(f"{source}: an EC certificate cannot receive bundles (CMS key agreement is not "
                             "supported); ask headquarters for its RSA encryption certificate")
    if not isinstance(key, rsa.RSAPublicKey):
        raise SyncInputError(f"{source}: the certificate's key is neither RSA nor EC; it cannot receive bundles")
    if key.key_size < MIN_RSA_BITS:
        raise SyncInputError(f"{source}: the RSA key has {key.key_size} bits; at least {MIN_RSA_BITS} are needed")
    _check_usage(certificate, source)
    moment = now or datetime.now(UTC)
    if not certificate.not_valid_before_utc <= moment <= certificate.not_valid_after_utc:
        valid = f"{certificate.not_valid_before_utc:%Y-%m-%d} to {certificate.not_valid_after_utc:%Y-%m-%d}"
        raise SyncInputError(f"{source}: the certificate is not valid today (valid {valid})")


def import_hq_certificate(repo: Repository, certificate: x509.Certificate, source: str, *,
                          make_default: bool = True) -> HqCertificate:
    check_recipient(certificate, source)
    digest = fingerprint(certificate)
    detail = {"fingerprint": digest, "default": make_default}
    with repo.transaction("hq_certificate.import", "hq_certificates", digest, detail) as tx:
        remember(tx.conn, certificate)
        if make_default:
            tx.conn.execute("UPDATE hq_certificates SET active = (fingerprint = ?)", (digest,))
    return next(c for c in hq_certificates(repo) if c.fingerprint == digest)


def remember(conn: Connection, certificate: x509.Certificate) -> None:
    """Inside a caller's transaction: keeps the certificate (once, not as the default) so that acknowledgements
    signed with it can be checked."""
    pem = certificate.public_bytes(serialization.Encoding.PEM).decode("ascii")
    conn.execute("INSERT INTO hq_certificates (fingerprint, subject, pem, added_at, active) VALUES (?, ?, ?, ?, 0) "
                 "ON CONFLICT(fingerprint) DO NOTHING",
                 (fingerprint(certificate), certificate.subject.rfc4514_string(), pem, now_text()))


def hq_certificates(repo: Repository) -> list[HqCertificate]:
    """Every certificate kept, oldest first; `is_default` marks the one export-191 encrypts to by default."""
    with repo.read() as conn:
        rows = conn.execute("SELECT fingerprint, subject, added_at, pem FROM hq_certificates ORDER BY id").fetchall()
        default = _default_pem(conn)
    return [HqCertificate(fp, subject, added, _not_after(pem), pem == default) for fp, subject, added, pem in rows]


def stored_certificate(repo: Repository, digest: str) -> x509.Certificate | None:
    with repo.read() as conn:
        row = conn.execute("SELECT pem FROM hq_certificates WHERE fingerprint = ?", (digest,)).fetchone()
    return x509.load_pem_x509_certificate(row[0].encode("ascii")) if row else None


def default_hq_certificate(repo: Repository) -> x509.Certificate:
    with repo.read() as conn:
        pem = _default_pem(conn)
    if pem is None:
        raise SyncError("No headquarters certificate is set: import one with 'disclosure-desk hq-cert import "
                        "HQ.pem' (or give --to-cert HQ.pem).")
    return x509.load_pem_x509_certificate(pem.encode("ascii"))


def _default_pem(conn: Connection) -> str | None:
    row = conn.execute("SELECT pem FROM hq_certificates WHERE active = 1 ORDER BY id DESC LIMIT 1").fetchone()
    return str(row[0]) if row else None


def _check_usage(certificate: x509.Certificate, source: str) -> None:
    try:
        usage = certificate.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return  # no restriction stated
    if not usage.key_encipherment:
        raise SyncInputError(f"{source}: the certificate's key usage does not allow key encipherment; it is not "
                             "an encryption certificate")


def _not_after(pem: str) -> str:
    return x509.load_pem_x509_certificate(pem.encode("ascii")).not_valid_after_utc.date().isoformat()
