"""What can go wrong syncing DHS-191 entries with headquarters, each with a message that says what to do."""

from __future__ import annotations

from desktop.store.errors import StoreError


class SyncError(StoreError):
    """A sync action that cannot be done (nothing was changed); `str(error)` says why and what to do."""


class SyncInputError(SyncError):
    """A file given to a sync action is not what it should be (a certificate, an acknowledgement)."""
