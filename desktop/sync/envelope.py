"""The sync bundle's encryption to headquarters (SPEC A2): a CMS EnvelopedData as S/MIME, written and read as a
stream, so that `openssl cms -decrypt -inkey hq.key -recip hq.pem` opens it.

AES-256-CBC content encryption under a fresh key, that key wrapped with headquarters' RSA key (PKCS #1 v1.5 key
transport, RFC 5652 §6.2.1, as `cryptography` and `openssl cms -encrypt` write by default). The ciphertext passes in
BER segments inside indefinite-length containers, as `openssl cms -encrypt -stream` writes; the S/MIME body is
base64 in 76-character lines. CBC rather than AES-GCM (AuthEnvelopedData): the content is the post's SignedData,
whose signature already authenticates every byte, and CBC bundles open with OpenSSL 1.1.1 too, which some
headquarters machines may still run (AuthEnvelopedData needs OpenSSL 3.0).

Reading accepts what this program and earlier versions wrote (DER from `cryptography`'s builder, or BER streamed),
as S/MIME, PEM or raw DER, and nothing else.
"""

from __future__ import annotations

import binascii
import os
from collections.abc import Iterator
from typing import BinaryIO, Protocol

import pybase64
from cryptography import x509
from cryptography.hazmat.primitives import padding as block_padding
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from desktop.sync import der
from desktop.sync.cms import CmsError, Sink, issuer_and_serial

SMIME_HEADER = (
    b"MIME-Version: 1.0\n"
    b'Content-Disposition: attachment; filename="smime.p7m"\n'
    b'Content-Type: application/pkcs7-mime; smime-type=enveloped-data; name="smime.p7m"\n'
    b"Content-Transfer-Encoding: base64\n\n"
)
_ENVELOPED_DATA = "1.2.840.113549.1.7.3"
_DATA = "1.2.840.113549.1.7.1"
_AES256_CBC = "2.16.840.1.101.3.4.1.42"
_RSA_ENCRYPTION = "1.2.840.113549.1.1.1"
_READ = 1 << 18  # bytes of the bundle file read at a time
_LINE = 57  # bytes in one 76-character base64 line
_MAX_HEADERS = 64 << 10
_SPACE = b" \t\r\n"


class Output(Protocol):
    """The bundle file, or anything that takes its bytes in order."""

    def write(self, data: bytes, /) -> object: ...


class SmimeWriter:
    """S/MIME around the DER/BER written to it: the headers, then base64 lines, to `out` (the bundle file)."""

    def __init__(self, out: Output) -> None:
        self._out = out
        self._pending = b""
        out.write(SMIME_HEADER)

    def write(self, data: bytes) -> None:
        data = self._pending + data
        whole = len(data) - len(data) % _LINE
        if whole:
            self._out.write(pybase64.encodebytes(data[:whole]))
        self._pending = data[whole:]

    def close(self) -> None:
        if self._pending:
            self._out.write(pybase64.encodebytes(self._pending))
        self._pending = b""


class EnvelopeWriter:
    """An EnvelopedData for `recipient` written as it goes to `out`: the header with the wrapped key, then the
    content encrypted chunk by chunk. `close()` pads the last block and ends the structure."""

    def __init__(self, out: Sink, recipient: x509.Certificate) -> None:
        public_key = recipient.public_key()
        if not isinstance(public_key, rsa.RSAPublicKey):
            raise CmsError("headquarters' certificate must have an RSA key (CMS key transport)")
        key, iv = os.urandom(32), os.urandom(16)
        self._out = out
        self._cipher = Cipher(algorithms.AES256(key), modes.CBC(iv)).encryptor()
        self._padder = block_padding.PKCS7(128).padder()
        recipient_info = der.sequence(
            der.integer_value(0), issuer_and_serial(recipient),
            der.sequence(der.oid(_RSA_ENCRYPTION), der.encode(der.NULL, b"")),
            der.octets(public_key.encrypt(key, padding.PKCS1v15())))
        # ContentInfo, [0], EnvelopedData (version 0: one key-transport recipient by issuer and serial, RFC 5652
        # §6.1), its recipient, EncryptedContentInfo, and the ciphertext as [0] IMPLICIT constructed: all open.
        out.write(b"".join([
            bytes([der.SEQUENCE]), der.INDEFINITE, der.oid(_ENVELOPED_DATA), b"\xa0", der.INDEFINITE,
            bytes([der.SEQUENCE]), der.INDEFINITE, der.integer_value(0), der.set_of([recipient_info]),
            bytes([der.SEQUENCE]), der.INDEFINITE, der.oid(_DATA),
            der.sequence(der.oid(_AES256_CBC), der.octets(iv)), b"\xa0", der.INDEFINITE,
        ]))

    def write(self, data: bytes) -> None:
        encrypted = self._cipher.update(self._padder.update(data))
        if encrypted:
            self._out.write(der.octets(encrypted))

    def close(self) -> None:
        last = self._cipher.update(self._padder.finalize()) + self._cipher.finalize()
        end = der.END_OF_CONTENTS
        self._out.write(der.octets(last) + end * 5)  # [0] ciphertext, EncryptedContentInfo, EnvelopedData, [0], CI
        self._out.close()


def bundle_stream(handle: BinaryIO) -> der.Stream:
    """The DER/BER inside a bundle file given as single-part base64 S/MIME, PEM or raw DER, read in chunks."""
    first = handle.read(_READ)
    if first[:1] == b"\x30":
        return der.Stream(_raw(first, handle))
    if first.lstrip()[:10] == b"-----BEGIN":
        body = first.lstrip()
        newline = body.find(b"\n")
        if newline < 0:
            raise CmsError("its PEM header line is not followed by a body")
        return der.Stream(_base64(body[newline + 1:], handle, pem=True))
    return der.Stream(_base64(_smime_body(first, handle), handle, pem=False))


class Envelope:
    """An EnvelopedData read from a stream: the recipient and algorithm are checked and the content key unwrapped
    when it is made; `plaintext()` then yields the decrypted content in chunks, checking the padding at its end."""

    def __init__(self, stream: der.Stream, certificate: x509.Certificate, key: rsa.RSAPrivateKey) -> None:
        self._stream = stream
        try:
            self._open, self._key, self._iv = self._header(certificate, key)
        except der.DerError as error:
            raise CmsError(f"it is not a CMS EnvelopedData this program reads ({error})") from None

    def plaintext(self) -> Iterator[bytes]:
        decryptor = Cipher(algorithms.AES256(self._key), modes.CBC(self._iv)).decryptor()
        unpadder = block_padding.PKCS7(128).unpadder()
        try:
            for chunk in der.octet_chunks(self._stream, self._open.pop(), "encryptedContent", _READ):
                clear = unpadder.update(decryptor.update(chunk))
                if clear:
                    yield clear
            tail = unpadder.update(decryptor.finalize()) + unpadder.finalize()
            self._close()
        except der.DerError as error:
            raise CmsError(f"its encrypted content cannot be read: it is damaged ({error})") from None
        except ValueError:  # a ciphertext that is not whole blocks, or a wrong padding at the end
            raise CmsError("it does not decrypt with this key: it was encrypted for another recipient, or it is "
                           "damaged") from None
        if tail:
            yield tail

    def _header(self, certificate: x509.Certificate, key: rsa.RSAPrivateKey
                ) -> tuple[list[der.Header], bytes, bytes]:
        stream = self._stream
        opened = [der.read_header(stream, "ContentInfo", der.SEQUENCE)]
        if der.oid_text(der.read_value(stream, "contentType", der.OID)) != _ENVELOPED_DATA:
            raise CmsError("it is not a CMS EnvelopedData (an encrypted bundle)")
        opened.append(der.read_header(stream, "ContentInfo content", 0xA0))
        opened.append(der.read_header(stream, "EnvelopedData", der.SEQUENCE))
        der.read_value(stream, "version", der.INTEGER)
        if stream.peek(1) == b"\xa0":
            der.read_value(stream, "originatorInfo", limit=4 << 20)
        wrapped = _wrapped_key(der.read_value(stream, "recipientInfos", der.SET), certificate)
        opened.append(der.read_header(stream, "EncryptedContentInfo", der.SEQUENCE))
        der.read_value(stream, "contentType", der.OID)
        iv = _aes256_cbc_iv(der.read_value(stream, "contentEncryptionAlgorithm", der.SEQUENCE))
        content = der.read_header(stream, "encryptedContent")
        if content.tag not in (0x80, 0xA0):
            raise der.DerError(f"encryptedContent: expected [0], found tag {content.tag:#04x}")
        opened.append(content)
        try:
            content_key = key.decrypt(wrapped, padding.PKCS1v15())
        except ValueError:
            content_key = b""
        if len(content_key) != 32:
            raise CmsError("it cannot be decrypted with this key and certificate: it was encrypted for another "
                           "recipient, or it is damaged")
        return opened, content_key, iv

    def _close(self) -> None:
        stream, opened = self._stream, self._open
        der.close(stream, opened.pop(), "EncryptedContentInfo")
        if der.has_more(stream, opened[-1]) and stream.peek(1) == b"\xa1":
            der.read_value(stream, "unprotectedAttrs", limit=1 << 20)
        for what in ("EnvelopedData", "ContentInfo content", "ContentInfo"):
            der.close(stream, opened.pop(), what)
        if not stream.at_end():
            raise der.DerError("bytes follow the EnvelopedData")


def _wrapped_key(recipient_infos: der.Tlv, certificate: x509.Certificate) -> bytes:
    """The content key wrapped for `certificate`, from the KeyTransRecipientInfo that names it."""
    wanted = issuer_and_serial(certificate)
    for info in recipient_infos.children():
        if info.tag != der.SEQUENCE:
            continue  # another kind of recipient (key agreement, password): not ours
        fields = info.children()
        if len(fields) == 4 and fields[1].encoded == wanted:
            algorithm = der.oid_text(der.expect(fields[2], der.SEQUENCE, "keyEncryptionAlgorithm").children()[0])
            if algorithm != _RSA_ENCRYPTION:
                raise CmsError(f"its content key is wrapped with {algorithm}, which this program does not read "
                               "(RSA PKCS #1 v1.5)")
            return der.expect(fields[3], der.OCTET_STRING, "encryptedKey").value
    raise CmsError("it cannot be decrypted with this key and certificate: it was encrypted for another recipient")


def _aes256_cbc_iv(algorithm: der.Tlv) -> bytes:
    fields = algorithm.children()
    if der.oid_text(fields[0]) != _AES256_CBC or len(fields) != 2:
        raise CmsError(f"its content is encrypted with {der.oid_text(fields[0])}; this program reads AES-256-CBC")
    iv = der.expect(fields[1], der.OCTET_STRING, "iv").value
    if len(iv) != 16:
        raise CmsError("its AES-256-CBC initialization vector is not 16 bytes")
    return iv


def _raw(first: bytes, handle: BinaryIO) -> Iterator[bytes]:
    chunk = first
    while chunk:
        yield chunk
        chunk = handle.read(_READ)


def _smime_body(first: bytes, handle: BinaryIO) -> bytes:
    """The start of the base64 body after single-part S/MIME headers (what follows comes from `handle`)."""
    head = first
    found = _blank_line(head)
    while found is None and len(head) <= _MAX_HEADERS:
        more = handle.read(_READ)
        if not more:
            break
        head += more
        found = _blank_line(head)
    if found is None:
        raise CmsError("it is neither S/MIME (application/pkcs7-mime) nor PEM nor DER")
    headers, body = head[:found[0]].lower(), head[found[1]:]
    if b"application/pkcs7-mime" not in headers and b"application/x-pkcs7-mime" not in headers:
        raise CmsError("it is neither S/MIME (application/pkcs7-mime) nor PEM nor DER")
    if b"content-transfer-encoding: base64" not in headers:
        raise CmsError("its S/MIME body is not base64")
    return body


def _blank_line(head: bytes) -> tuple[int, int] | None:
    """Where the headers end and the body starts, if the blank line after the headers is in `head`."""
    for separator in (b"\n\n", b"\r\n\r\n"):
        at = head.find(separator)
        if at >= 0:
            return at, at + len(separator)
    return None


def _base64(start: bytes, handle: BinaryIO, pem: bool) -> Iterator[bytes]:
    """Base64 decoded as it is read, whole lines at a time; a PEM body stops at -----END. The decoder skips line
    breaks itself and is lenient about stray characters: what it yields is authenticated by the CBC padding and
    the post's signature, so leniency cannot let a changed bundle through."""
    carry, chunk, ended = b"", start, False
    while chunk:
        if pem and b"-" in chunk:
            chunk, ended = chunk[:chunk.index(b"-")], True
        text = carry + chunk if carry else chunk
        cut = len(text) if ended else text.rfind(b"\n") + 1
        block, carry = (text, b"") if cut == len(text) else (text[:cut], text[cut:])
        if block:
            try:  # whole lines of whole groups of four, as every encoder writes them: one call
                yield pybase64.b64decode(block)
            except binascii.Error:  # lines of other lengths: regroup them in fours
                block = block.translate(None, _SPACE)
                whole = len(block) - len(block) % 4
                yield _decoded(block[:whole])
                carry = block[whole:] + carry
        chunk = b"" if ended else handle.read(_READ)
    if carry.strip():
        if len(carry.translate(None, _SPACE)) % 4:
            raise CmsError("its base64 body is cut short")
        yield _decoded(carry)


def _decoded(block: bytes) -> bytes:
    try:
        return pybase64.b64decode(block)
    except binascii.Error as error:
        raise CmsError(f"its S/MIME body is not base64 ({error})") from None
