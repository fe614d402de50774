"""A request's records in the encrypted store (SPEC D1, D3): import, read back, and cleaned for a packet. Their
redaction boxes are in desktop/records/boxes.py.

Every change is one repository transaction that writes its audit entry with it (SPEC S6). The audit entries name
the request, so that its history shows them, and carry only what is not PII: record ids, counts, digests.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from desktop.jobs import Cancelled, JobControl
from desktop.records import ocr, sniff
from desktop.records.boxes import redaction_boxes, request_of
from desktop.records.ingest import ingest
from desktop.records.model import Box, Limits, PageInfo, RecordDocument, RecordRefused, Suggestion, TextSpan
from desktop.records.suggest import suggest
from desktop.store.errors import NotFoundError
from desktop.store.repository import Repository, now_text
from desktop.store.sqlcipher import Connection

# Settings that change the import limits (SPEC D1: configurable, default 200 MB / 2,000 pages).
LIMIT_SETTINGS = {"records_max_mb": "max_bytes", "records_max_pages": "max_pages"}


@dataclass(frozen=True)
class NewRecord:
    filename: str
    content: bytes = field(repr=False)  # the file as it came from the source system (§8.1.3)
    document: RecordDocument = field(repr=False)


@dataclass(frozen=True)
class ImportResult:
    ids: tuple[int, ...]
    refused: tuple[str, ...]  # one message per refused file: what is wrong and what to do


@dataclass(frozen=True)
class StoredRecord:
    id: int
    request_id: int
    position: int
    filename: str
    media_type: str
    source_system: str
    owner: str
    size: int
    sha256: str
    page_count: int
    imported_at: str
    subject_ids: tuple[int, ...]
    pages_without_text: int
    redactions: int  # accepted boxes

    @property
    def title(self) -> str:
        """How the cover letter names the record: its file name without the extension."""
        return " ".join(Path(self.filename).stem.replace("_", " ").split()) or self.filename


@dataclass(frozen=True)
class RecordToSend:
    """A record as it goes into a packet: as imported, with the boxes the packet builder burns in (SPEC D3)."""

    record_id: int
    pdf: bytes = field(repr=False)
    boxes: tuple[Box, ...]
    contains_pii: bool  # linked to a subject of the request: DHS-191 entries follow (SPEC A1)
    title: str


def limits(repo: Repository) -> Limits:
    """The post's import limits; the defaults unless its settings say otherwise."""
    values = repo.settings()
    changed: dict[str, int] = {}
    for key, name in LIMIT_SETTINGS.items():
        text = values.get(key, "").strip()
        if text.isdigit() and int(text) > 0:
            changed[name] = int(text) * (1024 * 1024 if name == "max_bytes" else 1)
    return Limits(**changed)


def import_files(repo: Repository, request_id: int, paths: Sequence[Path], source_system: str, owner: str,
                 subject_ids: Sequence[int], control: JobControl | None = None) -> ImportResult:
    """Reads and checks every file, then stores the accepted ones in one transaction; refused files change nothing.
    Cancelled (desktop.jobs) before that transaction stores nothing at all."""
    control = control or JobControl()
    accepted: list[NewRecord] = []
    refused: list[str] = []
    known = _known_digests(repo, request_id)
    checked = limits(repo)
    for index, path in enumerate(paths):
        part = control.part(index, 1, len(paths))
        try:
            accepted.append(_read_one(path, checked, known, part))
            known[accepted[-1].document.sha256] = path.name
        except RecordRefused as refusal:
            refused.append(" ".join(str(refusal).split()))
    control.check()
    ids = import_records(repo, request_id, accepted, source_system, owner, subject_ids) if accepted else []
    control.progress(len(paths), len(paths), "Records imported")
    return ImportResult(tuple(ids), tuple(refused))


def _read_one(path: Path, checked: Limits, known: dict[str, str], control: JobControl) -> NewRecord:
    control.step(0, 1, f"Reading {path.name}")
    try:
        size = path.stat().st_size
        if size > checked.max_bytes:  # refused before a byte of it is read
            raise RecordRefused(f"{path.name} is {size:,} bytes, over the {checked.max_bytes:,}-byte limit for one "
                                "record; split it into smaller files (or scan at a lower resolution) and import them.")
        data = path.read_bytes()
    except OSError as error:
        raise RecordRefused(f"{path.name} cannot be read ({error.strerror}); check that it is still there and that "
                            "you may open it, then import it again.") from error
    document = ingest(path.name, data, checked, control)
    if document.sha256 in known:
        raise RecordRefused(f"{path.name} is already among this request's records (as {known[document.sha256]}); "
                            "nothing was added. Import a different file.")
    return NewRecord(path.name, data, document)


def import_records(repo: Repository, request_id: int, records: Sequence[NewRecord], source_system: str, owner: str,
                   subject_ids: Sequence[int]) -> list[int]:
    """Stores checked records with their pages and the subjects they concern; one transaction, one audit entry."""
    detail = {"records": len(records), "sha256": [r.document.sha256 for r in records],
              "source_system": source_system, "subjects": len(subject_ids)}
    with repo.transaction("record.import", "request", request_id, detail) as tx:
        _check_subjects(tx.conn, request_id, subject_ids)
        ids = [_insert(tx.conn, request_id, record, source_system, owner, subject_ids) for record in records]
        tx.detail["ids"] = ids
    return ids


def subjects(repo: Repository, request_id: int) -> list[tuple[int, str]]:
    """(id, name) of the request's subjects, in order: what a record can be said to concern (SPEC A1)."""
    with repo.read() as conn:
        rows = conn.execute("SELECT id, name FROM subjects WHERE request_id = ? ORDER BY position",
                            (request_id,)).fetchall()
    return [(int(row[0]), str(row[1])) for row in rows]


def _known_digests(repo: Repository, request_id: int) -> dict[str, str]:
    with repo.read() as conn:
        rows = conn.execute("SELECT sha256, filename FROM records WHERE request_id = ?", (request_id,)).fetchall()
    return {digest: name for digest, name in rows}


def _check_subjects(conn: Connection, request_id: int, subject_ids: Sequence[int]) -> None:
    known = {row[0] for row in conn.execute("SELECT id FROM subjects WHERE request_id = ?", (request_id,))}
    if not set(subject_ids) <= known:
        raise NotFoundError("A subject chosen for these records is no longer in the request; reopen the request and "
                            "choose the subjects again.")


def _insert(conn: Connection, request_id: int, record: NewRecord, source_system: str, owner: str,
            subject_ids: Sequence[int]) -> int:
    document = record.document
    if conn.execute("SELECT 1 FROM records WHERE request_id = ? AND sha256 = ?",
                    (request_id, document.sha256)).fetchone():
        raise RecordRefused(f"{record.filename} is already among this request's records; nothing was added.")
    position = conn.execute("SELECT coalesce(max(position) + 1, 0) FROM records WHERE request_id = ?",
                            (request_id,)).fetchone()[0]
    cursor = conn.execute(
        "INSERT INTO records (request_id, position, filename, media_type, source_system, owner, size, sha256, "
        "page_count, content, imported_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (request_id, position, record.filename, document.media_type, source_system, owner, len(record.content),
         document.sha256, document.page_count, record.content, now_text()),
    )
    record_id = int(cursor.lastrowid or 0)
    conn.executemany("INSERT INTO record_pages (record_id, page_no, width_pt, height_pt, has_text) "
                     "VALUES (?, ?, ?, ?, ?)",
                     [(record_id, p.number, p.width_pt, p.height_pt, int(p.has_text)) for p in document.pages])
    conn.executemany("INSERT INTO record_subjects (record_id, subject_id) VALUES (?, ?)",
                     [(record_id, subject) for subject in subject_ids])
    return record_id


def remove_record(repo: Repository, record_id: int) -> None:
    """Removes a record imported by mistake, with its boxes; refused once a packet disclosed it (§10.2.2)."""
    request_id = request_of(repo, record_id)
    with repo.transaction("record.remove", "request", request_id, {"record": record_id}) as tx:
        sent = tx.conn.execute("SELECT packet_id FROM packet_records WHERE record_id = ? LIMIT 1",
                               (record_id,)).fetchone()
        if sent:
            raise RecordRefused(f"This record was disclosed in packet {sent[0]}; it is kept with what was sent "
                                "(§10.2.2) and cannot be removed.")
        tx.conn.execute("DELETE FROM records WHERE id = ?", (record_id,))


def list_records(repo: Repository, request_id: int) -> list[StoredRecord]:
    with repo.read() as conn:
        rows = conn.execute(
            "SELECT r.id, r.request_id, r.position, r.filename, r.media_type, r.source_system, r.owner, r.size, "
            "r.sha256, r.page_count, r.imported_at, "
            "(SELECT group_concat(subject_id) FROM record_subjects s WHERE s.record_id = r.id), "
            "(SELECT count(*) FROM record_pages p WHERE p.record_id = r.id AND p.has_text = 0), "
            "(SELECT count(*) FROM redactions x WHERE x.record_id = r.id AND x.state = 'accepted') "
            "FROM records r WHERE r.request_id = ? ORDER BY r.position", (request_id,),
        ).fetchall()
    return [_stored_record(row) for row in rows]


def _stored_record(row: Sequence[Any]) -> StoredRecord:
    subjects = tuple(sorted(int(part) for part in row[11].split(","))) if row[11] else ()
    return StoredRecord(id=row[0], request_id=row[1], position=row[2], filename=row[3], media_type=row[4],
                        source_system=row[5], owner=row[6], size=row[7], sha256=row[8], page_count=row[9],
                        imported_at=row[10], subject_ids=subjects, pages_without_text=int(row[12]),
                        redactions=int(row[13]))


def get_record(repo: Repository, record_id: int) -> StoredRecord:
    request_id = request_of(repo, record_id)
    found = [r for r in list_records(repo, request_id) if r.id == record_id]
    if not found:
        raise NotFoundError(f"There is no record {record_id} in this store; reload the records.")
    return found[0]


def load_record(repo: Repository, record_id: int, control: JobControl | None = None) -> RecordDocument:
    """The stored file as a PDF again (images and text are converted in memory, as on import)."""
    with repo.read() as conn:
        found = conn.execute("SELECT filename, content, page_count, media_type, sha256 FROM records WHERE id = ?",
                             (record_id,)).fetchone()
        rows = conn.execute("SELECT page_no, width_pt, height_pt, has_text FROM record_pages WHERE record_id = ? "
                            "ORDER BY page_no", (record_id,)).fetchall()
    if found is None:
        raise NotFoundError(f"There is no record {record_id} in this store; reload the records.")
    filename, content, page_count = found[0], bytes(found[1]), int(found[2])
    pages = tuple(PageInfo(int(n), float(w), float(h), bool(t)) for n, w, h, t in rows)
    stored = RecordDocument(content, found[3], page_count, pages, found[4])
    if _as_imported(stored):
        return stored
    # Accepted once: a lower limit set since must not lock the user out of a record already imported.
    accepted = Limits(max_bytes=max(len(content), Limits.max_bytes), max_pages=max(page_count, Limits.max_pages))
    return ingest(filename, content, accepted, control)


def _as_imported(stored: RecordDocument) -> bool:
    """A PDF is stored as imported, with the page facts ingest found then. Its checks (SPEC D1: not encrypted, not
    damaged, pdfium and pypdf agreeing on the pages) passed on these very bytes, which only the encrypted store has
    held since, and the digest shows they are still those bytes: reading every page with pdfium again would only
    repeat them. Anything else (an image or text, facts missing) goes through ingest again."""
    return stored.media_type == sniff.PDF and hashlib.sha256(stored.pdf).hexdigest() == stored.sha256 \
        and [page.number for page in stored.pages] == list(range(1, stored.page_count + 1))


def personnel_names(repo: Repository) -> list[str]:
    """The post's list of DHS personnel whose names the suggestions look for."""
    with repo.read() as conn:
        return [row[0] for row in conn.execute("SELECT name FROM personnel_names ORDER BY name")]


def add_personnel_name(repo: Repository, name: str) -> None:
    cleaned = " ".join(name.split())
    if not cleaned:
        raise ValueError("Type the name as it appears in records, e.g. Jane Roe.")
    with repo.transaction("personnel.add", "personnel_names", None, {}) as tx:
        tx.conn.execute("INSERT OR IGNORE INTO personnel_names (name) VALUES (?)", (cleaned,))


def records_to_send(repo: Repository, request_id: int, control: JobControl | None = None) -> list[RecordToSend]:
    """Every record of the request, in order, with its redaction boxes. Nothing is stored or written."""
    control = control or JobControl()
    found = list_records(repo, request_id)
    out: list[RecordToSend] = []
    for index, record in enumerate(found):
        control.step(index, len(found), f"Reading {record.filename}")
        document = load_record(repo, record.id)
        out.append(RecordToSend(record.id, document.pdf, tuple(redaction_boxes(repo, record.id)),
                                bool(record.subject_ids), record.title))
    control.progress(len(found), len(found), "Records read")
    return out


def request_subjects(repo: Repository, request_id: int) -> list[str]:
    """The names and identifiers of the request's subjects: what a suggestion is compared with to be marked as the
    subject's own (§9.1.2 covers only individuals not identified in the request)."""
    with repo.read() as conn:
        rows = conn.execute("SELECT name, identifier FROM subjects WHERE request_id = ? ORDER BY position",
                            (request_id,)).fetchall()
    return [str(value) for row in rows for value in row if str(value).strip()]


def scanned_pages(repo: Repository, record_id: int) -> list[int]:
    """The record's pages without a text layer, which only OCR can read."""
    with repo.read() as conn:
        rows = conn.execute("SELECT page_no FROM record_pages WHERE record_id = ? AND has_text = 0 ORDER BY page_no",
                            (record_id,)).fetchall()
    return [int(row[0]) for row in rows]


def read_pages(repo: Repository, record_id: int) -> dict[int, ocr.OcrPage]:
    """What OCR read on the record's scanned pages, from the encrypted store; pages read by another engine are
    left out (they are read again)."""
    with repo.read() as conn:
        rows = conn.execute("SELECT page_no, words FROM record_ocr WHERE record_id = ? AND engine = ?",
                            (record_id, ocr.ENGINE_NAME)).fetchall()
    return {int(row[0]): ocr.OcrPage.from_json(json.loads(row[1])) for row in rows}


def read_words(repo: Repository, record_id: int, page: int) -> list[TextSpan]:
    """What OCR read on one scanned page as words with boxes (like pages.page_words on a text layer); empty if
    the page has not been read."""
    found = read_pages(repo, record_id).get(page)
    return found.spans() if found else []


def unread_pages(repo: Repository, record_id: int) -> list[int]:
    """Scanned pages that OCR has not read yet."""
    done = set(read_pages(repo, record_id))
    return [page for page in scanned_pages(repo, record_id) if page not in done]


def read_scanned_pages(repo: Repository, record_id: int, control: JobControl | None = None,
                       document: RecordDocument | None = None) -> dict[int, ocr.OcrPage]:
    """Reads every scanned page not read yet with OCR and keeps the words in the store (one transaction, one audit
    entry naming the pages, never their words). Cancelled, it keeps the pages read so far and raises Cancelled:
    a long scan is not read twice. Returns every page read, old and new."""
    control = control or JobControl()
    todo = unread_pages(repo, record_id)
    if not todo:
        return read_pages(repo, record_id)
    document = document or load_record(repo, record_id)
    done: list[ocr.OcrPage] = []
    try:
        ocr.ocr_pages(document.pdf, todo, control, done.append)
    except Cancelled:
        _keep_read(repo, record_id, done)
        raise
    _keep_read(repo, record_id, done)
    return read_pages(repo, record_id)


def _keep_read(repo: Repository, record_id: int, pages: Sequence[ocr.OcrPage]) -> None:
    if not pages:
        return
    detail = {"record": record_id, "pages": [p.page for p in pages], "engine": ocr.ENGINE_NAME,
              "words": sum(len(p.words) for p in pages)}
    with repo.transaction("record.ocr", "request", request_of(repo, record_id), detail) as tx:
        tx.conn.executemany(
            "INSERT OR REPLACE INTO record_ocr (record_id, page_no, engine, words, read_at) VALUES (?, ?, ?, ?, ?)",
            [(record_id, p.page, ocr.ENGINE_NAME, json.dumps(p.to_json(), ensure_ascii=False), now_text())
             for p in pages])


def record_suggestions(repo: Repository, record_id: int, document: RecordDocument,
                       control: JobControl | None = None) -> list[Suggestion]:
    """The suggestions for a stored record: its text layer, the scanned pages OCR has read (read_scanned_pages),
    the post's personnel names, and the request's subjects marked as their own."""
    scans = read_pages(repo, record_id)
    return suggest(document.pdf, personnel_names(repo), control,
                   subjects=request_subjects(repo, request_of(repo, record_id)), scans=scans.get)
