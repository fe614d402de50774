"""App. A cover letters, as a reader of the packet sees them (pdftotext), one per basis (§10.1, fn 30)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from desktop.packets.model import BuiltPacket
from desktop.packets.texts import Contents, contents_for, letter_blocks
from desktop.requests import Request
from desktop.requests.model import Basis
from tests.packets.helpers import SETTINGS, build, ready, scenario, text_of, with_basis, write

ASSURANCES = (
    "be held in confidence and not be further disclosed",
    "be safeguarded to prevent unauthorized access or use",
    "only be used for the purpose for which CBP provided the information",
)
REDACTION = "Information was redacted from the printouts provided to protect the identities of law enforcement officers"
CHAPTERS = "held in confidence and used only for governmental purposes"
OTHER_CASES = "objectives set forth in subsection 1628(a)"
USMCA = "United States-Mexico-Canada Agreement"


def letter_text(tmp_path: Path, request: Request, redacted: bool = False) -> str:
    packet = build(request, redacted=redacted)
    return front_text(tmp_path, packet)


def front_text(tmp_path: Path, packet: BuiltPacket) -> str:
    first_record_page = packet.record_pages[0].first
    return text_of(write(tmp_path, packet), packet.password, 1, first_record_page - 1)


def test_1628_letter(tmp_path: Path) -> None:
    text = letter_text(tmp_path, with_basis(ready(), Basis.AD_HOC_1628))
    assert "This data is being provided pursuant to 19 U.S.C. Section 1628 to support the law enforcement" in text
    assert "subject to the restrictions, mandated by 19 U.S.C. Section 1628" in text
    assert "or the Government of Canada must intercede on CBP's behalf" in text
    assert "cc: Office of Assistant Commissioner (International Affairs)" in text
    assert "Subject: Foreign Disclosure Request OTT-2026-0142" in text


def test_usmca_letter_for_chapters_2_4_5_says_governmental_purposes() -> None:
    request = scenario("02")
    assert request.basis is Basis.USMCA and 5 in request.usmca_chapters
    text = " ".join(b.text for b in letter_blocks(request, SETTINGS, _contents()))
    assert f"pursuant to the {USMCA}." in text
    assert CHAPTERS in text and OTHER_CASES not in text
    assert "the Government of Mexico must intercede" in text


def test_usmca_letters_in_the_packet_with_and_without_the_chapters_sentence(tmp_path: Path) -> None:
    within = letter_text(tmp_path, with_basis(ready(), Basis.USMCA, USMCA, (2,)))
    assert CHAPTERS in within and OTHER_CASES not in within
    outside = letter_text(tmp_path, with_basis(ready(), Basis.USMCA, USMCA, (19,)))
    assert OTHER_CASES in outside and CHAPTERS not in outside
    not_usmca_country = letter_text(tmp_path, with_basis(ready(), Basis.USMCA, USMCA, (4,), country="GB"))
    assert OTHER_CASES in not_usmca_country and CHAPTERS not in not_usmca_country


def test_mlat_letter_goes_to_doj_office_of_international_affairs(tmp_path: Path) -> None:
    request = scenario("07")
    assert request.basis is Basis.MLAT
    text = letter_text(tmp_path, request)
    assert "Office of International Affairs Criminal Division U.S. Department of Justice Washington, DC" in text
    assert "Re: MLAT Foreign Disclosure Request OTT-2026-0142" in text
    assert "provided to the U.S. Department of Justice, Office of International Affairs (OIA) to support" in text
    assert "OIA, as the Central Authority pursuant to the Mutual Legal Assistance Treaty between the United " \
           "States and Canada is authorized to release this information to the appropriate Canada authorities" in text
    assert "in conformity with the provisions of the Treaty between the United States and Canada on Mutual " \
           "Legal Assistance in Criminal Matters" in text
    assert "Inspector Marie-Claude Fortin" not in text  # the letter is addressed to DOJ, not to the requester


def test_cmaa_letter(tmp_path: Path) -> None:
    request = ready()
    assert request.basis is Basis.CMAA
    text = letter_text(tmp_path, request)
    assert "Re: CMAA Foreign Disclosure Request OTT-2026-0142" in text
    assert 'Customs Administrations (the "CMAA")' in text
    assert "under the laws of Canada in connection with a criminal prosecution" in text
    assert "in order to support the customs and law enforcement activities of your agency, specifically " \
           "Investigation CI-2026-3381" in text


@pytest.mark.parametrize("basis", list(Basis))
def test_every_letter_carries_the_three_assurances_and_the_contents(basis: Basis) -> None:
    request = with_basis(ready(), basis, "United States-Mexico-Canada Agreement", (5,))
    text = " ".join(" ".join(b.text.split()) for b in letter_blocks(request, SETTINGS, _contents()))
    for assurance in ASSURANCES:
        assert assurance in text
    assert "2 pages of records: TECS crossings (2 pages), Bates-numbered OTT000001 through OTT000002." in text
    assert "$" not in text and "[" not in text


def test_redaction_paragraph_only_when_the_packet_has_redactions(tmp_path: Path) -> None:
    assert REDACTION in letter_text(tmp_path, ready(), redacted=True)
    assert REDACTION not in letter_text(tmp_path, ready(), redacted=False)


def test_letter_names_the_official_and_the_post(tmp_path: Path) -> None:
    text = letter_text(tmp_path, ready())
    assert "Sincerely, Laura Benitez CBP Attaché Office, Ottawa U.S. Customs and Border Protection" in text
    assert "November 20, 2026" in text and "dated November 2, 2026" in text


def test_names_in_any_latin_script_survive(tmp_path: Path) -> None:
    request = scenario("02")
    official = request.disclosing_official
    assert official is not None
    request = replace(request, disclosing_official=replace(official, name="Łukasz Ñúñez-Øberg"))
    text = letter_text(tmp_path, request)
    assert "Agencia Nacional de Aduanas de México, Dirección de Investigación Aduanera" in text
    assert "Łukasz Ñúñez-Øberg" in text


def _contents() -> Contents:
    return contents_for([("TECS crossings", 2)], SETTINGS, 1, redacted=False, pii=True)
