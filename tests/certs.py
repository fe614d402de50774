"""Throw-away X.509 certificates for the tests that import headquarters' certificate (SPEC A2)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

HQ_NAME = "Test headquarters Privacy Office"


def certificate_pem(common_name: str = HQ_NAME, *, days: int = 365, starts_in_days: int = -1,
                    key_kind: str = "rsa") -> bytes:
    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048) if key_kind == "rsa" else \
        ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Disclosure Desk tests"),
                      x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    start = datetime.now(UTC) + timedelta(days=starts_in_days)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                   .serial_number(x509.random_serial_number()).not_valid_before(start)
                   .not_valid_after(start + timedelta(days=days)).sign(key, hashes.SHA256()))
    return certificate.public_bytes(serialization.Encoding.PEM)
