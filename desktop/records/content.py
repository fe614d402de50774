"""A content stream read operation by operation, and written again with only what draws (SPEC D3, §9.1).

A page that stays vector goes out with its own drawing instructions, and some of what a content stream may hold
draws nothing a reviewer sees, yet every PDF reader can extract it: marked content (`/Span <</ActualText (…)>> BDC`
replaces the text a reader extracts with any other text; `/OC /L1 BDC` names an optional-content layer), comments,
and unknown operators, which readers skip (inside BX … EX or not). `cleaned` keeps every standard operator that
draws or sets state, with its operands, and nothing else; the tokens are written again one by one, so nothing
between them (a comment, stray bytes) travels.

Written here rather than with pypdf's ContentStream: that parser is several times slower, and keeps comments and
unknown operators by design (it round-trips). This one refuses (ContentError) what it cannot read for sure; the
caller then rebuilds the page as an image, which is always safe.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

_WHITE = b"\x00\t\n\x0c\r "
_DELIMITERS = b"()<>[]{}/%"
_REGULAR = re.compile(rb"[^\x00\t\n\x0c\r ()<>\[\]{}/%]+")
_NAME = re.compile(rb"/[^\x00\t\n\x0c\r ()<>\[\]{}/%]*")
_HEX = re.compile(rb"<[0-9A-Fa-f\x00\t\n\x0c\r ]*>")
_NUMBER = re.compile(rb"[+-]?(?:\d+\.?\d*|\.\d+)")
_SKIP = re.compile(rb"(?:[\x00\t\n\x0c\r ]+|%[^\r\n]*)+")
# Only a stream holding one of these can need more than a plain copy. Looked for with bytes.find, then the bytes
# around each find: a regular expression over the whole stream took 0.3 ms on a page of text, this 0.02.
_WORTH_READING = (b"BDC", b"BMC", b"EMC", b"MP", b"DP", b"BX", b"EX", b"BI", b"ID")
_BOUNDARY = frozenset({b"", *(bytes([c]) for c in _WHITE + _DELIMITERS)})
_MARKED = frozenset({b"BDC", b"BMC", b"EMC", b"MP", b"DP"})
_COMPATIBILITY = frozenset({b"BX", b"EX"})
# ISO 32000-1 Annex A, less the marked-content and compatibility operators above, and the inline image's ID and EI
# (read with BI).
OPERATORS = frozenset(b"b B b* B* BI BT c cm CS cs d d0 d1 Do ET f F f* G g gs h i j J K k l m M n q Q re RG rg ri "
                      b"s S SC sc SCN scn sh T* Tc Td TD Tf Tj TJ TL Tm Tr Ts Tw Tz v w W W* y ' \"".split())
_KEYWORDS = frozenset({b"true", b"false", b"null"})
MAX_NESTING = 64


class ContentError(Exception):
    """A content stream this module cannot read for sure."""


@dataclass(frozen=True)
class Operation:
    operator: bytes
    operands: tuple[bytes, ...]  # each operand's tokens joined (an array or dictionary is one operand)
    image: bytes = b""  # BI: the inline image's data, between ID and EI


def worth_reading(data: bytes) -> bool:
    """False when `data` holds nothing `cleaned` would drop, nor any inline image: it can be copied as it is."""
    if b"%" in data:
        return True
    for word in _WORTH_READING:
        at = data.find(word)
        while at >= 0:
            if data[at - 1:at] in _BOUNDARY and data[at + len(word):at + len(word) + 1] in _BOUNDARY:
                return True
            at = data.find(word, at + 1)
    return False


def operations(data: bytes) -> Iterator[Operation]:
    """Every operation of `data` in order, marked-content and unknown ones included; ContentError if unreadable."""
    at, operands = 0, []
    while True:
        at = _skip(data, at)
        if at >= len(data):
            break
        token, at = _operand(data, at)
        if token is not None:
            operands.append(token)
            continue
        word, at = _word(data, at)
        if word == b"BI":
            dictionary, image, at = _inline_image(data, at)
            yield Operation(word, tuple(dictionary), image)
        else:
            yield Operation(word, tuple(operands))
        operands = []


def cleaned(data: bytes) -> bytes:
    """`data` with only the standard drawing operators and their operands (see the module's docstring)."""
    return cleaned_operations(operations(data))


def cleaned_operations(ops: Iterable[Operation]) -> bytes:
    out: list[bytes] = []
    for op in ops:
        if op.operator in _MARKED or op.operator in _COMPATIBILITY or op.operator not in OPERATORS:
            continue
        if op.operator == b"BI":
            out.append(b"BI " + b" ".join(op.operands) + b" ID\n" + op.image + b"\nEI")
        else:
            out.append(b" ".join((*op.operands, op.operator)))
    return b"\n".join(out)


def _skip(data: bytes, at: int) -> int:
    found = _SKIP.match(data, at)
    return found.end() if found else at


def _operand(data: bytes, at: int) -> tuple[bytes | None, int]:
    """One operand (a number, name, string, array or dictionary) starting at `at`, or None when an operator is."""
    first = data[at:at + 1]
    if first == b"/":
        found = _NAME.match(data, at)
        assert found is not None
        return found.group(), found.end()
    if first == b"(":
        end = _string_end(data, at)
        return data[at:end], end
    if data.startswith(b"<<", at) or first == b"[":
        return _container(data, at)
    if first == b"<":
        found = _HEX.match(data, at)
        if found is None:
            raise ContentError("a hexadecimal string is broken")
        return found.group(), found.end()
    found = _REGULAR.match(data, at)
    if found is None:
        raise ContentError(f"an unexpected {first!r} at byte {at}")
    word = found.group()
    if _NUMBER.fullmatch(word) or word in _KEYWORDS:
        return word, found.end()
    return None, at


def _word(data: bytes, at: int) -> tuple[bytes, int]:
    found = _REGULAR.match(data, at)
    assert found is not None  # _operand said an operator starts here
    return found.group(), found.end()


def _container(data: bytes, at: int) -> tuple[bytes, int]:
    """An array or dictionary, nested ones inside, as its tokens joined by spaces."""
    tokens: list[bytes] = []
    depth = 0
    while True:
        at = _skip(data, at)
        if at >= len(data):
            raise ContentError("an array or dictionary is not closed")
        if data.startswith(b"<<", at) or data[at:at + 1] == b"[":
            size = 2 if data[at:at + 1] == b"<" else 1
            tokens.append(data[at:at + size])
            at, depth = at + size, depth + 1
            if depth > MAX_NESTING:
                raise ContentError("arrays or dictionaries nested too deep")
        elif data.startswith(b">>", at) or data[at:at + 1] == b"]":
            size = 2 if data[at:at + 1] == b">" else 1
            tokens.append(data[at:at + size])
            at, depth = at + size, depth - 1
            if depth == 0:
                return b" ".join(tokens), at
        else:
            token, at = _operand(data, at)
            if token is None:
                raise ContentError("an operator inside an array or dictionary")
            tokens.append(token)


def _string_end(data: bytes, at: int) -> int:
    depth, index = 0, at
    while index < len(data):
        char = data[index]
        if char == 0x5C:  # backslash: the next byte is escaped
            index += 2
            continue
        if char == 0x28:
            depth += 1
        elif char == 0x29:
            depth -= 1
            if depth == 0:
                return index + 1
        index += 1
    raise ContentError("a string is not closed")


def _inline_image(data: bytes, at: int) -> tuple[list[bytes], bytes, int]:
    """BI's dictionary entries and the image data after ID, up to the EI that ends it."""
    entries: list[bytes] = []
    while True:
        at = _skip(data, at)
        if data.startswith(b"ID", at) and data[at + 2:at + 3] in (b"", *[bytes([c]) for c in _WHITE]):
            break
        if at >= len(data):
            raise ContentError("an inline image has no ID")
        token, at = _operand(data, at)
        if token is None:
            raise ContentError("an inline image's dictionary holds an operator")
        entries.append(token)
    start = at + 3  # ID and the one white-space byte after it
    # The data ends at the first EI between white space (or at the end); a data stream that holds such bytes itself
    # is read wrong, and the page then draws differently: the read-back and render checks see that, not a leak.
    found = re.compile(rb"[\x00\t\n\x0c\r ]EI(?=[\x00\t\n\x0c\r ]|$)").search(data, start - 1)
    if found is None:
        raise ContentError("an inline image has no EI")
    return entries, data[start:found.start()], found.end()


def inline_filters(op: Operation) -> set[bytes]:
    """The filters an inline image's data is encoded with, as full names (/DCT is /DCTDecode)."""
    short = {b"/AHx": b"/ASCIIHexDecode", b"/A85": b"/ASCII85Decode", b"/LZW": b"/LZWDecode",
             b"/Fl": b"/FlateDecode", b"/RL": b"/RunLengthDecode", b"/CCF": b"/CCITTFaxDecode",
             b"/DCT": b"/DCTDecode"}
    found: set[bytes] = set()
    for key, value in zip(op.operands[::2], op.operands[1::2], strict=False):
        if key in (b"/F", b"/Filter"):
            found |= {short.get(name, name) for name in re.findall(rb"/[A-Za-z0-9]+", value)}
    return found
