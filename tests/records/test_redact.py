"""SPEC D3: redaction is real. The output is read back with pdfium, poppler's pdftotext, pypdf object by object,
and qpdf; none of them may find what was under a box or anything the original carried besides its pages."""

from __future__ import annotations

import io
from pathlib import Path
from typing import cast

import pypdfium2 as pdfium
import pytest
from PIL import Image
from pypdf import PdfReader
from pypdf.generic import DictionaryObject
from reportlab.pdfgen.canvas import Canvas

from desktop.jobs import Cancelled, JobControl
from desktop.records import Box, RedactionError, page_words, redact, render_page
from tests.records.helpers import (
    ALL_CANARIES,
    KEEP,
    SECRETS,
    canary_pdf,
    pdftotext,
    qpdf_check,
    raw_contents,
    secret_box,
    shared_resources_pdf,
    simple_pdf,
)


@pytest.fixture(scope="module")
def original() -> bytes:
    return canary_pdf()


@pytest.fixture(scope="module")
def redacted(original: bytes) -> bytes:
    return redact(original, [Box(page, *secret_box(page), "9.1.2") for page in SECRETS])


def pdfium_text(pdf: bytes) -> list[str]:
    doc = pdfium.PdfDocument(pdf)
    try:
        return [doc[i].get_textpage().get_text_range() for i in range(len(doc))]
    finally:
        doc.close()


def test_the_original_really_carries_every_canary(original: bytes, tmp_path: Path) -> None:
    # Without this, the tests below could pass on a fixture that hides nothing.
    found = raw_contents(original)
    assert all(canary in found for canary in ALL_CANARIES)
    assert all(secret in pdftotext(original, tmp_path) for secret in SECRETS.values())


def test_no_reader_finds_a_canary(redacted: bytes, tmp_path: Path) -> None:
    texts = "\n".join(pdfium_text(redacted))
    poppler = pdftotext(redacted, tmp_path)
    raw = raw_contents(redacted)
    for canary in ALL_CANARIES:
        assert canary not in texts, f"pdfium finds {canary}"
        assert canary not in poppler, f"pdftotext finds {canary}"
        assert canary not in raw, f"a raw object or stream holds {canary}"


def test_pages_without_boxes_keep_their_text(redacted: bytes, tmp_path: Path) -> None:
    texts = pdfium_text(redacted)
    assert KEEP in pdftotext(redacted, tmp_path)
    assert KEEP in texts[1] and "Ordinary line on page 2" in texts[1]
    assert texts[0].strip() == "" and texts[2].strip() == ""  # redacted pages are images, nothing else


def test_redacted_pages_are_one_image_of_the_same_size(redacted: bytes) -> None:
    reader = PdfReader(io.BytesIO(redacted))
    assert len(reader.pages) == 3
    for number in SECRETS:
        page = reader.pages[number - 1]
        assert (float(page.mediabox.width), float(page.mediabox.height)) == (612, 792)
        resources = cast(DictionaryObject, page["/Resources"].get_object())
        assert list(resources) == ["/XObject"] and page.get_contents().get_data() == b"/Record Do"
        form = cast(DictionaryObject, resources["/XObject"]["/Record"].get_object())  # the page, as one form
        inner = cast(DictionaryObject, form["/Resources"])
        assert list(inner) == ["/XObject"]  # no font, nothing but the image
        assert [str(cast(DictionaryObject, x.get_object())["/Subtype"]) for x in inner["/XObject"].values()] == \
            ["/Image"]


def test_the_box_is_burned_in_black(original: bytes, redacted: bytes) -> None:
    image = render_page(redacted, 1, dpi=72).convert("L")
    x0, y0, x1, y1 = secret_box(1)
    inside = image.crop((int(x0) + 1, int(792 - y1) + 1, int(x1) - 1, int(792 - y0) - 1))
    assert inside.getextrema() == (0, 0)
    below = image.crop((72, 792 - 412, 250, 792 - 395))  # "Ordinary line on page 1" is still there, as pixels
    darkest, lightest = cast(tuple[int, int], below.getextrema())
    assert darkest < 100 and lightest == 255


def test_the_file_is_new_and_bare(redacted: bytes, tmp_path: Path) -> None:
    assert redacted.count(b"%%EOF") == 1
    reader = PdfReader(io.BytesIO(redacted))
    assert "/Prev" not in reader.trailer and "/Info" not in reader.trailer
    root = cast(DictionaryObject, reader.trailer["/Root"].get_object())
    for key in ("/Outlines", "/AcroForm", "/Names", "/OpenAction", "/Metadata"):
        assert key not in root
    for page in reader.pages:
        for key in ("/Annots", "/Thumb", "/PieceInfo", "/Metadata", "/AA"):
            assert key not in page
    everything = raw_contents(redacted)  # the random file /ID can read as text in any script: compared as text
    for token in ("/Outlines", "/Annots", "/AcroForm", "/EmbeddedFiles", "/JavaScript", "/OpenAction", "/Thumb",
                  "/Prev", "/Info"):
        assert token not in everything
    check = qpdf_check(redacted, tmp_path)
    assert check.returncode == 0, check.stdout + check.stderr


def test_an_image_shared_through_resources_does_not_travel_with_the_vector_page(tmp_path: Path) -> None:
    samples = b"CANARY-IMAGE-SAMPLES-0123456789"
    original = shared_resources_pdf(samples)
    assert samples.decode() in raw_contents(original)
    out = redact(original, [Box(2, 60, 480, 300, 530, "9.1.5")])
    assert samples.decode() not in raw_contents(out)
    assert "Page one text, kept" in pdftotext(out, tmp_path)
    assert qpdf_check(out, tmp_path).returncode == 0


def test_what_a_vector_page_draws_stays(tmp_path: Path) -> None:
    samples = b"CANARY-IMAGE-SAMPLES-0123456789"
    out = redact(shared_resources_pdf(samples), [Box(1, 60, 690, 300, 720, "9.1.7")])
    assert samples.decode() in raw_contents(out)  # page 2 draws it and has no box
    buffer = io.BytesIO()
    c = Canvas(buffer)
    c.beginForm("letterhead")
    c.drawString(72, 760, "Letterhead drawn from a form XObject")
    c.endForm()
    for page in (1, 2):
        c.doForm("letterhead")
        c.drawString(72, 500, f"Note on page {page}")
        c.showPage()
    c.save()
    out = redact(buffer.getvalue(), [Box(1, 60, 490, 400, 520, "9.1.7")])
    assert pdfium_text(out)[1].split() == "Letterhead drawn from a form XObject Note on page 2".split()
    assert qpdf_check(out, tmp_path).returncode == 0


def test_a_rotated_page_is_boxed_where_the_text_is() -> None:
    original = _rotated_pdf("CANARY-ROTATED")
    word = next(w for w in page_words(original, 1) if w.text == "CANARY-ROTATED")
    out = redact(original, [Box(1, *word.box, "9.1.3")])
    page = PdfReader(io.BytesIO(out)).pages[0]
    assert (float(page.mediabox.width), float(page.mediabox.height)) == (792, 612)  # as displayed
    before, after = render_page(original, 1, dpi=72).convert("L"), render_page(out, 1, dpi=72).convert("L")
    ink = Image.eval(before, lambda v: 255 if v < 128 else 0).getbbox()
    assert ink is not None and after.crop(ink).getextrema() == (0, 0)
    assert before.crop(ink).getextrema() != (0, 0)  # the text was there before, and was not a black block
    black = sum(after.histogram()[:10])
    assert black < 4 * (ink[2] - ink[0] + 6) * (ink[3] - ink[1] + 6)  # the box, not the page


def _rotated_pdf(text: str) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(simple_pdf([[(100, 500, text)]]))))
    writer.pages[0].rotate(90)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_text_left_elsewhere_is_refused() -> None:
    pdf = simple_pdf([[(72, 700, "A-123456789 lives here")], [(72, 700, "A-123456789 again")]])
    word = page_words(pdf, 1)[0]
    with pytest.raises(RedactionError, match="still appears on page 2"):
        redact(pdf, [Box(1, *word.box, "9.1.2")])
    words = [w for page in (1, 2) for w in page_words(pdf, page) if w.text == "A-123456789"]
    out = redact(pdf, [Box(w.page, *w.box, "9.1.2") for w in words])
    assert "A-123456789" not in "".join(pdfium_text(out))


@pytest.mark.parametrize(("box", "message"), [
    (Box(4, 10, 10, 20, 20, "9.1.1"), "page 4, but the record has 3 pages"),
    (Box(0, 10, 10, 20, 20, "9.1.1"), "page 0"),
    (Box(1, 10, 10, 20, 20, "9.2"), "must be one of 9.1.1"),
    (Box(1, 30, 10, 20, 20, "9.1.1"), "not a rectangle"),
    (Box(1, 10, 10, 20, float("nan"), "9.1.1"), "not a rectangle"),
    (Box(1, 500, 700, 700, 720, "9.1.1"), "reaches outside the page"),
])
def test_bad_boxes_are_refused_with_the_reason(original: bytes, box: Box, message: str) -> None:
    with pytest.raises(RedactionError, match=message):
        redact(original, [box])


def test_cancel_mid_redaction(original: bytes) -> None:
    seen: list[int] = []
    control = JobControl()

    def progress(done: int, total: int, label: str) -> None:
        seen.append(done)
        if done == 1:
            control.cancel()

    control.progress = progress
    with pytest.raises(Cancelled):
        redact(original, [Box(page, *secret_box(page), "9.1.2") for page in SECRETS], control=control)
    assert seen == [0, 1]


def test_progress_runs_to_the_end(original: bytes) -> None:
    steps: list[tuple[int, int]] = []
    redact(original, [Box(1, *secret_box(1), "9.1.2")], control=JobControl(lambda d, t, _: steps.append((d, t))))
    assert steps == [(0, 4), (1, 4), (2, 4), (3, 4), (4, 4)]


def test_no_boxes_still_gives_a_clean_copy(original: bytes) -> None:
    out = redact(original, [])
    assert "CANARY-INFO-TITLE" not in raw_contents(out) and KEEP in pdfium_text(out)[1]
