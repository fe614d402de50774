"""The pieces of issue 13 on their own (SPEC D3, §9.1): what pdfium finds that cannot be seen on a page, content
streams read and written again with only what draws, optional content in the default view, image metadata cut out
losslessly, and redact() rebuilding what hides something while ordinary pages stay vector."""

from __future__ import annotations

import io
import struct

import pypdfium2 as pdfium
import pytest
from PIL import Image
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject, TextStringObject

from desktop.records import content, images, redact
from desktop.records.optional import Layers
from desktop.records.visibility import (
    COVERED_KIND,
    INVISIBLE,
    OUTSIDE,
    TINY,
    UNSEEN,
    covered_suggestions,
    hidden_on_page,
)
from tests.packets import hiding
from tests.records.helpers import pdftotext, raw_contents


def hidden(pdf: bytes, number: int = 1):  # type: ignore[no-untyped-def]
    document = pdfium.PdfDocument(pdf)
    try:
        page = document[number - 1]
        try:
            return hidden_on_page(page)
        finally:
            page.close()
    finally:
        document.close()


def one(route_name: str) -> bytes:
    return hiding.record([next(r for r in hiding.ROUTES if r.name == route_name)])


@pytest.mark.parametrize(("name", "why"), [
    ("render mode 3 (invisible)", INVISIBLE),
    ("render mode 7 (clip only)", INVISIBLE),
    ("text right of the media box", OUTSIDE),
    ("text outside the crop box", OUTSIDE),
    ("text of 0.6 points", TINY),
    ("text scaled down by the CTM", TINY),
    ("text under a black box drawn over it", UNSEEN),
    ("white text on a white page", UNSEEN),
    ("text clipped away", UNSEEN),
    ("text with fill alpha 0", UNSEEN),
    ("text under a box inside a form XObject", UNSEEN),
])
def test_each_route_is_found_with_its_reason_and_only_its_text(name: str, why: str) -> None:
    route = next(r for r in hiding.ROUTES if r.name == name)
    found = hidden(one(name))
    assert found.runs == (route.canary,) and found.why == (why,)
    assert found.reasons() == (f"1 line of text that cannot be seen on the page ({why})",)


def test_an_ordinary_page_has_nothing_hidden() -> None:
    pdf = hiding.ordinary_record(5)
    for number in range(1, 6):
        assert not hidden(pdf, number), number


def test_a_box_over_text_is_a_suggestion_and_a_box_under_text_is_not() -> None:
    found = covered_suggestions(hiding.record([next(r for r in hiding.ROUTES if r.name.startswith("text under a "
                                                                                                   "black box")),
                                               next(r for r in hiding.ROUTES if r.name == "black on black"
                                                    or r.name == "black text on a black box")]))
    assert [(s.page, s.kind, s.text) for s in found] == [(1, COVERED_KIND, "CANARY-UNDER-BLACK-BOX")]
    x0, y0, x1, y1 = found[0].box
    assert x0 < 75 and y0 < 601 and x1 > 200 and y1 > 606


def test_content_is_written_again_with_only_what_draws() -> None:
    data = (b"q 1 0 0 1 0 0 cm % a comment (with a paren\n/Span <</ActualText (Other \\) words)>> BDC\n"
            b"BT /F1 12 Tf 72 700 Td [(Seen) -250 (text \\(kept\\))] TJ ET EMC\nBX 1 2 unknownop EX\n"
            b"/OC /L0 BDC 0 0 10 10 re f EMC <00ff> pop Q")
    assert content.worth_reading(data)
    written = content.cleaned(data)
    assert written == (b"q\n1 0 0 1 0 0 cm\nBT\n/F1 12 Tf\n72 700 Td\n[ (Seen) -250 (text \\(kept\\)) ] TJ\nET\n"
                       b"0 0 10 10 re\nf\nQ")
    assert not content.worth_reading(b"BT /F1 12 Tf (plain) Tj ET")


def test_an_inline_image_is_kept_byte_for_byte_and_its_filter_known() -> None:
    samples = bytes(range(256)) * 2
    data = b"q BI /W 16 /H 32 /BPC 8 /CS /G /F /DCT ID " + samples + b"\nEI Q"
    ops = list(content.operations(data))
    assert [op.operator for op in ops] == [b"q", b"BI", b"Q"] and ops[1].image == samples
    assert content.inline_filters(ops[1]) == {b"/DCTDecode"}
    assert samples in content.cleaned(data)


@pytest.mark.parametrize("broken", [b"BT (never closed Tj ET", b"[1 2 Tj]", b"q <<", b"BI /W 1 ID \x00\x01"])
def test_content_that_does_not_read_is_refused(broken: bytes) -> None:
    with pytest.raises(content.ContentError):
        content.cleaned(broken)


def _layered(default: DictionaryObject, oc: DictionaryObject) -> tuple[Layers, IndirectObject]:
    """A document with one layer, L, and its default configuration `default` ("OFF_LIST": [L]); returns its
    Layers and what content is marked with: L itself, or the membership dictionary `oc` ("GROUPS": [L],
    "GROUP": L)."""
    writer = PdfWriter()
    writer.add_blank_page(10, 10)
    group = writer._add_object(DictionaryObject({NameObject("/Type"): NameObject("/OCG"),
                                                 NameObject("/Name"): TextStringObject("L")}))
    named = {"OFF_LIST": ArrayObject([group]), "GROUPS": ArrayObject([group]), "GROUP": group}
    writer._root_object[NameObject("/OCProperties")] = DictionaryObject({
        NameObject("/OCGs"): ArrayObject([group]),
        NameObject("/D"): DictionaryObject({NameObject(k): _named(v, named) for k, v in default.items()})})
    marked = writer._add_object(DictionaryObject({NameObject(k): _named(v, named) for k, v in oc.items()})) \
        if oc else group
    out = io.BytesIO()
    writer.write(out)
    reader = PdfReader(io.BytesIO(out.getvalue()))
    return Layers(reader), IndirectObject(marked.idnum, 0, reader)


def _named(value: object, named: dict[str, object]) -> object:
    return named[value] if isinstance(value, str) and value in named else value


@pytest.mark.parametrize(("default", "oc", "visible"), [
    ({"/OFF": "OFF_LIST"}, {}, False),
    ({}, {}, True),
    ({"/BaseState": NameObject("/OFF")}, {}, False),
    ({"/OFF": "OFF_LIST"}, {"/Type": NameObject("/OCMD"), "/OCGs": "GROUPS", "/P": NameObject("/AnyOn")}, False),
    ({"/OFF": "OFF_LIST"}, {"/Type": NameObject("/OCMD"), "/OCGs": "GROUPS", "/P": NameObject("/AllOff")}, True),
    ({"/OFF": "OFF_LIST"}, {"/Type": NameObject("/OCMD"), "/OCGs": "GROUP"}, False),
    ({}, {"/Type": NameObject("/OCMD"), "/VE": ArrayObject([NameObject("/Not")])}, None),
    ({"/AS": ArrayObject()}, {}, None),
])
def test_layers_are_read_in_the_default_view(default: DictionaryObject, oc: DictionaryObject,
                                             visible: bool | None) -> None:
    layers, marked = _layered(DictionaryObject(default), DictionaryObject(oc))
    assert layers.visible(marked) is visible


def _jpeg_with(segments: list[bytes], trailer: bytes = b"") -> tuple[bytes, bytes]:
    out = io.BytesIO()
    Image.new("RGB", (24, 16), (10, 200, 30)).save(out, "JPEG", quality=90)
    plain = out.getvalue()
    extra = b"".join(b"\xff" + s[:1] + struct.pack(">H", len(s) + 1) + s[1:] for s in segments)
    return plain[:2] + extra + plain[2:] + trailer, plain


def test_jpeg_metadata_goes_and_the_pixels_stay() -> None:
    dirty, plain = _jpeg_with([b"\xe1Exif\x00\x00CANARY-EXIF", b"\xe2ICC_PROFILE\x00CANARY-ICC",
                               b"\xedPhotoshop 3.0\x00CANARY-IRB", b"\xfeCANARY-COMMENT",
                               b"\xeeAdobe\x00\x64\x00\x00\x00\x00\x01"], trailer=b"CANARY-AFTER-EOI")
    clean = images.clean_jpeg(dirty)
    assert b"CANARY" not in clean
    assert clean == plain[:2] + b"\xff\xee\x00\x0eAdobe\x00\x64\x00\x00\x00\x00\x01" + plain[2:]  # the rest as it was
    with Image.open(io.BytesIO(clean)) as out, Image.open(io.BytesIO(plain)) as source:
        assert out.tobytes() == source.tobytes()


def test_jpeg_2000_metadata_boxes_and_comments_go() -> None:
    def box(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I4s", 8 + len(body), kind) + body
    codestream = (b"\xff\x4f\xff\x51\x00\x06abcd" + b"\xff\x64" + struct.pack(">H", 2 + 14) + b"\x00\x01CANARY-COM"
                  b"\x00\x00" + b"\xff\x90\x00\x0atile-data")
    jp2 = box(b"jP  ", b"\r\n\x87\n") + box(b"ftyp", b"jp2 ") + box(b"xml ", b"<x>CANARY-XML</x>") \
        + box(b"jp2h", b"header") + box(b"uuid", b"0123456789abcdefCANARY-UUID") + box(b"jp2c", codestream)
    clean = images.clean_jpx(jp2)
    assert b"CANARY" not in clean and b"header" in clean and b"tile-data" in clean
    assert images.clean_jpx(codestream) == b"\xff\x4f\xff\x51\x00\x06abcd\xff\x90\x00\x0atile-data"
    with pytest.raises(images.ImageDataError):
        images.clean_jpeg(b"\xff\xd8\xff\xe1\x00")


def test_redact_rebuilds_the_hiding_page_and_keeps_the_ordinary_one_vector(tmp_path) -> None:  # type: ignore[no-untyped-def]
    pdf = hiding.record([next(r for r in hiding.ROUTES if r.name == "white text on a white page")])
    merged = PdfWriter()
    for source in (pdf, hiding.ordinary_record(1)):
        for page in PdfReader(io.BytesIO(source)).pages:
            merged.add_page(page)
    out = io.BytesIO()
    merged.write(out)
    result = redact(out.getvalue(), [])
    text = pdftotext(result, tmp_path)
    assert "CANARY-WHITE-ON-WHITE" not in text and "CANARY-WHITE-ON-WHITE" not in raw_contents(result)
    assert "Seen on every route page" not in text and "Crossing history, page 1" in text


def test_a_page_whose_content_does_not_read_is_rebuilt(tmp_path) -> None:  # type: ignore[no-untyped-def]
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(hiding.ordinary_record(1))))
    page = writer.pages[0]
    from pypdf.generic import DecodedStreamObject

    stream = DecodedStreamObject()
    stream.set_data(page.get_contents().get_data() + b"\n% CANARY-AFTER-A-COMMENT\nBT (unclosed Tj ET")
    page[NameObject("/Contents")] = writer._add_object(stream)
    buffer = io.BytesIO()
    writer.write(buffer)
    result = redact(buffer.getvalue(), [])
    assert "CANARY-AFTER-A-COMMENT" not in raw_contents(result) and not pdftotext(result, tmp_path).strip()
