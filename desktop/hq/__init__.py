"""Headquarters' side of the DHS-191 sync (SPEC A3): register posts, import their bundles, acknowledge them.

Qt-free. The consolidated store is an interface (`HqStore`), SQLite by default (`SqliteHqStore`).
"""

from desktop.hq.importer import (
    BundleRefused,
    HqInputError,
    ImportReport,
    Recipient,
    acknowledgement_file,
    import_bundle,
    load_recipient,
    register_post,
)
from desktop.hq.sqlite_store import SqliteHqStore
from desktop.hq.store import HqCounts, HqStore, HqStoreError, HqTransaction, RegisteredPost

__all__ = [
    "BundleRefused",
    "HqCounts",
    "HqInputError",
    "HqStore",
    "HqStoreError",
    "HqTransaction",
    "ImportReport",
    "Recipient",
    "RegisteredPost",
    "SqliteHqStore",
    "acknowledgement_file",
    "import_bundle",
    "load_recipient",
    "register_post",
]
