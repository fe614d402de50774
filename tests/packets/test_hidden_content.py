"""What the reviewer cannot see must not leave (SPEC D3, §9.1): records crafted to hide text, one route per page with
its own canary, built into a packet and read back with pdfium, pdftotext, a raw scan of every decompressed stream
(qpdf decrypts) and the images pdfimages extracts; ordinary pages stay vector and are not rebuilt."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from PIL import Image, ImageChops
from pypdf import PdfReader, PdfWriter
from pypdf.generic import DictionaryObject, RectangleObject, StreamObject

from desktop.packets.builder import build_packet
from desktop.packets.model import BuiltPacket, PacketRecord
from desktop.records import ingest
from tests.packets import hiding
from tests.packets.helpers import SETTINGS, ready, text_of, write
from tests.records.helpers import raw_contents

ALL_HIDDEN = [r.canary for r in hiding.ROUTES] + [canary for canary, _ in hiding.HAND_HIDDEN.values()] \
    + [canary for canary, _ in hiding.HAND_VECTOR.values()] + [hiding.LAYER_NAME]


@pytest.fixture(scope="module")
def hand() -> tuple[bytes, dict[str, int]]:
    return hiding.hand_written_record()


@pytest.fixture(scope="module")
def packet(hand: tuple[bytes, dict[str, int]]) -> BuiltPacket:
    records = [PacketRecord(hiding.record(hiding.ROUTES), title="Crafted routes"),
               PacketRecord(hand[0], title="Hand-written content streams"),
               PacketRecord(hiding.ordinary_record(10), title="Ordinary pages")]
    return build_packet(ready(), records, SETTINGS, 1)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("hidden")


@pytest.fixture(scope="module")
def path(folder: Path, packet: BuiltPacket) -> Path:
    return write(folder, packet)


@pytest.fixture(scope="module")
def decrypted(folder: Path, path: Path, packet: BuiltPacket) -> bytes:
    plain = folder / "plain.pdf"
    done = subprocess.run(["qpdf", "--decrypt", f"--password={packet.password}", "--object-streams=disable",
                           str(path), str(plain)], capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    return plain.read_bytes()


@pytest.fixture(scope="module")
def raw(decrypted: bytes) -> str:
    return raw_contents(decrypted)


@pytest.fixture(scope="module")
def poppler_text(path: Path, packet: BuiltPacket) -> str:
    return text_of(path, packet.password)


@pytest.fixture(scope="module")
def pdfium_text(path: Path, packet: BuiltPacket) -> list[str]:
    document = pdfium.PdfDocument(str(path), password=packet.password)
    try:
        texts = []
        for page in document:
            textpage = page.get_textpage()
            texts.append(textpage.get_text_range())
            textpage.close()
            page.close()
        return texts
    finally:
        document.close()


def _record_page(packet: BuiltPacket, record: int, page: int) -> int:
    return packet.record_pages[record - 1].first + page - 1


def _rebuilt(packet: BuiltPacket, record: int) -> dict[int, tuple[str, ...]]:
    return {r.page: r.reasons for r in packet.rebuilt if r.record == record}


@pytest.mark.parametrize("route", hiding.ROUTES, ids=lambda r: r.name)
def test_every_crafted_route_is_rebuilt_and_its_canary_is_gone(route: hiding.Route, packet: BuiltPacket,
                                                               poppler_text: str, raw: str,
                                                               pdfium_text: list[str]) -> None:
    number = hiding.ROUTES.index(route) + 1
    assert number in _rebuilt(packet, 1), f"page {number} ({route.name}) stayed vector"
    assert route.canary not in poppler_text
    assert not any(route.canary in text for text in pdfium_text)
    assert route.canary not in raw
    assert "Seen on every route page" not in pdfium_text[_record_page(packet, 1, number) - 1]  # an image now


def test_the_user_is_told_which_pages_and_why(packet: BuiltPacket) -> None:
    rebuilt = _rebuilt(packet, 1)
    mode3 = rebuilt[[r.name for r in hiding.ROUTES].index("render mode 3 (invisible)") + 1]
    assert mode3 == ("1 line of text that cannot be seen on the page (drawn invisible)",)
    off = rebuilt[[r.name for r in hiding.ROUTES].index("text right of the media box") + 1]
    assert "outside the page" in off[0]
    box = rebuilt[[r.name for r in hiding.ROUTES].index("text under a black box drawn over it") + 1]
    assert "covered by something drawn over it" in box[0]
    tiny = rebuilt[[r.name for r in hiding.ROUTES].index("text of 0.6 points") + 1]
    assert "too small to read" in tiny[0]
    edge = next(r for r in packet.rebuilt if r.record == 1 and r.page == 1)
    assert edge.message.startswith("record 1, page 1 (OTT000001): 1 line of text that cannot be seen on the page")


@pytest.mark.parametrize("route", list(hiding.HAND_HIDDEN), ids=str)
def test_a_layer_that_is_off_and_data_that_cannot_be_cleaned_rebuild_the_page(
        route: str, packet: BuiltPacket, poppler_text: str, raw: str, hand: tuple[bytes, dict[str, int]],
        pdfium_text: list[str]) -> None:
    number = hand[1][route]
    canary, why = hiding.HAND_HIDDEN[route]
    assert why in _rebuilt(packet, 2)[number]
    assert canary not in poppler_text
    assert not any(canary in text for text in pdfium_text)
    assert canary not in raw


@pytest.mark.parametrize("route", list(hiding.HAND_VECTOR), ids=str)
def test_marked_content_comments_and_unknown_operators_go_and_the_page_stays_vector(
        route: str, packet: BuiltPacket, path: Path, poppler_text: str, raw: str,
        hand: tuple[bytes, dict[str, int]], pdfium_text: list[str]) -> None:
    number = hand[1][route]
    canary, shown = hiding.HAND_VECTOR[route]
    assert number not in _rebuilt(packet, 2)
    at = _record_page(packet, 2, number)
    assert shown in text_of(path, packet.password, at) and shown in pdfium_text[at - 1]
    assert canary not in poppler_text
    assert not any(canary in text for text in pdfium_text)
    assert canary not in raw


def _drawing_streams(pdf: bytes) -> str:
    """Every content stream of the file (pages' and forms'), decompressed: a 3-letter operator could turn up by
    chance in compressed pixels or font programs."""
    reader = PdfReader(io.BytesIO(pdf))
    parts = [page.get_contents().get_data().decode("latin-1") for page in reader.pages]
    for number in sorted(n for table in reader.xref.values() for n in table):
        found = reader.get_object(number)
        if isinstance(found, StreamObject) and found.get("/Subtype") == "/Form":
            parts.append(found.get_data().decode("latin-1"))
    return "\n".join(parts)


def test_no_optional_content_structure_reaches_the_packet(decrypted: bytes, raw: str) -> None:
    for marker in ("/OCProperties", "/OCMD", hiding.LAYER_NAME, hiding.ON_LAYER_NAME, "/Properties"):
        assert marker not in raw, marker
    drawn = _drawing_streams(decrypted)
    assert drawn and "Tj" in drawn
    for marker in ("BDC", "BMC", "EMC", "/OC", "/Span"):
        assert marker not in drawn, marker
    reader = PdfReader(io.BytesIO(decrypted))
    objects = [reader.get_object(n) for table in reader.xref.values() for n in table]
    assert not any(isinstance(o, DictionaryObject) and ("/OC" in o or o.get("/Type") in ("/OCG", "/OCMD"))
                   for o in objects)


def test_ordinary_pages_are_not_rebuilt_and_keep_their_text(packet: BuiltPacket, path: Path) -> None:
    assert _rebuilt(packet, 3) == {}
    pages = packet.record_pages[2]
    text = text_of(path, packet.password, pages.first, pages.last)
    for expected in ("Crossing history, page 4", "Port Date Officer", "Lacolle 2025-03-02 M. Roy",
                     "Underlined remark", "Footnote in six-point type", "ref 10-19"):
        assert expected in text


def test_an_ordinary_multi_page_text_record_is_rebuilt_on_no_page() -> None:
    from bench.packet import record_pdf

    built = build_packet(ready(), [PacketRecord(record_pdf(30), title="TECS crossing history")], SETTINGS, 1)
    assert built.rebuilt == ()


def test_nothing_hidden_is_in_the_images_pdfimages_extracts(folder: Path, path: Path, packet: BuiltPacket) -> None:
    out = folder / "images"
    out.mkdir()
    done = subprocess.run(["pdfimages", "-all", "-upw", packet.password, str(path), str(out / "img")],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    files = list(out.iterdir())
    assert files
    for found in files:
        data = found.read_bytes()
        assert not any(c.encode() in data for c in ALL_HIDDEN), found.name


def _jpeg_segments(data: bytes) -> list[int]:
    """The markers of a JPEG's segments up to its first scan, read here byte by byte."""
    markers, at = [], 2
    while at < len(data) and data[at] == 0xFF:
        marker = data[at + 1]
        markers.append(marker)
        if marker == 0xDA:
            break
        at += 2 + int.from_bytes(data[at + 2:at + 4], "big")
    return markers


def _extracted_jpegs(tmp_path: Path, pdf_path: Path, password: str) -> list[bytes]:
    done = subprocess.run(["pdfimages", "-all", "-upw", password, str(pdf_path), str(tmp_path / "img")],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return [p.read_bytes() for p in sorted(tmp_path.glob("img-*.jpg"))]


def test_a_jpeg_record_comes_out_without_exif_xmp_or_comment_same_pixels(tmp_path: Path) -> None:
    original = hiding.jpeg_with_metadata()
    with Image.open(io.BytesIO(original)) as source:
        assert source.getexif().get(0x013B) == hiding.EXIF_ARTIST and 0x8825 in source.getexif()  # it has them
        source_pixels = source.convert("RGB").tobytes()
    document = ingest("photo.jpg", original)
    built = build_packet(ready(), [PacketRecord(document.pdf, title="Photo")], SETTINGS, 1)
    path = write(tmp_path, built)
    jpegs = _extracted_jpegs(tmp_path, path, built.password)
    assert len(jpegs) == 1
    jpeg = jpegs[0]
    assert not any(c.encode() in jpeg for c in hiding.IMAGE_CANARIES)
    assert not {0xE1, 0xE2, 0xED, 0xFE} & set(_jpeg_segments(jpeg))  # no EXIF/XMP, ICC, Photoshop IRB, comment
    with Image.open(io.BytesIO(jpeg)) as out:
        assert out.size == hiding.JPEG_SIZE and not out.getexif() and "comment" not in out.info
        assert out.convert("RGB").tobytes() == source_pixels  # the same compressed pixels: not re-encoded
    assert original[original.index(b"\xff\xda"):] == jpeg[jpeg.index(b"\xff\xda"):]


def test_a_jpeg_drawn_on_a_vector_page_loses_its_metadata_and_the_page_stays_vector(tmp_path: Path) -> None:
    record = hiding.jpeg_on_a_page()
    assert hiding.EXIF_ARTIST.encode() in record  # reportlab embedded the file as it is
    built = build_packet(ready(), [PacketRecord(record, title="Photo on a page")], SETTINGS, 1)
    assert built.rebuilt == ()
    path = write(tmp_path, built)
    assert hiding.KEPT_TEXT in text_of(path, built.password)
    jpegs = _extracted_jpegs(tmp_path, path, built.password)
    assert len(jpegs) == 1 and not any(c.encode() in jpegs[0] for c in hiding.IMAGE_CANARIES)
    with Image.open(io.BytesIO(jpegs[0])) as out:
        assert out.size == hiding.JPEG_SIZE and not out.getexif()


@pytest.mark.parametrize(("name", "data", "canary"), [
    ("scan.png", hiding.png_with_text(), hiding.PNG_TEXT),
    ("scan.tif", hiding.tiff_with_tags(), hiding.TIFF_TEXT),
], ids=["png text chunks", "tiff tags"])
def test_png_and_tiff_records_go_out_as_pixels_only(tmp_path: Path, name: str, data: bytes, canary: str) -> None:
    assert canary.encode() in data
    document = ingest(name, data)
    built = build_packet(ready(), [PacketRecord(document.pdf, title="Scan")], SETTINGS, 1)
    path = write(tmp_path, built)
    plain = tmp_path / "plain.pdf"
    subprocess.run(["qpdf", "--decrypt", f"--password={built.password}", str(path), str(plain)], check=True,
                   timeout=30)
    assert canary not in raw_contents(plain.read_bytes())
    out = tmp_path / "images"
    out.mkdir()
    subprocess.run(["pdfimages", "-all", "-upw", built.password, str(path), str(out / "img")], check=True,
                   timeout=60)
    for found in out.iterdir():
        assert canary.encode() not in found.read_bytes()
        with Image.open(found) as image:
            assert image.size == hiding.JPEG_SIZE


@pytest.mark.parametrize(("draw", "why"), [
    (hiding.image_past_edge, "an image reaches past the edge of the page"),
    (hiding.cropped_image, "an image is partly cut away (cropped by a clipping path)"),
    (hiding.boxed_photo, "an image partly covered by a box or image drawn over it"),
], ids=["past the edge", "cropped by a clip", "a box over a photo"])
def test_an_image_with_a_part_no_one_sees_is_rebuilt(draw: hiding.Draw, why: str) -> None:
    route = hiding.Route("an image with a part no one sees", "", draw)
    built = build_packet(ready(), [PacketRecord(hiding.record([route]), title="Picture")], SETTINGS, 1)
    assert len(built.rebuilt) == 1 and why in built.rebuilt[0].reasons[0]


def _turned_and_cropped(route: hiding.Route) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(hiding.record([route, route]))))
    writer.pages[0].rotate(90)
    writer.pages[1].cropbox = RectangleObject((40, 60, 580, 760))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_a_rebuilt_turned_or_cropped_page_has_the_size_and_place_it_would_have_had(tmp_path: Path) -> None:
    hiding_route = next(r for r in hiding.ROUTES if r.name == "render mode 3 (invisible)")
    plain_route = hiding.Route("nothing hidden", "", lambda c, canary: None)
    built = {}
    for name, route in (("hiding", hiding_route), ("plain", plain_route)):
        packet = build_packet(ready(), [PacketRecord(_turned_and_cropped(route), title="Turned")], SETTINGS, 1)
        built[name] = packet
        assert len(packet.rebuilt) == (2 if name == "hiding" else 0)
    sizes = {}
    for name, packet in built.items():
        document = pdfium.PdfDocument(packet.encrypted_pdf, password=packet.password)
        first = packet.record_pages[0].first
        sizes[name] = [tuple(round(v, 1) for v in document[first - 1 + i].get_size()) for i in range(2)]
        document.close()
    assert sizes["hiding"] == sizes["plain"]
    looks = {name: _rendered(tmp_path / name, packet) for name, packet in built.items()}
    for rebuilt, vector in zip(looks["hiding"], looks["plain"], strict=True):
        difference = ImageChops.difference(rebuilt, vector)
        mean = sum(i * n for i, n in enumerate(difference.histogram())) / (difference.width * difference.height)
        assert mean < 1.0  # the same page in the same place: only anti-aliasing differs (150 dpi image, vector)


def _rendered(folder: Path, packet: BuiltPacket) -> list[Image.Image]:
    """The record's pages as poppler renders them, gray, 36 dpi."""
    folder.mkdir()
    path = write(folder, packet)
    first, last = packet.record_pages[0].first, packet.record_pages[0].last
    subprocess.run(["pdftoppm", "-r", "36", "-gray", "-f", str(first), "-l", str(last), "-upw", packet.password,
                    str(path), str(folder / "p")], check=True, timeout=60)
    return [Image.open(p).convert("L") for p in sorted(folder.glob("p-*.pgm"))]


def test_a_jpeg_2000_drawn_on_a_vector_page_loses_its_metadata_boxes(tmp_path: Path) -> None:
    record = hiding.jpx_on_a_page()
    assert hiding.JPX_CANARY.encode() in record
    built = build_packet(ready(), [PacketRecord(record, title="JPEG 2000 on a page")], SETTINGS, 1)
    assert built.rebuilt == ()
    path = write(tmp_path, built)
    assert hiding.KEPT_TEXT in text_of(path, built.password)
    done = subprocess.run(["pdfimages", "-all", "-upw", built.password, str(path), str(tmp_path / "img")],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    extracted = sorted(tmp_path.glob("img-*.jp2"))
    assert len(extracted) == 1 and hiding.JPX_CANARY.encode() not in extracted[0].read_bytes()
    with Image.open(extracted[0]) as out:
        assert out.size == hiding.JPEG_SIZE
