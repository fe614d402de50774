"""The DHS-191 sync (SPEC section 9, issues 5 and 15): export of 1,500 and 10,000 entries with their PDFs, and
headquarters' import of each bundle.

Product: `export_bundle` (entries read from the SQLCipher store, one DHS-191 PDF each, ZIP, CMS signature, CMS
encryption to headquarters, all streamed to the file, batch recorded) and `import_bundle` (decrypt, verify, every
payload check, merge into the SQLite consolidated store, the bundle read from its file as a stream). Baseline, in
the same run on the same entries: the same members rendered the same way into a plain ZIP file with `zipfile`, one
at a time, with no signature or encryption; and that ZIP unzipped from its file, its JSON lines parsed and the
entries inserted into the same consolidated schema, one PDF at a time, with no checks. Each phase runs in a fresh
process, so its peak resident memory is its own; "memory above start" is that peak less the process's size once
its modules were imported, which is what grows with the work.

`python -m bench sync [--quick] [-n N] [--dir DIR] [--keep]`
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import resource
import time
import uuid as uuid_module
import zipfile
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from keyring.backends import fail

from bench.report import Figure, progress, table, workdir, write_results

PASSPHRASE = "bench sync passphrase 4320 lantern"
DEFAULT_COUNTS = (1_500, 10_000)  # issue 15: memory flat between the two
QUICK_COUNT = 1_000


@dataclass(frozen=True)
class Phase:
    seconds: float
    peak_rss_mb: float  # the phase's process, at its peak
    start_rss_mb: float  # the same process once its modules were imported, before the work
    size: int = 0  # bytes written (the bundle, the ZIP)
    marks: dict[str, float] | None = None  # seconds from the start to each stage


def main(argv: list[str] | None = None) -> int:
    options = _options(argv)
    counts = [options.n] if options.n else [QUICK_COUNT] if options.quick else list(DEFAULT_COUNTS)
    runs: dict[str, Any] = {}
    every: list[Figure] = []
    for count in counts:
        figures, stages = _run(count, options)
        print(table(f"sync: {count:,} DHS-191 entries with their PDFs, CMS bundle vs plain ZIP", "bundle",
                    "plain ZIP", figures))
        print(_stages(*stages))
        print()
        runs[str(count)] = {"stages": {"export": stages[0].marks, "import": stages[1].marks}}
        every += [Figure(f"{figure.metric}, {count:,} entries", figure.unit, figure.product, figure.baseline)
                  for figure in figures]
    path = write_results("sync", {"entries": counts, "quick": bool(options.quick), "runs": runs}, every)
    print(f"results: {path}")
    return 0


def _run(count: int, options: argparse.Namespace) -> tuple[list[Figure], tuple[Phase, Phase]]:
    with workdir("dd-bench-sync-", options.dir, options.keep) as root:
        progress(f"sync: seeding {count:,} DHS-191 entries and a headquarters identity in {root}")
        _in_child(_prepare, root, count)
        progress("sync: product export (PDFs, ZIP, CMS sign + encrypt, batch recorded)")
        export = _in_child(_product_export, root)
        progress("sync: baseline export (same PDFs, plain ZIP)")
        plain_export = _in_child(_baseline_export, root)
        progress("sync: product import at headquarters (decrypt, verify, checks, merge)")
        imported = _in_child(_product_import, root)
        progress("sync: baseline import (plain ZIP into the same schema)")
        plain_import = _in_child(_baseline_import, root)
    return _figures(export, plain_export, imported, plain_import), (export, imported)


def _options(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench sync", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help=f"{QUICK_COUNT:,} entries instead of {' and '.join(f'{n:,}' for n in DEFAULT_COUNTS)}")
    parser.add_argument("-n", type=int, help="number of entries (overrides --quick)")
    parser.add_argument("--dir", type=Path, help="where to build the stores (default: a temporary folder)")
    parser.add_argument("--keep", action="store_true", help="keep the stores and bundles afterwards")
    return parser.parse_args(argv)


def _in_child(work: Callable[..., Phase | None], *args: Any) -> Any:
    """Runs `work` in a fresh interpreter (spawn): ru_maxrss then measures that phase alone."""
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(work, *args).result()


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _measured(work: Callable[[Callable[[str], None]], int]) -> Phase:
    start_rss = _rss_mb()
    marks: dict[str, float] = {}
    started = time.perf_counter()
    size = work(lambda stage: marks.setdefault(stage, time.perf_counter() - started))
    return Phase(time.perf_counter() - started, _rss_mb(), start_rss, size, marks)


def _prepare(root: Path, count: int) -> None:
    from desktop.store import KdfParams, KeyVault, create_store
    from desktop.sync import post_identity

    store = create_store(root / "post", PASSPHRASE, post_name="Ottawa", bates_prefix="OTT", use_keyring=False,
                         vault=KeyVault(fail.Keyring()),  # type: ignore[no-untyped-call]
                         kdf=KdfParams(time_cost=1, memory_cost_kib=8 * 1024, parallelism=1))
    try:
        _seed(store.repo, count)
        (root / "post.pem").write_bytes(post_identity(store.repo).certificate_pem())
    finally:
        store.lock()
    _headquarters(root / "hq")


def _seed(repo: Any, count: int) -> None:
    """`count` entries as the accounting hook writes them: one per individual, four per packet."""
    from desktop.store.repository import now_text

    names = ["uuid", "post", "request_reference", "disclosure_id", "individual_name", "individual_identifier",
             "disclosed_on", "nature", "purpose", "recipient_name", "recipient_address", "authority", "sorn",
             "method", "disclosing_official", "office", "retain_until", "b7", "packet_sha256", "created_at"]
    rows = []
    for i in range(count):
        packet = i // 4
        day = f"2026-{1 + packet % 12:02d}-{1 + packet % 28:02d}"
        bates = f"OTT{packet * 3 + 1:06d}-OTT{packet * 3 + 3:06d}"
        rows.append((
            str(uuid_module.uuid4()), "Ottawa", f"OTT-2026-{packet:05d}", bates,
            f"Individual {i:05d} Okafor-Tremblay", f"A-{200_000_000 + i}", day,
            f"crossings-{i % 3}.pdf (packet pages 3-5, {bates})",
            "Ensuring compliance with customs laws (§8.1.2.1): suspected smuggling of controlled goods",
            "Canada Border Services Agency, Criminal Investigations Division (attn. Insp. Marie Roy)",
            "191 Laurier Ave W, Ottawa ON K1A 0L8, Canada", "19 U.S.C. 1628 (§7.3.1); Routine use G; SORN DHS/CBP-011",
            "DHS/CBP-011", "encrypted PDF by e-mail", "Dana Whitfield", "CBP Attaché Office, Ottawa",
            f"{2031 + packet % 3}-{1 + packet % 12:02d}-{1 + packet % 28:02d}", i % 5 == 0, "ab" * 32, now_text()))
    with repo.transaction("bench.seed", "dhs191_entry") as tx:
        tx.conn.executemany(f"INSERT INTO dhs191_entries ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})",
                            rows)


def _headquarters(folder: Path) -> None:
    from datetime import UTC, datetime, timedelta

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    folder.mkdir()
    key = rsa.generate_private_key(65537, 3072)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "CBP Privacy Office")])
    now = datetime.now(UTC)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                   .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(days=1))
                   .not_valid_after(now + timedelta(days=365)).sign(key, hashes.SHA256()))
    (folder / "cbp-privacy-office.key").write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    (folder / "cbp-privacy-office.pem").write_bytes(certificate.public_bytes(serialization.Encoding.PEM))


def _unlock(root: Path) -> Any:
    from desktop.store import KeyVault, unlock_with_passphrase

    return unlock_with_passphrase(root / "post", PASSPHRASE, KeyVault(fail.Keyring()))  # type: ignore[no-untyped-call]


def _hq_certificate(root: Path) -> Any:
    from cryptography import x509

    return x509.load_pem_x509_certificate((root / "hq" / "cbp-privacy-office.pem").read_bytes())


def _product_export(root: Path) -> Phase:
    from desktop.jobs import JobControl
    from desktop.sync import export_bundle

    store, recipient = _unlock(root), _hq_certificate(root)

    def work(mark: Callable[[str], None]) -> int:
        def seen(done: int, total: int, label: str) -> None:
            if label.startswith("Signing"):
                mark("pages rendered")
            elif label.startswith("Recording"):
                mark("signed and encrypted")

        result = export_bundle(store.repo, recipient, root / "out", JobControl(seen))
        mark("batch recorded, file written")
        (root / "bundle-path.txt").write_text(str(result.path))
        return result.size

    try:
        return _measured(work)
    finally:
        store.lock()


def _baseline_export(root: Path) -> Phase:
    from desktop.accounting import unacknowledged_entries
    from desktop.accounting.dhs191_pdf import render_entry_pdf
    from desktop.sync import bundle

    store = _unlock(root)

    def work(mark: Callable[[str], None]) -> int:
        entries = unacknowledged_entries(store.repo)
        rows = [entry.a2_row() for entry in entries]
        path = root / "plain.zip"
        with zipfile.ZipFile(path, "w") as archive:  # to its file as it goes, as anyone writing a ZIP would
            archive.writestr(bundle.JSONL, bundle.entries_jsonl(rows), zipfile.ZIP_DEFLATED)
            archive.writestr(bundle.CSV, bundle.entries_csv(rows), zipfile.ZIP_DEFLATED)
            for entry in entries:
                archive.writestr(bundle.pdf_name(entry.uuid), render_entry_pdf(entry, "Ottawa", entry.packet_sha256))
        mark("zip written")
        return path.stat().st_size

    try:
        return _measured(work)
    finally:
        store.lock()


def _product_import(root: Path) -> Phase:
    from desktop.hq import SqliteHqStore, acknowledgement_file, import_bundle, load_recipient, register_post

    recipient = load_recipient((root / "hq" / "cbp-privacy-office.key").read_bytes(),
                               (root / "hq" / "cbp-privacy-office.pem").read_bytes())
    store = SqliteHqStore.open(root / "hq.db", create=True)
    register_post(store, (root / "post.pem").read_bytes())

    def work(mark: Callable[[str], None]) -> int:
        path = Path((root / "bundle-path.txt").read_text())
        report = import_bundle(store, path, recipient)
        mark("decrypted, verified, checked, merged")
        (root / "ack.json").write_bytes(acknowledgement_file(report, recipient))
        mark("acknowledgement written")
        assert report.new == report.entry_count
        return path.stat().st_size

    try:
        return _measured(work)
    finally:
        store.close()


def _baseline_import(root: Path) -> Phase:
    from desktop.hq import SqliteHqStore
    from desktop.hq.store import RegisteredPost

    store = SqliteHqStore.open(root / "plain.db", create=True)
    with store.transaction() as tx:
        tx.add_post(RegisteredPost("0" * 64, "Ottawa", "", ""))

    def work(mark: Callable[[str], None]) -> int:
        path = root / "plain.zip"
        with zipfile.ZipFile(path) as archive, store.transaction() as tx:
            tx.add_entries("0" * 64, 1, "2026-11-20T12:00:00+00:00", _Unzipped(archive))
        mark("unzipped and inserted")
        return path.stat().st_size

    try:
        return _measured(work)
    finally:
        store.close()


class _Unzipped(Sequence[Any]):
    """The plain ZIP's entries with their PDFs, each PDF read from the archive as the store takes it."""

    def __init__(self, archive: zipfile.ZipFile) -> None:
        from desktop.sync import bundle

        self._archive = archive
        self._lines = archive.read(bundle.JSONL).decode().splitlines()

    def __len__(self) -> int:
        return len(self._lines)

    def __iter__(self) -> Iterator[Any]:
        from desktop.hq.store import NewEntry
        from desktop.sync import bundle

        for line in self._lines:
            row = json.loads(line)
            yield NewEntry(row, line, self._archive.read(bundle.pdf_name(row["uuid"])))

    def __getitem__(self, index: Any) -> Any:
        return list(self)[index]


def _figures(export: Phase, plain_export: Phase, imported: Phase, plain_import: Phase) -> list[Figure]:
    return [
        Figure("export wall time", "s", export.seconds, plain_export.seconds),
        Figure("export peak memory (process RSS)", "MB", export.peak_rss_mb, plain_export.peak_rss_mb),
        Figure("export memory above start", "MB", export.peak_rss_mb - export.start_rss_mb,
               plain_export.peak_rss_mb - plain_export.start_rss_mb),
        Figure("file size", "MB", export.size / 1e6, plain_export.size / 1e6),
        Figure("hq import wall time", "s", imported.seconds, plain_import.seconds),
        Figure("hq import peak memory (process RSS)", "MB", imported.peak_rss_mb, plain_import.peak_rss_mb),
        Figure("hq import memory above start", "MB", imported.peak_rss_mb - imported.start_rss_mb,
               plain_import.peak_rss_mb - plain_import.start_rss_mb),
    ]


def _stages(export: Phase, imported: Phase) -> str:
    lines = ["", "stages (seconds from the start of the phase):"]
    for name, phase in (("export", export), ("hq import", imported)):
        lines += [f"  {name:<10} {stage:<36} {at:8.2f}" for stage, at in (phase.marks or {}).items()]
    return "\n".join(lines)
