"""The post's registries: foreign authorities, agreements and disclosing officials (SPEC C3).

A request picks from them and keeps the values in its own facts, so the interchange JSON still carries them. The
registry is the post's standing knowledge: an authority marked as having violated the §10.1 assurances blocks
every request from it (§7.3.1.2), whatever a request file says.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

import sqlcipher3

from desktop.requests.model import AuthorityKind, OfficialPosition, Request
from desktop.store.errors import ConflictError, NotFoundError
from desktop.store.repository import Repository, now_text
from desktop.store.sqlcipher import Connection


@dataclass(frozen=True)
class Authority:
    name: str
    country: str = ""
    kind: AuthorityKind | None = None
    address: str = ""
    violated_assurances: bool = False  # §7.3.1.2
    standing_note: str = ""
    # fn 25: the domains of the authority's official e-mail addresses (lower case, e.g. "cbsa-asfc.gc.ca"); an
    # e-mail request from an address at one of them (or a subdomain) is a written request by e-mail.
    official_domains: tuple[str, ...] = ()
    id: int | None = None


@dataclass(frozen=True)
class DomainMatch:
    """Which registered authority an e-mail domain belongs to: one, none, or several (then none is chosen)."""

    authority: Authority | None
    candidates: int


@dataclass(frozen=True)
class Agreement:
    title: str
    kind: str = "cmaa"  # cmaa, mlat, usmca, mou, loi, other
    country: str = ""
    signed_on: str | None = None
    effective_on: str | None = None
    expires_on: str | None = None
    contact: str = ""  # §11.1.3: the agency representative named in the agreement
    notes: str = ""
    id: int | None = None


@dataclass(frozen=True)
class Official:
    name: str
    position: OfficialPosition = OfficialPosition.OTHER
    grade: int | None = None
    supervisory: bool = False
    delegation_ref: str = ""  # fn 22: the written further delegation
    office: str = ""
    email: str = ""
    active: bool = True
    id: int | None = None


AGREEMENT_KINDS = ("cmaa", "mlat", "usmca", "mou", "loi", "other")
MAX_DOMAINS = 50
_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
_TABLES = {Authority: "authorities", Agreement: "agreements", Official: "officials"}
Entry = Authority | Agreement | Official


def list_entries(repo: Repository, kind: type[Entry]) -> list[Any]:
    order = "title" if kind is Agreement else "name"
    with repo.read() as conn:
        cursor = conn.execute(f"SELECT * FROM {_TABLES[kind]} ORDER BY {order} COLLATE NOCASE")
        names = [d[0] for d in cursor.description]
        return [_entry(kind, dict(zip(names, row, strict=True))) for row in cursor.fetchall()]


def get_entry(repo: Repository, kind: type[Entry], entry_id: int) -> Any:
    with repo.read() as conn:
        cursor = conn.execute(f"SELECT * FROM {_TABLES[kind]} WHERE id = ?", (entry_id,))
        row = cursor.fetchone()
        if row is None:
            raise NotFoundError(f"There is no such entry in the {_TABLES[kind]} registry; it may have been removed.")
        return _entry(kind, dict(zip([d[0] for d in cursor.description], row, strict=True)))


def save_entry(repo: Repository, entry: Entry) -> int:
    """Adds or updates one registry entry; an authority's standing is carried to the requests that name it."""
    table = _TABLES[type(entry)]
    columns = _columns(entry)
    action = f"registry.{table}.{'add' if entry.id is None else 'update'}"
    try:
        with repo.transaction(action, table, entry.id, {"fields": sorted(columns)}) as tx:
            entry_id = _write(tx.conn, table, entry.id, columns)
            tx.entity_id = entry_id
            if isinstance(entry, Authority):
                _carry_standing(repo, tx.conn, replace(entry, id=entry_id))
            return entry_id
    except sqlcipher3.IntegrityError as error:
        raise ConflictError(f"The {table} registry already has an entry with that name; open it instead.") from error


def official_domains(value: str | Iterable[str]) -> tuple[str, ...]:
    """The domains as stored: from a list, or from text separated by commas, semicolons or spaces; lower case,
    without a leading "@", each once. ValueError (saying what to change) for one that is not a domain name."""
    items = re.split(r"[\s,;]+", value) if isinstance(value, str) else [str(item) for item in value]
    found: list[str] = []
    for item in items:
        domain = item.strip().lower().removeprefix("@").rstrip(".")
        if not domain:
            continue
        try:
            domain = domain.encode("idna").decode("ascii")  # "aduanas.gob.mx" stays; an accented one becomes xn--
        except UnicodeError as error:
            raise ValueError(f"{item.strip()!r} is not a domain name; write it as in the address after the @.") \
                from error
        labels = domain.split(".")
        if len(labels) < 2 or len(domain) > 253 or not all(_LABEL.fullmatch(label) for label in labels):
            raise ValueError(f"{item.strip()!r} is not an e-mail domain; write the part after the @ of the "
                             "authority's official addresses, e.g. cbsa-asfc.gc.ca (fn 25).")
        if domain not in found:
            found.append(domain)
    if len(found) > MAX_DOMAINS:
        raise ValueError(f"At most {MAX_DOMAINS} official domains an authority; this entry has {len(found)}.")
    return tuple(found)


def authority_by_domain(repo: Repository, domain: str) -> DomainMatch:
    """The authority one of whose official domains `domain` is, or is a subdomain of (fn 25); the most specific
    registered domain wins. Matched by whole labels: "evil-cbsa-asfc.gc.ca" is not at "cbsa-asfc.gc.ca"."""
    wanted = domain.strip().lower().rstrip(".")
    best: list[Authority] = []
    best_length = 0
    for authority in list_entries(repo, Authority):
        lengths = [len(d) for d in authority.official_domains if wanted == d or wanted.endswith("." + d)]
        length = max(lengths, default=0)
        if length > best_length:
            best, best_length = [authority], length
        elif length and length == best_length:
            best.append(authority)
    return DomainMatch(best[0] if len(best) == 1 else None, len(best))


def authority_for(repo: Repository, name: str, country: str) -> Authority | None:
    with repo.read() as conn:
        found = conn.execute(
            "SELECT id FROM authorities WHERE name = ? COLLATE NOCASE AND country = ?", (name.strip(), country)
        ).fetchone()
    return get_entry(repo, Authority, int(found[0])) if found else None


def _write(conn: Connection, table: str, entry_id: int | None, columns: dict[str, Any]) -> int:
    now = now_text()
    if entry_id is None:
        names = [*columns, "created_at", "updated_at"]
        cursor = conn.execute(
            f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})",
            [*columns.values(), now, now],
        )
        return int(cursor.lastrowid or 0)
    assignments = ", ".join(f"{name} = ?" for name in columns)
    updated = conn.execute(f"UPDATE {table} SET {assignments}, updated_at = ? WHERE id = ?",
                           [*columns.values(), now, entry_id])
    if updated.rowcount != 1:
        raise NotFoundError(f"There is no such entry in the {table} registry; it may have been removed.")
    return entry_id


def _carry_standing(repo: Repository, conn: Connection, authority: Authority) -> None:
    """§7.3.1.2: the registry's standing applies to every open request linked to (or naming) the authority."""
    rows = conn.execute(
        "SELECT id FROM requests WHERE status = 'open' AND (authority_id = ? OR "
        "(requesting_authority_name = ? COLLATE NOCASE AND requesting_authority_country = ?))",
        (authority.id, authority.name, authority.country),
    ).fetchall()
    for (request_id,) in rows:
        repo.reassess_in(conn, int(request_id), lambda r: _with_standing(r, authority), authority_id=authority.id)


def _with_standing(request: Request, authority: Authority) -> Request:
    current = request.requesting_authority
    if current is None:
        return request
    return replace(request, requesting_authority=replace(current, violated_assurances=authority.violated_assurances))


def _columns(entry: Entry) -> dict[str, Any]:
    values = asdict(entry)
    values.pop("id")
    if isinstance(entry, Authority):
        values["official_domains"] = json.dumps(list(official_domains(entry.official_domains)))
    return {key: int(value) if isinstance(value, bool) else value for key, value in values.items()}


def _entry(kind: type[Entry], row: dict[str, Any]) -> Any:
    known = {f.name for f in fields(kind)}
    values = {key: value for key, value in row.items() if key in known}
    if kind is Authority:
        values["kind"] = AuthorityKind(values["kind"]) if values["kind"] else None
        values["violated_assurances"] = bool(values["violated_assurances"])
        values["official_domains"] = tuple(json.loads(values.get("official_domains") or "[]"))
    if kind is Official:
        values["position"] = OfficialPosition(values["position"])
        values["supervisory"], values["active"] = bool(values["supervisory"]), bool(values["active"])
    return kind(**values)
