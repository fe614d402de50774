"""Requests, their subjects and coordination records, the list's queries and the full-text index (SPEC R, C2)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from desktop.requests.model import COORDINATION_ITEMS, Coordination, Request, Subject, SubjectStatus
from desktop.store.attachments_repo import NewDocument, insert_document
from desktop.store.errors import ConflictError, NotFoundError
from desktop.store.request_rows import from_row, to_row
from desktop.store.session import _now
from desktop.store.settings_repo import SettingsRepository
from desktop.store.sqlcipher import Connection


@dataclass(frozen=True)
class StoredRequest:
    id: int
    request: Request
    status: str
    outcome: str | None
    created_at: str
    updated_at: str


@dataclass(frozen=True)
class RequestRow:
    """One line of the request list (SPEC section 8)."""

    id: int
    reference: str
    authority: str
    country: str
    received_on: str | None
    needed_by: str | None
    outcome: str | None
    step: int | None
    status: str


@dataclass(frozen=True)
class RequestQuery:
    text: str = ""  # full-text search over request facts (FTS5)
    outcome: str | None = None
    country: str | None = None
    due_within_days: int | None = None  # needed_by on or before today + N (overdue included)
    overdue_only: bool = False
    today: date | None = None
    order_by: str = "received_on"
    descending: bool = True
    limit: int = 200
    offset: int = 0


_ORDERABLE = {
    "reference": "r.reference",
    "authority": "r.requesting_authority_name",
    "country": "r.requesting_authority_country",
    "received_on": "r.received_on",
    "needed_by": "r.needed_by",
    "outcome": "r.outcome",
    "step": "r.step",
    "status": "r.status",
}


class RequestRepository(SettingsRepository):
    """Built on the settings: a request without a reference gets the next number of the post's prefix."""

    def add_request(self, request: Request, source: str = "manual", documents: Sequence[NewDocument] = ()) -> int:
        """Adds a request; an empty reference gets the post's next number. ConflictError on a duplicate reference.
        `documents` (the request as received, §8.1.1) are kept with it in the same transaction."""
        with self._lock:
            if not request.reference:
                request = _with_reference(request, self._next_reference())
            self._refuse_duplicate(request.reference, None)
            request, links = self._linked(request)
            row = to_row(request)
            outcome, step = self._assessment(request)
            now = _now()
            columns = [*row, *links, "outcome", "step", "created_at", "updated_at"]
            values = [*row.values(), *links.values(), outcome, step, now, now]
            with self.transaction("request.add", "request", None, {"source": source}) as tx:
                conn = tx.conn
                cursor = conn.execute(
                    f"INSERT INTO requests ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})", values
                )
                request_id = int(cursor.lastrowid or 0)
                tx.entity_id = request_id
                self._add_children(conn, request_id, request)
                self._index(conn, request_id, request)
                if documents:  # as a records import is audited: how many, and their digests
                    kept = [insert_document(conn, request_id, d)[1] for d in documents]
                    tx.detail.update(documents=len(kept), sha256=[d["sha256"] for d in kept])
            return request_id

    def update_request(self, request_id: int, request: Request) -> None:
        with self._lock:
            before = self.get_request(request_id).request
            if not request.reference:
                request = _with_reference(request, before.reference)
            self._refuse_duplicate(request.reference, request_id)
            request, links = self._linked(request)
            changed = sorted(k for k, v in to_row(request).items() if to_row(before).get(k) != v)
            if before.subjects != request.subjects:
                changed.append("subjects")
            if before.coordination != request.coordination:
                changed.append("coordination")
            with self.transaction("request.update", "request", request_id, {"fields": changed}) as tx:
                self._write_request(tx.conn, request_id, request, links)

    def _write_request(self, conn: Connection, request_id: int, request: Request, links: dict[str, Any]) -> None:
        row = to_row(request)
        outcome, step = self._assessment(request)
        assignments = ", ".join(f"{column} = ?" for column in [*row, *links])
        conn.execute(
            f"UPDATE requests SET {assignments}, outcome = ?, step = ?, updated_at = ? WHERE id = ?",
            [*row.values(), *links.values(), outcome, step, _now(), request_id],
        )
        self._write_children(conn, request_id, request)
        conn.execute("DELETE FROM requests_fts WHERE rowid = ?", (request_id,))
        self._index(conn, request_id, request)

    def reassess_in(self, conn: Connection, request_id: int, change: Callable[[Request], Request],
                    **links: Any) -> None:
        """Inside a caller's transaction: change a stored request and recompute what the rules say of it."""
        request = change(self._load(conn, request_id).request)
        self._write_request(conn, request_id, request, links)

    def _linked(self, request: Request) -> tuple[Request, dict[str, Any]]:
        """Links the registries' entries a request names; the registry's standing wins (§7.3.1.2)."""
        authority = request.requesting_authority
        with self._read() as conn:
            found = conn.execute(
                "SELECT id, violated_assurances FROM authorities WHERE name = ? COLLATE NOCASE AND country = ?",
                (authority.name.strip(), authority.country),
            ).fetchone() if authority and authority.name.strip() else None
            agreement = conn.execute("SELECT id FROM agreements WHERE title = ?", (request.agreement,)).fetchone()
            official = request.disclosing_official
            known = conn.execute(
                "SELECT id FROM officials WHERE name = ? COLLATE NOCASE", (official.name.strip(),)
            ).fetchone() if official and official.name.strip() else None
        if found and found[1] and authority and not authority.violated_assurances:
            request = replace(request, requesting_authority=replace(authority, violated_assurances=True))
        links = {
            "authority_id": found[0] if found else None,
            "agreement_id": agreement[0] if agreement and request.agreement else None,
            "official_id": known[0] if known else None,
        }
        return request, links

    def get_request(self, request_id: int) -> StoredRequest:
        with self._read() as conn:
            return self._load(conn, request_id)

    def _load(self, conn: Connection, request_id: int) -> StoredRequest:
        cursor = conn.execute("SELECT * FROM requests WHERE id = ?", (request_id,))
        found = cursor.fetchone()
        if found is None:
            raise NotFoundError(f"There is no request with id {request_id} in this store.")
        row = dict(zip([d[0] for d in cursor.description], found, strict=True))
        subjects = tuple(
            Subject(name, SubjectStatus(status), identifier)
            for name, status, identifier in conn.execute(
                "SELECT name, status, identifier FROM subjects WHERE request_id = ? ORDER BY position",
                (request_id,),
            )
        )
        done = dict(conn.execute("SELECT item, done FROM coordination WHERE request_id = ?", (request_id,)))
        coordination = Coordination(**{item: bool(done.get(item, 0)) for item in COORDINATION_ITEMS})
        return StoredRequest(
            id=request_id,
            request=from_row(row, subjects, coordination),
            status=row["status"],
            outcome=row["outcome"],
            created_at=row["created_at"],
            updated_at=row["updated_at"],
        )

    def request_id_by_reference(self, reference: str) -> int:
        with self._read() as conn:
            found = conn.execute("SELECT id FROM requests WHERE reference = ?", (reference,)).fetchone()
        if found is None:
            raise NotFoundError(f"There is no request with reference {reference!r}; 'request list' shows them.")
        return int(found[0])

    def list_requests(self, query: RequestQuery = RequestQuery()) -> list[RequestRow]:
        where, params = self._filters(query)
        order = _ORDERABLE.get(query.order_by, "r.received_on")
        direction = "DESC" if query.descending else "ASC"
        sql = (
            "SELECT r.id, r.reference, r.requesting_authority_name, r.requesting_authority_country, r.received_on, "
            f"r.needed_by, r.outcome, r.step, r.status FROM requests r {where} "
            # NULLS LAST, not "x IS NULL" as a first key: that one keeps SQLite from walking the index (20,000 rows
            # read and sorted for every page: 108 ms against 5 ms, bench startup).
            f"ORDER BY {order} {direction} NULLS LAST, r.id {direction} LIMIT ? OFFSET ?"
        )
        with self._read() as conn:
            rows = conn.execute(sql, [*params, query.limit, query.offset]).fetchall()
        return [RequestRow(*row) for row in rows]

    def count_requests(self, query: RequestQuery = RequestQuery()) -> int:
        where, params = self._filters(query)
        with self._read() as conn:
            return int(conn.execute(f"SELECT count(*) FROM requests r {where}", params).fetchone()[0])

    def request_countries(self) -> list[str]:
        with self._read() as conn:
            rows = conn.execute(
                "SELECT DISTINCT requesting_authority_country FROM requests WHERE requesting_authority_country <> '' "
                "ORDER BY 1"
            ).fetchall()
        return [row[0] for row in rows]

    def _filters(self, query: RequestQuery) -> tuple[str, list[Any]]:
        clauses: list[str] = []
        params: list[Any] = []
        terms = _fts_query(query.text)
        if terms:
            clauses.append("r.id IN (SELECT rowid FROM requests_fts WHERE requests_fts MATCH ?)")
            params.append(terms)
        if query.outcome:
            clauses.append("r.outcome = ?")
            params.append(query.outcome)
        if query.country:
            clauses.append("r.requesting_authority_country = ?")
            params.append(query.country)
        today = query.today or date.today()
        if query.overdue_only:
            clauses.append("r.needed_by < ? AND r.status = 'open'")
            params.append(today.isoformat())
        elif query.due_within_days is not None:
            clauses.append("r.needed_by <= date(?, ?) AND r.status = 'open'")
            params += [today.isoformat(), f"{int(query.due_within_days):+d} days"]  # negative: overdue by that many
        return ("WHERE " + " AND ".join(clauses)) if clauses else "", params

    def _assessment(self, request: Request) -> tuple[str | None, int | None]:
        return self._assess(request) if self._assess else (None, None)

    def _refuse_duplicate(self, reference: str, own_id: int | None) -> None:
        with self._read() as conn:
            found = conn.execute("SELECT id FROM requests WHERE reference = ?", (reference,)).fetchone()
        if found and found[0] != own_id:
            raise ConflictError(
                f"A request with reference {reference!r} is already in the store. Open that one, or give this "
                "request another reference."
            )

    def _next_reference(self) -> str:
        prefix = (self.setting("bates_prefix") or "REQ").upper()
        year = date.today().year
        stem = f"{prefix}-{year}-"
        with self._read() as conn:
            taken = [row[0][len(stem):] for row in conn.execute(
                "SELECT reference FROM requests WHERE substr(reference, 1, ?) = ?", (len(stem), stem))]
        # After the highest number taken, not the count: imported or deleted references leave gaps and duplicates.
        highest = max((int(tail) for tail in taken if tail.isdigit()), default=0)
        return f"{stem}{highest + 1:04d}"

    def _add_children(self, conn: Connection, request_id: int, request: Request) -> None:
        # A new request has no subjects or coordination records yet, so plain inserts do what _write_children's
        # upserts would. Issue 15: the upsert on `subjects` (a parent of foreign keys) builds an ephemeral b-tree
        # each run, and the DELETE runs its trigger and cascade programs; under cipher_memory_security each of
        # those allocations is an mlock and a wiped munlock (about 20 of the 99 per request and its records).
        conn.executemany(
            "INSERT INTO subjects (request_id, position, name, status, identifier) VALUES (?, ?, ?, ?, ?)",
            [(request_id, i, s.name, s.status.value, s.identifier) for i, s in enumerate(request.subjects)],
        )
        conn.executemany(
            "INSERT INTO coordination (request_id, item, done) VALUES (?, ?, ?)",
            [(request_id, item, int(getattr(request.coordination, item))) for item in COORDINATION_ITEMS],
        )

    def _write_children(self, conn: Connection, request_id: int, request: Request) -> None:
        # Updated in place by position, so the records linked to a subject keep their link (DHS-191, SPEC A1).
        conn.executemany(
            "INSERT INTO subjects (request_id, position, name, status, identifier) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT(request_id, position) DO UPDATE SET name = excluded.name, status = excluded.status, "
            "identifier = excluded.identifier",
            [(request_id, i, s.name, s.status.value, s.identifier) for i, s in enumerate(request.subjects)],
        )
        conn.execute("DELETE FROM subjects WHERE request_id = ? AND position >= ?", (request_id, len(request.subjects)))
        conn.executemany(
            "INSERT INTO coordination (request_id, item, done) VALUES (?, ?, ?) "
            "ON CONFLICT(request_id, item) DO UPDATE SET done = excluded.done",
            [(request_id, item, int(getattr(request.coordination, item))) for item in COORDINATION_ITEMS],
        )

    def _index(self, conn: Connection, request_id: int, request: Request) -> None:
        requester = request.requester
        conn.execute(
            "INSERT INTO requests_fts (rowid, reference, authority, requester, information_requested, reason, "
            "subjects, agreement) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                request_id,
                request.reference,
                f"{request.authority_name} {request.country}",
                f"{requester.name} {requester.email}" if requester else "",
                request.information_requested,
                request.reason,
                " ".join(f"{s.name} {s.identifier}" for s in request.subjects),
                request.agreement,
            ),
        )

    # Coordination records (SPEC C2) -------------------------------------------------------------------------

    def set_coordination(
        self, request_id: int, item: str, done: bool, who: str = "", done_on: date | None = None,
        reference: str = "", note: str = "",
    ) -> None:
        if item not in COORDINATION_ITEMS:
            raise ValueError(f"unknown coordination item {item!r}")
        stored = self.get_request(request_id)
        request = _with_coordination(stored.request, item, done)
        outcome, step = self._assessment(request)
        with self.transaction("coordination.set", "request", request_id, {"item": item, "done": done}) as tx:
            conn = tx.conn
            conn.execute(
                "INSERT INTO coordination (request_id, item, done, who, done_on, reference, note) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(request_id, item) DO UPDATE SET done = excluded.done, "
                "who = excluded.who, done_on = excluded.done_on, reference = excluded.reference, note = excluded.note",
                (request_id, item, int(done), who, done_on.isoformat() if done_on else None, reference, note),
            )
            conn.execute(
                "UPDATE requests SET outcome = ?, step = ?, updated_at = ? WHERE id = ?",
                (outcome, step, _now(), request_id),
            )

    def coordination_records(self, request_id: int) -> dict[str, dict[str, Any]]:
        with self._read() as conn:
            rows = conn.execute(
                "SELECT item, done, who, done_on, reference, note FROM coordination WHERE request_id = ?",
                (request_id,),
            ).fetchall()
        return {
            item: {"done": bool(done), "who": who, "done_on": done_on, "reference": ref, "note": note}
            for item, done, who, done_on, ref, note in rows
        }


def _with_reference(request: Request, reference: str) -> Request:
    return replace(request, reference=reference)


def _with_coordination(request: Request, item: str, done: bool) -> Request:
    return replace(request, coordination=replace(request.coordination, **{item: done}))


def _fts_query(text: str) -> str:
    """Each word as a quoted prefix term, so user input can never be FTS5 syntax."""
    printable = "".join(ch if ch.isprintable() else " " for ch in text)  # FTS5 refuses NUL and control characters
    words = [w.replace('"', '""') for w in printable.split()]
    return " ".join(f'"{w}"*' for w in words)

