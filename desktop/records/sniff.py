"""What a file is, from its first bytes, never from its name (SPEC D1): a file called scan.pdf may be anything."""

from __future__ import annotations

import struct

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
TIFF = "image/tiff"
TEXT = "text/plain"

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_TIFF_SIGNATURES = (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+")  # classic and BigTIFF, both byte orders
_TEXT_CONTROLS = set(range(32)) - {9, 10, 12, 13}  # tab, line feed, form feed, carriage return are text
_JPEG_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


def media_type(data: bytes) -> str | None:
    """PDF, PNG, JPEG, TIFF or UTF-8 text, or None for anything else."""
    if b"%PDF-" in data[:1024]:  # readers accept up to 1 KiB of junk before the header
        return PDF
    if data.startswith(_PNG_SIGNATURE):
        return PNG
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data[:4] in _TIFF_SIGNATURES:
        return TIFF
    return TEXT if is_utf8_text(data) else None


def is_utf8_text(data: bytes) -> bool:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return not any(ord(c) in _TEXT_CONTROLS for c in text)


def is_utf16_text(data: bytes) -> bool:
    return data[:2] in (b"\xff\xfe", b"\xfe\xff")


def header_size(kind: str, data: bytes) -> tuple[int, int] | None:
    """Width and height as the header claims them, read without decoding (so a bomb is refused unopened)."""
    if kind == PNG:
        return _png_size(data)
    if kind == JPEG:
        return _jpeg_size(data)
    return None  # TIFF: Pillow reads the directory of each frame without decoding it


def _png_size(data: bytes) -> tuple[int, int] | None:
    # The IHDR chunk must come first: length (4), b"IHDR", width (4), height (4).
    if len(data) < 24 or data[12:16] != b"IHDR":
        return None
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    at = 2
    while at + 9 <= len(data):
        if data[at] != 0xFF:
            return None
        marker = data[at + 1]
        if marker == 0xFF:  # fill byte
            at += 1
            continue
        if marker in _JPEG_SOF:
            height, width = struct.unpack(">HH", data[at + 5 : at + 9])
            return int(width), int(height)
        at += 2 + int(struct.unpack(">H", data[at + 2 : at + 4])[0])
    return None
