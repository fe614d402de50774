"""Writing the DHS-191 entries of a disclosure, inside finalize's transaction (SPEC A1, §10.2, 5 U.S.C. 552a(c)(1)).

`record_disclosure` is the `AccountingHook` that `finalize_packet` calls after the packet row exists: one entry per
individual whose PII the packet discloses, with every fact 552a(c)(1) and the DHS-191 ask for, frozen as it reads
today so that a later edit of the request does not rewrite what was accounted for.
"""

from __future__ import annotations

import uuid as uuid_module
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from desktop.accounting.texts import authority_text, b7_request, official_text, purpose_text, recipient
from desktop.documents import bates_label
from desktop.store.repository import now_text
from desktop.store.sqlcipher import Connection

if TYPE_CHECKING:  # finalize imports the packet builder (reportlab, pypdf); the hook needs only its types
    from desktop.documents import DisclosedRecord, Disclosure

RETENTION_YEARS = 5  # §10.2.1


@dataclass(frozen=True)
class _Individual:
    subject_id: int
    name: str
    identifier: str
    records: tuple[DisclosedRecord, ...]


def record_disclosure(conn: Connection, disclosure: Disclosure) -> None:
    """The accounting hook: one DHS-191 entry per individual whose PII the packet discloses (552a(c)(1))."""
    packet_retain = plus_years(disclosure.disclosed_on, RETENTION_YEARS)
    conn.execute("UPDATE packets SET retain_until = ? WHERE id = ?", (packet_retain.isoformat(), disclosure.packet_id))
    individuals = _individuals(conn, disclosure)
    if not individuals:
        return
    frozen = _frozen(conn, disclosure)
    for individual in individuals:
        _insert(conn, disclosure, individual, frozen, _retain_until(conn, disclosure, individual.records))


def plus_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February into a year without it
        return day.replace(year=day.year + years, day=28)


def _individuals(conn: Connection, disclosure: Disclosure) -> list[_Individual]:
    """Whose PII the packet carries: the subjects linked to its records (record_subjects).

    A subject linked to a disclosed record is accounted whatever the record's PII flag says: information linked to
    a named person is PII (fn 6). A record marked as containing PII but linked to nobody is taken to concern every
    subject of the request, so that nobody whose PII went out is left out of the accounting.
    """
    subjects = {
        int(row[0]): (str(row[1]), str(row[2]))
        for row in conn.execute("SELECT id, name, identifier FROM subjects WHERE request_id = ? ORDER BY position",
                                (disclosure.request_id,))
    }
    by_subject: dict[int, list[DisclosedRecord]] = {subject_id: [] for subject_id in subjects}
    for record in disclosure.records:
        linked = [int(row[0]) for row in conn.execute(
            "SELECT subject_id FROM record_subjects WHERE record_id = ?", (record.record_id,))]
        concerned = [s for s in linked if s in subjects] or (list(subjects) if record.contains_pii else [])
        for subject_id in concerned:
            by_subject[subject_id].append(record)
    return [_Individual(sid, *subjects[sid], tuple(records)) for sid, records in by_subject.items() if records]


@dataclass(frozen=True)
class _Frozen:
    post: str
    office: str
    reference: str
    disclosure_id: str
    sha256: str
    purpose: str
    recipient_name: str
    recipient_address: str
    authority: str
    sorn: str
    official: str
    b7: bool
    filenames: dict[int, str]


def _frozen(conn: Connection, disclosure: Disclosure) -> _Frozen:
    request = disclosure.request
    sha = conn.execute("SELECT sha256 FROM packets WHERE id = ?", (disclosure.packet_id,)).fetchone()
    ids = [r.record_id for r in disclosure.records]
    names = conn.execute(f"SELECT id, filename FROM records WHERE id IN ({', '.join('?' * len(ids))})", ids)
    name, address = recipient(request)
    post = disclosure.post_name.strip()
    return _Frozen(
        post=post,
        office=f"CBP Attaché Office, {post}" if post else "U.S. Customs and Border Protection",
        reference=request.reference,
        disclosure_id=disclosure.bates_range,
        sha256=str(sha[0]) if sha else "",
        purpose=purpose_text(request),
        recipient_name=name,
        recipient_address=address,
        authority=authority_text(request),
        sorn=(request.sorn or "").strip(),
        official=official_text(request),
        b7=b7_request(request),
        filenames={int(i): str(f) for i, f in names},
    )


def nature(records: Sequence[DisclosedRecord], filenames: dict[int, str], prefix: str) -> str:
    """552a(c)(1) "nature": which records, which pages of the packet, which Bates numbers."""
    parts = []
    for record in records:
        pages = f"page {record.first_page}" if record.first_page == record.last_page else (
            f"pages {record.first_page}-{record.last_page}")
        bates = bates_label(prefix, record.bates_first)
        if record.bates_last != record.bates_first:
            bates += f"-{bates_label(prefix, record.bates_last)}"
        parts.append(f"{filenames.get(record.record_id, f'record {record.record_id}')} (packet {pages}, {bates})")
    return "; ".join(parts)


def _retain_until(conn: Connection, disclosure: Disclosure, records: Sequence[DisclosedRecord]) -> date:
    """§10.2.1: five years from the disclosure, or the life of the record if that is longer."""
    retain = plus_years(disclosure.disclosed_on, RETENTION_YEARS)
    ids = [r.record_id for r in records]
    found = conn.execute(f"SELECT max(retain_until) FROM records WHERE id IN ({', '.join('?' * len(ids))})",
                         ids).fetchone()
    if found and found[0]:
        retain = max(retain, date.fromisoformat(str(found[0])[:10]))
    return retain


def _insert(conn: Connection, disclosure: Disclosure, individual: _Individual, frozen: _Frozen,
            retain_until: date) -> None:
    conn.execute(
        "INSERT INTO dhs191_entries (uuid, packet_id, request_id, subject_id, individual_name, individual_identifier, "
        "disclosed_on, nature, purpose, recipient_name, recipient_address, authority, sorn, method, "
        "disclosing_official, office, retain_until, b7, created_at, post, request_reference, disclosure_id, "
        "packet_sha256) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            str(uuid_module.uuid4()), disclosure.packet_id, disclosure.request_id, individual.subject_id,
            individual.name, individual.identifier, disclosure.disclosed_on.isoformat(),
            nature(individual.records, frozen.filenames, disclosure.bates_prefix), frozen.purpose,
            frozen.recipient_name, frozen.recipient_address, frozen.authority, frozen.sorn, disclosure.method,
            frozen.official, frozen.office, retain_until.isoformat(), int(frozen.b7), now_text(), frozen.post,
            frozen.reference, frozen.disclosure_id, frozen.sha256,
        ),
    )
