"""`disclosure-desk record suggest`: the redaction suggestions without the window (SPEC section 7, issue 14).

    record suggest FILE [--personnel NAME]... [--subject NAME]... [--json] [--redactions-out X.json]

FILE is a PDF or an image (PNG, JPEG, TIFF) or text, checked and converted in memory as on import (SPEC D1).
Pages without a text layer are read with the bundled OCR on the spot; nothing read is written anywhere, and no
store is needed. `--json` prints {"suggestions": [{"page", "kind", "reason", "box", "source", "checksum"}]}: page
from 1, box in PDF points from the bottom-left like the redactions JSON. `--redactions-out` writes the suggestions
as a redactions file (disclosure-desk/redactions/v1, record 0) for `packet build --redactions`; a subject's own
identifier is left out of it (§9.1.2 covers only individuals not identified in the request) and named on stderr.

The command is declared in desktop/record_commands.py: importing this module imports the records package, and with
it pypdf and pdfium, which the command line must not load before a command needs them (tests/packets/test_core.py).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from desktop.commands import UsageProblem
from desktop.store.fileio import atomic_write_bytes

REDACTIONS_FORMAT = "disclosure-desk/redactions/v1"  # desktop/packets/redactions.py reads it


def suggest_command(args: argparse.Namespace) -> int:
    """`record suggest` (declared in desktop/record_commands.py)."""
    from desktop.records import RecordRefused, ingest
    from desktop.records.model import Limits
    from desktop.records.ocr import OcrUnavailable, ocr_page
    from desktop.records.suggest import suggest

    path: Path = args.file
    limits = Limits()
    try:
        if path.stat().st_size > limits.max_bytes:
            raise UsageProblem(f"{path}: is over the {limits.max_bytes:,}-byte limit for one record; split it")
        data = path.read_bytes()
    except OSError as error:
        raise UsageProblem(f"{path}: cannot be read ({error.strerror})") from error
    try:
        document = ingest(path.name, data, limits)
        found = suggest(document.pdf, args.personnel, subjects=args.subject,
                        scans=lambda number: ocr_page(document.pdf, number))
    except RecordRefused as refusal:
        print(f"disclosure-desk: {refusal}", file=sys.stderr)
        return 1
    except OcrUnavailable as error:
        print(f"disclosure-desk: {error}", file=sys.stderr)
        return 1
    if args.redactions_out:
        _write_redactions(args.redactions_out, found)
    if args.json:
        sys.stdout.write(json.dumps({"suggestions": [_as_json(s) for s in found]}, indent=2, ensure_ascii=False)
                         + "\n")
    else:
        _print_table(found)
    return 0


def _as_json(suggestion: Any) -> dict[str, Any]:
    return {"page": suggestion.page, "kind": suggestion.kind, "reason": suggestion.reason,
            "box": [round(v, 2) for v in suggestion.box], "source": suggestion.source,
            "checksum": suggestion.checksum}


def _write_redactions(out: Path, found: Sequence[Any]) -> None:
    boxes = [{"record": 0, "page": s.page, "box": [round(v, 2) for v in s.box], "reason": s.reason}
             for s in found if s.accepted_by_default]
    left_out = [s for s in found if not s.accepted_by_default]
    text = json.dumps({"format": REDACTIONS_FORMAT, "boxes": boxes}, indent=2) + "\n"
    atomic_write_bytes(out, text.encode("utf-8"))
    if left_out:
        pages = ", ".join(sorted({str(s.page) for s in left_out}, key=int))
        print(f"disclosure-desk: {len(left_out)} suggestion(s) are a subject's own (page {pages}) and were left out "
              f"of {out}: §9.1.2 covers only individuals not identified in the request.", file=sys.stderr)


def _print_table(found: Sequence[Any]) -> None:
    print(f"{'PAGE':<5} {'KIND':<15} {'REASON':<7} {'SOURCE':<6} {'CHECK':<6} BOX (points from the bottom-left)")
    for s in found:
        check = {True: "ok", False: "WRONG", None: "-"}[s.checksum]
        own = "  (the subject's own)" if s.subject_own else ""
        box = ", ".join(f"{v:.1f}" for v in s.box)
        print(f"{s.page:<5} {s.kind:<15} §{s.reason:<6} {s.source:<6} {check:<6} [{box}]{own}")
    print(f"{len(found)} suggestion(s)")
