"""The post's signing identity (SPEC A2): an EC P-256 key and a self-signed certificate for it.

Created the first time it is needed (stores made before sync existed get theirs then), kept in `post_identity`
inside the encrypted store: the private key is never written anywhere else. Headquarters registers the
certificate (`disclosure-desk post-cert`, then `hq register-post`), so trust comes from that registration, not
from a certificate authority; the certificate's validity is long for that reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from desktop.store.repository import Repository, now_text
from desktop.sync.cms import fingerprint
from desktop.sync.errors import SyncError

VALID_YEARS = 20
ORGANIZATION = "U.S. Customs and Border Protection"
UNIT = "Disclosure Desk post"


@dataclass(frozen=True)
class PostIdentity:
    certificate: x509.Certificate
    key: ec.EllipticCurvePrivateKey

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.certificate)

    @property
    def name(self) -> str:
        return post_name_of(self.certificate)

    def certificate_pem(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.PEM)


def post_identity(repo: Repository) -> PostIdentity:
    """The post's identity, created (in one audited transaction) if the store has none yet."""
    found = _load(repo)
    if found is not None:
        return found
    post = repo.setting("post_name").strip()
    if not post:
        raise SyncError("The post has no name yet; set it in the post's settings before signing bundles.")
    key = ec.generate_private_key(ec.SECP256R1())
    certificate = _certificate(post, key)
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode("ascii")
    cert_pem = certificate.public_bytes(serialization.Encoding.PEM).decode("ascii")
    with repo.transaction("post_identity.create", "post_identity", 1, {"fingerprint": fingerprint(certificate)}) as tx:
        # Another window or command may have made one meanwhile: the first one stays.
        tx.conn.execute("INSERT INTO post_identity (id, private_key_pem, certificate_pem, created_at) "
                        "VALUES (1, ?, ?, ?) ON CONFLICT(id) DO NOTHING", (key_pem, cert_pem, now_text()))
    loaded = _load(repo)
    assert loaded is not None
    return loaded


def post_name_of(certificate: x509.Certificate) -> str:
    names = certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(names[0].value) if names else certificate.subject.rfc4514_string()


def _load(repo: Repository) -> PostIdentity | None:
    with repo.read() as conn:
        row = conn.execute("SELECT private_key_pem, certificate_pem FROM post_identity WHERE id = 1").fetchone()
    if row is None:
        return None
    key = serialization.load_pem_private_key(row[0].encode("ascii"), password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise SyncError("The post's signing key in the store is not an EC key; the store is damaged.")
    return PostIdentity(x509.load_pem_x509_certificate(row[1].encode("ascii")), key)


def _certificate(post: str, key: ec.EllipticCurvePrivateKey) -> x509.Certificate:
    name = x509.Name([
        x509.NameAttribute(NameOID.COMMON_NAME, post),
        x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, UNIT),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, ORGANIZATION),
    ])
    now = datetime.now(UTC)
    usage = x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                          data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
                          encipher_only=False, decipher_only=False)
    return (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(hours=1)).not_valid_after(now + timedelta(days=365 * VALID_YEARS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(usage, critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
