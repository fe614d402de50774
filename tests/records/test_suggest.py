"""SPEC D2: suggestions from the page text, each with a box over what was found and its §9.1 ground."""

from __future__ import annotations

import pytest
from reportlab.pdfbase.pdfmetrics import stringWidth

from desktop.records import REASONS, Suggestion, ingest, suggest
from tests.records.helpers import FONT, SIZE, image_bytes, simple_pdf

# (kind, reason, label before the value, value); one a line, so each value's position is known exactly.
FINDINGS = [
    ("ssn", "9.1.2", "SSN: ", "123-45-6789"),
    ("a_number", "9.1.2", "Alien registration ", "A-201-555-013"),
    ("a_number", "9.1.2", "File ", "A12345678"),
    ("dob", "9.1.2", "DOB: ", "03/14/1975"),
    ("dob", "9.1.2", "She was born on ", "14 March 1975"),
    ("email", "9.1.2", "Contact ", "ana.nunez@example.mx"),
    ("email", "9.1.1", "Officer mail ", "j.smith@cbp.dhs.gov"),
    ("phone", "9.1.2", "Phone ", "(613) 555-0142"),
    ("phone", "9.1.2", "Mobile ", "+52 55 1234 5678"),
    ("system_code", "9.1.3", "TECS screen: ", "QRY42B"),
    ("system_code", "9.1.3", "SEACATS case ", "2024-2704-000123-01"),
    ("personnel_name", "9.1.1", "Inspected by CBPO ", "JOHN SMITH"),
]
NOISE = [  # look like findings, are not
    "Report date 01/02/2024 for the port of entry",
    "Born in Toronto; the case was opened later, on 2024-05-01",
    "Invoice 987654321 and order 12-34",
    "Johnsmithson is not the officer",
]


def lines_pdf(lines: list[str]) -> tuple[bytes, list[float]]:
    baselines = [740.0 - 24 * i for i in range(len(lines))]
    return simple_pdf([[(72.0, y, text) for y, text in zip(baselines, lines, strict=True)]]), baselines


@pytest.fixture(scope="module")
def found() -> tuple[list[Suggestion], list[float]]:
    pdf, baselines = lines_pdf([label + value for _, _, label, value in FINDINGS] + NOISE)
    return suggest(pdf, personnel_names=["John  Smith", "", "Jane Roe"]), baselines


@pytest.mark.parametrize("index", range(len(FINDINGS)))
def test_each_kind_is_found_with_a_box_over_it(found: tuple[list[Suggestion], list[float]], index: int) -> None:
    suggestions, baselines = found
    kind, reason, label, value = FINDINGS[index]
    x0 = 72 + stringWidth(label, FONT, SIZE)
    x1 = x0 + stringWidth(value, FONT, SIZE)
    y = baselines[index]
    hits = [s for s in suggestions if s.kind == kind and s.text == value]
    assert len(hits) == 1, f"{value} found as {[(s.kind, s.text) for s in suggestions if s.box[1] < y < s.box[3]]}"
    box = hits[0].box
    assert box[0] <= x0 + 0.5 and box[2] >= x1 - 0.5, "covers the value from end to end"
    assert box[1] <= y - 0.2 * SIZE and box[3] >= y + 0.7 * SIZE, "covers descenders and capitals"
    assert box[2] - box[0] < (x1 - x0) + 2, "and not the label before it"
    assert hits[0].reason == reason and reason in REASONS


def test_lookalikes_are_not_suggested(found: tuple[list[Suggestion], list[float]]) -> None:
    suggestions, baselines = found
    noise_top = baselines[len(FINDINGS)] + SIZE
    assert [s for s in suggestions if s.box[3] <= noise_top] == []


def test_nothing_else_is_suggested(found: tuple[list[Suggestion], list[float]]) -> None:
    suggestions, _ = found
    assert len(suggestions) == len(FINDINGS)
    assert [s.page for s in suggestions] == [1] * len(FINDINGS)
    assert suggestions == sorted(suggestions, key=lambda s: -s.box[3])  # top to bottom


def test_a_listed_name_in_last_first_order() -> None:
    pdf, _ = lines_pdf(["Supervisor: Roe, Jane (badge 44)"])
    found = [(s.kind, s.text, s.reason) for s in suggest(pdf, ["Jane Roe"])]
    assert found == [("personnel_name", "Roe, Jane", "9.1.1")]


def test_a_date_of_birth_label_on_the_line_before() -> None:
    pdf, _ = lines_pdf(["Date of birth:", "1975-03-14", "Arrival 2024-05-01 at Detroit",
                        "DOB (as given) 5/6/75 or 5/7/75"])
    assert [s.text for s in suggest(pdf) if s.kind == "dob"] == ["1975-03-14", "5/6/75", "5/7/75"]


def test_a_finding_broken_over_two_lines_gets_a_box_per_line() -> None:
    pdf, baselines = lines_pdf(["Witness: Jane", "Roe signed"])
    hits = suggest(pdf, ["Jane Roe"])
    assert [s.text for s in hits] == ["Jane", "Roe"]
    assert hits[0].box[1] > baselines[1] + SIZE / 2  # the first box stays on the first line


def test_a_scan_has_no_text_and_no_suggestions() -> None:
    document = ingest("scan.png", image_bytes("PNG", (850, 1100), dpi=100))
    assert document.pages[0].has_text is False
    assert suggest(document.pdf, ["John Smith"]) == []


def test_suggestions_span_pages() -> None:
    pdf = simple_pdf([[(72, 700, "nothing here")], [(72, 700, "SSN 078-05-1120")]])
    assert [(s.page, s.kind) for s in suggest(pdf)] == [(2, "ssn")]


def test_reasons_are_the_directive_grounds() -> None:
    assert list(REASONS) == [f"9.1.{n}" for n in range(1, 8)]
    assert all(name and name[0].isupper() for name in REASONS.values())


def test_suggestions_tell_progress_by_page_and_stop_on_cancel() -> None:
    """Opening a long record looks at every page on a worker: the user sees how far it is and can stop it."""
    from desktop.jobs import Cancelled, JobControl

    pdf = simple_pdf([[(72, 700, f"SSN 512-34-87{page:02d}")] for page in range(5)])
    seen: list[tuple[int, int]] = []
    control = JobControl(progress=lambda done, total, label: seen.append((done, total)))
    assert len(suggest(pdf, control=control)) == 5
    assert seen == [(page, 5) for page in range(5)]

    stopping = JobControl()
    stopping.progress = lambda done, total, label: stopping.cancel() if done == 2 else None
    with pytest.raises(Cancelled):
        suggest(pdf, control=stopping)
