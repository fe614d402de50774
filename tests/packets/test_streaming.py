"""The packet is written page by page (issue 4: "pages streamed, not all held"): what the build holds does not grow
with the page count, a record cannot smuggle its document in through a page's resources, and the command line
replaces --out only with a whole, checked packet."""

from __future__ import annotations

import io
import json
import random
import tracemalloc
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader, PdfWriter
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject, RectangleObject, TextStringObject
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

from desktop.cli import main
from desktop.packets.builder import write_packet
from desktop.packets.model import PacketRecord
from desktop.records import Box, page_words
from desktop.records.pdfwriter import ObjectWriter
from tests.conftest import scenario
from tests.packets.helpers import SETTINGS, ready
from tests.records.helpers import raw_contents, simple_pdf

READY = scenario("01")
SIDE = 216.0  # 3-inch pages: rasterized at 150 dpi in a few milliseconds each


def noisy_record(pages: int) -> bytes:
    """Small pages, each one image of noise: rasterized again, a page weighs as much as its pixels (~200 kB)."""
    out = io.BytesIO()
    c = canvas.Canvas(out, pagesize=(SIDE, SIDE))
    noise = random.Random(4320)
    for _ in range(pages):
        image = Image.frombytes("L", (450, 450), noise.randbytes(450 * 450))
        c.drawImage(ImageReader(image), 0, 0, SIDE, SIDE)
        c.showPage()
    c.save()
    return out.getvalue()


def held_while_building(pages: int, folder: Path) -> tuple[int, int]:
    """(peak bytes Python allocated during the build, size of the packet) for a record boxed on every page."""
    record = PacketRecord(noisy_record(pages), boxes=tuple(Box(n, 10, 10, 60, 30, "9.1.2") for n in
                                                           range(1, pages + 1)))
    with open(folder / f"{pages}.pdf", "w+b") as out:
        tracemalloc.start()
        try:
            write_packet(ready(), [record], SETTINGS, 1, out)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        return peak, out.seek(0, io.SEEK_END)


def packet_of(record: PdfWriter, tmp_path: Path) -> PdfReader:
    """The packet of one record, written to a file and opened with its password."""
    out = io.BytesIO()
    record.write(out)
    with open(tmp_path / "packet.pdf", "w+b") as packet:
        facts = write_packet(ready(), [PacketRecord(out.getvalue())], SETTINGS, 1, packet)
    reader = PdfReader(tmp_path / "packet.pdf")
    assert reader.decrypt(facts.password)
    return reader


def test_memory_held_does_not_grow_with_the_pages(tmp_path: Path) -> None:
    held_while_building(2, tmp_path)  # fonts, templates and caches that load once per process are not per page
    few, few_size = held_while_building(10, tmp_path)
    many, many_size = held_while_building(40, tmp_path)
    assert many_size - few_size > 4_000_000, "the test needs pages that weigh something"
    # Measured: 30 more pages add 5.7 MB to the packet and 0.4 MB to the peak. Held whole, they would add their
    # weight to the peak, and more (pypdf's writer held two copies of each).
    assert many - few < (many_size - few_size) / 4, (few, many, few_size, many_size)


def test_a_resource_that_reaches_the_document_brings_nothing_of_it(tmp_path: Path) -> None:
    """A font dictionary pointing at the catalog (with its script, attachment and Info) must not carry them along."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(simple_pdf([[(72, 700, "Record text")]]))))
    writer.add_attachment("smuggled.txt", b"SMUGGLED-ATTACHMENT")
    writer.root_object[NameObject("/OpenAction")] = writer._add_object(DictionaryObject({
        NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("SMUGGLED-SCRIPT")}))
    writer.add_metadata({"/Title": "SMUGGLED-TITLE"})
    fonts = writer.pages[0]["/Resources"]["/Font"]
    script = writer._add_object(DictionaryObject({  # an action needs no /Type
        NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("UNTYPED-SCRIPT")}))
    for ref in fonts.values():
        ref.get_object()[NameObject("/Extra")] = writer.root_object.indirect_reference
        ref.get_object()[NameObject("/Other")] = script
        ref.get_object()[NameObject("/Note")] = TextStringObject("font note")
    decrypted = packet_of(writer, tmp_path)
    plain = io.BytesIO()
    PdfWriter(clone_from=decrypted).write(plain)
    everything = raw_contents(plain.getvalue())
    assert "font note" in everything, "the font itself was copied"
    for smuggled in ("SMUGGLED-ATTACHMENT", "SMUGGLED-SCRIPT", "SMUGGLED-TITLE", "UNTYPED-SCRIPT", "/EmbeddedFiles",
                     "/OpenAction"):
        assert smuggled not in everything


def test_resources_named_like_dropped_keys_still_draw(tmp_path: Path) -> None:
    """Resource names are the producer's: a form XObject called /A (a key dropped from typed objects) must stay."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(simple_pdf([[(72, 700, "Page text")]]))))
    page = writer.pages[0]
    fonts = page["/Resources"]["/Font"]
    form = DecodedStreamObject()
    form.set_data(b"BT /F1 12 Tf 72 600 Td (Drawn by the form named A) Tj ET")
    form.update({NameObject("/Type"): NameObject("/XObject"), NameObject("/Subtype"): NameObject("/Form"),
                 NameObject("/BBox"): RectangleObject((0, 0, 612, 792)),
                 NameObject("/Resources"): DictionaryObject({NameObject("/Font"): fonts})})
    page["/Resources"][NameObject("/XObject")] = DictionaryObject({NameObject("/A"): writer._add_object(form)})
    content = page.get_contents().get_data() + b"\nq /A Do Q\n"
    stream = DecodedStreamObject()
    stream.set_data(content)
    page[NameObject("/Contents")] = writer._add_object(stream)
    assert "Drawn by the form named A" in packet_of(writer, tmp_path).pages[-1].extract_text()


def test_an_encrypted_writer_needs_a_distinct_owner_password() -> None:
    for owner in (None, "", "same"):
        with pytest.raises(ValueError, match="distinct owner password"):
            ObjectWriter(io.BytesIO(), "%PDF-2.0", "same", owner)


def test_the_cli_leaves_no_packet_and_no_part_of_one_when_the_redaction_check_fails(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A boxed run that also shows on another page fails the read-back (SPEC D3) after pages were written."""
    record = tmp_path / "record.pdf"
    record.write_bytes(simple_pdf([[(72, 700, "A-123456789 lives here")], [(72, 700, "A-123456789 again")]]))
    word = page_words(record.read_bytes(), 1)[0]
    boxes = tmp_path / "boxes.json"
    boxes.write_text(json.dumps({"format": "disclosure-desk/redactions/v1", "boxes": [
        {"record": 0, "page": 1, "box": list(word.box), "reason": "9.1.2"}]}), encoding="utf-8")
    out = tmp_path / "out" / "packet.pdf"
    out.parent.mkdir()
    code = main(["packet", "build", "--request", str(READY), "--record", str(record), "--redactions", str(boxes),
                 "--out", str(out)])
    assert code == 1
    assert "still appears on page 2" in capsys.readouterr().err
    assert list(out.parent.iterdir()) == []


def test_packets_written_to_a_file_and_in_memory_are_alike(tmp_path: Path) -> None:
    record = PacketRecord(simple_pdf([[(72, 700, "Same either way")]] * 3))
    with open(tmp_path / "file.pdf", "w+b") as out:
        facts = write_packet(ready(), [record], SETTINGS, 7, out)
    reader = PdfReader(tmp_path / "file.pdf")
    assert reader.decrypt(facts.password) and len(reader.pages) == facts.page_count
    assert facts.bates_first_label == "OTT000007" and facts.bates_last_label == "OTT000009"
    assert "OTT000009" in reader.pages[-1].extract_text()
    assert isinstance(reader.trailer["/Encrypt"].get_object(), DictionaryObject)
