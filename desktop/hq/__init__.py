"""Headquarters' side of the DHS-191 sync (SPEC A3): register posts, import their bundles, acknowledge them.

Qt-free. The consolidated store is an interface (`HqStore`), SQLite by default (`SqliteHqStore`), PostgreSQL
for an office that outgrows one file (`desktop.hq.postgres_store.PostgresHqStore`, not imported here so that
psycopg loads only for a postgresql:// URL).
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
from desktop.hq.store import HqCounts, HqRetry, HqStore, HqStoreError, HqTransaction, RegisteredPost

__all__ = [
    "BundleRefused",
    "HqCounts",
    "HqInputError",
    "HqRetry",
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
