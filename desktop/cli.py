"""Disclosure Desk from the command line: each command calls the same core as the window; no command opens it.

Exit codes: 0 done; 1 the action could not be done (the message says why and what to do); 2 the input is invalid
(one line naming the file and the field). The passphrase comes from DISCLOSURE_DESK_PASSPHRASE or a prompt,
never from an argument (it would show in the process list and shell history).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from desktop import __version__
from desktop.accounting.cli import register as register_accounting_commands
from desktop.commands import PASSPHRASE_ENV, UsageProblem, command, open_store, read_passphrase
from desktop.hardening import harden_process
from desktop.hq.cli import register as register_hq_commands
from desktop.logging_setup import log_dir, setup_logging
from desktop.packets.cli import register as register_packet_commands
from desktop.paths import DATA_ENV, data_dir
from desktop.record_commands import register as register_record_commands
from desktop.requests import InterchangeError, load_request_file, request_to_json
from desktop.setup import create_post_store
from desktop.store import (
    KeyVault,
    RequestQuery,
    StoreError,
    restore_backup,
    write_backup,
)
from desktop.store.passphrase import assess
from desktop.sync.cli import register as register_sync_commands

NEW_PASSPHRASE_ENV = "DISCLOSURE_DESK_NEW_PASSPHRASE"
_log = logging.getLogger(__name__)


def main(argv: Sequence[str] | None = None) -> int:
    harden_process()
    args = _parser().parse_args(argv)
    setup_logging(log_dir(args.data_dir))  # events and counts only, never what the user typed (logging_setup.py)
    name = getattr(args, "handler", _gui).__name__.strip("_")
    _log.info("start %s (version %s)", name, __version__)
    started = time.monotonic()
    code = _run(args)
    _log.info("end %s: exit %d after %.2f s", name, code, time.monotonic() - started)
    return code


def _run(args: argparse.Namespace) -> int:
    handler = getattr(args, "handler", _gui)
    try:
        return int(handler(args) or 0)
    except UsageProblem as problem:
        _log.info("refused: invalid input (%s)", type(problem).__name__)
        print(str(problem), file=sys.stderr)
        return 2
    except StoreError as error:
        _log.info("refused: %s", type(error).__name__)
        print(f"disclosure-desk: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("disclosure-desk: interrupted; nothing was changed by the unfinished step.", file=sys.stderr)
        return 130
    except Exception:
        _log.exception("failed")  # the traceback without its message: messages may quote the input
        raise


def _gui(args: argparse.Namespace) -> int:
    from desktop.ui.app import run_gui  # Qt is imported only when the window is wanted

    return run_gui(data_dir(args.data_dir))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="disclosure-desk", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"Disclosure Desk {__version__}")
    parser.add_argument("--data-dir", help="the data folder (default: DISCLOSURE_DESK_DATA or the user data folder)")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    init = command(commands, "init", _init, "create the encrypted store (passphrase from the environment)")
    init.add_argument("--post-name", required=True, help='the post, e.g. "Ottawa"')
    init.add_argument("--bates-prefix", required=True, help='the Bates prefix, e.g. "OTT"')
    init.add_argument("--keyring", action="store_true", help="also keep the key in the OS keyring")

    check = command(commands, "check", _check, "run the directive's rules on a request file; JSON out")
    check.add_argument("file", type=Path)

    request = commands.add_parser("request", help="requests in and out of the store (interchange JSON v1)")
    request_commands = request.add_subparsers(title="request commands", metavar="ACTION", required=True)
    imp = command(request_commands, "import", _request_import, "import one request file")
    imp.add_argument("file", type=Path)
    mail = command(request_commands, "from-email", _request_from_email, "a draft request from the e-mail that "
                   "carried it (.msg or .eml), the message kept encrypted as its original documents; JSON out")
    mail.add_argument("file", type=Path)
    exp = command(request_commands, "export", _request_export, "print (or write) one request as JSON")
    exp.add_argument("reference")
    exp.add_argument("--out", type=Path)
    lst = command(request_commands, "list", _request_list, "list the requests in the store")
    lst.add_argument("--search", default="", help="full-text search over request facts")
    lst.add_argument("--json", action="store_true", help="print JSON lines instead of a table")

    audit = commands.add_parser("audit", help="the hash-chained audit log")
    audit_commands = audit.add_subparsers(title="audit commands", metavar="ACTION", required=True)
    command(audit_commands, "verify", _audit_verify, "check every link of the audit chain")

    store = commands.add_parser("store", help="the store file itself")
    store_commands = store.add_subparsers(title="store commands", metavar="ACTION", required=True)
    command(store_commands, "verify", _store_verify, "check every page's HMAC and the database structure")

    backup = command(commands, "backup", _backup, "write an encrypted, verified backup file")
    backup.add_argument("--out", type=Path, required=True)
    restore = command(commands, "restore", _restore, "replace the store with a backup (its passphrase)")
    restore.add_argument("file", type=Path)

    key = commands.add_parser("key", help="passphrase and key changes")
    key_commands = key.add_subparsers(title="key commands", metavar="ACTION", required=True)
    command(key_commands, "change-passphrase", _change_passphrase, f"re-wrap the key under {NEW_PASSPHRASE_ENV}")
    command(key_commands, "rekey", _rekey, "give the database a new key")

    register_packet_commands(commands)
    register_record_commands(commands)
    register_accounting_commands(commands)
    register_sync_commands(commands)
    register_hq_commands(commands)

    demo = command(commands, "demo", _demo, "headless end-to-end run on a throw-away store: sample requests, a "
                    "packet, a DHS-191 bundle; prints what it made")
    demo.add_argument("--out", type=Path, required=True, help="the folder for the packet, e-mail draft and HQ files")
    demo.add_argument("--json", action="store_true", help="print JSON instead of text")

    diagnostics = command(commands, "diagnostics", _diagnostics,
                           "versions, data and log folders, keyring and cipher: what support asks for")
    diagnostics.add_argument("--json", action="store_true", help="print JSON instead of text")
    return parser


def _init(args: argparse.Namespace) -> int:
    passphrase = read_passphrase()
    strength = assess(passphrase)
    if not strength.acceptable:
        raise UsageProblem(f"disclosure-desk: {PASSPHRASE_ENV}: " + " ".join(strength.problems))
    vault = KeyVault()
    store = create_post_store(data_dir(args.data_dir), passphrase, post_name=args.post_name,
                              bates_prefix=args.bates_prefix, use_keyring=args.keyring, vault=vault)
    with_keyring = args.keyring and vault.status().available
    store.lock()
    print(f"Created the encrypted store in {store.paths.root} (passphrase strength: {strength.verdict}).")
    if args.keyring and not with_keyring:
        print(vault.status().warning)
    return 0


def _check(args: argparse.Namespace) -> int:
    """Rules only, no store: exit 0 whatever the outcome (SPEC section 7)."""
    from desktop.rules import evaluate

    try:
        request = load_request_file(args.file)
    except InterchangeError as error:
        raise UsageProblem(f"{args.file}: {error}") from error
    print(json.dumps(evaluate(request).to_json(), indent=2, ensure_ascii=False))
    return 0


def _request_import(args: argparse.Namespace) -> int:
    try:
        request = load_request_file(args.file)
    except InterchangeError as error:
        raise UsageProblem(f"{args.file}: {error}") from error
    store = open_store(args)
    try:
        request_id = store.repo.add_request(request, source="import")
        stored = store.repo.get_request(request_id)
    finally:
        store.lock()
    print(json.dumps({"id": request_id, "reference": stored.request.reference, "outcome": stored.outcome}))
    return 0


def _request_from_email(args: argparse.Namespace) -> int:
    """Issue 14: prints what was filled and what was not; a refused message exits 2 and changes nothing."""
    from desktop.requests.email_intake import EmailRefused, take_in_file

    store = open_store(args)
    try:
        intake = take_in_file(store.repo, args.file)
    except EmailRefused as refusal:
        raise UsageProblem(f"disclosure-desk: {' '.join(str(refusal).split())}") from refusal
    finally:
        store.lock()
    print(json.dumps(intake.to_json(), indent=2, ensure_ascii=False))
    return 0


def _request_export(args: argparse.Namespace) -> int:
    store = open_store(args)
    try:
        stored = store.repo.get_request(store.repo.request_id_by_reference(args.reference))
    finally:
        store.lock()
    text = request_to_json(stored.request)
    if args.out:
        args.out.write_text(text, "utf-8")
        print(f"Wrote {args.out}")
    else:
        sys.stdout.write(text)
    return 0


def _request_list(args: argparse.Namespace) -> int:
    store = open_store(args)
    try:
        query = RequestQuery(text=args.search, limit=100_000)
        rows = store.repo.list_requests(query)
    finally:
        store.lock()
    if args.json:
        for row in rows:
            print(json.dumps(row.__dict__, ensure_ascii=False))
        return 0
    print(f"{'REFERENCE':<18} {'CTRY':<4} {'RECEIVED':<10} {'NEEDED BY':<10} {'OUTCOME':<12} AUTHORITY")
    for row in rows:
        print(f"{row.reference:<18} {row.country:<4} {row.received_on or '':<10} {row.needed_by or '':<10} "
              f"{row.outcome or '':<12} {row.authority}")
    print(f"{len(rows)} request(s)")
    return 0


def _audit_verify(args: argparse.Namespace) -> int:
    store = open_store(args)
    try:
        report = store.repo.verify_audit()
    finally:
        store.lock()
    if report.ok:
        print(f"Audit log intact: {report.entries} entries, every link checks.")
        return 0
    print(f"Audit log BROKEN at entry {report.broken_at}: {report.problem}. "
          f"{report.entries} entries before it check. Report this to your security officer.")
    return 1


def _store_verify(args: argparse.Namespace) -> int:
    store = open_store(args)
    try:
        problems = store.verify_integrity()
    finally:
        store.lock()
    if not problems:
        print(f"{store.paths.db}: every page's HMAC and the database structure check.")
        return 0
    print(f"{store.paths.db} is damaged: " + "; ".join(problems[:5]) +
          ". Restore from your latest backup (disclosure-desk restore FILE).")
    return 1


def _backup(args: argparse.Namespace) -> int:
    store = open_store(args)
    try:
        info = write_backup(store, args.out)
    finally:
        store.lock()
    print(json.dumps({"backup": str(info.path), "size": info.size, "sha256": info.sha256, "verified": True}))
    return 0


def _restore(args: argparse.Namespace) -> int:
    root = data_dir(args.data_dir)
    kept = restore_backup(args.file, root, read_passphrase(), KeyVault())
    print(f"Restored {args.file} into {root}." + (f" The replaced store was kept in {kept}." if kept else ""))
    return 0


def _change_passphrase(args: argparse.Namespace) -> int:
    old = read_passphrase()
    new = read_passphrase(NEW_PASSPHRASE_ENV, "New passphrase: ")
    store = open_store(args)
    try:
        store.change_passphrase(old, new)
    finally:
        store.lock()
    print("Passphrase changed. Use the new one from now on; backups made before keep the old one.")
    return 0


def _rekey(args: argparse.Namespace) -> int:
    passphrase = read_passphrase()
    store = open_store(args)
    try:
        store.rekey(passphrase)
    finally:
        store.lock()
    print("The database has a new key. Make a new backup: older backups keep the old key and passphrase.")
    return 0


def _demo(args: argparse.Namespace) -> int:
    """A throw-away store: the given or DISCLOSURE_DESK_DATA folder (it must hold no store), else a new temp one."""
    from desktop.demo import run_demo

    chosen = data_dir(args.data_dir) if args.data_dir or os.environ.get(DATA_ENV) else None
    say = (lambda line: None) if args.json else (lambda line: print(f"... {line}", file=sys.stderr))
    report = run_demo(args.out.resolve(), chosen, os.environ.get(PASSPHRASE_ENV) or None, say)
    sys.stdout.write(_json_text(report.to_json()) if args.json else report.as_text())
    return 0


def _diagnostics(args: argparse.Namespace) -> int:
    from desktop.diagnostics import gather

    found = gather(data_dir(args.data_dir), log_dir(args.data_dir))
    sys.stdout.write(_json_text(found.to_json()) if args.json else found.as_text())
    return 0


def _json_text(value: object) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    sys.exit(main())
