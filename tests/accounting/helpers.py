"""A real finalized packet in a real store, with the DHS-191 hook, for the accounting tests."""

from __future__ import annotations

import subprocess
from dataclasses import replace
from datetime import date
from functools import cache
from pathlib import Path

from desktop.accounting import record_disclosure
from desktop.packets import finalize_packet
from desktop.packets.finalize import FinalizedPacket
from desktop.packets.intake import IncomingRecord, store_records
from desktop.packets.model import PacketRecord, PacketSettings
from desktop.requests import Request
from desktop.requests.model import AuthorityKind, Subject, SubjectStatus
from desktop.store import Store
from tests.packets.helpers import ready, record_pdf

OKAFOR = ready().subjects[0]
SECOND = Subject("Amélie Tremblay", SubjectStatus.OTHER, "CA passport GX550102")


def two_subjects(reference: str = "OTT-2026-0142", law_enforcement: bool = False) -> Request:
    request = replace(ready(), reference=reference, subjects=(OKAFOR, SECOND))
    authority = request.requesting_authority
    assert authority is not None
    if law_enforcement:
        request = replace(request, requesting_authority=replace(
            authority, name="Royal Canadian Mounted Police, Federal Policing", kind=AuthorityKind.LAW_ENFORCEMENT))
    return request


def disclose(store: Store, request: Request, on: date = date(2026, 11, 20), pages: tuple[int, ...] = (2, 1),
             links: tuple[tuple[int, ...], ...] | None = None, pii: bool = True,
             record_life: tuple[str | None, ...] | None = None, request_id: int | None = None) -> FinalizedPacket:
    """Adds the request (unless `request_id` names a stored one), stores one record per entry of `pages` (linked to
    the subjects at `links`, by position; default: every record to every subject) and finalizes the packet with the
    accounting hook."""
    repo = store.repo
    request_id = repo.add_request(request) if request_id is None else request_id
    incoming = [IncomingRecord(f"crossings-{i}.pdf", "application/pdf", content(i, n), n, pii and links is None)
                for i, n in enumerate(pages)]
    ids = store_records(repo, request_id, incoming, "TECS")
    if links is not None:
        link(store, request_id, ids, links)
    if record_life is not None:
        with repo.transaction("test.life", "request", request_id) as tx:
            tx.conn.executemany("UPDATE records SET retain_until = ? WHERE id = ?",
                                list(zip(record_life, ids, strict=True)))
    records = [PacketRecord(item.content, contains_pii=pii, title=item.filename, record_id=record_id)
               for item, record_id in zip(incoming, ids, strict=True)]
    settings = PacketSettings(post_name="Ottawa", bates_prefix="OTT", date=on)
    return finalize_packet(repo, request_id, records, settings=settings, accounting=record_disclosure)


@cache
def content(index: int, pages: int) -> bytes:
    """The same bytes each time: sending a request's files again reuses its records (same SHA-256)."""
    return record_pdf(pages, f"Record {index}")


def link(store: Store, request_id: int, record_ids: list[int], links: tuple[tuple[int, ...], ...]) -> None:
    with store.repo.transaction("test.link", "request", request_id) as tx:
        subjects = [row[0] for row in tx.conn.execute(
            "SELECT id FROM subjects WHERE request_id = ? ORDER BY position", (request_id,))]
        for record_id, positions in zip(record_ids, links, strict=True):
            tx.conn.executemany("INSERT INTO record_subjects (record_id, subject_id) VALUES (?, ?)",
                                [(record_id, subjects[p]) for p in positions])


def acknowledge_all(store: Store) -> None:
    """What the sync half does when headquarters acknowledges a bundle (SPEC A3)."""
    with store.repo.transaction("test.ack", "dhs191") as tx:
        tx.conn.execute("UPDATE dhs191_entries SET acknowledged_at = '2030-01-01T00:00:00+00:00'")


def pdf_text(data: bytes, tmp_path: Path) -> str:
    path = tmp_path / "out.pdf"
    path.write_bytes(data)
    done = subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True,
                          timeout=30, check=True)
    return " ".join(done.stdout.split())
