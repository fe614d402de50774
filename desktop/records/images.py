"""Images go out as pixels, never as the file they came in (SPEC D3, §9.1): what a camera, scanner or editor wrote
beside the pixels (EXIF with GPS, camera and owner, XMP, Photoshop IRB, comments, thumbnails, ICC descriptions) is
removed without touching the compressed pixels, so quality and size stay as they were.

JPEG (DCTDecode): only the segments that decode the image are kept: frame and scan headers, tables, restart
intervals, the entropy-coded data, Adobe's APP14 rewritten to its one byte that matters (the colour transform of
CMYK and YCCK data), and a JFIF header of 16 bytes, which says the pixel density and nothing else (a longer one
carries a thumbnail, and goes). Everything after the end-of-image marker goes too. The ICC profile (APP2) is
dropped, not kept with its description stripped: in a PDF the image's colour space is the /ColorSpace of its
dictionary, which readers use instead of a profile inside the data, and for a JPEG given as a record reportlab
writes DeviceRGB or DeviceGray anyway.

JPEG 2000 (JPXDecode): a JP2 file keeps its signature, file type, header and codestream boxes (the colour in the
header is what readers use when the PDF gives no /ColorSpace), and drops XML, UUID, IPR and label boxes; the
codestream's main header loses its comment (COM) segments.

Anything that does not parse as its format raises ImageDataError: the caller rebuilds the page as an image.
"""

from __future__ import annotations

import struct

from pypdf.generic import ArrayObject, NameObject, StreamObject

_STANDALONE = {0x01, *range(0xD0, 0xD8)}  # TEM, RST0-7: markers without a length
_KEPT_JPEG = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF,  # frame headers
              0xC4, 0xCC, 0xDB, 0xDD, 0xDA, 0xDC, 0xDE, 0xDF}  # Huffman, arithmetic, quantization, DRI, SOS, DNL...
_APP0, _APP14 = 0xE0, 0xEE
_SOS, _EOI = 0xDA, 0xD9
_JP2_KEPT = {b"jP  ", b"ftyp", b"jp2h", b"jp2c"}
_J2K_COM = 0xFF64
_J2K_SOT = 0xFF90


class ImageDataError(Exception):
    """Image data that is not what its filter says."""


def clean_jpeg(data: bytes) -> bytes:
    """The JPEG stream with only what decodes it (see the module's docstring)."""
    if not data.startswith(b"\xff\xd8"):
        raise ImageDataError("not a JPEG stream")
    out, at = [b"\xff\xd8"], 2
    while True:
        marker, at = _marker(data, at)
        if marker == _EOI:
            out.append(b"\xff\xd9")
            return b"".join(out)
        if marker in _STANDALONE:
            out.append(bytes((0xFF, marker)))
            continue
        if at + 2 > len(data):
            raise ImageDataError("a JPEG segment is cut short")
        length = struct.unpack(">H", data[at:at + 2])[0]
        end = at + length
        if length < 2 or end > len(data):
            raise ImageDataError("a JPEG segment is cut short")
        if marker in _KEPT_JPEG:
            out.append(bytes((0xFF, marker)) + data[at:end])
        elif marker == _APP0 and length == 16 and data[at + 2:at + 7] == b"JFIF\x00" \
                and data[at + 14:at + 16] == b"\0\0":
            out.append(b"\xff\xe0" + data[at:end])
        elif marker == _APP14 and data[at + 2:at + 7] == b"Adobe" and length >= 14:
            out.append(b"\xff\xee\x00\x0eAdobe\x00\x64\x00\x00\x00\x00" + data[at + 13:at + 14])
        at = end
        if marker == _SOS:
            scan_end = _scan_end(data, at)
            out.append(data[at:scan_end])
            at = scan_end


def _marker(data: bytes, at: int) -> tuple[int, int]:
    if at + 1 >= len(data) or data[at] != 0xFF:
        raise ImageDataError("a JPEG marker is missing")
    while at + 1 < len(data) and data[at + 1] == 0xFF:  # fill bytes before a marker
        at += 1
    if at + 1 >= len(data):
        raise ImageDataError("a JPEG stream ends inside a marker")
    return data[at + 1], at + 2


def _scan_end(data: bytes, at: int) -> int:
    """Where the entropy-coded data after a scan header ends: at the first marker that is not a stuffed byte or a
    restart marker."""
    while True:
        at = data.find(b"\xff", at)
        if at < 0 or at + 1 >= len(data):
            raise ImageDataError("a JPEG scan has no end")
        following = data[at + 1]
        if following == 0x00 or 0xD0 <= following <= 0xD7:
            at += 2
            continue
        if following == 0xFF:
            at += 1
            continue
        return at


def clean_jpx(data: bytes) -> bytes:
    """The JPEG 2000 data (a JP2 file or a bare codestream) without its metadata (see the module's docstring)."""
    if data.startswith(b"\xff\x4f\xff\x51"):
        return _clean_codestream(data)
    out, at = [], 0
    while at < len(data):
        if at + 8 > len(data):
            raise ImageDataError("a JPEG 2000 box is cut short")
        length, kind = struct.unpack(">I4s", data[at:at + 8])
        header = 8
        if length == 1:
            if at + 16 > len(data):
                raise ImageDataError("a JPEG 2000 box is cut short")
            length, header = struct.unpack(">Q", data[at + 8:at + 16])[0], 16
        elif length == 0:
            length = len(data) - at
        if length < header or at + length > len(data):
            raise ImageDataError("a JPEG 2000 box is cut short")
        if kind == b"jp2c":
            out.append(struct.pack(">I4s", 0, kind) + _clean_codestream(data[at + header:at + length]))
            return b"".join(out)  # a box of length 0 runs to the end: what followed it is gone with it
        if kind in _JP2_KEPT:
            out.append(data[at:at + length])
        at += length
    raise ImageDataError("a JPEG 2000 file without a codestream")


def _clean_codestream(data: bytes) -> bytes:
    """A J2K codestream without the comment segments of its main header (up to the first tile-part)."""
    if not data.startswith(b"\xff\x4f"):
        raise ImageDataError("not a JPEG 2000 codestream")
    out, at = [b"\xff\x4f"], 2
    while at + 4 <= len(data):
        marker, length = struct.unpack(">HH", data[at:at + 4])
        if marker == _J2K_SOT:
            out.append(data[at:])
            return b"".join(out)
        if marker >> 8 != 0xFF or length < 2 or at + 2 + length > len(data):
            raise ImageDataError("a JPEG 2000 header segment is broken")
        if marker != _J2K_COM:
            out.append(data[at:at + 2 + length])
        at += 2 + length
    raise ImageDataError("a JPEG 2000 codestream without tiles")


def clean_image_stream(image: StreamObject) -> bool:
    """Cleans an image XObject's JPEG or JPEG 2000 data in place (its still-encoded bytes); True when it was one.
    ImageDataError for such data that does not parse, or that sits under a further filter (it could only be
    cleaned by decoding that first)."""
    found = image.get("/Filter")
    filters = [str(f) for f in found] if isinstance(found, ArrayObject) else [str(found)] if found else []
    kind = next((f for f in filters if f in ("/DCTDecode", "/DCT", "/JPXDecode")), None)
    if kind is None:
        return False
    if len(filters) != 1:
        raise ImageDataError("a JPEG image under a further filter")
    image._data = clean_jpx(image._data) if kind == "/JPXDecode" else clean_jpeg(image._data)
    if kind == "/DCT":
        image[NameObject("/Filter")] = NameObject("/DCTDecode")
    if hasattr(image, "decoded_self"):
        image.decoded_self = None
    return True
