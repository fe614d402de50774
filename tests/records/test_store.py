"""desktop/records/store.py against a real encrypted store: import with pages and subjects, refusals that change
nothing, redaction boxes and decided suggestions with their audit entries, records cleaned for a packet."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfReader

from desktop.jobs import Cancelled, JobControl
from desktop.packets import PacketRecord, finalize_packet
from desktop.records import Box, RecordRefused, boxes, ingest, page_words, suggest
from desktop.records import store as records
from desktop.records.geometry import page_geometry
from desktop.store import NotFoundError, Store
from tests.packets.helpers import ready, rotated_with_annotation_pdf
from tests.records.helpers import image_bytes, simple_pdf

SSN = "512-34-8765"


def audit_length(store: Store) -> int:
    with store.repo.read() as conn:
        return int(conn.execute("SELECT count(*) FROM audit_log").fetchone()[0])


@pytest.fixture
def request_id(store: Store) -> int:
    return store.repo.add_request(ready())


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def text_pdf() -> bytes:
    return simple_pdf([[(72, 700, f"SSN {SSN}"), (72, 600, "Nothing to hide here")], [(72, 700, "Page two")]])


def test_import_keeps_the_file_its_pages_and_subjects(store: Store, request_id: int, tmp_path: Path) -> None:
    subject_ids = [sid for sid, _name in records.subjects(store.repo, request_id)]
    result = records.import_files(store.repo, request_id, [write(tmp_path, "a.pdf", text_pdf()),
                                                           write(tmp_path, "scan.png", image_bytes("PNG"))],
                                  "TECS", "OFO", subject_ids)
    assert result.refused == () and len(result.ids) == 2
    pdf_record, image_record = records.list_records(store.repo, request_id)
    assert (pdf_record.filename, pdf_record.page_count, pdf_record.pages_without_text) == ("a.pdf", 2, 0)
    assert (image_record.media_type, image_record.pages_without_text) == ("image/png", 1)
    assert pdf_record.subject_ids == tuple(subject_ids) and (pdf_record.source_system, pdf_record.owner) == (
        "TECS", "OFO")
    assert records.load_record(store.repo, image_record.id).page_count == 1
    entry = store.repo.history("request", request_id)[-1]
    assert entry.action == "record.import" and SSN not in entry.detail


def test_refused_and_duplicate_files_change_nothing(store: Store, request_id: int, tmp_path: Path) -> None:
    good = write(tmp_path, "a.pdf", text_pdf())
    records.import_files(store.repo, request_id, [good], "TECS", "", [])
    before = audit_length(store)
    result = records.import_files(store.repo, request_id, [
        write(tmp_path, "again.pdf", good.read_bytes()), write(tmp_path, "cut.pdf", text_pdf()[:300]),
        write(tmp_path, "noise.bin", b"\x00\x01garbage" * 50), tmp_path / "missing.pdf"], "TECS", "", [])
    assert result.ids == ()
    assert [message.split(" ")[0] for message in result.refused] == ["again.pdf", "cut.pdf", "noise.bin",
                                                                     "missing.pdf"]
    assert "already among this request's records (as a.pdf)" in result.refused[0]
    assert all("; " in message for message in result.refused), "each says what to do"
    assert audit_length(store) == before and len(records.list_records(store.repo, request_id)) == 1


def test_the_size_limit_comes_from_the_settings(store: Store, request_id: int, tmp_path: Path) -> None:
    store.repo.set_settings({"records_max_mb": "1", "records_max_pages": "1"})
    assert records.limits(store.repo).max_bytes == 1024 * 1024
    result = records.import_files(store.repo, request_id, [write(tmp_path, "two.pdf", text_pdf()),
                                                           write(tmp_path, "big.pdf", b"%PDF-1.7\n" * 200_000)],
                                  "TECS", "", [])
    assert "more than the 1 a record may have" in result.refused[0]
    assert "over the 1,048,576-byte limit" in result.refused[1]


def test_cancel_stores_nothing(store: Store, request_id: int, tmp_path: Path) -> None:
    control = JobControl()
    control.cancel()
    before = audit_length(store)
    with pytest.raises(Cancelled):
        records.import_files(store.repo, request_id, [write(tmp_path, "a.pdf", text_pdf())], "TECS", "", [], control)
    assert records.list_records(store.repo, request_id) == [] and audit_length(store) == before


def test_boxes_are_checked_stored_and_audited(store: Store, request_id: int, tmp_path: Path) -> None:
    [record_id] = records.import_files(store.repo, request_id, [write(tmp_path, "a.pdf", text_pdf())], "TECS", "",
                                       []).ids
    box_id = boxes.add_box(store.repo, record_id, Box(1, 300, 720, 72, 690, "9.1.2"))  # corners in any order
    assert boxes.list_boxes(store.repo, record_id)[0].box == Box(1, 72, 690, 300, 720, "9.1.2")
    boxes.move_box(store.repo, box_id, (80, 680, 308, 710))
    boxes.set_reason(store.repo, box_id, "9.1.3")
    assert boxes.redaction_boxes(store.repo, record_id) == [Box(1, 80, 680, 308, 710, "9.1.3")]
    for bad, problem in ((Box(3, 1, 1, 9, 9, "9.1.2"), "no page 3"), (Box(1, 1, 1, 1, 9, "9.1.2"), "width"),
                         (Box(1, 1, 1, 9, 9, "9.2"), "9.1.1")):
        with pytest.raises(ValueError, match=problem):
            boxes.add_box(store.repo, record_id, bad)
    boxes.delete_box(store.repo, box_id)
    with pytest.raises(NotFoundError):
        boxes.delete_box(store.repo, box_id)
    actions = [e.action for e in store.repo.history("request", request_id)]
    assert actions[-4:] == ["redaction.add", "redaction.move", "redaction.reason", "redaction.delete"]
    assert store.repo.verify_audit().ok


def test_decided_suggestions_are_not_proposed_again(store: Store, request_id: int, tmp_path: Path) -> None:
    [record_id] = records.import_files(store.repo, request_id, [write(tmp_path, "a.pdf", text_pdf())], "TECS", "",
                                       []).ids
    found = suggest(records.load_record(store.repo, record_id).pdf)
    ssn = next(s for s in found if s.kind == "ssn")
    boxes.decide(store.repo, record_id, ssn, accept=True, reason="9.1.1")
    stored = boxes.list_boxes(store.repo, record_id)
    assert [(s.origin, s.state, s.box.reason) for s in stored] == [("suggestion", "accepted", "9.1.1")]
    assert ssn not in boxes.pending(found, stored)
    assert records.get_record(store.repo, record_id).redactions == 1


def test_records_to_send_carry_their_boxes(store: Store, request_id: int, tmp_path: Path) -> None:
    subjects = [sid for sid, _ in records.subjects(store.repo, request_id)]
    first, second = records.import_files(store.repo, request_id, [write(tmp_path, "boxed.pdf", text_pdf()),
                                                                  write(tmp_path, "plain.pdf", simple_pdf([[(72, 700,
                                                                  "Plain record")]]))], "TECS", "", subjects).ids
    ssn = next(w for w in page_words(records.load_record(store.repo, first).pdf, 1) if w.text == SSN)
    boxes.add_box(store.repo, first, Box(1, *ssn.box, "9.1.2"))
    boxed, plain = records.records_to_send(store.repo, request_id)
    assert (boxed.boxes, plain.boxes, boxed.contains_pii, boxed.title) == ((Box(1, *ssn.box, "9.1.2"),), (), True,
                                                                           "boxed")
    assert boxed.pdf == records.load_record(store.repo, first).pdf  # the record as imported: the packet redacts
    assert "Plain record" in PdfReader(io.BytesIO(plain.pdf)).pages[0].extract_text()


def test_a_stored_pdf_is_loaded_with_its_import_facts_while_its_bytes_are_unchanged(
        store: Store, request_id: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = text_pdf()
    record_id = records.import_files(store.repo, request_id, [write(tmp_path, "a.pdf", data)], "TECS", "", []).ids[0]
    read_again: list[str] = []
    monkeypatch.setattr(records, "ingest", lambda name, *args: read_again.append(name) or ingest(name, *args))
    assert records.load_record(store.repo, record_id) == ingest("a.pdf", data) and read_again == []
    with store.repo.transaction("test.change", "record", record_id) as tx:
        tx.conn.execute("UPDATE records SET content = ? WHERE id = ?", (simple_pdf([[(72, 700, "Other")]]), record_id))
    assert records.load_record(store.repo, record_id).page_count == 1 and read_again == ["a.pdf"]


def test_a_disclosed_record_cannot_be_removed(store: Store, request_id: int, tmp_path: Path) -> None:
    ids = records.import_files(store.repo, request_id, [write(tmp_path, "a.pdf", text_pdf()),
                                                        write(tmp_path, "b.pdf", simple_pdf([[(72, 700, "B")]]))],
                               "TECS", "", []).ids
    records.remove_record(store.repo, ids[1])
    sources = records.records_to_send(store.repo, request_id)
    finalize_packet(store.repo, request_id, [PacketRecord(r.pdf, record_id=r.record_id) for r in sources])
    with pytest.raises(RecordRefused, match="disclosed in packet"):
        records.remove_record(store.repo, ids[0])
    assert [r.id for r in records.list_records(store.repo, request_id)] == [ids[0]]


def test_geometry_maps_a_rotated_page_both_ways() -> None:
    pdf = rotated_with_annotation_pdf()
    [geometry] = page_geometry(pdf)
    assert geometry.width > geometry.height, "a portrait page turned 90 degrees shows landscape"
    [word] = [w for w in page_words(pdf, 1) if w.text == "Rotated"]
    left, top, right, bottom = geometry.rect_to_view(word.box)
    assert 0 <= left < right <= geometry.width and 0 <= top < bottom <= geometry.height
    assert geometry.rect_to_page((left, top, right, bottom)) == pytest.approx(word.box, abs=1e-6)
