"""`disclosure-desk hq …`: headquarters' side of the sync (SPEC section 7, A3). No post store is opened.

    hq register-post POST.pem --db DB [--name NAME]
    hq import BUNDLE --key HQ.key --cert HQ.pem --db DB --ack-out ACK
    hq status --db DB
    hq migrate --db DB                                    create or upgrade the schema (PostgreSQL: as its owner)
    hq report --db DB [--from D] [--to D] [--json]        entries by post and month; posts behind on batches or acks
    hq report --db DB --individual NAME_OR_ID --out X.pdf [--for-individual]     552a(c)(3) across every post
    hq export --db DB --csv OUT.csv [--from D] [--to D]   every entry of the period

DB is a file (SQLite, created by register-post) or a URL, postgresql://user@host/dbname (issue 16): the password
comes from PGPASSWORD or ~/.pgpass, and a URL that carries one is refused. A refused bundle exits 1 with one line
saying why, and the consolidated store is unchanged. HQ.key may be encrypted: its passphrase then comes from
DISCLOSURE_DESK_HQ_KEY_PASSPHRASE, never from an argument.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from desktop.commands import UsageProblem, command
from desktop.hq.importer import (
    BundleRefused,
    HqInputError,
    acknowledgement_file,
    import_bundle,
    load_recipient,
    register_post,
)
from desktop.hq.report import ReportError
from desktop.hq.sqlite_store import SqliteHqStore
from desktop.hq.store import HqStore, HqStoreError
from desktop.store.fileio import atomic_write_bytes, atomic_writer
from desktop.sync.bundle import BundleLimits

BATCH_DUE_DAYS, ACK_DUE_DAYS = 31, 14  # as desktop/hq/report.py; here so that --help needs no report module
DB_HELP = ("the consolidated store: a SQLite file, or postgresql://user@host[:port]/dbname (the password from "
           "PGPASSWORD or ~/.pgpass, never in the URL)")


def register(commands: Any) -> None:
    hq = commands.add_parser("hq", help="headquarters: register posts, import their DHS-191 bundles")
    actions = hq.add_subparsers(title="hq commands", metavar="ACTION", required=True)
    text = "register a post's signing certificate (made with 'disclosure-desk post-cert')"
    reg = command(actions, "register-post", _register_post, text)
    reg.add_argument("certificate", type=Path, metavar="POST.pem")
    reg.add_argument("--db", required=True, metavar="DB", help=DB_HELP + " (a file is created)")
    reg.add_argument("--name", help="the post's name (default: the certificate's common name)")
    text = "decrypt, verify and merge a post's bundle, and write the acknowledgement"
    imp = command(actions, "import", _import, text)
    imp.add_argument("bundle", type=Path, metavar="BUNDLE")
    imp.add_argument("--key", type=Path, required=True, metavar="HQ.key", help="headquarters' private key (PEM)")
    imp.add_argument("--cert", type=Path, required=True, metavar="HQ.pem", help="headquarters' certificate (PEM)")
    imp.add_argument("--db", required=True, metavar="DB", help=DB_HELP)
    imp.add_argument("--ack-out", type=Path, required=True, metavar="ACK", help="where to write the acknowledgement")
    status = command(actions, "status", _status, "the registered posts and what the store holds")
    status.add_argument("--db", required=True, metavar="DB", help=DB_HELP)
    migrate = command(actions, "migrate", _migrate, "create or upgrade the consolidated store's schema "
                      "(PostgreSQL: run it as the database's owner)")
    migrate.add_argument("--db", required=True, metavar="DB", help=DB_HELP)
    text = ("entries by post and month, posts whose batches or acknowledgements are missing or overdue; or, with "
            "--individual, the accounting for one person across every post as PDF (552a(c)(3))")
    report = command(actions, "report", _report, text)
    report.add_argument("--db", required=True, metavar="DB", help=DB_HELP)
    report.add_argument("--from", dest="start", metavar="YYYY-MM-DD", help="disclosed on or after (default: all)")
    report.add_argument("--to", dest="end", metavar="YYYY-MM-DD", help="disclosed on or before (default: all)")
    report.add_argument("--batch-due-days", type=int, default=BATCH_DUE_DAYS, metavar="N",
                        help=f"a post without a batch for longer is overdue (default {BATCH_DUE_DAYS})")
    report.add_argument("--ack-due-days", type=int, default=ACK_DUE_DAYS, metavar="N",
                        help=f"days a post has to import an acknowledgement (default {ACK_DUE_DAYS})")
    report.add_argument("--json", action="store_true", help="print JSON instead of text")
    report.add_argument("--individual", metavar="NAME_OR_ID", help="the individual's name or identifier")
    report.add_argument("--out", type=Path, metavar="REPORT.pdf", help="with --individual: where to write the PDF")
    report.add_argument("--for-individual", action="store_true",
                        help="the copy for the individual: (b)(7) disclosures left out (552a(c)(3))")
    export = command(actions, "export", _export, "every DHS-191 entry of a period, as CSV")
    export.add_argument("--db", required=True, metavar="DB", help=DB_HELP)
    export.add_argument("--csv", type=Path, required=True, metavar="OUT.csv", help="the file to write")
    export.add_argument("--from", dest="start", metavar="YYYY-MM-DD", help="disclosed on or after (default: all)")
    export.add_argument("--to", dest="end", metavar="YYYY-MM-DD", help="disclosed on or before (default: all)")


def _register_post(args: argparse.Namespace) -> int:
    pem = _read(args.certificate, 1 << 20)
    store = _store(args.db, create=True)
    try:
        post, added = register_post(store, pem, args.name)
    except HqInputError as error:
        raise _usage(f"{args.certificate}: {error}") from None
    except HqStoreError as error:
        print(f"disclosure-desk: {error}", file=sys.stderr)
        return 1
    finally:
        store.close()
    state = "registered" if added else "already registered"
    print(json.dumps({"post": post.name, "fingerprint": post.fingerprint, "state": state}))
    return 0


def _import(args: argparse.Namespace) -> int:
    try:
        recipient = load_recipient(_read(args.key, 1 << 20), _read(args.cert, 1 << 20))
    except HqInputError as error:
        raise _usage(str(error)) from None
    limits = BundleLimits()
    store = _store(args.db, create=False)
    try:
        report = import_bundle(store, args.bundle, recipient, limits)  # read from the file as a stream
        try:
            atomic_write_bytes(args.ack_out, acknowledgement_file(report, recipient))
        except OSError as error:
            print(f"disclosure-desk: {report.summary()} The acknowledgement could not be written to {args.ack_out} "
                  f"({error.strerror}); import the bundle again to write it.", file=sys.stderr)
            return 1
        store.record_acknowledgement(report.post.fingerprint, report.batch,
                                     datetime.now(UTC).isoformat(timespec="seconds"))
    except HqInputError as error:
        raise _usage(str(error)) from None
    except BundleRefused as refused:
        print(f"disclosure-desk: {args.bundle}: {refused}; nothing was imported.", file=sys.stderr)
        return 1
    except HqStoreError as error:
        print(f"disclosure-desk: {args.bundle}: {error}", file=sys.stderr)
        return 1
    finally:
        store.close()
    print(report.summary())
    print(json.dumps({"post": report.post.name, "batch": report.batch, "entries": report.entry_count,
                      "new": report.new, "already_held": report.already_held, "repeated": report.repeated,
                      "missing_batches": list(report.missing), "acknowledgement": str(args.ack_out)}))
    return 0


def _status(args: argparse.Namespace) -> int:
    store = _store(args.db, create=False)
    try:
        counts, posts = store.counts(), store.posts()
    finally:
        store.close()
    for post in posts:
        print(f"{post.name:<24} {post.fingerprint[:16]}…  registered {post.registered_at[:10]}")
    print(f"{counts.posts} post(s), {counts.batches} batch(es), {counts.entries} DHS-191 entries")
    return 0


def _migrate(args: argparse.Namespace) -> int:
    store = _store(args.db, create=True, migrate=True)
    try:
        counts = store.counts()
    finally:
        store.close()
    print(json.dumps({"db": _shown(args.db), "schema": "current", "posts": counts.posts, "entries": counts.entries}))
    return 0


def _report(args: argparse.Namespace) -> int:
    from desktop.hq import report

    try:
        start, end = report.period(args.start, args.end)
    except ReportError as error:
        raise _usage(str(error)) from None
    if args.individual is not None and args.out is None:
        raise _usage("--individual needs --out REPORT.pdf: the accounting is written as a PDF")
    store = _store(args.db, create=False)
    try:
        if args.individual is None:
            made = report.summary(store, start, end, date.today(), batch_due_days=args.batch_due_days,
                                  ack_due_days=args.ack_due_days)
            print(json.dumps(made.to_json(), ensure_ascii=False) if args.json else made.text())
            return 0
        try:
            person = report.resolve_individual(store, args.individual)
        except ReportError as error:
            print(f"disclosure-desk: {error}", file=sys.stderr)
            return 1
        pdf = report.individual_pdf(store, person, for_individual=args.for_individual, today=date.today())
    finally:
        store.close()
    _write(args.out, pdf)
    shown = person.disclosures - (person.b7 if args.for_individual else 0)
    print(json.dumps({"out": str(args.out), "individual": person.name, "identifier": person.identifier,
                      "disclosures": shown, "b7": person.b7, "posts": person.posts,
                      "copy": "individual" if args.for_individual else "agency"}, ensure_ascii=False))
    if args.for_individual and person.b7:
        print("Written for the individual ((b)(7) disclosures left out).")
    return 0


def _export(args: argparse.Namespace) -> int:
    from desktop.hq import report

    try:
        start, end = report.period(args.start, args.end)
    except ReportError as error:
        raise _usage(str(error)) from None
    store = _store(args.db, create=False)
    try:
        with atomic_writer(args.csv) as handle:  # the old file stays whole if anything fails
            count = report.write_csv(store, start, end, handle)
    except OSError as error:
        raise _usage(f"{args.csv}: cannot be written ({error.strerror})") from None
    finally:
        store.close()
    print(json.dumps({"csv": str(args.csv), "from": start, "to": end, "entries": count}))
    return 0


def _store(db: str, create: bool, migrate: bool = False) -> HqStore:
    """The store `--db` names: a postgresql:// URL (psycopg loads only then) or a SQLite file."""
    try:
        if _is_url(db):
            from desktop.hq.postgres_store import PostgresHqStore

            return PostgresHqStore.open(db, migrate=migrate)
        return SqliteHqStore.open(Path(db), create=create)
    except HqStoreError as error:
        raise _usage(str(error)) from None


def _is_url(db: str) -> bool:
    return db.startswith(("postgresql://", "postgres://"))


def _shown(db: str) -> str:
    return db if _is_url(db) else str(Path(db))


def _write(path: Path, data: bytes) -> None:
    try:
        atomic_write_bytes(path, data)
    except OSError as error:
        raise _usage(f"{path}: cannot be written ({error.strerror})") from None


def _read(path: Path, limit: int) -> bytes:
    try:
        size = path.stat().st_size
        if size > limit:
            raise _usage(f"{path}: {size:,} bytes, over the {limit:,} accepted")
        return path.read_bytes()
    except OSError as error:
        raise _usage(f"{path}: cannot be read ({error.strerror})") from None


def _usage(message: str) -> Exception:
    return UsageProblem(f"disclosure-desk: {message}")
