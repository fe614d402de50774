"""The `record` command group's declaration (SPEC section 7, issue 14); the work is in desktop/records/cli.py.

Kept outside desktop/records so that building the parser loads neither pypdf nor pdfium: those load when a record
command runs, not when any command starts.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from desktop.commands import command


def register(commands: Any) -> None:
    """Adds `record suggest` to the command line's subcommands (desktop/cli.py)."""
    record = commands.add_parser("record", help="records: redaction suggestions from the command line")
    actions = record.add_subparsers(title="record commands", metavar="ACTION", required=True)
    suggest = command(actions, "suggest", _suggest, "the redaction suggestions (§9.1.1-§9.1.3) for one record; "
                      "scanned pages are read with the bundled OCR")
    suggest.add_argument("file", type=Path, help="a PDF, PNG, JPEG or TIFF image, or UTF-8 text")
    suggest.add_argument("--personnel", action="append", default=[], metavar="NAME",
                         help="a DHS employee's name to look for (§9.1.1); repeat for more")
    suggest.add_argument("--subject", action="append", default=[], metavar="NAME",
                         help="a subject of the request, by name or identifier: theirs is marked, not redacted "
                              "by default (§9.1.2); repeat for more")
    suggest.add_argument("--json", action="store_true", help="print JSON instead of a table")
    suggest.add_argument("--redactions-out", type=Path, metavar="X.json",
                         help="also write the suggestions as a redactions file for packet build")


def _suggest(args: argparse.Namespace) -> int:
    from desktop.records.cli import suggest_command

    return suggest_command(args)
