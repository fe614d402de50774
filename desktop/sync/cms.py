"""CMS for the sync bundle (SPEC A2): sign with the post's key, encrypt to headquarters, and the reverse.

The bundle is a SignedData (the post's signature, SHA-256) inside an EnvelopedData (AES-256-CBC, the content key
wrapped with headquarters' RSA key), written as S/MIME so that `openssl cms -decrypt -inkey hq.key -recip hq.pem`
opens it and `openssl cms -verify -inform DER` checks what comes out. `cryptography` builds and decrypts both; it
has no public verify, so `verify_signed` checks the SignedData itself (RFC 5652 §5.4, §5.6) with `der`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.ciphers import algorithms
from cryptography.hazmat.primitives.serialization import pkcs7
from cryptography.x509.oid import SignatureAlgorithmOID

from desktop.sync import der

SigningKey = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey

_SMIME_HEADER = (
    b"MIME-Version: 1.0\n"
    b'Content-Disposition: attachment; filename="smime.p7m"\n'
    b'Content-Type: application/pkcs7-mime; smime-type=enveloped-data; name="smime.p7m"\n'
    b"Content-Transfer-Encoding: base64\n\n"
)
_DATA = "1.2.840.113549.1.7.1"
_SIGNED_DATA = "1.2.840.113549.1.7.2"
_CONTENT_TYPE_ATTR = "1.2.840.113549.1.9.3"
_MESSAGE_DIGEST_ATTR = "1.2.840.113549.1.9.4"
_SHA256 = "2.16.840.1.101.3.4.2.1"
_SIGNATURE_ALGORITHMS = {
    SignatureAlgorithmOID.ECDSA_WITH_SHA256.dotted_string,
    "1.2.840.10045.2.1",  # id-ecPublicKey, which some signers put here
    SignatureAlgorithmOID.RSA_WITH_SHA256.dotted_string,
    "1.2.840.113549.1.1.1",  # rsaEncryption, as RFC 5754 allows
}


class CmsError(ValueError):
    """A CMS structure that cannot be opened or does not check; the message says which and why."""


@dataclass(frozen=True)
class Verified:
    content: bytes
    signer: x509.Certificate


def fingerprint(certificate: x509.Certificate) -> str:
    """SHA-256 of the certificate's DER, lower-case hex: how posts and headquarters name each other."""
    return certificate.fingerprint(hashes.SHA256()).hex()


def sign(content: bytes, certificate: x509.Certificate, key: SigningKey, *, detached: bool = False) -> bytes:
    """A DER SignedData over `content` (embedded unless `detached`), SHA-256, with the signer's certificate."""
    options = [pkcs7.PKCS7Options.Binary, pkcs7.PKCS7Options.NoCapabilities]
    if detached:
        options.append(pkcs7.PKCS7Options.DetachedSignature)
    builder = pkcs7.PKCS7SignatureBuilder().set_data(content).add_signer(certificate, key, hashes.SHA256())
    return builder.sign(serialization.Encoding.DER, options)


def encrypt(content: bytes, recipient: x509.Certificate) -> bytes:
    """S/MIME EnvelopedData for `recipient` (RSA key transport, AES-256-CBC content encryption)."""
    builder = (pkcs7.PKCS7EnvelopeBuilder().set_data(content).add_recipient(recipient)
               .set_content_encryption_algorithm(algorithms.AES256))
    # DER, wrapped as S/MIME here: the library's own S/MIME output takes ten times as long and twice the memory
    # on a 10,000-entry bundle (bench/sync.py), for the same bytes OpenSSL reads.
    return _smime(builder.encrypt(serialization.Encoding.DER, [pkcs7.PKCS7Options.Binary]))


def decrypt(bundle: bytes, certificate: x509.Certificate, key: rsa.RSAPrivateKey) -> bytes:
    """The content of an EnvelopedData given as S/MIME, PEM or DER; CmsError when it does not open."""
    try:
        if bundle[:1] == b"\x30":
            return pkcs7.pkcs7_decrypt_der(bundle, certificate, key, [])
        if bundle.lstrip()[:10] == b"-----BEGIN":
            return pkcs7.pkcs7_decrypt_pem(bundle, certificate, key, [])
        body = _smime_body(bundle)
        if body is not None:
            return pkcs7.pkcs7_decrypt_der(body, certificate, key, [])
        return pkcs7.pkcs7_decrypt_smime(bundle, certificate, key, [])
    except (ValueError, UnsupportedAlgorithm) as error:
        raise CmsError("it cannot be decrypted with this key and certificate: it was encrypted for another "
                       f"recipient, or it is damaged ({error})") from None


def _smime(der: bytes) -> bytes:
    """RFC 2045 base64 (76-character lines), a block at a time: whole, it would hold a list of every line."""
    block = 57 * 65536  # 57 bytes make one line
    parts = [base64.encodebytes(der[start:start + block]) for start in range(0, len(der), block)]
    return b"".join([_SMIME_HEADER, *parts])


def _smime_body(message: bytes) -> bytes | None:
    """The DER inside a single-part base64 S/MIME message, or None for any other MIME shape."""
    headers, separator, body = message.partition(b"\n\n")
    if not separator:
        headers, separator, body = message.partition(b"\r\n\r\n")
    lowered = headers.lower()
    if not separator or b"application/pkcs7-mime" not in lowered or b"content-transfer-encoding: base64" not in lowered:
        return None
    try:
        return base64.b64decode(body)  # line breaks are skipped, as in any MIME body
    except binascii.Error as error:
        raise CmsError(f"its S/MIME body is not base64 ({error})") from None


def verify_signed(signed: bytes, trusted: Sequence[x509.Certificate], detached_content: bytes | None = None
                  ) -> Verified:
    """The signed content and the certificate among `trusted` whose key made the one signature on it."""
    try:
        content, signer = _signed_parts(signed, detached_content)
        certificate = _signer_certificate(signer, trusted)
        _check_signer(signer, content, certificate)
    except CmsError:
        raise
    except (ValueError, IndexError) as error:  # DerError, and a structure with too few or too many parts
        raise CmsError(f"its signature is not a CMS SignedData this program reads ({error})") from None
    return Verified(content, certificate)


@dataclass(frozen=True)
class _Signer:
    issuer: bytes  # the issuer Name, DER
    serial: int
    digest_algorithm: str
    signed_attributes: der.Tlv
    signature_algorithm: str
    signature: bytes


def _signed_parts(signed: bytes, detached_content: bytes | None) -> tuple[bytes, _Signer]:
    info = der.expect(der.parse(signed), der.SEQUENCE, "ContentInfo").children()
    if len(info) != 2 or der.oid_text(info[0]) != _SIGNED_DATA:
        raise CmsError("it is not a CMS SignedData")
    (signed_data,) = der.expect(info[1], 0xA0, "ContentInfo content").children()
    parts = der.expect(signed_data, der.SEQUENCE, "SignedData").children()
    if len(parts) < 4 or any(part.tag not in (0xA0, 0xA1) for part in parts[3:-1]):
        raise der.DerError("SignedData is not version, digests, content, [certificates], [crls], signers")
    content = _encapsulated(parts[2], detached_content)
    signer_infos = der.expect(parts[-1], der.SET, "signerInfos").children()
    if len(signer_infos) != 1:
        raise CmsError(f"it carries {len(signer_infos)} signatures; one, the post's, is expected")
    return content, _signer(signer_infos[0])


def _encapsulated(tlv: der.Tlv, detached_content: bytes | None) -> bytes:
    fields = der.expect(tlv, der.SEQUENCE, "encapContentInfo").children()
    if der.oid_text(fields[0]) != _DATA:
        raise CmsError("the signed content is not of type data")
    if len(fields) == 1:
        if detached_content is None:
            raise CmsError("the signed content is missing")
        return detached_content
    if detached_content is not None:
        raise CmsError("a detached signature was expected")
    (octets,) = der.expect(fields[1], 0xA0, "eContent").children()
    return der.expect(octets, der.OCTET_STRING, "eContent").value


def _signer(tlv: der.Tlv) -> _Signer:
    fields = der.expect(tlv, der.SEQUENCE, "SignerInfo").children()
    if len(fields) < 6 or fields[3].tag != 0xA0:
        raise CmsError("the signature has no signed attributes")
    issuer, serial = der.expect(fields[1], der.SEQUENCE, "issuerAndSerialNumber").children()
    return _Signer(
        issuer=der.expect(issuer, der.SEQUENCE, "issuer").encoded,
        serial=der.integer(serial),
        digest_algorithm=der.oid_text(der.expect(fields[2], der.SEQUENCE, "digestAlgorithm").children()[0]),
        signed_attributes=fields[3],
        signature_algorithm=der.oid_text(der.expect(fields[4], der.SEQUENCE, "signatureAlgorithm").children()[0]),
        signature=der.expect(fields[5], der.OCTET_STRING, "signature").value,
    )


def _signer_certificate(signer: _Signer, trusted: Sequence[x509.Certificate]) -> x509.Certificate:
    for certificate in trusted:
        if certificate.serial_number == signer.serial and certificate.issuer.public_bytes() == signer.issuer:
            return certificate
    raise CmsError(f"it is signed by a certificate that is not registered here (serial {signer.serial:x})")


def _check_signer(signer: _Signer, content: bytes, certificate: x509.Certificate) -> None:
    if signer.digest_algorithm != _SHA256 or signer.signature_algorithm not in _SIGNATURE_ALGORITHMS:
        raise CmsError("its signature uses an algorithm this program does not accept (SHA-256 with ECDSA or RSA)")
    attributes = _attributes(signer.signed_attributes)
    if attributes.get(_CONTENT_TYPE_ATTR) is None or der.oid_text(attributes[_CONTENT_TYPE_ATTR]) != _DATA:
        raise CmsError("its signed attributes do not name the content type data")
    digest = attributes.get(_MESSAGE_DIGEST_ATTR)
    if digest is None or der.expect(digest, der.OCTET_STRING, "messageDigest").value != hashlib.sha256(
            content).digest():
        raise CmsError("its content does not match the signed digest: it was changed after signing")
    # RFC 5652 §5.4: the signature covers the attributes encoded as an explicit SET OF, not the [0] tag.
    signed_bytes = bytes([der.SET]) + signer.signed_attributes.encoded[1:]
    try:
        _verify(certificate.public_key(), signer.signature, signed_bytes)
    except InvalidSignature:
        raise CmsError("its signature does not verify with the registered certificate: it was changed or forged"
                       ) from None


def _attributes(tlv: der.Tlv) -> dict[str, der.Tlv]:
    """Each signed attribute's single value by type; a repeated type or a multi-valued one is refused."""
    found: dict[str, der.Tlv] = {}
    for attribute in tlv.children():
        kind, values = der.expect(attribute, der.SEQUENCE, "attribute").children()
        name = der.oid_text(kind)
        members = der.expect(values, der.SET, "attribute values").children()
        if name in found or len(members) != 1:
            raise CmsError(f"its signed attribute {name} is repeated or has several values")
        found[name] = members[0]
    return found


def _verify(public_key: object, signature: bytes, data: bytes) -> None:
    if isinstance(public_key, ec.EllipticCurvePublicKey):
        public_key.verify(signature, data, ec.ECDSA(hashes.SHA256()))
    elif isinstance(public_key, rsa.RSAPublicKey):
        public_key.verify(signature, data, padding.PKCS1v15(), hashes.SHA256())
    else:
        raise CmsError("the registered certificate has neither an EC nor an RSA key")
