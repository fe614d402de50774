"""App. B markings on every record page, the LES line (§9.2), fn 28, Bates numbers, and the coversheet (SPEC P1)."""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path

import pypdfium2 as pdfium
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

from desktop.packets.builder import build_packet
from desktop.packets.model import BuiltPacket, PacketRecord
from desktop.requests import Request
from desktop.requests.model import Basis, DataCategory
from tests.packets.helpers import (
    SETTINGS,
    build,
    ready,
    record_pdf,
    state_leaking_pdf,
    text_of,
    with_basis,
    with_les,
    write,
)

SAMPLE_1 = "has been provided by U.S. Customs and Border Protection (CBP) strictly for use in connection with"
SAMPLE_2 = "has been provided by U.S. Customs and Border Protection (CBP) under the terms of the Agreement between"
LES_LINE = "For Official Use Only - Law Enforcement Sensitive"
LEAD = "may be used only as a lead in the investigation"


def record_pages(tmp_path: Path, packet: BuiltPacket) -> list[str]:
    path = write(tmp_path, packet)
    return [text_of(path, packet.password, n) for n in range(packet.record_pages[0].first, packet.page_count + 1)]


def marked(tmp_path: Path, request: Request, pages: int = 2) -> list[str]:
    return record_pages(tmp_path, build(request, pages=pages))


def test_sample_1_without_an_agreement(tmp_path: Path) -> None:
    for page in marked(tmp_path, with_basis(ready(), Basis.AD_HOC_1628)):
        assert SAMPLE_1 + " the request of Canada Border Services Agency" in page
        assert "(CBP reference OTT-2026-0142): Investigation CI-2026-3381" in page
        assert "may not be distributed outside of Canada Border Services Agency, Criminal Investigations " \
               "Division without the express written prior authorization from CBP" in page
        assert SAMPLE_2 not in page


def test_sample_2_names_the_agreement(tmp_path: Path) -> None:
    for page in marked(tmp_path, ready()):
        assert SAMPLE_2 + " the Government of the United States of America and the Government of Canada" in page
        assert SAMPLE_1 not in page
        assert "ineligible to receive further information from CBP" in page


def test_les_line_and_lead_restriction_on_every_page_when_les(tmp_path: Path) -> None:
    for page in marked(tmp_path, with_les(ready())):
        assert LES_LINE in page
        assert "This information is For Official Use Only/Law Enforcement Sensitive and has been" in page
        assert LEAD in page


def test_no_les_line_without_les(tmp_path: Path) -> None:
    for page in marked(tmp_path, ready()):
        assert LES_LINE not in page and "Law Enforcement Sensitive" not in page and LEAD not in page
        assert "This information is For Official Use Only and has been" in page


def test_intelligence_products_are_marked_les_too(tmp_path: Path) -> None:
    request = replace(ready(), data_categories=(DataCategory.INTELLIGENCE_PRODUCT,))
    assert all(LES_LINE in page for page in marked(tmp_path, request, pages=1))


def test_no_lead_restriction_for_a_judicial_proceeding(tmp_path: Path) -> None:
    request = replace(with_les(ready()), foreign_judicial_proceeding=True)
    for page in marked(tmp_path, request, pages=1):
        assert LES_LINE in page and LEAD not in page


def test_bates_numbers_on_record_pages_only_and_continuous(tmp_path: Path) -> None:
    packet = build(ready(), pages=3, bates_first=41)
    assert (packet.bates_first_label, packet.bates_last_label) == ("OTT000041", "OTT000043")
    pages = record_pages(tmp_path, packet)
    assert [page.split()[-1] for page in pages] == ["OTT000041", "OTT000042", "OTT000043"]
    front = text_of(write(tmp_path, packet, "again.pdf"), packet.password, 1, packet.record_pages[0].first - 1)
    assert "OTT000041 through OTT000043" in front
    assert "OTT000041" not in front.replace("OTT000041 through", "")


def test_record_content_is_kept_whole_beside_the_marking(tmp_path: Path) -> None:
    pages = marked(tmp_path, with_les(ready()), pages=2)
    assert [("Record page 1" in pages[0]), ("Record page 2" in pages[1])] == [True, True]


def test_pages_sharing_or_splitting_their_content_are_copied_whole_and_nothing_is_left_over(tmp_path: Path) -> None:
    """Page 2 draws page 1's very content stream, page 3 has its content as an array, page 4 is rotated: each keeps
    what it shows, and every object in the packet is one something refers to (no former content written again)."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(record_pdf(4, "Shared"))))
    first, second, third, fourth = writer.pages
    second[NameObject("/Contents")] = first.raw_get("/Contents")
    third[NameObject("/Contents")] = ArrayObject([third.raw_get("/Contents")])
    fourth.rotate(90)
    out = io.BytesIO()
    writer.write(out)
    packet = build_packet(ready(), [PacketRecord(out.getvalue(), False, True, "Shared")], SETTINGS, 1)
    pages = record_pages(tmp_path, packet)
    assert [f"Shared page {n}" in text for n, text in zip((1, 1, 3, 4), pages, strict=True)] == [True] * 4
    reader = PdfReader(io.BytesIO(packet.encrypted_pdf))
    reader.decrypt(packet.password)
    stored = {(number, generation) for generation, table in reader.xref.items() for number in table}
    assert stored == reachable(reader.trailer)


def reachable(start: object) -> set[tuple[int, int]]:
    seen: set[tuple[int, int]] = set()
    pending = [start]
    while pending:
        item = pending.pop()
        if isinstance(item, IndirectObject):
            if (item.idnum, item.generation) not in seen:
                seen.add((item.idnum, item.generation))
                pending.append(item.get_object())
        elif isinstance(item, DictionaryObject):
            pending.extend(item.values())
        elif isinstance(item, ArrayObject):
            pending.extend(item)
    return seen


def test_a_record_cannot_clip_or_hide_its_marking() -> None:
    """Graphics state a record leaves set, past a q ... Q around it, stays with the record: the band is drawn."""
    packet = build_packet(ready(), [PacketRecord(state_leaking_pdf(), False, True, "Leaky")], SETTINGS, 1)
    document = pdfium.PdfDocument(packet.encrypted_pdf, password=packet.password)
    try:
        image = document[packet.page_count - 1].render(scale=1).to_pil().convert("L")
    finally:
        document.close()
    band = image.crop((0, image.height - 60, image.width, image.height))
    assert band.getextrema()[0] < 64  # black text in the foot band (the marking and the Bates number)


def test_coversheet(tmp_path: Path) -> None:
    packet = build(ready(), pages=2, redacted=True, pii=True)
    cover = text_of(write(tmp_path, packet), packet.password, 1)
    assert cover.startswith("FOR OFFICIAL USE ONLY")
    assert "CONTAINS SENSITIVE PII" in cover
    assert "Request: OTT-2026-0142, dated November 2, 2026" in cover
    assert "From: CBP Attaché Office, Ottawa" in cover and "Date: November 20, 2026" in cover
    assert "1 record, 2 pages, Bates-numbered OTT000001 through OTT000002" in cover
    assert "Daniel R. Okafor" not in cover


def test_coversheet_without_pii_and_with_les(tmp_path: Path) -> None:
    packet = build(with_les(ready()), pii=False)
    cover = text_of(write(tmp_path, packet), packet.password, 1)
    assert "CONTAINS SENSITIVE PII" not in cover
    assert cover.startswith("FOR OFFICIAL USE ONLY - LAW ENFORCEMENT SENSITIVE")
