"""The few DER and BER structures the sync's CMS needs (RFC 5652), written and read strictly.

The `cryptography` package signs CMS but has no public call to verify it, and its builders take the whole content
in memory, so the bundle's SignedData and EnvelopedData are written and read here. Whole values (`parse`) are DER
only: definite lengths in minimal form, single-byte tags, nothing after the outermost value. A `Stream` reads the
same values from bytes arriving in chunks, and also the BER indefinite-length containers (X.690 §8.1.3.6) that
carry the bundle's content: a streamed CMS cannot know its length before it ends. Anything else is refused rather
than guessed at: a bundle we did not produce is not ours to interpret.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

SEQUENCE = 0x30
SET = 0x31
INTEGER = 0x02
OCTET_STRING = 0x04
OID = 0x06
NULL = 0x05
UTC_TIME = 0x17
INDEFINITE = b"\x80"  # the length byte of a BER indefinite-length value
END_OF_CONTENTS = b"\x00\x00"


class DerError(ValueError):
    """The bytes are not the DER structure expected; the message says where."""


@dataclass(frozen=True)
class Tlv:
    """One value: its tag byte and where its encoding and its contents lie in `buffer`."""

    buffer: bytes
    tag: int
    start: int  # the tag byte
    body: int  # the first content byte
    end: int  # one past the last content byte

    @property
    def value(self) -> bytes:
        return self.buffer[self.body:self.end]

    @property
    def encoded(self) -> bytes:
        return self.buffer[self.start:self.end]

    def children(self) -> list[Tlv]:
        """The values inside a constructed value, which must fill it exactly."""
        if not self.tag & 0x20:
            raise DerError(f"tag {self.tag:#04x} is not constructed")
        found, at = [], self.body
        while at < self.end:
            child = _read(self.buffer, at, self.end)
            found.append(child)
            at = child.end
        return found


def parse(data: bytes) -> Tlv:
    """The single outermost value of `data`; trailing bytes are an error."""
    top = _read(data, 0, len(data))
    if top.end != len(data):
        raise DerError(f"{len(data) - top.end} bytes follow the outermost value")
    return top


def expect(tlv: Tlv, tag: int, what: str) -> Tlv:
    if tlv.tag != tag:
        raise DerError(f"{what}: expected tag {tag:#04x}, found {tlv.tag:#04x}")
    return tlv


def oid_text(tlv: Tlv) -> str:
    """The dotted form of an OBJECT IDENTIFIER value."""
    value = expect(tlv, OID, "object identifier").value
    if not value or value[-1] & 0x80:
        raise DerError("truncated object identifier")
    arcs, current = [], 0
    for byte in value:
        if current == 0 and byte == 0x80:
            raise DerError("object identifier arc not minimally encoded")
        current = (current << 7) | (byte & 0x7F)
        if not byte & 0x80:
            arcs.append(current)
            current = 0
    first = min(arcs[0] // 40, 2)
    return ".".join(str(arc) for arc in [first, arcs[0] - 40 * first, *arcs[1:]])


def integer(tlv: Tlv) -> int:
    value = expect(tlv, INTEGER, "integer").value
    if not value:
        raise DerError("empty integer")
    return int.from_bytes(value, "big", signed=True)


def _read(data: bytes, at: int, limit: int) -> Tlv:
    if at + 2 > limit:
        raise DerError(f"value at offset {at} is cut short")
    tag = data[at]
    if tag & 0x1F == 0x1F:
        raise DerError(f"multi-byte tag at offset {at}")
    first = data[at + 1]
    body = at + 2
    if first < 0x80:
        length = first
    else:
        count = first & 0x7F
        if count == 0 or count > 4:
            raise DerError(f"indefinite or oversized length at offset {at}")
        if body + count > limit:
            raise DerError(f"length at offset {at} is cut short")
        length = int.from_bytes(data[body:body + count], "big")
        if length < 0x80 or data[body] == 0:
            raise DerError(f"length at offset {at} is not in minimal form")
        body += count
    end = body + length
    if end > limit:
        raise DerError(f"value at offset {at} runs past its container ({length} bytes)")
    return Tlv(data, tag, at, body, end)


def encode(tag: int, body: bytes) -> bytes:
    """One DER value: the tag, the length in minimal form, the body."""
    size = len(body)
    if size < 0x80:
        return bytes([tag, size]) + body
    count = (size.bit_length() + 7) // 8
    return bytes([tag, 0x80 | count]) + size.to_bytes(count, "big") + body


def sequence(*parts: bytes) -> bytes:
    return encode(SEQUENCE, b"".join(parts))


def set_of(parts: Iterable[bytes], tag: int = SET) -> bytes:
    """A DER SET OF: its elements sorted by their encodings (X.690 §11.6)."""
    return encode(tag, b"".join(sorted(parts)))


def oid(dotted: str) -> bytes:
    arcs = [int(arc) for arc in dotted.split(".")]
    body = bytearray()
    for arc in [40 * arcs[0] + arcs[1], *arcs[2:]]:
        chunk = [arc & 0x7F]
        while arc > 0x7F:
            arc >>= 7
            chunk.append(0x80 | (arc & 0x7F))
        body += bytes(reversed(chunk))
    return encode(OID, bytes(body))


def integer_value(number: int) -> bytes:
    return encode(INTEGER, number.to_bytes(number.bit_length() // 8 + 1, "big", signed=True))


def octets(data: bytes) -> bytes:
    return encode(OCTET_STRING, data)


def utc_time(moment: datetime) -> bytes:
    """UTCTime, as CMS signing-time takes it for years before 2050 (RFC 5652 §11.3)."""
    return encode(UTC_TIME, moment.strftime("%y%m%d%H%M%SZ").encode("ascii"))


Chunk = bytes | memoryview  # a piece of a stream: a view into a larger buffer where that spares a copy


class Stream:
    """Bytes arriving as chunks from an iterator, read by exact counts; `position` counts what was read.

    `read_some` hands out views into the chunk at hand rather than copies (the payload passes through three of
    these, 330 MB at 10,000 entries); `read` and `peek`, for headers, give bytes."""

    def __init__(self, chunks: Iterator[Chunk]) -> None:
        self._chunks = chunks
        self._buffer: Chunk = b""
        self._at = 0
        self.position = 0

    def _fill(self, wanted: int) -> bool:
        while len(self._buffer) - self._at < wanted:
            chunk = next(self._chunks, None)
            if chunk is None:
                return False
            self._buffer = bytes(self._buffer[self._at:]) + chunk if self._at < len(self._buffer) else chunk
            self._at = 0
        return True

    def read(self, count: int) -> bytes:
        """Exactly `count` bytes; DerError when the stream ends first."""
        if not self._fill(count):
            raise DerError(f"the data ends at offset {self.position + len(self._buffer) - self._at}, cut short")
        data = bytes(self._buffer[self._at:self._at + count])
        self._at += count
        self.position += count
        return data

    def read_some(self, limit: int) -> memoryview:
        """Between 1 and `limit` bytes, empty only at the end: what is at hand, so large values pass in chunks;
        a view, valid as long as the caller keeps it."""
        if self._at == len(self._buffer) and not self._fill(1):
            return memoryview(b"")
        data = memoryview(self._buffer)[self._at:self._at + limit]
        self._at += len(data)
        self.position += len(data)
        return data

    def peek(self, count: int) -> bytes:
        self._fill(count)
        return bytes(self._buffer[self._at:self._at + count])

    def at_end(self) -> bool:
        return not self._fill(1)


@dataclass(frozen=True)
class Header:
    tag: int
    length: int | None  # None: BER indefinite length, closed by END_OF_CONTENTS
    end: int | None  # the stream position one past the value, for a definite length


def read_header(stream: Stream, what: str, tag: int | None = None) -> Header:
    """A value's tag and length, read from the stream; the length may be indefinite for a constructed value."""
    at = stream.position
    found, first = stream.read(2)
    if tag is not None and found != tag:
        raise DerError(f"{what}: expected tag {tag:#04x}, found {found:#04x} at offset {at}")
    if found & 0x1F == 0x1F:
        raise DerError(f"multi-byte tag at offset {at}")
    if first == 0x80:
        if not found & 0x20:
            raise DerError(f"{what}: a primitive value with an indefinite length at offset {at}")
        return Header(found, None, None)
    length = first
    if first > 0x80:
        count = first & 0x7F
        if count > 4:
            raise DerError(f"oversized length at offset {at}")
        raw = stream.read(count)
        length = int.from_bytes(raw, "big")
        if length < 0x80 or raw[0] == 0:
            raise DerError(f"length at offset {at} is not in minimal form")
    return Header(found, length, stream.position + length)


def read_value(stream: Stream, what: str, tag: int | None = None, limit: int = 1 << 20) -> Tlv:
    """One whole DER value from the stream (a certificate, an algorithm, a signer): at most `limit` bytes."""
    start = stream.position
    header = read_header(stream, what, tag)
    if header.length is None:
        raise DerError(f"{what}: an indefinite length where DER is expected, at offset {start}")
    if header.length > limit:
        raise DerError(f"{what}: {header.length:,} bytes at offset {start}, over the {limit:,} expected")
    # The header was checked to be in minimal form, so encoding it again gives back the very bytes read.
    return parse(encode(header.tag, stream.read(header.length)))


def close(stream: Stream, header: Header, what: str) -> None:
    """The end of a constructed value: its end-of-contents octets, or exactly its definite length consumed."""
    if header.end is None:
        if stream.read(2) != END_OF_CONTENTS:
            raise DerError(f"{what}: something follows its last element at offset {stream.position - 2}")
    elif stream.position != header.end:
        raise DerError(f"{what}: its elements do not fill its length (at offset {stream.position})")


def has_more(stream: Stream, header: Header) -> bool:
    """Whether another element follows inside the constructed value `header` opened."""
    if header.end is None:
        return stream.peek(2) != END_OF_CONTENTS
    return stream.position < header.end


def octet_chunks(stream: Stream, header: Header, what: str, chunk: int = 1 << 16) -> Iterator[memoryview]:
    """The content of an OCTET STRING (or an implicitly tagged one) whose header was read: primitive, or BER
    constructed from primitive segments (X.690 §8.7.3), as OpenSSL and this program stream them."""
    if not header.tag & 0x20:
        yield from _counted(stream, header.length or 0, chunk)
        return
    while has_more(stream, header):
        segment = read_header(stream, f"{what} segment", OCTET_STRING)
        yield from _counted(stream, segment.length or 0, chunk)
    close(stream, header, what)


def _counted(stream: Stream, length: int, chunk: int) -> Iterator[memoryview]:
    left = length
    while left:
        data = stream.read_some(min(left, chunk))
        if not data:
            raise DerError(f"the data ends at offset {stream.position}, {left:,} bytes short")
        left -= len(data)
        yield data
