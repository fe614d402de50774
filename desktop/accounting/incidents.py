"""Privacy incidents (§11, SPEC I1): record one, draft the three notifications, mark the authority when it broke
the §10.1 assurances.

The mark goes through the registry (`save_entry`), so every open request of the authority is re-assessed there and
becomes blocked (AUTHORITY_VIOLATED_ASSURANCES, §7.3.1.2). It is made before the incident is written: should
writing the incident fail, the authority is still blocked (the safe side) and recording the incident again marks
nothing twice.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from desktop.accounting.texts import AccountingError, fill
from desktop.documents import long_date
from desktop.requests.model import Basis
from desktop.store.registries import Agreement, Authority, authority_for, get_entry, list_entries, save_entry
from desktop.store.repository import Repository, now_text
from desktop.store.sqlcipher import Connection

RECIPIENTS = {  # table incident_notifications.recipient -> template (§11.1.1-§11.1.3)
    "privacy_office": "incident_privacy_office.txt",
    "ac_oia": "incident_ac_oia.txt",
    "attache": "incident_attache.txt",
}


@dataclass(frozen=True)
class IncidentReport:
    description: str  # what happened
    discovered_on: date
    packet_id: int | None = None
    authority_id: int | None = None  # default: the authority the packet went to
    occurred_on: date | None = None
    finding: str = ""
    violated_assurances: bool = False  # the finding: the authority violated the §10.1 assurances
    reported_by: str = ""


@dataclass(frozen=True)
class Notification:
    id: int
    recipient: str  # privacy_office, ac_oia, attache
    body: str
    sent_on: str | None


@dataclass(frozen=True)
class Incident:
    id: int
    packet_id: int | None
    authority_id: int | None
    occurred_on: str | None
    discovered_on: str
    description: str
    finding: str
    violated_assurances: bool
    reported_by: str
    created_at: str
    notifications: tuple[Notification, ...]


@dataclass(frozen=True)
class _Context:
    authority: Authority | None
    disclosure: str
    contact: str


def record_incident(repo: Repository, report: IncidentReport, today: date | None = None) -> Incident:
    """Records the incident and drafts its three notifications; a §10.1 violation marks the authority."""
    if not report.description.strip():
        raise AccountingError("Say what happened; the notifications are drafted from it (§11.1).")
    context = _context(repo, report)
    if report.violated_assurances:
        if context.authority is None:
            raise AccountingError("The finding is a violation of the §10.1 assurances, but no authority is named: "
                                  "choose the packet or the authority, so that its requests are blocked.")
        context = replace(context, authority=_mark_violation(repo, context.authority, report))
    authority_id = context.authority.id if context.authority else None
    detail = {"packet_id": report.packet_id, "authority_id": authority_id,
              "violated_assurances": report.violated_assurances}  # no description: it may name people
    with repo.transaction("incident.add", "incident", None, detail) as tx:
        incident_id = _insert(tx.conn, report, authority_id)
        tx.entity_id = incident_id
        bodies = _bodies(repo, incident_id, report, context, today or date.today())
        tx.conn.executemany("INSERT INTO incident_notifications (incident_id, recipient, body) VALUES (?, ?, ?)",
                            [(incident_id, recipient, body) for recipient, body in bodies.items()])
    return get_incident(repo, incident_id)


def _context(repo: Repository, report: IncidentReport) -> _Context:
    authority = get_entry(repo, Authority, report.authority_id) if report.authority_id is not None else None
    if report.packet_id is None:
        return _Context(authority, "(no packet named)", _attache(repo, None))
    with repo.read() as conn:
        found = conn.execute("SELECT request_id, bates_prefix, bates_first, bates_last, finalized_at FROM packets "
                             "WHERE id = ?", (report.packet_id,)).fetchone()
    if found is None:
        raise AccountingError(f"There is no packet {report.packet_id} in this store.")
    request = repo.get_request(int(found[0])).request
    if authority is None and request.requesting_authority and request.requesting_authority.name.strip():
        named = request.requesting_authority
        authority = authority_for(repo, named.name, named.country) or Authority(
            named.name.strip(), named.country, named.kind, named.address)
    disclosure = (f"packet {report.packet_id} of request {request.reference}, sent {str(found[4])[:10]}, "
                  f"Bates {found[1]}{int(found[2] or 0):06d}-{found[1]}{int(found[3] or 0):06d}")
    agreement = request.agreement if request.basis is not Basis.AD_HOC_1628 else ""
    return _Context(authority, disclosure, _attache(repo, agreement))


def _attache(repo: Repository, agreement_title: str | None) -> str:
    """§11.1.3: the agency representative named in the agreement, else the post's CBP Attaché."""
    if agreement_title:
        for agreement in list_entries(repo, Agreement):
            if agreement.title == agreement_title and agreement.contact.strip():
                return str(agreement.contact.strip())
    post = repo.setting("post_name")
    return f"CBP Attaché, {post}" if post else "the relevant CBP Attaché"


def _mark_violation(repo: Repository, authority: Authority, report: IncidentReport) -> Authority:
    note = f"Violated the §10.1 assurances: privacy incident discovered {report.discovered_on.isoformat()} (§11)."
    marked = replace(authority, violated_assurances=True,
                     standing_note=f"{authority.standing_note}\n{note}".strip())
    return replace(marked, id=save_entry(repo, marked))


def _insert(conn: Connection, report: IncidentReport, authority_id: int | None) -> int:
    cursor = conn.execute(
        "INSERT INTO incidents (packet_id, authority_id, occurred_on, discovered_on, description, finding, "
        "violated_assurances, created_at, reported_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (report.packet_id, authority_id, report.occurred_on.isoformat() if report.occurred_on else None,
         report.discovered_on.isoformat(), report.description.strip(), report.finding.strip(),
         int(report.violated_assurances), now_text(), report.reported_by.strip()),
    )
    return int(cursor.lastrowid or 0)


def _bodies(repo: Repository, incident_id: int, report: IncidentReport, context: _Context,
            today: date) -> dict[str, str]:
    post = repo.setting("post_name")
    finding = report.finding.strip() or "(not yet determined)"
    if report.violated_assurances:
        finding += (" The Foreign Authority has violated the assurances of §10.1; it is marked so in the post's "
                    "registry and no further requests from it are processed (§7.3.1.2).")
    authority = context.authority
    values = {
        "date": long_date(today), "incident": f"incident {incident_id}",
        "discovered_on": long_date(report.discovered_on),
        "occurred_on": long_date(report.occurred_on) if report.occurred_on else "(not known)",
        "description": report.description.strip(), "disclosure": context.disclosure,
        "authority": authority.name if authority else "(not named)", "finding": finding,
        "office": f"CBP Attaché Office, {post}" if post else "U.S. Customs and Border Protection", "post": post,
        "contact": context.contact, "reported_by": report.reported_by.strip() or "(not recorded)",
    }
    return {recipient: fill(template, values) for recipient, template in RECIPIENTS.items()}


def get_incident(repo: Repository, incident_id: int) -> Incident:
    with repo.read() as conn:
        row = conn.execute("SELECT id, packet_id, authority_id, occurred_on, discovered_on, description, finding, "
                           "violated_assurances, reported_by, created_at FROM incidents WHERE id = ?",
                           (incident_id,)).fetchone()
        if row is None:
            raise AccountingError(f"There is no incident {incident_id} in this store.")
        notes = conn.execute("SELECT id, recipient, body, sent_on FROM incident_notifications WHERE incident_id = ? "
                             "ORDER BY id", (incident_id,)).fetchall()
    return Incident(id=int(row[0]), packet_id=row[1], authority_id=row[2], occurred_on=row[3], discovered_on=row[4],
                    description=row[5], finding=row[6], violated_assurances=bool(row[7]), reported_by=row[8],
                    created_at=row[9], notifications=tuple(Notification(*n) for n in notes))


def list_incidents(repo: Repository) -> list[Incident]:
    with repo.read() as conn:
        ids = [int(r[0]) for r in conn.execute("SELECT id FROM incidents ORDER BY id")]
    return [get_incident(repo, i) for i in ids]


def mark_notification_sent(repo: Repository, notification_id: int, on: date) -> None:
    with repo.transaction("incident.notified", "incident_notification", notification_id,
                          {"sent_on": on.isoformat()}) as tx:
        if tx.conn.execute("UPDATE incident_notifications SET sent_on = ? WHERE id = ?",
                           (on.isoformat(), notification_id)).rowcount != 1:
            raise AccountingError(f"There is no notification {notification_id} in this store.")
