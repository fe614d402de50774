"""Reading DHS-191 entries, and correcting one by a new entry that supersedes it (SPEC A1, A2).

`Entry`'s first eighteen fields are the SPEC A2 bundle columns, in that order (`A2_COLUMNS`); the sync bundle
reads entries through `entries` and `unacknowledged_entries`, so these names stay stable.
"""

from __future__ import annotations

import uuid as uuid_module
from dataclasses import asdict, dataclass, fields, replace
from datetime import date
from typing import Any

from desktop.accounting.record import RETENTION_YEARS, plus_years
from desktop.accounting.texts import AccountingError
from desktop.store.errors import NotFoundError
from desktop.store.repository import Repository, now_text

A2_COLUMNS = (
    "uuid", "post", "request_reference", "disclosure_id", "individual_name", "individual_identifier", "disclosed_on",
    "nature", "purpose", "recipient_name", "recipient_address", "authority", "sorn", "method", "disclosing_official",
    "office", "retain_until", "b7",
)

# What a correction may change: the facts of the disclosure as recorded, never where it came from or when it is kept.
CORRECTABLE = frozenset({
    "individual_name", "individual_identifier", "disclosed_on", "nature", "purpose", "recipient_name",
    "recipient_address", "authority", "sorn", "method", "disclosing_official", "office", "b7",
})


@dataclass(frozen=True)
class Entry:
    uuid: str
    post: str
    request_reference: str
    disclosure_id: str  # the packet's Bates range: unique within the post, never reused (SPEC P1)
    individual_name: str
    individual_identifier: str
    disclosed_on: date
    nature: str
    purpose: str
    recipient_name: str
    recipient_address: str
    authority: str
    sorn: str
    method: str
    disclosing_official: str
    office: str
    retain_until: date
    b7: bool
    # Beyond the A2 columns: links and state kept by the post.
    packet_id: int | None = None
    request_id: int | None = None
    subject_id: int | None = None
    packet_sha256: str = ""
    supersedes: str | None = None
    superseded_by: str | None = None
    correction_reason: str = ""
    batch_id: int | None = None
    acknowledged_at: str | None = None
    created_at: str = ""

    @property
    def current(self) -> bool:
        return self.superseded_by is None

    def a2_row(self) -> dict[str, Any]:
        """The entry as one line of entries.jsonl / entries.csv (SPEC A2)."""
        values = asdict(self)
        row = {name: values[name] for name in A2_COLUMNS}
        row["disclosed_on"], row["retain_until"] = self.disclosed_on.isoformat(), self.retain_until.isoformat()
        return row


_STORED = [f.name for f in fields(Entry) if f.name != "superseded_by"]
SELECT_ENTRIES = (
    "SELECT " + ", ".join(f"e.{name}" for name in _STORED) +
    ", (SELECT n.uuid FROM dhs191_entries n WHERE n.supersedes = e.uuid LIMIT 1) FROM dhs191_entries e"
)


def entry_from_row(row: Any) -> Entry:
    values = dict(zip([*_STORED, "superseded_by"], row, strict=True))
    values["disclosed_on"] = date.fromisoformat(values["disclosed_on"])
    values["retain_until"] = date.fromisoformat(values["retain_until"])
    values["b7"] = bool(values["b7"])
    return Entry(**values)


def entries(repo: Repository, *, request_id: int | None = None, packet_id: int | None = None,
            uuids: list[str] | None = None, current_only: bool = False) -> list[Entry]:
    """Entries, oldest first; filtered by request, packet or UUIDs; `current_only` leaves out superseded ones."""
    clauses: list[str] = []
    params: list[Any] = []
    if request_id is not None:
        clauses.append("e.request_id = ?")
        params.append(request_id)
    if packet_id is not None:
        clauses.append("e.packet_id = ?")
        params.append(packet_id)
    if uuids is not None:
        clauses.append(f"e.uuid IN ({', '.join('?' * len(uuids))})")
        params += uuids
    if current_only:
        clauses.append("NOT EXISTS (SELECT 1 FROM dhs191_entries n WHERE n.supersedes = e.uuid)")
    where = (" WHERE " + " AND ".join(clauses)) if clauses else ""
    with repo.read() as conn:
        rows = conn.execute(f"{SELECT_ENTRIES}{where} ORDER BY e.disclosed_on, e.created_at, e.rowid",
                            params).fetchall()
    return [entry_from_row(row) for row in rows]


def unacknowledged_entries(repo: Repository) -> list[Entry]:
    """What the next sync bundle carries (SPEC A2): every entry headquarters has not acknowledged, corrections and
    the entries they supersede alike, so headquarters holds the whole history."""
    with repo.read() as conn:
        rows = conn.execute(f"{SELECT_ENTRIES} WHERE e.acknowledged_at IS NULL ORDER BY e.disclosed_on, e.created_at, "
                            "e.rowid").fetchall()
    return [entry_from_row(row) for row in rows]


def get_entry(repo: Repository, uuid: str) -> Entry:
    found = entries(repo, uuids=[uuid])
    if not found:
        raise NotFoundError(f"There is no DHS-191 entry {uuid} in this store; 'accounting list' shows them.")
    return found[0]


def correct_entry(repo: Repository, uuid: str, changes: dict[str, Any], reason: str) -> Entry:
    """A correction (SPEC A1): a new entry with the changes that supersedes `uuid`; both are kept."""
    old = get_entry(repo, uuid)
    _check_correction(old, changes, reason)
    new = replace(old, **changes, uuid=str(uuid_module.uuid4()), supersedes=old.uuid, superseded_by=None,
                  correction_reason=reason.strip(), batch_id=None, acknowledged_at=None, created_at=now_text())
    # §10.2.1: a later disclosure date moves the retention end later, never earlier.
    new = replace(new, retain_until=max(old.retain_until, plus_years(new.disclosed_on, RETENTION_YEARS)))
    detail = {"supersedes": old.uuid, "fields": sorted(changes)}  # names of fields only: no personal data
    with repo.transaction("dhs191.correct", "dhs191_entry", new.uuid, detail) as tx:
        if tx.conn.execute("SELECT 1 FROM dhs191_entries WHERE supersedes = ?", (old.uuid,)).fetchone():
            raise AccountingError("That entry has already been corrected; correct the newest entry instead.")
        _insert(tx.conn, new)
    return get_entry(repo, new.uuid)


def _check_correction(old: Entry, changes: dict[str, Any], reason: str) -> None:
    if old.superseded_by is not None:
        raise AccountingError("That entry has already been corrected; correct the newest entry instead.")
    unknown = sorted(set(changes) - CORRECTABLE)
    if unknown:
        raise AccountingError(f"A correction cannot change {', '.join(unknown)}; it can change "
                              f"{', '.join(sorted(CORRECTABLE))}.")
    if not reason.strip():
        raise AccountingError("Say why the entry is corrected; the reason is kept with the correction.")
    if not changes or all(getattr(old, key) == value for key, value in changes.items()):
        raise AccountingError("The correction changes nothing; the entry stays as it is.")
    if "disclosed_on" in changes and not isinstance(changes["disclosed_on"], date):
        raise AccountingError("The date of disclosure must be a date.")


def _insert(conn: Any, entry: Entry) -> None:
    values = asdict(entry)
    values.pop("superseded_by")
    values["disclosed_on"], values["retain_until"] = entry.disclosed_on.isoformat(), entry.retain_until.isoformat()
    values["b7"] = int(entry.b7)
    names = list(values)
    conn.execute(f"INSERT INTO dhs191_entries ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})",
                 list(values.values()))
