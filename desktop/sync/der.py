"""A strict reader for the few DER structures a CMS signature check needs (RFC 5652 SignedData).

The `cryptography` package signs CMS but has no public call to verify it, so headquarters and the post read the
SignedData themselves: only definite lengths in minimal form, single-byte tags, and nothing after the outermost
value. Anything else is refused rather than guessed at: a bundle we did not produce is not ours to interpret.
"""

from __future__ import annotations

from dataclasses import dataclass

SEQUENCE = 0x30
SET = 0x31
INTEGER = 0x02
OCTET_STRING = 0x04
OID = 0x06


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
