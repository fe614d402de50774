"""Building blocks for the sync tests: a headquarters key and certificate, seeded DHS-191 entries, crafted bundles.

The headquarters identity is made here with `cryptography`, as headquarters would with its own tools; bundles with
bad members are signed and encrypted for real, so each refusal is the payload check's and not a decryption error.
"""

from __future__ import annotations

import base64
import hashlib
import io
import subprocess
import uuid as uuid_module
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.ciphers import algorithms
from cryptography.hazmat.primitives.serialization import pkcs7
from cryptography.x509.oid import NameOID

from desktop.store import Store
from desktop.store.repository import now_text
from desktop.sync import bundle, cms
from desktop.sync.bundle import BundleWriter
from desktop.sync.envelope import SMIME_HEADER

ENTRY_FIELDS = dict(
    post="Ottawa", request_reference="OTT-2026-0142", disclosure_id="OTT000001-OTT000003",
    individual_name="Chinedu Okafor", individual_identifier="A-204-551-873", disclosed_on="2026-11-20",
    nature="crossings-0.pdf (packet pages 3-4, OTT000001-OTT000002)",
    purpose="Ensuring compliance with customs laws (§8.1.2.1): smuggling investigation",
    recipient_name="Canada Border Services Agency (attn. Insp. Marie Roy)", recipient_address="Ottawa ON, Canada",
    authority="19 U.S.C. 1628 (§7.3.1); Routine use G; SORN DHS/CBP-011", sorn="DHS/CBP-011",
    method="encrypted PDF by e-mail", disclosing_official="Dana Whitfield", office="CBP Attaché Office, Ottawa",
    retain_until="2031-11-20",
)


@dataclass(frozen=True)
class Party:
    """A key and its self-signed certificate, with both written as PEM files."""

    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
    certificate: x509.Certificate
    key_path: Path
    cert_path: Path


def make_party(folder: Path, name: str, *, rsa_bits: int | None = 2048, key_encipherment: bool = True,
               days: int = 365, start_days_ago: int = 1) -> Party:
    folder.mkdir(parents=True, exist_ok=True)
    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey = (
        rsa.generate_private_key(65537, rsa_bits) if rsa_bits else ec.generate_private_key(ec.SECP256R1()))
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    start = datetime.now(UTC) - timedelta(days=start_days_ago)
    usage = x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=key_encipherment,
                          data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
                          encipher_only=False, decipher_only=False)
    certificate = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
                   .serial_number(x509.random_serial_number()).not_valid_before(start)
                   .not_valid_after(start + timedelta(days=days)).add_extension(usage, critical=True)
                   .sign(key, hashes.SHA256()))
    slug = name.lower().replace(" ", "-")
    key_path, cert_path = folder / f"{slug}.key", folder / f"{slug}.pem"
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return Party(key, certificate, key_path, cert_path)


def seed_entries(store: Store, count: int, **overrides: str) -> list[str]:
    """Inserts `count` DHS-191 entries straight into the table, as the accounting hook would; their UUIDs."""
    uuids = [str(uuid_module.uuid4()) for _ in range(count)]
    values = {**ENTRY_FIELDS, **overrides}
    names = ["uuid", *values, "b7", "packet_sha256", "created_at"]
    rows = [(u, *values.values(), i % 2, "ab" * 32, now_text()) for i, u in enumerate(uuids)]
    with store.repo.transaction("test.seed", "dhs191_entry") as tx:
        tx.conn.executemany(f"INSERT INTO dhs191_entries ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})",
                            rows)
    return uuids


def openssl(*args: str, input_bytes: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["openssl", *args], input=input_bytes, capture_output=True, timeout=60)


def open_with_openssl(bundle_path: Path, hq: Party, post_cert: Path, work: Path) -> bytes:
    """The payload as headquarters gets it with nothing but OpenSSL: exactly `openssl cms -decrypt -inkey hq.key
    -recip hq.pem` (the bundle on stdin), then `openssl cms -verify` of what comes out against the post."""
    decrypted = openssl("cms", "-decrypt", "-inkey", str(hq.key_path), "-recip", str(hq.cert_path),
                        input_bytes=bundle_path.read_bytes())
    assert decrypted.returncode == 0, decrypted.stderr.decode()
    signed = work / "signed.der"
    signed.write_bytes(decrypted.stdout)
    payload = work / "payload.zip"
    verified = openssl("cms", "-verify", "-inform", "DER", "-in", str(signed), "-CAfile", str(post_cert),
                       "-binary", "-out", str(payload))
    assert verified.returncode == 0, verified.stderr.decode()
    assert b"Verification successful" in verified.stderr
    return payload.read_bytes()


def rows(count: int, post: str = "Ottawa") -> list[dict[str, object]]:
    return [{"uuid": str(uuid_module.uuid4()), **{**ENTRY_FIELDS, "post": post}, "b7": False} for _ in range(count)]


def members_for(entries: list[dict[str, object]]) -> dict[str, bytes]:
    found = {bundle.JSONL: bundle.entries_jsonl(entries), bundle.CSV: bundle.entries_csv(entries)}
    found.update({bundle.pdf_name(str(e["uuid"])): b"%PDF-1.4\n% test page\n%%EOF\n" for e in entries})
    return found


def raw_zip(items: Iterable[tuple[str, bytes]]) -> bytes:
    """A ZIP with exactly these members, in this order, whatever their names (zipfile warns on duplicates)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in items:
            archive.writestr(zipfile.ZipInfo(name, (2026, 11, 20, 0, 0, 0)), data, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def payload_zip(entries: list[dict[str, object]], batch: int = 1, post: str = "Ottawa",
                extra: Iterable[tuple[str, bytes]] = (), listed_extra: bool = True) -> bytes:
    """A well-formed payload, plus `extra` members (listed in the manifest unless told otherwise)."""
    members = members_for(entries)
    extra = list(extra)
    hashed = {**members, **(dict(extra) if listed_extra else {})}
    manifest = bundle.manifest_bytes(post, batch, "2026-11-20T12:00:00+00:00", len(entries), hashed)
    return raw_zip([(bundle.MANIFEST, manifest), *members.items(), *extra])


def seal(payload: bytes, signer: Party | tuple[x509.Certificate, ec.EllipticCurvePrivateKey], hq: Party) -> bytes:
    """Signs and encrypts a payload as posts exported before bundles were streamed: whole, in DER, with
    `cryptography`'s builders (headquarters still reads those), then S/MIME."""
    certificate, key = (signer.certificate, signer.key) if isinstance(signer, Party) else signer
    signed = cms.sign(payload, certificate, key)
    builder = (pkcs7.PKCS7EnvelopeBuilder().set_data(signed).add_recipient(hq.certificate)
               .set_content_encryption_algorithm(algorithms.AES256))
    enveloped = builder.encrypt(serialization.Encoding.DER, [pkcs7.PKCS7Options.Binary])
    return SMIME_HEADER + base64.encodebytes(enveloped)


def seal_streamed(members: Iterable[tuple[str, bytes]], signer: tuple[x509.Certificate, ec.EllipticCurvePrivateKey],
                  hq: Party, post: str = "Ottawa", batch: int = 1, entry_count: int = 0) -> bytes:
    """A bundle as today's export writes it (BundleWriter: streamed BER), from these members, manifest last."""
    out = io.BytesIO()
    writer = BundleWriter(out, signer[0], signer[1], hq.certificate)
    for name, data in members:
        writer.add(name, data)
    writer.finish(post, batch, "2026-11-20T12:00:00+00:00", entry_count)
    return out.getvalue()


def dump(db: Path) -> list[str]:
    """Everything the consolidated store holds, to compare before and after a refused import."""
    import sqlite3

    conn = sqlite3.connect(db)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
