"""The HQ commands on either backend as an office runs them (issue 16): `--db` a file or a postgresql:// URL, the
password never in the URL, the schema from numbered migrations recorded in the database, and the role of
db/hq_postgres/role.sql able to do what the commands do and nothing more."""

from __future__ import annotations

import ast
import csv
import json
import os
import sqlite3
import subprocess
from pathlib import Path

import psycopg
import pytest

from desktop.hq import migrations
from desktop.hq.postgres_store import PostgresHqStore, checked_conninfo
from desktop.hq.sqlite_store import SqliteHqStore
from desktop.hq.store import HqStoreError
from tests.hq.conftest import bundle_file
from tests.hq.postgres import COMMAND, DATABASE, OWNER, REPO, ROLE, Cluster, HqTarget
from tests.sync.helpers import Party, payload_zip, rows, seal


def hq_command(*args: str | Path, env: dict[str, str] | None = None, logs: Path | None = None
               ) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("DISCLOSURE_DESK_")}
    if logs is not None:
        base["DISCLOSURE_DESK_LOG_DIR"] = str(logs)
    return subprocess.run([*COMMAND, "hq", *map(str, args)], env={**base, **(env or {})}, capture_output=True,
                          text=True, timeout=120, stdin=subprocess.DEVNULL)


def ok(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 0, done.stderr
    return done.stdout


def role_password(cluster: Cluster) -> str:
    return next(line.split(":")[-1] for line in cluster.pgpass.read_text().splitlines() if line.split(":")[3] == ROLE)


def test_the_commands_work_the_same_on_a_file_and_on_a_url(hq_target: HqTarget, hq: Party, posts: dict[str, Party],
                                                           tmp_path: Path) -> None:
    db, party = hq_target.db, posts["Ottawa"]
    found = [{**row, "individual_name": "Chinedu Okafor", "individual_identifier": "A-1"} for row in rows(3)]
    bundle = bundle_file(tmp_path, "b1.p7m", seal(payload_zip(found), party, hq))
    assert json.loads(ok(hq_command("register-post", party.cert_path, "--db", db)))["state"] == "registered"
    keys = ["--key", hq.key_path, "--cert", hq.cert_path, "--db", db, "--ack-out", tmp_path / "b1.ack"]
    assert "Imported batch 1 from Ottawa: 3 entries, 3 new" in ok(hq_command("import", bundle, *keys))
    assert (tmp_path / "b1.ack").stat().st_size > 0
    assert "1 post(s), 1 batch(es), 3 DHS-191 entries" in ok(hq_command("status", "--db", db))
    report = json.loads(ok(hq_command("report", "--db", db, "--json")))
    assert report["by_post"] == {"Ottawa": 3}
    assert report["posts"][0]["problems"] == []  # the acknowledgement was written and noted
    person = json.loads(ok(hq_command("report", "--db", db, "--individual", "A-1", "--out", tmp_path / "p.pdf")))
    assert (person["disclosures"], person["posts"], person["copy"]) == (3, 1, "agency")
    assert (tmp_path / "p.pdf").read_bytes().startswith(b"%PDF-")
    out = tmp_path / "period.csv"
    exported = json.loads(ok(hq_command("export", "--db", db, "--csv", out, "--from", "2026-11-01")))
    assert exported["entries"] == 3
    assert len(list(csv.reader(out.read_text("utf-8-sig").splitlines()))) == 4
    needs = hq_command("report", "--db", db, "--individual", "A-1")
    assert needs.returncode == 2 and "--individual needs --out REPORT.pdf" in needs.stderr


def test_a_url_with_a_password_is_refused_and_the_password_goes_nowhere(postgres: Cluster, tmp_path: Path) -> None:
    secret = "Tr0ub4dor-and-3"
    url = postgres.url(DATABASE).replace(f"{ROLE}@", f"{ROLE}:{secret}@")
    logs = tmp_path / "logs"
    for given in (url, postgres.url(DATABASE) + f"&password={secret}"):
        done = hq_command("status", "--db", given, logs=logs)
        assert done.returncode == 2
        assert "the URL carries a password" in done.stderr and "set PGPASSWORD, or put it in ~/.pgpass" in done.stderr
        assert secret not in done.stderr + done.stdout
    logged = "".join(p.read_text(errors="replace") for p in logs.rglob("*") if p.is_file())
    assert logged and secret not in logged
    with pytest.raises(HqStoreError, match="carries a password"):
        checked_conninfo(url)


def test_the_password_comes_from_pgpassword_or_pgpass(postgres: Cluster, postgres_db: str) -> None:
    nowhere = {"PGPASSFILE": "/nonexistent/pgpass"}
    from_env = hq_command("status", "--db", postgres_db, env={**nowhere, "PGPASSWORD": role_password(postgres)})
    assert "0 post(s)" in ok(from_env)
    ok(hq_command("status", "--db", postgres_db))  # the .pgpass of PGPASSFILE
    missing = hq_command("status", "--db", postgres_db, env=nowhere)
    assert missing.returncode == 2 and "cannot connect" in missing.stderr
    assert "the password comes from PGPASSWORD or ~/.pgpass" in missing.stderr


def test_the_tests_run_as_the_hq_role_and_it_can_change_nothing_it_should_not(postgres_db: str) -> None:
    """The URL every PostgreSQL test gets (`postgres_db`, `hq_target`) logs in as the role of role.sql."""
    with psycopg.connect(postgres_db) as conn:
        assert conn.execute("SELECT current_user, rolsuper, rolcreatedb, rolcreaterole FROM pg_roles "
                            "WHERE rolname = current_user").fetchone() == (ROLE, False, False, False)
        # Nobody else may connect, and nobody but the owner may create in the schema.
        assert conn.execute("SELECT has_database_privilege('public', current_database(), 'CONNECT'), "
                            "has_schema_privilege('public', 'public', 'CREATE')").fetchone() == (False, False)
    for statement in ("DELETE FROM entries", "UPDATE entries SET nature = 'x'", "UPDATE posts SET name = 'x'",
                      "UPDATE batches SET entry_count = 0", "TRUNCATE batches", "DELETE FROM posts",
                      "DROP TABLE entries", "CREATE TABLE t (x int)", "ALTER TABLE entries ADD COLUMN x int",
                      "INSERT INTO hq_schema_migrations VALUES (9, 'x', 'x', 'x')", "DELETE FROM hq_schema_migrations"):
        with psycopg.connect(postgres_db) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(statement)
    with psycopg.connect(postgres_db) as conn:  # the one column it may update
        conn.execute("UPDATE batches SET acknowledged_at = NULL WHERE false")


def test_the_schema_comes_from_numbered_migrations_recorded_in_the_database(postgres: Cluster,
                                                                            postgres_db: str) -> None:
    known = migrations.available("postgres")
    assert [m.file_name for m in known] == ["0001_initial.sql", "0002_reports.sql"]
    assert [m.file_name for m in migrations.available("sqlite")] == ["0001_initial.sql", "0002_reports.sql"]
    with psycopg.connect(postgres_db) as conn:
        ledger = conn.execute("SELECT version, name, sha256 FROM hq_schema_migrations ORDER BY 1").fetchall()
    assert ledger == [(m.version, m.name, m.sha256) for m in known]
    # A new database: the HQ role is told who must migrate it; as the role, migrating is refused.
    postgres.sql("postgres", "DROP DATABASE IF EXISTS hq_new; CREATE DATABASE hq_new")
    fresh = postgres.url("hq_new")
    told = hq_command("status", "--db", fresh)
    assert told.returncode == 2 and "lacks schema 0001_initial.sql, 0002_reports.sql" in told.stderr
    assert "the database owner runs 'disclosure-desk hq migrate --db" in told.stderr
    refused = hq_command("migrate", "--db", fresh)
    assert refused.returncode == 2 and "permission denied for schema public" in refused.stderr
    assert "migrations are run by the database owner" in refused.stderr
    assert json.loads(ok(hq_command("migrate", "--db", postgres.url("hq_new", OWNER))))["schema"] == "current"
    ok(hq_command("migrate", "--db", postgres.url("hq_new", OWNER)))  # again: nothing left to do


def test_a_sqlite_file_made_before_the_migrations_is_upgraded_with_its_data(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    conn.executescript((REPO / "db" / "hq_sqlite" / "0001_initial.sql").read_text() + "PRAGMA user_version = 1;")
    conn.execute("INSERT INTO posts VALUES ('ab', 'Ottawa', 'pem', '2026-01-01T00:00:00+00:00')")
    conn.commit()
    conn.close()
    store = SqliteHqStore.open(path)
    try:
        assert [p.name for p in store.posts()] == ["Ottawa"] and store.batches() == []
    finally:
        store.close()
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT version, name FROM hq_schema_migrations ORDER BY 1").fetchall() == [
        (1, "initial"), (2, "reports")]
    assert conn.execute("PRAGMA user_version").fetchone() == (2,)
    conn.close()


def test_a_store_newer_than_the_program_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    SqliteHqStore.open(path, create=True).close()
    conn = sqlite3.connect(path)
    conn.execute("INSERT INTO hq_schema_migrations VALUES (3, 'future', 'x', 'x')")
    conn.commit()
    conn.close()
    with pytest.raises(HqStoreError, match="is at schema 3; this program knows 2"):
        SqliteHqStore.open(path)


def test_a_pool_serves_several_threads(postgres_db: str) -> None:
    from concurrent.futures import ThreadPoolExecutor

    store = PostgresHqStore.open(postgres_db, pool_size=3)
    try:
        with ThreadPoolExecutor(3) as threads:
            assert list(threads.map(lambda _: store.counts().posts, range(6))) == [0] * 6
    finally:
        store.close()


def test_sync_does_not_import_hq() -> None:
    """Issue 15: the bundle format is sync's and hq imports it; nothing in sync reaches up into hq."""
    for path in (REPO / "desktop" / "sync").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            assert not [n for n in names if n.startswith("desktop.hq")], f"{path.name} imports {names}"
