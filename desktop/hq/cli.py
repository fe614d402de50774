"""`disclosure-desk hq …`: headquarters' side of the sync (SPEC section 7, A3). No post store is opened.

    hq register-post POST.pem --db HQ.db [--name NAME]
    hq import BUNDLE --key HQ.key --cert HQ.pem --db HQ.db --ack-out ACK
    hq status --db HQ.db

A refused bundle exits 1 with one line saying why, and the consolidated store is unchanged. HQ.key may be
encrypted: its passphrase then comes from DISCLOSURE_DESK_HQ_KEY_PASSPHRASE, never from an argument.
"""

from __future__ import annotations

import argparse
import json
import sys
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
from desktop.hq.sqlite_store import SqliteHqStore
from desktop.hq.store import HqStoreError
from desktop.store.fileio import atomic_write_bytes
from desktop.sync.bundle import BundleLimits


def register(commands: Any) -> None:
    hq = commands.add_parser("hq", help="headquarters: register posts, import their DHS-191 bundles")
    actions = hq.add_subparsers(title="hq commands", metavar="ACTION", required=True)
    text = "register a post's signing certificate (made with 'disclosure-desk post-cert')"
    reg = command(actions, "register-post", _register_post, text)
    reg.add_argument("certificate", type=Path, metavar="POST.pem")
    reg.add_argument("--db", type=Path, required=True, metavar="HQ.db", help="the consolidated store (created)")
    reg.add_argument("--name", help="the post's name (default: the certificate's common name)")
    text = "decrypt, verify and merge a post's bundle, and write the acknowledgement"
    imp = command(actions, "import", _import, text)
    imp.add_argument("bundle", type=Path, metavar="BUNDLE")
    imp.add_argument("--key", type=Path, required=True, metavar="HQ.key", help="headquarters' private key (PEM)")
    imp.add_argument("--cert", type=Path, required=True, metavar="HQ.pem", help="headquarters' certificate (PEM)")
    imp.add_argument("--db", type=Path, required=True, metavar="HQ.db")
    imp.add_argument("--ack-out", type=Path, required=True, metavar="ACK", help="where to write the acknowledgement")
    status = command(actions, "status", _status, "the registered posts and what the store holds")
    status.add_argument("--db", type=Path, required=True, metavar="HQ.db")


def _register_post(args: argparse.Namespace) -> int:
    pem = _read(args.certificate, 1 << 20)
    store = _store(args.db, create=True)
    try:
        post, added = register_post(store, pem, args.name)
    except HqInputError as error:
        raise _usage(f"{args.certificate}: {error}") from None
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
    except HqInputError as error:
        raise _usage(str(error)) from None
    except BundleRefused as refused:
        print(f"disclosure-desk: {args.bundle}: {refused}; nothing was imported.", file=sys.stderr)
        return 1
    finally:
        store.close()
    try:
        atomic_write_bytes(args.ack_out, acknowledgement_file(report, recipient))
    except OSError as error:
        print(f"disclosure-desk: {report.summary()} The acknowledgement could not be written to {args.ack_out} "
              f"({error.strerror}); import the bundle again to write it.", file=sys.stderr)
        return 1
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


def _store(path: Path, create: bool) -> SqliteHqStore:
    try:
        return SqliteHqStore.open(path, create=create)
    except HqStoreError as error:
        raise _usage(str(error)) from None


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
