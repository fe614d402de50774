"""Numbered SQL migrations of headquarters' consolidated store, one folder per backend (issue 16).

    db/hq_sqlite/NNNN_name.sql     db/hq_postgres/NNNN_name.sql

The same number means the same schema on both backends. Applied ones are recorded in the database itself, in
`hq_schema_migrations` (version, name, SHA-256, when), as the post's store records its own (desktop/store/
migrations.py); an applied migration whose file has changed is refused: migrations only add files. This small
loader is separate from the post's because that one is tied to SQLCipher and to the post's backup before upgrade;
the two share only the file and its digest (desktop/migration_files.py).
"""

from __future__ import annotations

from pathlib import Path

from desktop import migration_files
from desktop.hq.store import HqStoreError
from desktop.migration_files import Migration
from desktop.paths import bundle_root

LEDGER = "hq_schema_migrations"


def folder(backend: str) -> Path:
    return bundle_root() / "db" / f"hq_{backend}"


def available(backend: str) -> list[Migration]:
    found = []
    for path in sorted(folder(backend).glob("*.sql")):
        migration = migration_files.read(path)
        if migration:  # role.sql and the like sit beside them and are not migrations
            found.append(migration)
    if [m.version for m in found] != list(range(1, len(found) + 1)):
        raise HqStoreError(f"{folder(backend)}: migrations must be numbered 1, 2, 3... without gaps")
    return found


def pending(done: dict[int, str], migrations: list[Migration], where: str) -> list[Migration]:
    """What is left to apply; HqStoreError when the database is newer than this program or a file changed."""
    newest = migrations[-1].version if migrations else 0
    if done and max(done) > newest:
        raise HqStoreError(f"{where} is at schema {max(done)}; this program knows {newest}. Install the newer "
                           "Disclosure Desk; nothing was changed.")
    for migration in migrations:
        if migration.version in done and done[migration.version] != migration.sha256:
            raise HqStoreError(f"{migration.file_name} differs from the one applied to {where}; migrations are "
                               "never edited once released. Reinstall the program.")
    return [m for m in migrations if m.version not in done]
