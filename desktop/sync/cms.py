"""CMS signatures for the sync (SPEC A2): the post signs its bundles, headquarters its acknowledgements.

A bundle is a SignedData (the post's signature, SHA-256) inside an EnvelopedData (desktop/sync/envelope.py). The
bundle's SignedData is written and read as a stream (`SignedWriter`, `SignedReader`): BER with indefinite lengths
around the content, which passes in 64 KiB segments and is hashed as it goes, the signer's attributes and signature
after it, as `openssl cms -sign -stream` writes and `openssl cms -verify -inform DER` reads. An acknowledgement is
small and signed whole, detached, by `cryptography`'s builder (`sign`). `cryptography` has no public verify, so
`verify_signed` and `SignedReader` check the SignedData themselves (RFC 5652 §5.4, §5.6) with `der`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs7
from cryptography.x509.oid import SignatureAlgorithmOID

from desktop.sync import der

SigningKey = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey


class Sink(Protocol):
    """Where a streamed CMS layer writes: the next layer, or the bundle file."""

    def write(self, data: bytes, /) -> object: ...

    def close(self) -> None: ...


_DATA = "1.2.840.113549.1.7.1"
_SIGNED_DATA = "1.2.840.113549.1.7.2"
_CONTENT_TYPE_ATTR = "1.2.840.113549.1.9.3"
_MESSAGE_DIGEST_ATTR = "1.2.840.113549.1.9.4"
_SIGNING_TIME_ATTR = "1.2.840.113549.1.9.5"
_SEGMENT = 1 << 16  # content bytes per BER segment: few headers, and little held at a time
_SHA256 = "2.16.840.1.101.3.4.2.1"
_SHA256_ALGORITHM = der.sequence(der.oid(_SHA256))  # parameters absent (RFC 5754 §2)
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


def verify_signed(signed: bytes, trusted: Sequence[x509.Certificate], detached_content: bytes | None = None
                  ) -> Verified:
    """The signed content and the certificate among `trusted` whose key made the one signature on it."""
    try:
        content, signer = _signed_parts(signed, detached_content)
        certificate = _checked_signer(signer, hashlib.sha256(content).digest(), trusted)
    except CmsError:
        raise
    except (ValueError, IndexError) as error:  # DerError, and a structure with too few or too many parts
        raise CmsError(f"its signature is not a CMS SignedData this program reads ({error})") from None
    return Verified(content, certificate)


class SignedWriter:
    """A SignedData (RFC 5652 §5) written as it goes to `out`: the content in BER segments, hashed, then the
    post's certificate and its signature over the digest. `close()` ends it; nothing is held but one segment."""

    def __init__(self, out: Sink, certificate: x509.Certificate, key: SigningKey) -> None:
        self._out, self._certificate, self._key = out, certificate, key
        self._digest = hashlib.sha256()
        self._pending = bytearray()
        # ContentInfo, [0], SignedData, version 1, SHA-256, encapContentInfo of type data, [0], OCTET STRING: all open.
        out.write(b"".join([
            bytes([der.SEQUENCE]), der.INDEFINITE, der.oid(_SIGNED_DATA), b"\xa0", der.INDEFINITE,
            bytes([der.SEQUENCE]), der.INDEFINITE, der.integer_value(1), der.set_of([_SHA256_ALGORITHM]),
            bytes([der.SEQUENCE]), der.INDEFINITE, der.oid(_DATA), b"\xa0", der.INDEFINITE, b"\x24", der.INDEFINITE,
        ]))

    def write(self, data: bytes) -> None:
        self._digest.update(data)
        self._pending += data
        if len(self._pending) >= _SEGMENT:
            self._segment()

    def close(self) -> None:
        if self._pending:
            self._segment()
        end = der.END_OF_CONTENTS
        certificates = der.encode(0xA0, self._certificate.public_bytes(serialization.Encoding.DER))
        signer = self._signer_info(self._digest.digest())
        # The OCTET STRING, [0] and encapContentInfo end; the certificates and signerInfos; then the three outer.
        self._out.write(b"".join([end, end, end, certificates, der.set_of([signer]), end, end, end]))
        self._out.close()

    def _segment(self) -> None:
        self._out.write(der.octets(bytes(self._pending)))
        self._pending.clear()

    def _signer_info(self, digest: bytes) -> bytes:
        attributes = [
            _attribute(_CONTENT_TYPE_ATTR, der.oid(_DATA)),
            _attribute(_SIGNING_TIME_ATTR, der.utc_time(datetime.now(UTC))),
            _attribute(_MESSAGE_DIGEST_ATTR, der.octets(digest)),
        ]
        # RFC 5652 §5.4: the signature covers the attributes as a DER SET OF; the SignerInfo carries them as [0].
        signed = der.set_of(attributes)
        if isinstance(self._key, ec.EllipticCurvePrivateKey):
            signature = self._key.sign(signed, ec.ECDSA(hashes.SHA256()))
            algorithm = der.sequence(der.oid(SignatureAlgorithmOID.ECDSA_WITH_SHA256.dotted_string))
        else:
            signature = self._key.sign(signed, padding.PKCS1v15(), hashes.SHA256())
            algorithm = der.sequence(der.oid(SignatureAlgorithmOID.RSA_WITH_SHA256.dotted_string),
                                     der.encode(der.NULL, b""))
        return der.sequence(der.integer_value(1), issuer_and_serial(self._certificate), _SHA256_ALGORITHM,
                            der.set_of(attributes, 0xA0), algorithm, der.octets(signature))


class SignedReader:
    """A SignedData read from a stream (BER as `SignedWriter` and `openssl cms -stream` write it, or DER as
    `cryptography` does): `content()` yields the signed content in chunks while hashing it; `finish()` then reads
    the signer and checks its signature against `trusted`. The content is not to be believed before `finish()`."""

    def __init__(self, stream: der.Stream) -> None:
        self._stream = stream
        self._digest = hashlib.sha256()
        try:
            self._open = self._header()
        except der.DerError as error:
            raise CmsError(f"it does not decrypt to a signed bundle: it was encrypted by another program, or it is "
                           f"damaged ({error})") from None
        self._content = self._chunks()

    def content(self) -> Iterator[der.Chunk]:
        return self._content

    def finish(self, trusted: Sequence[x509.Certificate]) -> x509.Certificate:
        """Reads what is left of the content (hashing it) and the signer; the registered certificate that signed."""
        try:
            for _ in self._content:
                pass
            signer = self._trailer()
            return _checked_signer(signer, self._digest.digest(), trusted)
        except CmsError:
            raise
        except (ValueError, IndexError) as error:
            raise CmsError(f"its signature is not a CMS SignedData this program reads ({error})") from None

    def _header(self) -> list[der.Header]:
        stream = self._stream
        opened = [der.read_header(stream, "ContentInfo", der.SEQUENCE)]
        if der.oid_text(der.read_value(stream, "contentType", der.OID)) != _SIGNED_DATA:
            raise der.DerError("it is not a CMS SignedData")
        opened.append(der.read_header(stream, "ContentInfo content", 0xA0))
        opened.append(der.read_header(stream, "SignedData", der.SEQUENCE))
        der.read_value(stream, "version", der.INTEGER)
        der.read_value(stream, "digestAlgorithms", der.SET)
        opened.append(der.read_header(stream, "encapContentInfo", der.SEQUENCE))
        if der.oid_text(der.read_value(stream, "eContentType", der.OID)) != _DATA:
            raise CmsError("the signed content is not of type data")
        if not der.has_more(stream, opened[-1]):
            raise CmsError("the signed content is missing")
        opened.append(der.read_header(stream, "eContent", 0xA0))
        octets = der.read_header(stream, "eContent")
        if octets.tag not in (der.OCTET_STRING, 0x24):
            raise der.DerError(f"eContent: expected an OCTET STRING, found tag {octets.tag:#04x}")
        opened.append(octets)
        return opened

    def _chunks(self) -> Iterator[der.Chunk]:
        octets = self._open.pop()
        try:
            for chunk in der.octet_chunks(self._stream, octets, "eContent", _SEGMENT):
                self._digest.update(chunk)
                yield chunk
        except der.DerError as error:
            raise CmsError(f"its signed content cannot be read ({error})") from None

    def _trailer(self) -> _Signer:
        stream, opened = self._stream, self._open
        der.close(stream, opened.pop(), "eContent")
        der.close(stream, opened.pop(), "encapContentInfo")
        while der.has_more(stream, opened[-1]) and stream.peek(1) in (b"\xa0", b"\xa1"):
            der.read_value(stream, "certificates or crls", limit=4 << 20)
        signer_infos = der.read_value(stream, "signerInfos", der.SET).children()
        for what in ("SignedData", "ContentInfo content", "ContentInfo"):
            der.close(stream, opened.pop(), what)
        if not stream.at_end():
            raise der.DerError("bytes follow the SignedData")
        if len(signer_infos) != 1:
            raise CmsError(f"it carries {len(signer_infos)} signatures; one, the post's, is expected")
        return _signer(signer_infos[0])


def issuer_and_serial(certificate: x509.Certificate) -> bytes:
    """IssuerAndSerialNumber (RFC 5652 §10.2.4): how a SignerInfo or a RecipientInfo names its certificate."""
    return der.sequence(certificate.issuer.public_bytes(), der.integer_value(certificate.serial_number))


def _attribute(kind: str, value: bytes) -> bytes:
    return der.sequence(der.oid(kind), der.set_of([value]))


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


def _checked_signer(signer: _Signer, digest: bytes, trusted: Sequence[x509.Certificate]) -> x509.Certificate:
    certificate = _signer_certificate(signer, trusted)
    _check_signer(signer, digest, certificate)
    return certificate


def _check_signer(signer: _Signer, digest: bytes, certificate: x509.Certificate) -> None:
    if signer.digest_algorithm != _SHA256 or signer.signature_algorithm not in _SIGNATURE_ALGORITHMS:
        raise CmsError("its signature uses an algorithm this program does not accept (SHA-256 with ECDSA or RSA)")
    attributes = _attributes(signer.signed_attributes)
    if attributes.get(_CONTENT_TYPE_ATTR) is None or der.oid_text(attributes[_CONTENT_TYPE_ATTR]) != _DATA:
        raise CmsError("its signed attributes do not name the content type data")
    signed_digest = attributes.get(_MESSAGE_DIGEST_ATTR)
    if signed_digest is None or der.expect(signed_digest, der.OCTET_STRING, "messageDigest").value != digest:
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
