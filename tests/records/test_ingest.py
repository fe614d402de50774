"""SPEC D1: records come in as PDF, PNG/JPEG/TIFF or text, by their bytes; bad files are refused with a reason."""

from __future__ import annotations

import hashlib
import io
import random
from typing import cast

import pytest
from pypdf import PdfReader, PdfWriter
from pypdf.generic import DictionaryObject, StreamObject

from desktop.jobs import Cancelled, JobControl
from desktop.records import Limits, RecordRefused, ingest, page_words
from tests.records.helpers import image_bytes, jpeg_header, png_header, simple_pdf, tiff_header

THREE_PAGES = simple_pdf([[(72, 700, f"Page {n}")] for n in (1, 2, 3)])


def refused(name: str, data: bytes, limits: Limits | None = None) -> str:
    with pytest.raises(RecordRefused) as caught:
        ingest(name, data, limits or Limits())
    message = str(caught.value)
    assert message.startswith(name) and ";" in message  # what is wrong; what to do
    return message


def encrypted(user: str, owner: str) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(THREE_PAGES)))
    writer.encrypt(user_password=user, owner_password=owner, algorithm="AES-256")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_a_pdf_comes_in_as_it_is() -> None:
    document = ingest("crossings.pdf", THREE_PAGES)
    assert document.pdf == THREE_PAGES and document.media_type == "application/pdf" and document.page_count == 3
    assert document.sha256 == hashlib.sha256(THREE_PAGES).hexdigest()
    assert [(p.number, p.width_pt, p.height_pt, p.has_text) for p in document.pages] == [
        (n, 612.0, 792.0, True) for n in (1, 2, 3)]


@pytest.mark.parametrize("name, data, refusal", [
    ("locked.pdf", None, "password-protected"),
    ("cut.pdf", THREE_PAGES[: len(THREE_PAGES) // 2], "damaged PDF"),
    ("broken.pdf", b"%PDF-1.7\n1 0 obj << /Type /Catalog >> garbage\n%%EOF\n", "damaged PDF"),
])
def test_without_page_facts_every_check_is_still_made(name: str, data: bytes | None, refusal: str) -> None:
    document = ingest("crossings.pdf", THREE_PAGES, page_facts=False)
    assert (document.pdf, document.page_count, document.pages) == (THREE_PAGES, 3, ())
    with pytest.raises(RecordRefused, match=refusal):
        ingest(name, data or encrypted("secret", "secret"), page_facts=False)


def test_the_type_comes_from_the_bytes_not_the_name() -> None:
    assert ingest("notes.txt", THREE_PAGES).media_type == "application/pdf"
    assert ingest("scan.pdf", image_bytes("PNG")).media_type == "image/png"
    assert "named like a PDF but is not one" in refused("scan.pdf", b"\x00\x01\x02 binary junk \xff\xfe")


def test_a_scan_is_a_page_without_text() -> None:
    document = ingest("scan.png", image_bytes("PNG", (300, 150), dpi=150))
    assert document.page_count == 1 and document.media_type == "image/png"
    page = document.pages[0]
    assert not page.has_text and (page.width_pt, page.height_pt) == pytest.approx((144, 72), abs=0.1)  # 150 dpi
    assert page_words(document.pdf, 1) == []


def test_a_jpeg_is_embedded_without_re_encoding() -> None:
    data = image_bytes("JPEG")
    document = ingest("photo.jpg", data)
    assert document.media_type == "image/jpeg" and not document.pages[0].has_text
    resources = cast(DictionaryObject, PdfReader(io.BytesIO(document.pdf)).pages[0]["/Resources"].get_object())
    image = next(iter(cast(DictionaryObject, resources["/XObject"].get_object()).values())).get_object()
    assert isinstance(image, StreamObject)
    assert str(image["/Filter"]) in ("/DCTDecode", "['/DCTDecode']") and image._data == data  # the file's own bytes


def test_a_multi_page_tiff_is_one_page_per_frame() -> None:
    document = ingest("fax.tif", image_bytes("TIFF", (200, 260), frames=3))
    assert document.media_type == "image/tiff" and document.page_count == 3
    assert not any(p.has_text for p in document.pages)


def test_text_becomes_wrapped_monospaced_pages() -> None:
    long_line = " ".join(f"word{n}" for n in range(60))
    text = "Subject: Ana María Núñez\n" + long_line + "\n" + "\n".join(f"line {n}" for n in range(120))  # 123 lines
    document = ingest("notes.txt", text.encode("utf-8"))
    assert document.media_type == "text/plain" and document.page_count == 3 and document.pages[0].has_text
    words = [w.text for w in page_words(document.pdf, 1)]
    assert words[:3] == ["Subject:", "Ana", "María"] and "word59" in words
    right_edges = [w.box[2] for w in page_words(document.pdf, 1)]
    assert max(right_edges) <= 612 - 54 + 1  # wrapped inside the margin
    assert b"Courier" in document.pdf


def test_text_beyond_latin_is_kept_in_a_unicode_font() -> None:
    document = ingest("names.txt", "Владимир Петров\n".encode())
    assert [w.text for w in page_words(document.pdf, 1)] == ["Владимир", "Петров"]


def test_empty_file_is_refused() -> None:
    assert "is empty (0 bytes)" in refused("blank.pdf", b"")


def test_random_bytes_are_refused() -> None:
    noise = random.Random(4320).randbytes(4096)
    assert "is not a PDF, a PNG, JPEG or TIFF image, or UTF-8 text" in refused("upload.bin", noise)


def test_utf16_text_is_refused_with_the_fix() -> None:
    assert "save it again as UTF-8" in refused("notes.txt", "hello".encode("utf-16"))


def test_over_the_size_limit_is_refused() -> None:
    assert "over the 1,000-byte limit" in refused("big.pdf", THREE_PAGES, Limits(max_bytes=1000))


def test_too_many_pages_is_refused() -> None:
    small = Limits(max_pages=2)
    assert "has 3 pages, more than the 2" in refused("long.pdf", THREE_PAGES, small)
    assert "3 pages (frames)" in refused("fax.tif", image_bytes("TIFF", (50, 50), frames=3), small)
    assert "would make 3 pages" in refused("long.txt", ("x\n" * 150).encode(), small)


def test_a_truncated_pdf_is_refused() -> None:
    assert "damaged PDF" in refused("cut.pdf", THREE_PAGES[: len(THREE_PAGES) // 2])


def test_a_pdf_pdfium_cannot_read_is_refused() -> None:
    assert "damaged PDF" in refused("broken.pdf", b"%PDF-1.7\n1 0 obj << /Type /Catalog >> garbage\n%%EOF\n")


def test_a_pdf_without_pages_is_refused() -> None:
    out = io.BytesIO()
    PdfWriter().write(out)
    assert "damaged PDF" in refused("empty.pdf", out.getvalue())


@pytest.mark.parametrize(("user", "owner"), [("secret", "secret"), ("", "owner-only")])
def test_an_encrypted_pdf_is_refused(user: str, owner: str) -> None:
    assert "password-protected or encrypted; remove the password" in refused("scan.pdf", encrypted(user, owner))


@pytest.mark.parametrize(("name", "data"), [
    ("bomb.png", png_header(60_000, 60_000)),
    ("bomb.jpg", jpeg_header(60_000, 60_000)),
    ("bomb.tif", tiff_header(60_000, 60_000)),
])
def test_a_decompression_bomb_is_refused_from_its_header(name: str, data: bytes,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    assert len(data) < 200
    from PIL import Image

    def no_decoding(self: Image.Image) -> None:
        raise AssertionError("the image was decoded")

    monkeypatch.setattr(Image.Image, "load", no_decoding)
    message = refused(name, data)
    assert "60,000 x 60,000 pixels" in message or "exceeds limit" in message


def test_a_bomb_under_pillows_own_limit_is_still_refused() -> None:
    assert "8,000 x 8,000 pixels" in refused("big.png", png_header(8_000, 8_000), Limits(max_image_pixels=50_000_000))


def test_a_damaged_image_is_refused() -> None:
    data = image_bytes("PNG", (400, 400))
    assert "damaged or incomplete image" in refused("cut.png", data[: len(data) // 2])


def test_cancel_while_checking_pages() -> None:
    control = JobControl()
    control.progress = lambda done, total, label: control.cancel() if done == 1 else None
    with pytest.raises(Cancelled):
        ingest("crossings.pdf", THREE_PAGES, control=control)


def test_a_rotated_page_reports_its_displayed_size() -> None:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(THREE_PAGES)))
    writer.pages[0].rotate(90)
    out = io.BytesIO()
    writer.write(out)
    page = ingest("turned.pdf", out.getvalue()).pages[0]
    assert (page.width_pt, page.height_pt) == (792.0, 612.0)
