"""A throw-away PostgreSQL cluster for the headquarters tests (issue 16), and the HQ store under test on either
backend. Registered for the whole suite by tests/conftest.py (`pytest_plugins`).

Real parts only: Debian's PostgreSQL server (scripts/system-deps.sh installs `postgresql`), `initdb` into a temp
folder, `pg_ctl` with `listen_addresses=''` (no TCP at all) and a Unix socket in that folder, stopped and removed
at the end of the session. As root, the server runs as the `postgres` system user (PostgreSQL refuses root).
Every connection authenticates with SCRAM; the passwords come from a .pgpass file (PGPASSFILE), as an office's
would. The schema is made by the owner with `hq migrate`, db/hq_postgres/role.sql is run with psql exactly as the
README says, and the tests then work as the role it creates, with only its rights.

When the server's programs are missing the PostgreSQL tests fail with what to install; they are never skipped.
"""

from __future__ import annotations

import glob
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from desktop.hq.sqlite_store import SqliteHqStore
from desktop.hq.store import HqStore

REPO = Path(__file__).resolve().parents[2]
ROLE_SQL = REPO / "db" / "hq_postgres" / "role.sql"
OWNER, ROLE = "hq_owner", "disclosure_desk_hq"
DATABASE = "disclosure_hq"
TABLES = ("hq_schema_migrations", "posts", "batches", "entries")


def server_bin() -> Path:
    """The newest installed server's bin folder (Debian keeps them apart from the client's, not on PATH)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    if os.environ.get("PG_BIN"):
        found.append(str(Path(os.environ["PG_BIN"]) / "initdb"))
    if not found or not Path(found[-1]).exists():
        pytest.fail("PostgreSQL's server programs (initdb, pg_ctl) are not installed: run scripts/system-deps.sh "
                    "(it installs Debian's postgresql package), or set PG_BIN to their folder. The headquarters "
                    "tests need a real server and are not skipped.", pytrace=False)
    return Path(found[-1]).parent


@dataclass
class Cluster:
    bin: Path
    root: Path
    socket: Path
    port: int
    pgpass: Path

    def url(self, dbname: str, user: str = ROLE) -> str:
        return f"postgresql://{user}@/{dbname}?host={self.socket}&port={self.port}"

    def psql(self, dbname: str, *args: str, user: str = OWNER, input_text: str | None = None
             ) -> subprocess.CompletedProcess[str]:
        command = [str(self.bin / "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", *args, self.url(dbname, user)]
        return subprocess.run(command, input=input_text, capture_output=True, text=True, timeout=60,
                              env={**os.environ, "PGPASSFILE": str(self.pgpass)})

    def sql(self, dbname: str, text: str, user: str = OWNER) -> str:
        done = self.psql(dbname, "-At", user=user, input_text=text)
        assert done.returncode == 0, done.stderr
        return done.stdout


def _as_server_user() -> list[str]:
    return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


def start_cluster(*, fsync: bool = False, settings: str = "") -> Cluster:
    """initdb, start on a private socket; the caller stops it with stop_cluster. `fsync` off for the tests (the
    cluster is thrown away), on for the benchmark; `settings` more `-c name=value` for the server."""
    bin_dir = server_bin()
    root = Path(tempfile.mkdtemp(prefix="hq-postgres-"))
    socket, data = root / "socket", root / "data"
    socket.mkdir()
    owner_pw, role_pw = secrets.token_urlsafe(18), secrets.token_urlsafe(18)
    pwfile = root / "owner.pw"
    pwfile.write_text(owner_pw + "\n")
    if os.geteuid() == 0:
        for path in (root, socket, pwfile):
            shutil.chown(path, "postgres", "postgres")
    run = _as_server_user()
    subprocess.run([*run, str(bin_dir / "initdb"), "-D", str(data), "-U", OWNER, f"--pwfile={pwfile}",
                    "--auth=scram-sha-256", "-E", "UTF8", "--no-locale"], check=True, capture_output=True,
                   timeout=120)
    pwfile.unlink()
    options = (f"-c listen_addresses='' -c unix_socket_directories='{socket}' -p 5432 -c max_connections=60 "
               f"-c fsync={'on' if fsync else 'off'} -c synchronous_commit={'on' if fsync else 'off'} "
               f"-c full_page_writes={'on' if fsync else 'off'} -c shared_buffers=128MB {settings}")
    started = subprocess.run([*run, str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options, "-l",
                              str(root / "server.log"), "-w", "-t", "60", "start"], capture_output=True, timeout=90)
    assert started.returncode == 0, started.stderr + (root / "server.log").read_bytes()
    pgpass = root / "pgpass"
    pgpass.write_text(f"*:*:*:{OWNER}:{owner_pw}\n*:*:*:{ROLE}:{role_pw}\n")
    pgpass.chmod(0o600)
    cluster = Cluster(bin_dir, root, socket, 5432, pgpass)
    cluster.sql("postgres", f"CREATE DATABASE {DATABASE}; ALTER ROLE {OWNER} SET client_min_messages = warning;")
    return cluster


def prepare_database(cluster: Cluster, dbname: str) -> None:
    """`hq migrate` as the owner, then db/hq_postgres/role.sql with psql as the README says, then the role's
    password (a cluster-wide role: it survives from one database to the next)."""
    env = {**os.environ, "PGPASSFILE": str(cluster.pgpass)}
    done = subprocess.run([*COMMAND, "hq", "migrate", "--db", cluster.url(dbname, OWNER)], capture_output=True,
                          text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    applied = cluster.psql(dbname, "-v", f"hq_db={dbname}", "-f", str(ROLE_SQL))
    assert applied.returncode == 0, applied.stderr
    password = next(line.split(":")[-1] for line in cluster.pgpass.read_text().splitlines()
                    if line.split(":")[3] == ROLE)
    cluster.sql(dbname, f"ALTER ROLE {ROLE} PASSWORD '{password}'")


def stop_cluster(cluster: Cluster) -> None:
    subprocess.run([*_as_server_user(), str(cluster.bin / "pg_ctl"), "-D", str(cluster.root / "data"), "-m",
                    "immediate", "-w", "stop"], capture_output=True, timeout=60)
    shutil.rmtree(cluster.root, ignore_errors=True)


ENTRY_POINT = Path(sys.executable).with_name("disclosure-desk")
COMMAND = [str(ENTRY_POINT)] if ENTRY_POINT.exists() else [sys.executable, "-m", "desktop.cli"]


@pytest.fixture(scope="session")
def postgres() -> Iterator[Cluster]:
    cluster = start_cluster()
    previous = os.environ.get("PGPASSFILE")
    os.environ["PGPASSFILE"] = str(cluster.pgpass)  # the in-process stores and the commands the tests start
    try:
        prepare_database(cluster, DATABASE)
        yield cluster
    finally:
        if previous is None:
            os.environ.pop("PGPASSFILE", None)
        else:
            os.environ["PGPASSFILE"] = previous
        stop_cluster(cluster)


@pytest.fixture
def postgres_db(postgres: Cluster) -> str:
    """The session's migrated database, emptied for one test (as its owner: the HQ role cannot); its URL, as the
    HQ role. Emptying takes milliseconds where a database per test took seconds."""
    import psycopg

    with psycopg.connect(postgres.url(DATABASE, OWNER)) as conn:
        conn.execute("TRUNCATE entries, batches, posts")
    return postgres.url(DATABASE)


@dataclass
class HqTarget:
    """The consolidated store under test: `db` is what `--db` gets (a file's path, or a URL)."""

    kind: str
    db: str
    dump: Callable[[], list[Any]]

    def open(self, *, create: bool = False) -> HqStore:
        if self.kind == "postgresql":
            from desktop.hq.postgres_store import PostgresHqStore

            return PostgresHqStore.open(self.db)
        return SqliteHqStore.open(Path(self.db), create=create)


def _sqlite_dump(path: Path) -> Callable[[], list[Any]]:
    def dump() -> list[Any]:
        import sqlite3

        conn = sqlite3.connect(path)
        try:
            return list(conn.iterdump())
        finally:
            conn.close()

    return dump


def _postgres_dump(url: str) -> Callable[[], list[Any]]:
    def dump() -> list[Any]:
        import psycopg

        with psycopg.connect(url) as conn:
            return [(table, conn.execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall()) for table in TABLES]

    return dump


@pytest.fixture(params=["sqlite", "postgresql"])
def hq_target(request: pytest.FixtureRequest, tmp_path: Path) -> HqTarget:
    """The HQ store on each backend in turn: an empty SQLite file's path, or a fresh PostgreSQL database."""
    if request.param == "postgresql":
        url = request.getfixturevalue("postgres_db")
        return HqTarget("postgresql", url, _postgres_dump(url))
    path = tmp_path / "hq.db"
    SqliteHqStore.open(path, create=True).close()
    return HqTarget("sqlite", str(path), _sqlite_dump(path))
