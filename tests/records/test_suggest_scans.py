"""Issue 14: scanned pages (no text layer, tilted, speckled) get suggestions through the bundled OCR, with boxes
where the text was drawn, for every kind of identifier, in English, Spanish and French, accents included; OCR's
words are kept only inside the encrypted store (cached per page) and never reach a file in plaintext."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from desktop.jobs import Cancelled, JobControl
from desktop.records import ingest, ocr, suggest
from desktop.records import store as records
from desktop.records.model import Suggestion
from desktop.records.store import NewRecord
from desktop.store import Store
from tests.packets.helpers import ready
from tests.records.scans import Planted, image_only_pdf, overlaps, scanned_page

# (line as printed, the phrases on it that must be suggested as (kind, checksum))
SPANISH = [
    ("Nombre: José Ramón Núñez Peña, CURP: BOXW310820HNERXN09", {"BOXW310820HNERXN09": ("curp", True)}),
    ("RFC: GODE561231GR8   Fecha de nacimiento: 12 de marzo de 1985",
     {"GODE561231GR8": ("rfc", True), "12 de marzo de 1985": ("dob", None)}),
    ("Pasaporte: G12345678   Clave de elector: GMCRRS85031209H800",
     {"G12345678": ("passport", None), "GMCRRS85031209H800": ("voter_key", None)}),
    ("Teléfono: +52 55 1234 5678   Correo: jose.nunez@example.com.mx",
     {"+52 55 1234 5678": ("phone", None), "jose.nunez@example.com.mx": ("email", None)}),
    ("Dígitos erróneos: CURP BOXW310820HNERXN08, RFC GODE561231GR9",
     {"BOXW310820HNERXN08": ("curp", False), "GODE561231GR9": ("rfc", False)}),
    ("Revisó el oficial Ramón Núñez; año, niño, señal, pingüino.", {"Ramón Núñez": ("personnel_name", None)}),
]
FRENCH = [
    ("Nom : Hélène Côté, née le 3 avril 1979 à Montréal", {"3 avril 1979": ("dob", None)}),
    ("NAS : 123 456 782   Passeport : AB123456", {"123 456 782": ("sin", True), "AB123456": ("passport", None)}),
    ("Téléphone : (613) 555-0147   Courriel : helene.cote@example.ca",
     {"(613) 555-0147": ("phone", None), "helene.cote@example.ca": ("email", None)}),
    ("Date de naissance : 03/04/1979   NAS erroné : 123-456-783",
     {"03/04/1979": ("dob", None), "123-456-783": ("sin", False)}),
]
ENGLISH = [
    ("CBP report: subject John Q. Smith, DOB 03/14/79, SSN 536-90-4399",
     {"03/14/79": ("dob", None), "536-90-4399": ("ssn", None)}),
    ("A-Number A123456789, passport 912345678, ITIN 912-70-3456",
     {"A123456789": ("a_number", None), "912345678": ("passport", None), "912-70-3456": ("itin", None)}),
    ("TECS ID: P7731209A, SEACATS case 2024-2704-000123", {"P7731209A": ("system_code", None),
                                                           "2024-2704-000123": ("system_code", None)}),
    ("Officer e-mail: j.smith@cbp.dhs.gov, phone 202-555-0173",
     {"j.smith@cbp.dhs.gov": ("email", None), "202-555-0173": ("phone", None)}),
]
PAGES = [SPANISH, FRENCH, ENGLISH]
EXPECTED = {phrase: want for page in PAGES for _, marks in page for phrase, want in marks.items()}


@pytest.fixture(scope="module")
def scan() -> tuple[bytes, list[Planted]]:
    images, planted = [], []
    for number, page in enumerate(PAGES, start=1):
        image, marks = scanned_page([line for line, _ in page], [m for _, ms in page for m in ms], page=number,
                                    tilt=(-1.5, 1.2, 2.0)[number - 1], seed=number)
        images.append(image)
        planted += marks
    return image_only_pdf(images), planted


@pytest.fixture(scope="module")
def read(scan: tuple[bytes, list[Planted]]) -> dict[int, ocr.OcrPage]:
    pdf, _ = scan
    return {page.page: page for page in ocr.ocr_pages(pdf, [1, 2, 3])}


@pytest.fixture(scope="module")
def found(scan: tuple[bytes, list[Planted]], read: dict[int, ocr.OcrPage]) -> list[Suggestion]:
    pdf, _ = scan
    return suggest(pdf, ["Ramon Nunez"], scans=read.get)


def test_the_scan_has_no_text_layer(scan: tuple[bytes, list[Planted]]) -> None:
    pdf, _ = scan
    document = ingest("scan.pdf", pdf)
    assert [page.has_text for page in document.pages] == [False, False, False]
    assert suggest(pdf, ["Ramon Nunez"]) == [], "without OCR a scan has no suggestions"


@pytest.mark.parametrize("phrase", list(EXPECTED))
def test_every_planted_identifier_is_suggested_over_where_it_was_drawn(
        scan: tuple[bytes, list[Planted]], found: list[Suggestion], phrase: str) -> None:
    _, planted = scan
    where = next(p for p in planted if p.text == phrase)
    kind, checksum = EXPECTED[phrase]
    hits = [s for s in found if s.page == where.page and s.kind == kind and overlaps(s.box, where.box)]
    on_page = [(s.kind, s.text) for s in found if s.page == where.page]
    assert hits, f"{phrase} not found; on page {where.page}: {on_page}"
    assert [(s.checksum, s.source) for s in hits] == [(checksum, "ocr")] * len(hits)
    box = hits[0].box
    width = where.box[2] - where.box[0]
    assert box[2] - box[0] >= 0.8 * width, "covers the phrase, not a part of it"
    assert box[2] - box[0] <= width + 20, "and not the label before it"


def test_nothing_else_is_suggested(scan: tuple[bytes, list[Planted]], found: list[Suggestion]) -> None:
    _, planted = scan
    stray = [(s.page, s.kind, s.text) for s in found if not any(p.page == s.page and overlaps(s.box, p.box)
                                                                for p in planted)]
    assert stray == []


def test_accents_are_read(read: dict[int, ocr.OcrPage]) -> None:
    words = {w.text.strip(",.;:") for page in read.values() for w in page.words}
    assert {"José", "Ramón", "Núñez", "Peña", "niño", "señal", "Dígitos", "erróneos", "née", "Montréal",
            "Téléphone", "erroné"} <= words


def test_the_subjects_own_identifier_on_a_scan_is_marked(scan: tuple[bytes, list[Planted]],
                                                         read: dict[int, ocr.OcrPage]) -> None:
    pdf, _ = scan
    hits = suggest(pdf, subjects=["CURP BOXW310820HNERXN09", "Hélène Côté"], scans=read.get)
    own = [(s.kind, s.page) for s in hits if s.subject_own]
    assert own == [("curp", 1)]
    assert not [s for s in hits if s.subject_own and s.accepted_by_default]


def test_ocr_words_survive_the_store_round_trip(read: dict[int, ocr.OcrPage]) -> None:
    page = read[1]
    assert ocr.OcrPage.from_json(page.to_json()).words[0].text == page.words[0].text


# The store: cached per page, encrypted, kept on cancel -------------------------------------------------------------


def stored_scan(store: Store, pdf: bytes) -> int:
    request_id = store.repo.add_request(ready())
    document = ingest("scan.pdf", pdf)
    subjects = records.subjects(store.repo, request_id)
    return records.import_records(store.repo, request_id, [NewRecord("scan.pdf", pdf, document)], "TECS", "CBP",
                                  [subjects[0][0]])[0]


def test_ocr_is_cached_in_the_store_and_never_reaches_a_file(tmp_path: Path, store: Store,
                                                             scan: tuple[bytes, list[Planted]],
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    scratch = tmp_path / "tmpdir"
    scratch.mkdir()
    monkeypatch.setenv("TMPDIR", str(scratch))
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    pdf, _ = scan
    record_id = stored_scan(store, pdf)
    assert records.unread_pages(store.repo, record_id) == [1, 2, 3]
    before = len(store.repo.history("request", records.request_of(store.repo, record_id)))

    read = records.read_scanned_pages(store.repo, record_id)
    assert sorted(read) == [1, 2, 3] and records.unread_pages(store.repo, record_id) == []
    history = store.repo.history("request", records.request_of(store.repo, record_id))
    assert len(history) == before + 1 and history[-1].action == "record.ocr", "one action, one audit entry"
    document = records.load_record(store.repo, record_id)
    hits = records.record_suggestions(store.repo, record_id, document)
    assert {"curp", "sin", "ssn", "passport"} <= {s.kind for s in hits}

    canaries = ["BOXW310820HNERXN09", "Montréal", "pingüino", "helene.cote@example.ca"]
    needles = [c.encode(codec) for c in canaries for codec in ("utf-8", "utf-16-le", "utf-16-be")]
    for root in (store.paths.root, scratch, Path(tempfile.gettempdir())):
        leaked = [str(p) for p in root.rglob("*") if p.is_file() and any(n in p.read_bytes() for n in needles)]
        assert leaked == [], f"OCR text in plaintext in {root}"
    for needle in canaries:
        assert needle not in str(history[-1].detail), "the audit entry names pages, never their words"
    words = records.read_words(store.repo, record_id, 2)
    assert "Montréal" in {w.text for w in words} and all(w.page == 2 for w in words)

    records.remove_record(store.repo, record_id)
    with store.repo.read() as conn:
        assert conn.execute("SELECT count(*) FROM record_ocr").fetchone()[0] == 0, "gone with its record"


def test_cancelled_reading_keeps_the_pages_read_so_far(store: Store, scan: tuple[bytes, list[Planted]]) -> None:
    pdf, _ = scan
    record_id = stored_scan(store, pdf)
    seen: list[str] = []
    control = JobControl()

    def progress(done: int, total: int, label: str) -> None:
        seen.append(label)
        if done == 1:  # Cancel pressed while page 2 is read: it is finished, page 3 is not started
            control.cancel()

    control.progress = progress
    with pytest.raises(Cancelled):
        records.read_scanned_pages(store.repo, record_id, control)
    assert records.unread_pages(store.repo, record_id) == [3]
    assert seen[:2] == ["Reading scanned page 1 (1 of 3)", "Reading scanned page 2 (2 of 3)"]
