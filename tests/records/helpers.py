"""Records test material made on the spot: reportlab PDFs with canaries in every place a PDF can hide text, crafted
image headers, and the independent readers (pdftotext, qpdf, pypdf's raw objects) the output is checked with."""

from __future__ import annotations

import io
import struct
import subprocess
import zlib
from pathlib import Path
from typing import cast

from PIL import Image
from pypdf import PdfReader, PdfWriter
from pypdf.annotations import Link, Text
from pypdf.generic import (
    ArrayObject,
    ByteStringObject,
    DecodedStreamObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    NumberObject,
    PdfObject,
    StreamObject,
    TextStringObject,
)
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

FONT, SIZE = "Helvetica", 12.0
SECRETS = {1: "CANARY-P1-SECRET-TEXT", 3: "CANARY-P3-SECRET-TEXT"}  # page -> text under a box
SECRET_AT = (72.0, 700.0)  # baseline start of each secret
KEEP = "KEEP-P2-VISIBLE-TEXT"  # page 2 has no box and stays vector
HIDDEN = [  # everything else a PDF can carry, none of which may reach the redacted output
    "CANARY-INFO-TITLE", "CANARY-INFO-AUTHOR", "CANARY-XMP-PACKET", "CANARY-OUTLINE-ENTRY", "CANARY-NOTE-ANNOT",
    "CANARY-LINK-TARGET", "CANARY-FORM-VALUE", "CANARY-EMBEDDED-FILE", "CANARY-JAVASCRIPT", "CANARY-OPEN-ACTION",
    "CANARY-THUMBNAIL", "CANARY-PAGE-PIECEINFO",
]
ALL_CANARIES = [*SECRETS.values(), *HIDDEN]


def secret_box(page: int) -> tuple[float, float, float, float]:
    x, y = SECRET_AT
    return x, y - 0.25 * SIZE, x + stringWidth(SECRETS[page], FONT, SIZE), y + SIZE


def simple_pdf(pages: list[list[tuple[float, float, str]]], size: tuple[float, float] = (612, 792)) -> bytes:
    """One page per list of (x, baseline y, text), Helvetica 12."""
    out = io.BytesIO()
    c = Canvas(out, pagesize=size)
    for lines in pages:
        c.setFont(FONT, SIZE)
        for x, y, text in lines:
            c.drawString(x, y, text)
        c.showPage()
    c.save()
    return out.getvalue()


def canary_pdf() -> bytes:
    """Three pages: secrets on 1 and 3 (to be boxed), the keeper on 2; and every hiding place filled."""
    out = io.BytesIO()
    c = Canvas(out, pagesize=(612, 792))
    c.setTitle(HIDDEN[0])
    c.setAuthor(HIDDEN[1])
    for number in (1, 2, 3):
        c.setFont(FONT, SIZE)
        c.drawString(*SECRET_AT, SECRETS.get(number, KEEP))
        c.drawString(72, 400, f"Ordinary line on page {number}")
        if number == 2:
            c.acroForm.textfield(name="canary_field", value=HIDDEN[6], x=72, y=300, width=300, height=20)
        c.showPage()
    c.save()
    return _with_hiding_places(out.getvalue())


def _with_hiding_places(pdf: bytes) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    writer._root_object[NameObject("/Metadata")] = writer._add_object(_stream(
        f'<x:xmpmeta xmlns:x="adobe:ns:meta/"><dc:title>{HIDDEN[2]}</dc:title></x:xmpmeta>'.encode(),
        {"/Type": NameObject("/Metadata"), "/Subtype": NameObject("/XML")}))
    writer.add_outline_item(title=HIDDEN[3], page_number=0)
    writer.add_annotation(1, Text(text=HIDDEN[4], rect=(72, 500, 92, 520)))
    writer.add_annotation(0, Link(rect=(72, 600, 300, 620), url=f"https://example.invalid/{HIDDEN[5]}"))
    writer.add_attachment("canary.txt", HIDDEN[7].encode())
    names = cast(DictionaryObject, writer._root_object["/Names"].get_object())  # made by add_attachment
    names[NameObject("/JavaScript")] = DictionaryObject({NameObject("/Names"): ArrayObject([
        TextStringObject("canary"), _javascript(f"app.alert('{HIDDEN[8]}');")])})
    writer._root_object[NameObject("/OpenAction")] = _javascript(HIDDEN[9])
    for page in writer.pages:
        page[NameObject("/Thumb")] = writer._add_object(_gray_image(HIDDEN[10].encode()))
        page[NameObject("/PieceInfo")] = DictionaryObject({
            NameObject("/Canary"): DictionaryObject({NameObject("/Private"): TextStringObject(HIDDEN[11])})})
    return _written(writer)


def _javascript(code: str) -> DictionaryObject:
    return DictionaryObject({NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject(code)})


def shared_resources_pdf(image_samples: bytes) -> bytes:
    """Both pages use one resource dictionary holding page 2's image; page 1 (no box) never draws it."""
    pdf = simple_pdf([[(72, 700, "Page one text, kept")], [(72, 700, "Page two with a picture")]])
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    page_one, page_two = writer.pages
    shared = DictionaryObject({
        NameObject("/Font"): cast(DictionaryObject, page_one["/Resources"].get_object())["/Font"],
        NameObject("/XObject"): DictionaryObject({NameObject("/ImSecret"): writer._add_object(_gray_image(
            image_samples))}),
    })
    shared_ref = writer._add_object(shared)
    for page in (page_one, page_two):
        page[NameObject("/Resources")] = shared_ref
    drawing = DecodedStreamObject()
    drawing.set_data(b"q 200 0 0 20 72 500 cm /ImSecret Do Q")
    page_two[NameObject("/Contents")] = ArrayObject([page_two.raw_get("/Contents"), writer._add_object(drawing)])
    return _written(writer)


def _gray_image(samples: bytes) -> StreamObject:
    return _stream(samples, {"/Type": NameObject("/XObject"), "/Subtype": NameObject("/Image"),
                             "/Width": NumberObject(len(samples)), "/Height": NumberObject(1),
                             "/ColorSpace": NameObject("/DeviceGray"), "/BitsPerComponent": NumberObject(8)})


def _stream(data: bytes, entries: dict[str, PdfObject]) -> StreamObject:
    stream = DecodedStreamObject()
    stream.set_data(data)
    stream.update({NameObject(k): v for k, v in entries.items()})
    return stream.flate_encode()


def _written(writer: PdfWriter) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def raw_contents(pdf: bytes) -> str:
    """The file as stored, every string of every object decoded, and every stream decompressed: read object by
    object with pypdf, so a canary cannot hide in an escaped, UTF-16 or compressed form."""
    reader = PdfReader(io.BytesIO(pdf))
    parts = [pdf.decode("latin-1")]
    numbers = {(n, gen) for gen, table in reader.xref.items() for n in table} | {(n, 0) for n in reader.xref_objStm}
    for number, generation in sorted(numbers):
        _collect(reader.get_object(IndirectObject(number, generation, reader)), parts)
    _collect(reader.trailer, parts)
    return "\n".join(parts)


def _collect(found: object, parts: list[str]) -> None:
    if isinstance(found, StreamObject):
        parts.append(found.get_data().decode("latin-1"))
    if isinstance(found, DictionaryObject):
        for key, value in found.items():
            parts.append(str(key))
            _collect(value, parts)
    elif isinstance(found, ArrayObject):
        for value in found:
            _collect(value, parts)
    elif isinstance(found, TextStringObject | ByteStringObject):
        parts.append(str(found) if isinstance(found, TextStringObject) else found.decode("latin-1"))


def pdftotext(pdf: bytes, folder: Path) -> str:
    path = folder / "out.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def qpdf_check(pdf: bytes, folder: Path) -> subprocess.CompletedProcess[str]:
    path = folder / "check.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)


def png_header(width: int, height: int) -> bytes:
    """A PNG that is only its signature and IHDR: tiny, but claiming width x height pixels."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    return b"\x89PNG\r\n\x1a\n" + struct.pack(">I", len(ihdr)) + chunk + struct.pack(">I", zlib.crc32(chunk))


def jpeg_header(width: int, height: int) -> bytes:
    sof = struct.pack(">BHHB", 8, height, width, 3) + b"\x01\x22\x00\x02\x11\x01\x03\x11\x01"
    return b"\xff\xd8\xff\xc0" + struct.pack(">H", len(sof) + 2) + sof + b"\xff\xd9"


def tiff_header(width: int, height: int) -> bytes:
    """A little-endian TIFF whose one directory claims width x height, with one byte of strip data."""
    tags = [(256, 4, width), (257, 4, height), (258, 3, 8), (259, 3, 1), (262, 3, 1), (273, 4, 0), (277, 3, 1),
            (278, 4, height), (279, 4, 1)]
    ifd_at = 8
    data_at = ifd_at + 2 + 12 * len(tags) + 4
    tags[5] = (273, 4, data_at)
    body = struct.pack("<H", len(tags)) + b"".join(struct.pack("<HHII", t, k, 1, v) for t, k, v in tags)
    return b"II*\x00" + struct.pack("<I", ifd_at) + body + struct.pack("<I", 0) + b"\x00"


def image_bytes(fmt: str, size: tuple[int, int] = (300, 200), frames: int = 1, dpi: int = 150) -> bytes:
    images = [Image.new("RGB", size, (255, 255 - 60 * i, 255)) for i in range(frames)]
    out = io.BytesIO()
    images[0].save(out, fmt, dpi=(dpi, dpi), save_all=frames > 1, append_images=images[1:])
    return out.getvalue()
