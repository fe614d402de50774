"""Connects the rules to the store: every saved request carries its outcome and current step for the list.

The rules arrive with the checklist issue; until then a request has no outcome and `attach_rules` does nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from desktop.store import Store


def attach_rules(store: Store) -> None:
    try:
        from desktop.rules import assess_for_store
    except ImportError:
        return
    store.set_assessor(assess_for_store)
