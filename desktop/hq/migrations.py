"""Numbered SQL migrations of headquarters' consolidated store, one folder per backend (issue 16).

    db/hq_sqlite/NNNN_name.sql     db/hq_postgres/NNNN_name.sql

The same number means the same schema on both backends. Applied ones are recorded in the database itself, in
`hq_schema_migrations` (version, name, SHA-256, when), as the post's store records its own (desktop/store/
migrations.py); an applied migration whose file has changed is refused: migrations only add files. This small
loader is separate from the post's because that one is tied to SQLCipher and to the post's backup before upgrade.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from desktop.hq.store import HqStoreError
from desktop.paths import bundle_root

_NAME = re.compile(r"(\d{4})_([a-z0-9_]+)\.sql")
LEDGER = "hq_schema_migrations"


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.sql.encode("utf-8")).hexdigest()

    @property
    def file_name(self) -> str:
        return f"{self.version:04d}_{self.name}.sql"


def folder(backend: str) -> Path:
    return bundle_root() / "db" / f"hq_{backend}"


def available(backend: str) -> list[Migration]:
    found = []
    for path in sorted(folder(backend).glob("*.sql")):
        match = _NAME.fullmatch(path.name)
        if match:  # role.sql and the like sit beside them and are not migrations
            found.append(Migration(int(match.group(1)), match.group(2), path.read_text("utf-8")))
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
