"""Onward disclosure permissions (§8.1.5, §10.1.1, SPEC I2): the foreign authority's written request to share
CBP's information further, and CBP's written answer, kept with the packet they concern.

The information may not go to another party without CBP's prior express written permission (§10.1.1): a decision
is therefore only recorded with the written answer, and once given it is not changed (a new request is recorded).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from desktop.accounting.texts import AccountingError
from desktop.store.repository import Repository, now_text

DECISIONS = ("granted", "denied")


@dataclass(frozen=True)
class OnwardRequest:
    packet_id: int
    asked_on: date
    asked_by: str  # who at the foreign authority asked, in writing
    third_party: str  # whom they want to share with
    purpose: str
    document: bytes | None = None  # their written request (e-mail, letter), kept in the store


@dataclass(frozen=True)
class OnwardPermission:
    id: int
    request_id: int
    packet_id: int | None
    asked_on: str
    asked_by: str
    third_party: str
    purpose: str
    decision: str  # pending, granted, denied
    decided_on: str | None
    answer: str
    answered_by: str
    has_request_document: bool
    has_answer_document: bool


def record_onward_request(repo: Repository, asked: OnwardRequest) -> int:
    missing = [name for name in ("asked_by", "third_party", "purpose") if not getattr(asked, name).strip()]
    if missing:
        raise AccountingError(f"An onward disclosure request needs {', '.join(missing)} (§8.1.5).")
    with repo.read() as conn:
        found = conn.execute("SELECT request_id FROM packets WHERE id = ?", (asked.packet_id,)).fetchone()
    if found is None:
        raise AccountingError(f"There is no packet {asked.packet_id} in this store.")
    with repo.transaction("onward.request", "request", int(found[0]), {"packet_id": asked.packet_id}) as tx:
        cursor = tx.conn.execute(
            "INSERT INTO onward_permissions (request_id, packet_id, asked_on, asked_by, third_party, purpose, "
            "request_document, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (int(found[0]), asked.packet_id, asked.asked_on.isoformat(), asked.asked_by.strip(),
             asked.third_party.strip(), asked.purpose.strip(), asked.document, now_text()),
        )
        permission_id = int(cursor.lastrowid or 0)
        tx.detail["permission_id"] = permission_id
    return permission_id


def record_onward_answer(repo: Repository, permission_id: int, decision: str, decided_on: date, answer: str,
                         answered_by: str, document: bytes | None = None) -> None:
    """CBP's written answer (§10.1.1: express prior written permission); recorded once."""
    if decision not in DECISIONS:
        raise AccountingError(f"The decision is one of {', '.join(DECISIONS)}.")
    if not answer.strip() or not answered_by.strip():
        raise AccountingError("Record CBP's written answer and who gave it (§8.1.5: express written permission).")
    current = get_permission(repo, permission_id)
    if current.decision != "pending":
        raise AccountingError(f"This request was already {current.decision} on {current.decided_on}; a new request "
                              "from the authority is recorded as a new permission.")
    with repo.transaction("onward.answer", "request", current.request_id,
                          {"permission_id": permission_id, "decision": decision}) as tx:
        tx.conn.execute(
            "UPDATE onward_permissions SET decision = ?, decided_on = ?, answer = ?, answered_by = ?, "
            "answer_document = ? WHERE id = ? AND decision = 'pending'",
            (decision, decided_on.isoformat(), answer.strip(), answered_by.strip(), document, permission_id),
        )


_COLUMNS = ("id, request_id, packet_id, asked_on, asked_by, third_party, purpose, decision, decided_on, answer, "
            "answered_by, request_document IS NOT NULL, answer_document IS NOT NULL")


def get_permission(repo: Repository, permission_id: int) -> OnwardPermission:
    with repo.read() as conn:
        row = conn.execute(f"SELECT {_COLUMNS} FROM onward_permissions WHERE id = ?", (permission_id,)).fetchone()
    if row is None:
        raise AccountingError(f"There is no onward disclosure permission {permission_id} in this store.")
    return _permission(row)


def permissions_for(repo: Repository, request_id: int) -> list[OnwardPermission]:
    with repo.read() as conn:
        rows = conn.execute(f"SELECT {_COLUMNS} FROM onward_permissions WHERE request_id = ? ORDER BY id",
                            (request_id,)).fetchall()
    return [_permission(row) for row in rows]


def permission_document(repo: Repository, permission_id: int, which: str) -> bytes | None:
    column = {"request": "request_document", "answer": "answer_document"}[which]
    with repo.read() as conn:
        row = conn.execute(f"SELECT {column} FROM onward_permissions WHERE id = ?", (permission_id,)).fetchone()
    return bytes(row[0]) if row and row[0] is not None else None


def _permission(row: tuple[object, ...]) -> OnwardPermission:
    values = list(row)
    values[-2:] = [bool(values[-2]), bool(values[-1])]
    return OnwardPermission(*values)  # type: ignore[arg-type]
