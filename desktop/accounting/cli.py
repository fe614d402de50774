"""`disclosure-desk accounting | incident | retention` (SPEC section 6, 7): the same core functions the window calls.

Personal data goes only where the user sends it: the terminal, or a file named with --out.
"""

from __future__ import annotations

import argparse
import json
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desktop.commands import command, open_store

if TYPE_CHECKING:
    pass

# The core modules are imported by each command, not here: every start of the program builds this parser.


def register(commands: Any) -> None:
    """Adds `accounting`, `incident` and `retention` to the command line (desktop/cli.py)."""
    _accounting(commands)
    incident = commands.add_parser("incident", help="privacy incidents (§11)")
    actions = incident.add_subparsers(title="incident commands", metavar="ACTION", required=True)
    add = command(actions, "add", _incident_add, "record an incident and draft its three notifications (§11.1)")
    text = add.add_mutually_exclusive_group(required=True)
    text.add_argument("--description", help="what happened")
    text.add_argument("--description-file", type=Path, help="what happened, from a UTF-8 text file")
    add.add_argument("--discovered", type=date.fromisoformat, required=True, help="when it was discovered, YYYY-MM-DD")
    add.add_argument("--occurred", type=date.fromisoformat, help="when it happened, if known")
    add.add_argument("--packet", type=int, help="the packet concerned (its id, as 'accounting list' shows)")
    add.add_argument("--authority-id", type=int, help="the authority in the registry (default: the packet's)")
    add.add_argument("--finding", default="", help="the finding, when there is one")
    add.add_argument("--violated-assurances", action="store_true",
                     help="the finding: the authority violated the §10.1 assurances (blocks its requests)")
    add.add_argument("--reported-by", default="", help="who reports it")
    add.add_argument("--out-dir", type=Path, help="write the three drafted notifications here as .txt files")
    retention = commands.add_parser("retention", help="retention and disposition (§10.2.1, §10.2.2)")
    actions = retention.add_subparsers(title="retention commands", metavar="ACTION", required=True)
    listed = command(actions, "list", _retention_list, "list what is past its retention date")
    listed.add_argument("--json", action="store_true", help="one JSON object a line")
    gone = command(actions, "dispose", _retention_dispose, "remove everything past its retention date")
    gone.add_argument("--confirm", action="store_true", help="required: the removal cannot be undone")


def _accounting(commands: Any) -> None:
    accounting = commands.add_parser("accounting", help="DHS-191 Privacy Act accounting (§10.2, 552a(c))")
    actions = accounting.add_subparsers(title="accounting commands", metavar="ACTION", required=True)
    listed = command(actions, "list", _list, "list DHS-191 entries (JSON lines)")
    listed.add_argument("--unsynced", action="store_true", help="only entries headquarters has not acknowledged")
    listed.add_argument("--ref", help="only the entries of this request")
    person = command(actions, "individual", _individual,
                     "accounting for an individual (552a(c)(3)): every disclosure of one person's records, as PDF")
    person.add_argument("who", metavar="NAME_OR_ID", help="the individual's name or identifier")
    person.add_argument("--out", type=Path, required=True, help="where to write the report (PDF)")
    person.add_argument("--for-individual", action="store_true",
                        help="the copy for the individual: (b)(7) disclosures left out (552a(c)(3))")
    printed = command(actions, "print", _print, "one entry as a DHS-191 style PDF")
    printed.add_argument("uuid", metavar="UUID")
    printed.add_argument("--out", type=Path, required=True, help="where to write the PDF")


def _list(args: argparse.Namespace) -> int:
    from desktop.accounting.entries import entries, unacknowledged_entries

    store = open_store(args)
    try:
        repo = store.repo
        request_id = repo.request_id_by_reference(args.ref) if args.ref else None
        found = unacknowledged_entries(repo) if args.unsynced else entries(repo, request_id=request_id)
        if args.unsynced and request_id is not None:
            found = [e for e in found if e.request_id == request_id]
    finally:
        store.lock()
    for entry in found:
        row = entry.a2_row()
        row.update({"packet_id": entry.packet_id, "supersedes": entry.supersedes,
                    "superseded_by": entry.superseded_by, "acknowledged_at": entry.acknowledged_at})
        print(json.dumps(row, ensure_ascii=False))
    return 0


def _individual(args: argparse.Namespace) -> int:
    from desktop.accounting.individual import individual_report, resolve_individual
    from desktop.store.fileio import atomic_write_bytes

    store = open_store(args)
    try:
        individual = resolve_individual(store.repo, args.who)
        pdf = individual_report(store.repo, individual, for_individual=args.for_individual)
    finally:
        store.lock()
    atomic_write_bytes(args.out, pdf)
    withheld = " ((b)(7) disclosures left out)" if args.for_individual and individual.b7 else ""
    print(json.dumps({"out": str(args.out), "individual": individual.name, "identifier": individual.identifier,
                      "disclosures": individual.disclosures - (individual.b7 if args.for_individual else 0),
                      "b7": individual.b7, "copy": "individual" if args.for_individual else "agency"},
                     ensure_ascii=False))
    if withheld:
        print(f"Written for the individual{withheld}.")
    return 0


def _print(args: argparse.Namespace) -> int:
    from desktop.accounting.dhs191_pdf import render_entry_pdf
    from desktop.accounting.entries import get_entry
    from desktop.store.fileio import atomic_write_bytes

    store = open_store(args)
    try:
        entry = get_entry(store.repo, args.uuid)
        pdf = render_entry_pdf(entry, entry.post or store.repo.setting("post_name"), entry.packet_sha256)
    finally:
        store.lock()
    atomic_write_bytes(args.out, pdf)
    print(json.dumps({"out": str(args.out), "uuid": entry.uuid}))
    return 0


def _incident_add(args: argparse.Namespace) -> int:
    from desktop.accounting.incidents import IncidentReport, record_incident
    from desktop.store.fileio import atomic_write_bytes

    description = args.description if args.description is not None else _read_text(args.description_file)
    report = IncidentReport(description=description, discovered_on=args.discovered, packet_id=args.packet,
                            authority_id=args.authority_id, occurred_on=args.occurred, finding=args.finding,
                            violated_assurances=args.violated_assurances, reported_by=args.reported_by)
    store = open_store(args)
    try:
        incident = record_incident(store.repo, report)
    finally:
        store.lock()
    written = []
    if args.out_dir:
        args.out_dir.mkdir(parents=True, exist_ok=True)
        for note in incident.notifications:
            path = args.out_dir / f"incident-{incident.id}-{note.recipient}.txt"
            atomic_write_bytes(path, note.body.encode("utf-8"))
            written.append(str(path))
    print(json.dumps({"incident": incident.id, "authority_id": incident.authority_id,
                      "violated_assurances": incident.violated_assurances,
                      "notifications": [n.recipient for n in incident.notifications], "written": written}))
    return 0


def _read_text(path: Path) -> str:
    from desktop.accounting.texts import AccountingError

    try:
        return path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise AccountingError(f"{path} cannot be read as UTF-8 text ({error}).") from error


def _retention_list(args: argparse.Namespace) -> int:
    from desktop.accounting.retention import eligible_for_disposition

    store = open_store(args)
    try:
        items = eligible_for_disposition(store.repo)
    finally:
        store.lock()
    for item in items:
        if args.json:
            print(json.dumps({**item.__dict__, "retain_until": item.retain_until.isoformat()}))
        else:
            synced = f" - {item.unsynced} not yet acknowledged by headquarters" if item.unsynced else ""
            print(f"{item.reference}: {item.summary()}{synced}")
    if not args.json:
        print(f"{len(items)} request(s) eligible for disposition")
    return 0


def _retention_dispose(args: argparse.Namespace) -> int:
    from desktop.accounting.retention import dispose, eligible_for_disposition

    store = open_store(args)
    try:
        items = eligible_for_disposition(store.repo)
        count = dispose(store.repo, items, confirmed=args.confirm)
    finally:
        store.lock()
    print(f"Disposed of {count} request(s) and everything of their disclosures: "
          f"{', '.join(i.reference for i in items) or 'nothing was eligible'}.")
    return 0
