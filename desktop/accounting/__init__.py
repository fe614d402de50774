"""DHS-191 Privacy Act accounting, incidents, onward permissions and retention (SPEC section 6, §10, §11).

Qt-free. `record_disclosure` is the `AccountingHook` that `desktop.packets.finalize.finalize_packet` calls inside
its transaction; `entries` / `unacknowledged_entries` are how the sync bundle reads what was accounted for.
"""

from desktop.accounting.entries import (
    A2_COLUMNS,
    CORRECTABLE,
    Entry,
    correct_entry,
    entries,
    get_entry,
    unacknowledged_entries,
)
from desktop.accounting.record import RETENTION_YEARS, record_disclosure
from desktop.accounting.texts import AccountingError

__all__ = [
    "A2_COLUMNS",
    "CORRECTABLE",
    "RETENTION_YEARS",
    "AccountingError",
    "Entry",
    "correct_entry",
    "entries",
    "get_entry",
    "record_disclosure",
    "unacknowledged_entries",
]
