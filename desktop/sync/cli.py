"""The sync commands (SPEC section 7): the post's side. Headquarters' (`hq …`) are desktop/hq/cli.py, registered
by desktop/cli.py beside these: sync does not import hq (the bundle format is sync's, and hq imports it).

    export-191 [--to-cert HQ.pem] --out DIR     the bundle of every entry headquarters has not acknowledged
    post-cert --out POST.pem                    the post's signing certificate, for headquarters to register
    hq-cert import HQ.pem [--not-default]       keep headquarters' certificate (the default for export-191)
    hq-cert list
    ack import ACK                              mark the entries headquarters acknowledged as synced

Each prints one JSON object (or a line) on success. Exit 1 with one line when the action cannot be done, 2 when a
file given is not what it should be.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from desktop.commands import UsageProblem, command, open_store
from desktop.jobs import JobControl
from desktop.sync import (
    SyncInputError,
    check_recipient,
    default_hq_certificate,
    export_bundle,
    hq_certificates,
    import_acknowledgement,
    import_hq_certificate,
    load_certificate,
    post_identity,
)
from desktop.sync.export import pending_count

MAX_FILE_BYTES = 64 << 20  # a certificate or an acknowledgement; far smaller in practice


def register(commands: Any) -> None:
    """Adds the sync commands to the command line's subcommands (desktop/cli.py)."""
    text = "write the DHS-191 bundle for headquarters: every entry not yet acknowledged, signed and encrypted"
    export = command(commands, "export-191", _export, text)
    export.add_argument("--to-cert", type=Path, metavar="HQ.pem",
                        help="headquarters' certificate (default: the one set by 'hq-cert import')")
    export.add_argument("--out", type=Path, required=True, metavar="DIR", help="the folder to write the bundle in")
    cert = command(commands, "post-cert", _post_cert, "write the post's signing certificate for headquarters")
    cert.add_argument("--out", type=Path, required=True, metavar="POST.pem")

    hq_cert = commands.add_parser("hq-cert", help="headquarters' encryption certificates kept by the post")
    actions = hq_cert.add_subparsers(title="hq-cert commands", metavar="ACTION", required=True)
    imp = command(actions, "import", _hq_cert_import, "check and keep headquarters' certificate")
    imp.add_argument("file", type=Path, metavar="HQ.pem")
    imp.add_argument("--not-default", action="store_true", help="keep it, but do not make it the default")
    command(actions, "list", _hq_cert_list, "list the certificates kept")

    ack = commands.add_parser("ack", help="headquarters' acknowledgements of DHS-191 bundles")
    ack_actions = ack.add_subparsers(title="ack commands", metavar="ACTION", required=True)
    ack_import = command(ack_actions, "import", _ack_import, "mark the acknowledged entries as synced")
    ack_import.add_argument("file", type=Path, metavar="ACK")


def read_input(path: Path) -> bytes:
    """A small input file, or UsageProblem (exit 2) naming it."""
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise _usage(f"{path}: over {MAX_FILE_BYTES:,} bytes; not a certificate or acknowledgement")
        return path.read_bytes()
    except OSError as error:
        raise _usage(f"{path}: cannot be read ({error.strerror})") from None


def _export(args: argparse.Namespace) -> int:
    recipient = _certificate(args.to_cert) if args.to_cert else None
    store = open_store(args)
    try:
        progress = _progress() if sys.stderr.isatty() else (lambda done, total, label: None)
        result = export_bundle(store.repo, recipient or default_hq_certificate(store.repo), args.out,
                               JobControl(progress))
        left = pending_count(store.repo)
    finally:
        store.lock()
    print(json.dumps({"bundle": str(result.path), "batch": result.batch, "entries": result.entry_count,
                      "size": result.size, "sha256": result.sha256, "hq_fingerprint": result.hq_fingerprint,
                      "unacknowledged": left}))
    return 0


def _post_cert(args: argparse.Namespace) -> int:
    from desktop.store.fileio import atomic_write_bytes

    store = open_store(args)
    try:
        identity = post_identity(store.repo)
    finally:
        store.lock()
    try:
        atomic_write_bytes(args.out, identity.certificate_pem())
    except OSError as error:
        raise _usage(f"{args.out}: cannot be written ({error.strerror})") from None
    print(json.dumps({"certificate": str(args.out), "post": identity.name, "fingerprint": identity.fingerprint}))
    return 0


def _hq_cert_import(args: argparse.Namespace) -> int:
    certificate = _certificate(args.file)
    store = open_store(args)
    try:
        kept = import_hq_certificate(store.repo, certificate, str(args.file), make_default=not args.not_default)
    except SyncInputError as error:
        raise _usage(str(error)) from None
    finally:
        store.lock()
    print(json.dumps({"fingerprint": kept.fingerprint, "subject": kept.subject, "not_after": kept.not_after,
                      "default": kept.is_default}))
    return 0


def _hq_cert_list(args: argparse.Namespace) -> int:
    store = open_store(args)
    try:
        kept = hq_certificates(store.repo)
    finally:
        store.lock()
    for item in kept:
        print(f"{'*' if item.is_default else ' '} {item.fingerprint[:16]}…  until {item.not_after}  {item.subject}")
    print(f"{len(kept)} certificate(s); * marks the default for export-191")
    return 0


def _ack_import(args: argparse.Namespace) -> int:
    data = read_input(args.file)
    store = open_store(args)
    try:
        result = import_acknowledgement(store.repo, data, str(args.file))
    except SyncInputError as error:
        raise _usage(str(error)) from None
    finally:
        store.lock()
    print(result.message)
    return 0


def _certificate(path: Path) -> Any:
    """Headquarters' certificate from a file, checked as a bundle recipient; UsageProblem (exit 2) otherwise."""
    try:
        certificate = load_certificate(read_input(path), str(path))
        check_recipient(certificate, str(path))
    except SyncInputError as error:
        raise _usage(str(error)) from None
    return certificate


def _progress() -> Any:
    shown = {"at": -1}

    def show(done: int, total: int, label: str) -> None:
        percent = done * 100 // total if total else 100
        if percent != shown["at"]:
            shown["at"] = percent
            print(f"\r{percent:3d}% {label[:60]:<60}", end="" if done < total else "\n", file=sys.stderr)

    return show


def _usage(message: str) -> Exception:
    return UsageProblem(f"disclosure-desk: {message}")
