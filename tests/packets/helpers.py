"""Building blocks for the packet tests: record PDFs drawn with reportlab, requests, and the real readers."""

from __future__ import annotations

import io
import subprocess
from dataclasses import replace
from datetime import date
from pathlib import Path

import pypdfium2 as pdfium
from reportlab.pdfgen import canvas

from desktop.packets.builder import build_packet
from desktop.packets.model import BuiltPacket, PacketRecord, PacketSettings
from desktop.requests import Request, load_request_file
from desktop.requests.model import Basis, DataCategory
from tests.conftest import scenario as scenario_path

SETTINGS = PacketSettings(post_name="Ottawa", bates_prefix="OTT", date=date(2026, 11, 20))
LEAKY_AUTHOR = "Leaky Author Name"


def record_pdf(pages: int = 1, text: str = "Record") -> bytes:
    """A record as the records package hands it over, with metadata that must not reach the packet."""
    out = io.BytesIO()
    c = canvas.Canvas(out)
    c.setAuthor(LEAKY_AUTHOR)
    c.setTitle("Internal title SYSCODE-77")
    for page in range(1, pages + 1):
        c.drawString(72, 720, f"{text} page {page}")
        c.showPage()
    c.save()
    return out.getvalue()


def scenario(prefix: str) -> Request:
    return load_request_file(scenario_path(prefix))


def ready() -> Request:
    return scenario("01")


def with_basis(request: Request, basis: Basis, agreement: str = "", chapters: tuple[int, ...] = (),
               country: str | None = None) -> Request:
    authority = request.requesting_authority
    assert authority is not None
    if country:
        authority = replace(authority, country=country)
    return replace(request, basis=basis, agreement=agreement, usmca_chapters=chapters, requesting_authority=authority)


def with_les(request: Request) -> Request:
    return replace(request, data_categories=(*request.data_categories, DataCategory.LES))


def build(request: Request, pages: int = 1, redacted: bool = False, pii: bool = True,
          bates_first: int = 1) -> BuiltPacket:
    records = [PacketRecord(record_pdf(pages), has_redactions=redacted, contains_pii=pii, title="TECS crossings")]
    return build_packet(request, records, SETTINGS, bates_first)


def write(tmp_path: Path, packet: BuiltPacket, name: str = "packet.pdf") -> Path:
    path = tmp_path / name
    path.write_bytes(packet.encrypted_pdf)
    return path


def pdftotext(path: Path, password: str | None, first: int | None = None, last: int | None = None
              ) -> subprocess.CompletedProcess[str]:
    command = ["pdftotext", "-layout", "-enc", "UTF-8"]
    if password is not None:
        command += ["-upw", password]
    if first is not None:
        command += ["-f", str(first), "-l", str(last or first)]
    return subprocess.run([*command, str(path), "-"], capture_output=True, text=True, timeout=30)


def text_of(path: Path, password: str, first: int | None = None, last: int | None = None) -> str:
    done = pdftotext(path, password, first, last)
    assert done.returncode == 0, done.stderr
    return " ".join(done.stdout.split())  # one line: the letter wraps sentences anywhere


def pdfium_pages(path: Path, password: str | None) -> int:
    document = pdfium.PdfDocument(str(path), password=password)
    try:
        return len(document)
    finally:
        document.close()


def rotated_with_annotation_pdf() -> bytes:
    """A landscape record stored as a rotated portrait page, carrying a comment annotation and a link."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.annotations import FreeText, Link

    writer = PdfWriter()
    writer.add_page(PdfReader(io.BytesIO(record_pdf(1, "Rotated"))).pages[0])
    writer.pages[0].rotate(90)
    writer.add_annotation(0, FreeText(text="ANNOTATION SECRET", rect=(50, 50, 200, 100)))
    writer.add_annotation(0, Link(rect=(50, 150, 200, 200), url="https://example.invalid/internal"))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def state_leaking_pdf() -> bytes:
    """A record whose content ends with graphics state left set, under q's never closed: a clip to a 2-point corner,
    white paint and a scaled, moved CTM."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import DecodedStreamObject, NameObject

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(record_pdf(1, "Leaky"))))
    page = writer.pages[0]
    stream = DecodedStreamObject()
    stream.set_data(page.get_contents().get_data() + b"\nq q 0 0 2 2 re W n 1 1 1 rg 1 1 1 RG q 9 0 0 9 300 300 cm\n")
    page[NameObject("/Contents")] = writer._add_object(stream)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
