"""`disclosure-desk packet build`: a packet without the window (SPEC section 7).

    packet build (--request R.json | --ref REF) --record FILE... [--redactions X.json] [--eml OUT.eml] --out P.pdf

With `--request` nothing is stored and no store is needed: the post name and Bates numbering come from options.
With `--ref` the request comes from the store, the records are stored with it, and the packet is finalized there
(Bates numbers continue the post's). Prints one JSON object: password, pages, Bates range, SHA-256, out. A request
the rules hold (blocked, needs_action) exits 1 with the findings and writes nothing; invalid input exits 2 with
one line naming the file and the field.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desktop.commands import UsageProblem, open_store
from desktop.packets.eml import check_deliverable, eml_draft
from desktop.packets.gate import PacketRefused, refuse_unless_ready
from desktop.packets.model import BuiltPacket, PacketError, PacketFacts, PacketRecord, PacketSettings
from desktop.packets.redactions import RedactionBox, RedactionsError, check_pages, parse_redactions
from desktop.requests import InterchangeError, Request, load_request_file
from desktop.store.fileio import atomic_write_bytes, atomic_writer

if TYPE_CHECKING:
    from desktop.records.model import Box

# pypdf and reportlab are imported only when a packet is built, so that `disclosure-desk` starts as fast without them.

MAX_RECORD_BYTES = 200_000_000


def register(commands: Any) -> None:
    """Adds `packet build` to the command line's subcommands (desktop/cli.py)."""
    packet = commands.add_parser("packet", help="packets: build one from the command line")
    actions = packet.add_subparsers(title="packet commands", metavar="ACTION", required=True)
    text = "build an encrypted packet; with --ref also finalize it in the store"
    build = actions.add_parser("build", help=text, description=text)
    build.set_defaults(handler=_build)
    source = build.add_mutually_exclusive_group(required=True)
    source.add_argument("--request", type=Path, help="a request file (interchange JSON v1); nothing is stored")
    source.add_argument("--ref", help="the reference of a request in the store; the packet is finalized there")
    build.add_argument("--record", type=Path, nargs="+", action="extend", required=True, metavar="FILE",
                       help="the records to disclose, in order (PDF, PNG, JPEG, TIFF, text)")
    build.add_argument("--redactions", type=Path, help="redactions JSON v1 (boxes per record and page)")
    build.add_argument("--eml", type=Path, help="also write an unsent e-mail draft with the packet attached")
    build.add_argument("--out", type=Path, required=True, help="where to write the encrypted packet")
    build.add_argument("--post-name", help="with --request: the post, e.g. Ottawa")
    build.add_argument("--bates-prefix", help="with --request: the Bates prefix (default: the reference's, or CBP)")
    build.add_argument("--bates-first", type=int, help="with --request: the first Bates number (default 1)")
    build.add_argument("--date", type=date.fromisoformat, help="the letter's date, YYYY-MM-DD (default today)")
    build.add_argument("--les-as-lead", choices=("auto", "yes", "no"), default="auto",
                       help="fn 28: LES given as an investigative lead (default: decided from the request)")


@dataclass(frozen=True)
class _Record:
    path: Path
    data: bytes
    media_type: str
    page_count: int
    pdf: bytes  # as ingest made it; redacted while the packet is built
    boxes: tuple[Box, ...]


def _build(args: argparse.Namespace) -> int:
    from desktop.records.model import RedactionError

    try:
        if args.ref:
            return _build_in_store(args)
        return _build_from_file(args)
    except PacketRefused as refused:
        return _refused(refused)
    except PacketError as error:
        print(f"disclosure-desk: {error}", file=sys.stderr)
        return 1
    except RedactionError as error:  # the boxes were checked before: this is the result failing its check (D3)
        print(f"disclosure-desk: {' '.join(str(error).split())}", file=sys.stderr)
        return 1


def _build_from_file(args: argparse.Namespace) -> int:
    if args.bates_first is not None and args.bates_first < 1:
        raise _usage("--bates-first: Bates numbers start at 1")
    try:
        request = load_request_file(args.request)
    except InterchangeError as error:
        raise _usage(f"{args.request}: {error}") from error
    refuse_unless_ready(request)
    records = _records(args, request)
    settings = PacketSettings(post_name=(args.post_name or "").strip(), bates_prefix=_prefix(args, request),
                              date=args.date or date.today(), les_as_lead=_lead(args))
    from desktop.packets.builder import write_packet

    try:  # written as it is built, encrypted (memory stays flat in page count); replaces --out only when done
        with atomic_writer(args.out) as handle:
            facts = write_packet(request, _packet_records(records, request), settings, args.bates_first or 1, handle)
    except OSError as error:
        raise PacketError(f"{error.filename or args.out}: cannot be written ({error.strerror})") from error
    return _deliver(args, request, facts, {})


def _build_in_store(args: argparse.Namespace) -> int:
    for option in ("post_name", "bates_prefix", "bates_first"):
        if getattr(args, option) is not None:
            raise _usage(f"--{option.replace('_', '-')}: with --ref the post's own settings apply")
    from desktop.accounting import record_disclosure
    from desktop.packets.finalize import finalize_packet, post_settings
    from desktop.packets.intake import IncomingRecord, store_records

    _readable([*args.record, *([args.redactions] if args.redactions else [])])  # a typo fails before the unlock
    store = open_store(args)
    try:
        repo = store.repo
        request_id = repo.request_id_by_reference(args.ref)
        request = repo.get_request(request_id).request
        refuse_unless_ready(request)
        records = _records(args, request)
        incoming = [IncomingRecord(r.path.name, r.media_type, r.data, r.page_count, bool(request.subjects))
                    for r in records]
        ids = store_records(repo, request_id, incoming, request.source_system)
        packet_records = [replace(p, record_id=i) for p, i in zip(_packet_records(records, request), ids, strict=True)]
        settings = replace(post_settings(repo, args.date), les_as_lead=_lead(args))
        finalized = finalize_packet(repo, request_id, packet_records, settings=settings, accounting=record_disclosure)
    finally:
        store.lock()
    _write(args.out, finalized.built.encrypted_pdf)
    return _deliver(args, request, finalized.built, {"packet_id": finalized.packet_id,
                                                     "superseded": list(finalized.superseded)})


def _records(args: argparse.Namespace, request: Request) -> list[_Record]:
    """Reads, checks and redacts the record files; every problem with the input is one line, exit 2."""
    if args.eml:
        check_deliverable(request)
    _readable([*args.record, *([args.redactions] if args.redactions else [])])
    boxes = _boxes(args.redactions, len(args.record))
    files = [path.read_bytes() for path in args.record]
    documents = [_ingest(path, data) for path, data in zip(args.record, files, strict=True)]
    try:
        check_pages(boxes, [page_count for _, _, page_count in documents])
    except RedactionsError as error:
        raise _usage(f"{args.redactions}: {error}") from error
    records = []
    for i, (path, data, (pdf, media_type, count)) in enumerate(zip(args.record, files, documents, strict=True)):
        mine = [(at, b) for at, b in enumerate(boxes) if b.record == i]
        records.append(_Record(path, data, media_type, count, pdf,
                               _checked_boxes(pdf, mine, args.redactions, f"record {i} ({path.name})")))
    return records


def _readable(paths: Sequence[Path]) -> None:
    for path in paths:
        if not path.is_file():
            raise _usage(f"{path}: cannot be read (no such file)")
        if path.stat().st_size > MAX_RECORD_BYTES:
            raise _usage(f"{path}: is over the {MAX_RECORD_BYTES:,}-byte limit")


def _boxes(path: Path | None, record_count: int) -> list[RedactionBox]:
    if path is None:
        return []
    try:
        return parse_redactions(path.read_bytes(), record_count)
    except RedactionsError as error:
        raise _usage(f"{path}: {error}") from error


def _ingest(path: Path, data: bytes) -> tuple[bytes, str, int]:
    """(clean PDF, media type, page count) through the records package (SPEC D1): bad files are refused. Once per
    file: redact() and build_packet() take the checked PDF as it is. No page facts: the pages are copied, never
    shown, so whether each has a text layer does not matter here."""
    from desktop.records import RecordRefused, ingest

    try:
        document = ingest(path.name, data, page_facts=False)
    except RecordRefused as refused:
        raise _usage(f"{path}: {' '.join(str(refused).split())}") from refused
    return document.pdf, document.media_type, document.page_count


def _checked_boxes(pdf: bytes, boxes: Sequence[tuple[int, RedactionBox]], source: Path, record: str
                   ) -> tuple[Box, ...]:
    """SPEC D3: boxes that cannot be applied are invalid input (exit 2), found before anything is built: one line
    naming the redactions file, the box as boxes[N] there, and what to do."""
    if not boxes:
        return ()
    from desktop.records.model import Box, RedactionError
    from desktop.records.redact import check_boxes

    found = tuple(Box(b.page, b.x0, b.y0, b.x1, b.y1, b.reason) for _, b in boxes)
    try:
        check_boxes(pdf, found)
    except RedactionError as error:
        # check_boxes() counts the record's boxes from 1; the user finds them in the file as boxes[N].
        problem = re.sub(r"^Box (\d+)", lambda m: f"boxes[{boxes[int(m[1]) - 1][0]}] on {record}",
                         " ".join(str(error).split()))
        raise _usage(f"{source}: {problem} Correct it in {source.name} and run the command again; nothing was "
                     "written.") from error
    return found


def _packet_records(records: Sequence[_Record], request: Request) -> list[PacketRecord]:
    # The command line cannot tell which record carries PII: a request naming subjects is taken to (DHS191_REQUIRED).
    return [PacketRecord(pdf=r.pdf, contains_pii=bool(request.subjects), title=_title(r.path), boxes=r.boxes)
            for r in records]


def _title(path: Path) -> str:
    return " ".join(re.sub(r"[_]+", " ", path.stem).split()) or path.name


def _prefix(args: argparse.Namespace, request: Request) -> str:
    if args.bates_prefix:
        return str(args.bates_prefix).strip().upper()
    found = re.match(r"([A-Z]{2,8})-", request.reference)
    return found.group(1) if found else "CBP"


def _lead(args: argparse.Namespace) -> bool | None:
    return {"yes": True, "no": False}.get(args.les_as_lead)


def _write(path: Path, data: bytes) -> None:
    try:
        atomic_write_bytes(path, data)
    except OSError as error:
        raise PacketError(f"{error.filename or path}: cannot be written ({error.strerror})") from error


def _deliver(args: argparse.Namespace, request: Request, built: PacketFacts, extra: dict[str, Any]) -> int:
    """Writes the draft next to the packet already written, then prints what the user needs; the password only
    here."""
    if args.eml:
        _write(args.eml, eml_draft(request, BuiltPacket.of(built, args.out.read_bytes()), args.out.name))
    result = {
        "password": built.password,
        "password_bits": round(built.password_bits, 1),
        "pages": built.page_count,
        "bates_first": built.bates_first_label,
        "bates_last": built.bates_last_label,
        "sha256": built.sha256,
        "out": str(args.out),
        **({"eml": str(args.eml)} if args.eml else {}),
        **extra,
    }
    print(json.dumps(result, indent=2, ensure_ascii=False))
    return 0


def _refused(refused: PacketRefused) -> int:
    print(json.dumps({"outcome": refused.outcome, "findings": [f.to_json() for f in refused.findings]}, indent=2,
                     ensure_ascii=False))
    print(f"disclosure-desk: the request is {refused.outcome}; no packet was written. The findings printed above say "
          "what to do, each with its section of the directive.", file=sys.stderr)
    return 1


def _usage(message: str) -> Exception:
    return UsageProblem(message)
