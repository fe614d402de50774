"""Numbered SQL migrations (`db/migrations/NNNN_name.sql`), applied in order in one transaction (SPEC S7).

A store that already has data is copied (encrypted, verified) before it is upgraded. An applied migration whose
file has changed is refused: migrations only add files.

Numbers rise and each is used once; a gap is allowed. Issues are built side by side, each taking its own number,
so a branch can hold 0005 before 0004 exists; a number that turns up later below the store's highest is applied
then (such migrations touch different tables, and each says so).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from desktop import migration_files
from desktop.migration_files import Migration
from desktop.paths import migrations_dir
from desktop.store.errors import StoreError
from desktop.store.sqlcipher import Connection, DatabaseError


class MigrationError(StoreError):
    """A store the program must not upgrade, or an upgrade that failed; a StoreError, so its message is shown."""


def available(folder: Path | None = None) -> list[Migration]:
    folder = folder or migrations_dir()
    found = []
    for path in sorted(folder.glob("*.sql")):
        migration = migration_files.read(path)
        if migration is None:
            raise MigrationError(f"{path.name} is not named NNNN_name.sql")
        found.append(migration)
    versions = [m.version for m in found]
    if versions and (versions[0] != 1 or len(set(versions)) != len(versions)):
        raise MigrationError(f"migrations must start at 1 and use each number once; found {versions}")
    return found


def applied(conn: Connection) -> dict[int, str]:
    has_table = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'"
    ).fetchone()
    if not has_table:
        return {}
    return {version: digest for version, digest in conn.execute("SELECT version, sha256 FROM schema_migrations")}


def pending(conn: Connection, migrations: list[Migration]) -> list[Migration]:
    done = applied(conn)
    newest_known = migrations[-1].version if migrations else 0
    if done and max(done) > newest_known:
        raise MigrationError(
            f"This store was written by a newer Disclosure Desk (schema {max(done)}, this program knows "
            f"{newest_known}). Install the newer version; the store was not changed."
        )
    for migration in migrations:
        if migration.version in done and done[migration.version] != migration.sha256:
            raise MigrationError(
                f"Migration {migration.file_name} differs from the one applied to this store; "
                "migrations are never edited once released. Reinstall the program."
            )
    return [m for m in migrations if m.version not in done]


def migrate(
    conn: Connection, migrations: list[Migration] | None = None, backup: Callable[[int], None] | None = None
) -> list[int]:
    """Applies what is pending in one transaction; calls `backup(current_version)` first if the store has data."""
    migrations = available() if migrations is None else migrations
    todo = pending(conn, migrations)
    if not todo:
        return []
    done = applied(conn)
    if done and backup is not None:
        backup(max(done))
    now = datetime.now(UTC).isoformat(timespec="seconds")
    script = ["BEGIN IMMEDIATE;", _LEDGER]
    for migration in todo:
        script.append(migration.sql)
        script.append(
            "INSERT INTO schema_migrations (version, name, sha256, applied_at) VALUES "
            f"({migration.version}, '{migration.name}', '{migration.sha256}', '{now}');"
        )
    script.append(f"PRAGMA user_version = {max([*done, *(m.version for m in todo)])};")
    script.append("COMMIT;")
    try:
        conn.executescript("\n".join(script))
    except Exception as exc:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        if not isinstance(exc, DatabaseError):
            raise
        names = ", ".join(f"{m.version:04d}_{m.name}.sql" for m in todo)
        raise MigrationError(
            f"Upgrading the store failed in {names} ({exc}). Nothing was changed: the store is still at schema "
            f"{max(done) if done else 0}. Reinstall the program, or report this to your system administrator."
        ) from exc
    return [m.version for m in todo]


_LEDGER = """CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    sha256     TEXT NOT NULL,
    applied_at TEXT NOT NULL
) STRICT;"""
