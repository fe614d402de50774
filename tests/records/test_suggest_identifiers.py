"""Issue 14 on text layers: the region's identifiers validated by python-stdnum and phonenumbers (a wrong check
digit still suggested and marked), dates of birth in English, Spanish and French, personnel names with or without
accents, and the request's subjects' own identifiers marked and not accepted by default (§9.1.2)."""

from __future__ import annotations

import pytest
from stdnum import luhn
from stdnum.mx import curp, rfc

from desktop.records import suggest
from desktop.records.model import Suggestion
from tests.records.helpers import simple_pdf

VALID_SIN = "123 456 782"
VALID_CURP = "BOXW310820HNERXN09"  # python-stdnum's own example
VALID_RFC = "GODE561231GR8"


def lines_pdf(lines: list[str]) -> bytes:
    return simple_pdf([[(72.0, 740.0 - 24 * i, text) for i, text in enumerate(lines)]])


def found(lines: list[str], personnel: list[str] | None = None, subjects: list[str] | None = None
          ) -> list[Suggestion]:
    return suggest(lines_pdf(lines), personnel or [], subjects=subjects or [])


def kinds(lines: list[str], personnel: list[str] | None = None) -> list[tuple[str, str, bool | None]]:
    return [(s.kind, s.text, s.checksum) for s in found(lines, personnel)]


def test_the_check_digits_the_tests_rely_on_are_what_the_libraries_say() -> None:
    assert luhn.is_valid(VALID_SIN.replace(" ", "")) and not luhn.is_valid("123456783")
    assert curp.is_valid(VALID_CURP) and not curp.is_valid(VALID_CURP[:-1] + "8")
    assert rfc.is_valid(VALID_RFC) and rfc.calc_check_digit(VALID_RFC[:-1]) == VALID_RFC[-1]


@pytest.mark.parametrize(("line", "kind", "value", "checksum"), [
    (f"NAS : {VALID_SIN}", "sin", VALID_SIN, True),
    ("SIN 123-456-783 (as typed by the officer)", "sin", "123-456-783", False),
    (f"Social insurance number {VALID_SIN.replace(' ', '')}", "sin", VALID_SIN.replace(" ", ""), True),
    (f"CURP: {VALID_CURP}", "curp", VALID_CURP, True),
    (f"CURP: {VALID_CURP[:-1]}8", "curp", VALID_CURP[:-1] + "8", False),
    (f"RFC {VALID_RFC}", "rfc", VALID_RFC, True),
    (f"RFC {VALID_RFC[:-1]}9", "rfc", VALID_RFC[:-1] + "9", False),
    ("ITIN 912-70-3456", "itin", "912-70-3456", None),
    ("SSN 536-90-4399", "ssn", "536-90-4399", None),
    ("Passport No. 912345678 (United States)", "passport", "912345678", None),
    ("Passeport : AB123456", "passport", "AB123456", None),
    ("Pasaporte número G12345678", "passport", "G12345678", None),
    ("Clave de elector GMCRRS85031209H800", "voter_key", "GMCRRS85031209H800", None),
    ("Tel. (55) 5123-4567 oficina", "phone", "(55) 5123-4567", None),
    ("Teléfono +52 55 1234 5678", "phone", "+52 55 1234 5678", None),
    ("Call 613.555.0147 after six", "phone", "613.555.0147", None),
    ("Correo: jose.nunez@example.com.mx", "email", "jose.nunez@example.com.mx", None),
])
def test_each_identifier_is_found_and_its_check_digit_marked(line: str, kind: str, value: str,
                                                             checksum: bool | None) -> None:
    assert kinds([line]) == [(kind, value, checksum)]


@pytest.mark.parametrize(("line", "value"), [
    ("Fecha de nacimiento: 12 de marzo de 1985", "12 de marzo de 1985"),
    ("Nacida el 5 de agosto de 1990 en Puebla", "5 de agosto de 1990"),
    ("Date de naissance : 3 avril 1979", "3 avril 1979"),
    ("Hélène Côté, née le 1er février 1980 à Montréal", "1er février 1980"),
    ("Subject DOB 03/14/79, arrived later", "03/14/79"),
    ("Date of birth: March 14, 1975", "March 14, 1975"),
])
def test_dates_of_birth_in_english_spanish_and_french(line: str, value: str) -> None:
    assert kinds([line]) == [("dob", value, None)]


def test_numbers_of_a_form_no_library_accepts_are_not_suggested() -> None:
    assert kinds(["Invoice 987654321 and order 12-34", "Ref 123 456 789 (no SIN: its Luhn digit is wrong)",
                  "Rapport du 3 avril 1979", "Lot ABCD123456XYZ", "Folio 55-1234"]) == []


@pytest.mark.parametrize("text", ["Ramón Núñez", "RAMON NUNEZ", "Núñez, Ramón", "Ramón J. Núñez", "Nunez, Ramon J."])
def test_a_listed_name_is_found_with_or_without_accents_case_and_middle_initial(text: str) -> None:
    assert kinds([f"Reviewed by {text} at the port"], ["Ramon Nunez"]) == [("personnel_name", text, None)]


def test_a_listed_name_with_a_middle_initial_finds_the_name_without_it_and_across_a_line_break() -> None:
    hits = found(["Reviewed by Jane", "Roe at the port"], ["Jane Q. Roe"])
    assert [(s.kind, s.text) for s in hits] == [("personnel_name", "Jane"), ("personnel_name", "Roe")]
    assert kinds(["Janet Roe and Jane Roesler are not her"], ["Jane Roe"]) == []


def test_the_subjects_own_identifiers_are_marked_and_not_accepted_by_default() -> None:
    lines = [f"Subject CURP {VALID_CURP}", "Companion CURP BADD110313HCMLNS06", "Subject passport G12345678"]
    hits = found(lines, subjects=["Ana Ruiz", VALID_CURP, "Passport G-1234-5678"])
    own = {s.text: s.subject_own for s in hits}
    assert own == {VALID_CURP: True, "BADD110313HCMLNS06": False, "G12345678": True}
    assert [s.accepted_by_default for s in hits] == [not own[s.text] for s in hits]


def test_a_listed_name_that_is_also_a_subject_is_the_subjects_own() -> None:
    hits = found(["Witness Ramón Núñez signed"], ["Ramon Nunez"], subjects=["RAMÓN NÚÑEZ"])
    assert [(s.kind, s.subject_own) for s in hits] == [("personnel_name", True)]


def test_text_layer_suggestions_say_so() -> None:
    assert {s.source for s in found([f"NAS {VALID_SIN}", "SSN 536-90-4399"])} == {"text"}


@pytest.mark.parametrize(("text", "found_by_ocr"), [
    ("Vérifié par Héléne Cété", "Héléne Cété"),  # ô read as é: folding accents cannot bring the o back
    ("Cété, Héléne (agent)", "Cété, Héléne"),
    ("Hélène J. Côte", "Hélène J. Côte"),
])
def test_a_name_misread_by_one_letter_is_found_on_ocr_text_only(text: str, found_by_ocr: str) -> None:
    from desktop.records.names import find_names

    assert [text[s:e] for s, e in find_names(text, ["Hélène Côté"], misread=True)] == [found_by_ocr]
    exact = [text[s:e] for s, e in find_names(text, ["Hélène Côté"])]
    assert exact in ([], [found_by_ocr]), "a text layer is matched exactly (accents and case aside)"
    assert list(find_names("Jane Rae and Janet Roe", ["Jane Roe"], misread=True)) == [], "short parts stay exact"
