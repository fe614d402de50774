"""What every part of the command line shares (SPEC section 7): declaring a command, the usage error that exits 2,
and opening the store with the passphrase from the environment.

desktop/cli.py builds the parser from the parts' `register` functions (packets, accounting, sync, hq); they all
take these from here rather than from desktop.cli, which imports them.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from desktop.store import Store

PASSPHRASE_ENV = "DISCLOSURE_DESK_PASSPHRASE"


class UsageProblem(Exception):
    """Invalid input: printed as one line, exit 2."""


def command(group: Any, name: str, handler: Callable[[argparse.Namespace], int | None], help_text: str
            ) -> argparse.ArgumentParser:
    """A subcommand of `group` (an argparse subparsers object) that runs `handler`."""
    sub: argparse.ArgumentParser = group.add_parser(name, help=help_text, description=help_text)
    sub.set_defaults(handler=handler)
    return sub


def read_passphrase(variable: str = PASSPHRASE_ENV, prompt: str = "Passphrase: ") -> str:
    """From the environment (headless), else asked for in a terminal; never from an argument."""
    value = os.environ.get(variable)
    if value:
        return value
    if sys.stdin.isatty():
        return getpass.getpass(prompt)
    raise UsageProblem(f"disclosure-desk: no passphrase; set {variable} (headless) or run in a terminal")


def open_store(args: argparse.Namespace) -> Store:
    """The store of the data folder (--data-dir, DISCLOSURE_DESK_DATA or the user folder), unlocked, with the
    rules attached so every change re-assesses its request."""
    from desktop.assessment import attach_rules
    from desktop.paths import data_dir
    from desktop.store import KeyVault, unlock_with_passphrase

    store = unlock_with_passphrase(data_dir(args.data_dir), read_passphrase(), KeyVault())
    attach_rules(store)
    return store
