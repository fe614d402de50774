"""Headquarters on PostgreSQL (issue 16): parallel imports into PostgreSQL against one-by-one imports into SQLite,
and `hq report` at the consolidated size.

20 posts x 5,000 entries: each post's one bundle is made as a post makes it (entries.jsonl, entries.csv, one
DHS-191 PDF per entry, manifest, CMS signature by the post's own key, CMS encryption to headquarters). Rendering
100,000 PDFs would take longer than the imports measured, so `PDF_KINDS` real DHS-191 pages (render_entry_pdf)
are rendered once and each entry carries one of them: headquarters never parses a PDF, it checks, hashes and
stores its bytes, so the import does the same work. Then, each on a fresh store:

- SQLite, serial: one process imports the 20 bundles one after another (the single-analyst default);
- PostgreSQL, 4 processes in parallel, each taking the next bundle, as the HQ role of db/hq_postgres/role.sql;
- PostgreSQL, serial, for reference.

The server is a throw-away cluster as in the tests (tests/hq/postgres.py), with fsync on like a real one; SQLite
runs with synchronous=FULL as the product does. Report latency: `summary()` (entries by post and month over the
whole record, every post's batches and acknowledgements), median of 5 after one cold run, on each backend.

`python -m bench hq [--quick] [--posts N] [--entries N] [--workers N] [--dir DIR] [--keep]`
(BENCH_HQ_PG_SETTINGS="-c max_wal_size=8GB ..." passes more settings to the server, to try an office's tuning.)
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import time
import uuid as uuid_module
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.report import Figure, progress, table, timed, workdir, write_results

PDF_KINDS = 50
POSTS, ENTRIES, WORKERS = 20, 5_000, 4
QUICK_POSTS, QUICK_ENTRIES = 4, 1_000


def main(argv: list[str] | None = None) -> int:
    options = _options(argv)
    posts = options.posts or (QUICK_POSTS if options.quick else POSTS)
    count = options.entries or (QUICK_ENTRIES if options.quick else ENTRIES)
    from tests.hq.postgres import DATABASE, OWNER, prepare_database, start_cluster, stop_cluster

    with workdir("dd-bench-hq-", options.dir, options.keep) as root:
        progress(f"hq: making {posts} posts' bundles of {count:,} entries each in {root}")
        started = time.perf_counter()
        bundles, certificates = _make_bundles(root, posts, count)
        progress(f"hq: bundles made in {time.perf_counter() - started:.0f} s "
                 f"({sum(p.stat().st_size for p in bundles) / 1e6:,.0f} MB)")
        total = posts * count
        sqlite_db = str(root / "hq.db")
        _register(sqlite_db, certificates, create=True)
        progress("hq: SQLite, one bundle after another")
        sqlite_seconds = _import_all(sqlite_db, bundles, root, workers=1)
        cluster = start_cluster(fsync=True, settings=os.environ.get("BENCH_HQ_PG_SETTINGS", ""))
        os.environ["PGPASSFILE"] = str(cluster.pgpass)
        try:
            for name in ("hq_parallel", "hq_serial"):
                cluster.sql("postgres", f"CREATE DATABASE {name} OWNER {OWNER}")
                prepare_database(cluster, name)
                _register(cluster.url(name), certificates)
            progress(f"hq: PostgreSQL, {options.workers} processes at once")
            parallel_seconds = _import_all(cluster.url("hq_parallel"), bundles, root, workers=options.workers)
            progress("hq: PostgreSQL, one bundle after another")
            serial_seconds = _import_all(cluster.url("hq_serial"), bundles, root, workers=1)
            progress("hq: report latency")
            pg_report = _report_latency(cluster.url("hq_parallel"), total)
            sqlite_report = _report_latency(sqlite_db, total)
        finally:
            stop_cluster(cluster)
        del DATABASE
    figures = [
        Figure(f"import, {options.workers} processes vs serial", "entries/s", total / parallel_seconds,
               total / sqlite_seconds, higher_is_better=True),
        Figure(f"hq report at {total:,} entries, cold", "s", pg_report.first, sqlite_report.first),
        Figure(f"hq report at {total:,} entries, median", "s", pg_report.median, sqlite_report.median),
    ]
    print(table(f"hq: {posts} posts x {count:,} entries; PostgreSQL (parallel) vs SQLite (serial)", "PostgreSQL",
                "SQLite", figures))
    print(f"PostgreSQL serial: {total / serial_seconds:,.0f} entries/s ({serial_seconds:.1f} s); "
          f"PostgreSQL {options.workers} processes: {parallel_seconds:.1f} s; SQLite serial: {sqlite_seconds:.1f} s")
    path = write_results("hq", {"posts": posts, "entries_per_post": count, "workers": options.workers,
                                "seconds": {"sqlite_serial": sqlite_seconds, "postgres_parallel": parallel_seconds,
                                            "postgres_serial": serial_seconds}}, figures)
    print(f"\nresults: {path}")
    return 0


def _options(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench hq", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_POSTS} posts x {QUICK_ENTRIES:,} entries")
    parser.add_argument("--posts", type=int, help=f"number of posts (default {POSTS})")
    parser.add_argument("--entries", type=int, help=f"entries per post (default {ENTRIES:,})")
    parser.add_argument("--workers", type=int, default=WORKERS, help=f"parallel importers (default {WORKERS})")
    parser.add_argument("--dir", type=Path, help="where to build the stores (default: a temporary folder)")
    parser.add_argument("--keep", action="store_true", help="keep the stores and bundles afterwards")
    return parser.parse_args(argv)


def _make_bundles(root: Path, posts: int, count: int) -> tuple[list[Path], list[bytes]]:
    from cryptography.hazmat.primitives import serialization

    from desktop.sync import bundle

    hq_key, hq_cert = _identity("CBP Privacy Office", rsa=True)
    (root / "hq.key").write_bytes(hq_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                       serialization.NoEncryption()))
    (root / "hq.pem").write_bytes(hq_cert.public_bytes(serialization.Encoding.PEM))
    pdfs = _pdfs()
    paths, certificates = [], []
    for number in range(posts):
        name = f"Post {number + 1:02d}"
        key, certificate = _identity(name, rsa=False)
        rows = [_row(name, number * count + i) for i in range(count)]
        path = root / f"post-{number + 1:02d}-batch-1.p7m"
        with open(path, "wb") as handle:  # as a post's export writes it (issue 15: streamed)
            writer = bundle.BundleWriter(handle, certificate, key, hq_cert)
            writer.add_text(bundle.JSONL, bundle.jsonl_lines(rows))
            writer.add_text(bundle.CSV, bundle.csv_lines(rows))
            for i, row in enumerate(rows):
                writer.add(bundle.pdf_name(row["uuid"]), pdfs[i % len(pdfs)])
            writer.finish(name, 1, datetime.now(UTC).isoformat(timespec="seconds"), count)
        paths.append(path)
        certificates.append(certificate.public_bytes(serialization.Encoding.PEM))
    return paths, certificates


def _identity(name: str, *, rsa: bool) -> tuple[Any, Any]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.asymmetric import rsa as rsa_keys
    from cryptography.x509.oid import NameOID

    key: Any = rsa_keys.generate_private_key(65537, 3072) if rsa else ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.now(UTC)
    usage = x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=rsa,
                          data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
                          encipher_only=False, decipher_only=False)
    certificate = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
                   .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(days=1))
                   .not_valid_after(now + timedelta(days=365)).add_extension(usage, critical=True)
                   .sign(key, hashes.SHA256()))
    return key, certificate


def _row(post: str, i: int) -> dict[str, Any]:
    day = date(2024, 1, 1) + timedelta(days=i % 1000)
    return {
        "uuid": str(uuid_module.UUID(int=i + 1, version=4)), "post": post, "request_reference": f"REQ-{i // 4:06d}",
        "disclosure_id": f"B{i // 4 * 3 + 1:06d}-B{i // 4 * 3 + 3:06d}",
        "individual_name": f"Individual {i:06d} Okafor-Tremblay", "individual_identifier": f"A-{200_000_000 + i}",
        "disclosed_on": day.isoformat(), "nature": f"crossings-{i % 3}.pdf (packet pages 3-5)",
        "purpose": "Ensuring compliance with customs laws (§8.1.2.1): suspected smuggling of controlled goods",
        "recipient_name": "Canada Border Services Agency, Criminal Investigations Division",
        "recipient_address": "191 Laurier Ave W, Ottawa ON K1A 0L8, Canada",
        "authority": "19 U.S.C. 1628 (§7.3.1); Routine use G; SORN DHS/CBP-011", "sorn": "DHS/CBP-011",
        "method": "encrypted PDF by e-mail", "disclosing_official": "Dana Whitfield", "office": f"CBP, {post}",
        "retain_until": (day + timedelta(days=5 * 365 + 1)).isoformat(), "b7": i % 5 == 0,
    }


def _pdfs() -> list[bytes]:
    from desktop.accounting.dhs191_pdf import render_entry_pdf
    from desktop.accounting.entries import Entry

    made = []
    for i in range(PDF_KINDS):
        row = _row("Ottawa", i)
        entry = Entry(**{**row, "disclosed_on": date.fromisoformat(row["disclosed_on"]),
                         "retain_until": date.fromisoformat(row["retain_until"])})
        made.append(render_entry_pdf(entry, "Ottawa", "ab" * 32))
    return made


def _register(db: str, certificates: list[bytes], create: bool = False) -> None:
    from desktop.hq import register_post

    store = _open(db, create)
    try:
        for pem in certificates:
            register_post(store, pem)
    finally:
        store.close()


def _open(db: str, create: bool = False) -> Any:
    if db.startswith("postgresql://"):
        from desktop.hq.postgres_store import PostgresHqStore

        return PostgresHqStore.open(db)
    from desktop.hq.sqlite_store import SqliteHqStore

    return SqliteHqStore.open(Path(db), create=create)


def _import_all(db: str, bundles: list[Path], root: Path, workers: int) -> float:
    """Seconds from the moment every worker is ready until the last bundle is merged."""
    context = multiprocessing.get_context("spawn")
    queue, ready, go = context.Queue(), context.Barrier(workers + 1), context.Event()
    for path in bundles:
        queue.put(str(path))
    for _ in range(workers):
        queue.put(None)
    processes = [context.Process(target=_worker, args=(db, str(root), queue, ready, go)) for _ in range(workers)]
    for process in processes:
        process.start()
    ready.wait()
    started = time.perf_counter()
    go.set()
    for process in processes:
        process.join()
        if process.exitcode != 0:
            raise RuntimeError(f"an importer failed (exit {process.exitcode})")
    return time.perf_counter() - started


def _worker(db: str, root: str, queue: Any, ready: Any, go: Any) -> None:
    from desktop.hq import import_bundle, load_recipient

    recipient = load_recipient(Path(root, "hq.key").read_bytes(), Path(root, "hq.pem").read_bytes())
    store = _open(db)
    ready.wait()
    go.wait()
    try:
        while (path := queue.get()) is not None:
            import_bundle(store, Path(path), recipient)  # read from the file as a stream
    finally:
        store.close()


def _report_latency(db: str, total: int) -> Any:
    from desktop.hq.report import period, summary

    store = _open(db)
    try:
        assert store.counts().entries == total
        return timed(lambda: summary(store, *period(None, None), date.today()), repeat=5)
    finally:
        store.close()
