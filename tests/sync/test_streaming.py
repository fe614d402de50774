"""The bundle as a stream (issue 15): written and read in pieces, never whole in memory, nothing readable on disk.

Memory is measured with tracemalloc around the real writer and reader on a bundle of a few MB: a layer that holds
the payload whole (as the earlier export's ZIP, signature and envelope each did) makes the peak exceed the payload.
OpenSSL's own streaming CMS is the other side of the interoperability: a bundle it signs and encrypts with -stream
imports, and what this program writes opens with `openssl cms -decrypt` (tests/sync/test_export.py).
"""

from __future__ import annotations

import io
import os
import subprocess
import tracemalloc
import zipfile
from pathlib import Path

import pytest

from desktop.hq import BundleRefused, Recipient, SqliteHqStore, import_bundle, load_recipient, register_post
from desktop.store import Store
from desktop.sync import bundle, export_bundle
from desktop.sync.bundle import BundleWriter, read_bundle
from desktop.sync.spool import SealedSpool, SpoolError
from tests.sync.helpers import (
    Party,
    dump,
    make_party,
    members_for,
    payload_zip,
    raw_zip,
    rows,
    seal,
    seed_entries,
)

MB = 1 << 20


@pytest.fixture
def recipient(hq: Party) -> Recipient:
    return load_recipient(hq.key_path.read_bytes(), hq.cert_path.read_bytes())


@pytest.fixture
def post(tmp_path: Path) -> Party:
    return make_party(tmp_path / "post", "Ottawa", rsa_bits=None)


@pytest.fixture
def hq_store(tmp_path: Path, post: Party) -> Path:
    path = tmp_path / "hq-streaming.db"
    opened = SqliteHqStore.open(path, create=True)
    try:
        register_post(opened, post.cert_path.read_bytes())
    finally:
        opened.close()
    return path


def big_members(count: int, size: int) -> tuple[list[dict[str, object]], dict[str, bytes]]:
    """`count` entries whose PDFs are `size` random bytes each (random: nothing compresses them away)."""
    entries = rows(count)
    members = members_for(entries)
    for entry in entries:
        members[bundle.pdf_name(str(entry["uuid"]))] = b"%PDF-1.4\n" + os.urandom(size)
    return entries, members


class Counting:
    """A bundle file that keeps nothing: it only counts what is written."""

    def __init__(self) -> None:
        self.size = 0

    def write(self, data: bytes) -> int:
        self.size += len(data)
        return len(data)


def write_bundle(out: object, post: Party, hq: Party, members: dict[str, bytes], entries: int) -> None:
    writer = BundleWriter(out, post.certificate, post.key, hq.certificate)  # type: ignore[arg-type]
    for name, data in members.items():
        writer.add(name, data)
    writer.finish("Ottawa", 1, "2026-11-20T12:00:00+00:00", entries)


def test_writing_a_bundle_holds_one_member_at_a_time_not_the_payload(post: Party, hq: Party) -> None:
    entries, members = big_members(150, 40_000)  # 6 MB of PDFs
    payload = sum(len(data) for name, data in members.items() if name.endswith(".pdf"))
    out = Counting()
    tracemalloc.start()
    try:
        write_bundle(out, post, hq, members, len(entries))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert out.size > payload * 4 / 3  # the whole payload went out, base64 in S/MIME
    assert peak < 1 * MB, f"writing held {peak / MB:.1f} MB at once"


def test_importing_a_bundle_holds_one_pdf_at_a_time_and_stores_every_one(post: Party, hq: Party, hq_store: Path,
                                                                         recipient: Recipient, tmp_path: Path
                                                                         ) -> None:
    entries, members = big_members(150, 40_000)
    path = tmp_path / "big.p7m"
    with open(path, "wb") as handle:
        write_bundle(handle, post, hq, members, len(entries))
    with open(path, "rb") as handle:
        tracemalloc.start()
        try:
            with read_bundle(handle, recipient.certificate, recipient.key, [post.certificate]) as payload:
                largest = max(len(pdf) for _, pdf in payload.pdfs({str(e["uuid"]) for e in entries}))
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert largest == 40_009
    assert peak < 3 * MB, f"reading held {peak / MB:.1f} MB at once"
    opened = SqliteHqStore.open(hq_store)
    try:
        report = import_bundle(opened, path, recipient)
        assert (report.new, opened.counts().entries) == (150, 150)
    finally:
        opened.close()


def test_a_bundle_that_openssl_signs_and_encrypts_as_a_stream_imports(post: Party, hq: Party, hq_store: Path,
                                                                      recipient: Recipient, tmp_path: Path) -> None:
    """`openssl cms -sign -stream` and `-encrypt -stream` write BER with indefinite lengths, as the export does."""
    payload = tmp_path / "payload.zip"
    payload.write_bytes(payload_zip(rows(2)))
    signed, sealed = tmp_path / "signed.der", tmp_path / "bundle.p7m"
    for args in (["-sign", "-signer", post.cert_path, "-inkey", post.key_path, "-md", "sha256", "-nodetach",
                  "-binary", "-outform", "DER", "-in", payload, "-out", signed],
                 ["-encrypt", "-aes256", "-binary", "-in", signed, "-out", sealed, hq.cert_path]):
        done = subprocess.run(["openssl", "cms", "-stream", *map(str, args)], capture_output=True, timeout=60)
        assert done.returncode == 0, done.stderr.decode()
    assert _der_of(sealed.read_bytes())[:2] == b"\x30\x80"  # an indefinite length: streamed
    opened = SqliteHqStore.open(hq_store)
    try:
        assert import_bundle(opened, sealed, recipient).new == 2
    finally:
        opened.close()


def _der_of(smime: bytes) -> bytes:
    import base64

    return base64.b64decode(smime.split(b"\n\n", 1)[1])


def refused(db: Path, data: bytes, recipient: Recipient, match: str) -> None:
    before = dump(db)
    opened = SqliteHqStore.open(db)
    try:
        with pytest.raises(BundleRefused, match=match):
            import_bundle(opened, data, recipient)
    finally:
        opened.close()
    assert dump(db) == before


def test_a_bundle_cut_short_is_refused(post: Party, hq: Party, hq_store: Path, recipient: Recipient) -> None:
    out = io.BytesIO()
    write_bundle(out, post, hq, members_for(rows(2)), 2)
    whole = out.getvalue()
    refused(hq_store, whole[:len(whole) * 2 // 3], recipient, "the bundle is refused")
    refused(hq_store, whole[:len(whole) - 40], recipient, "the bundle is refused")


def test_a_zip_whose_central_directory_tells_another_story_is_refused(post: Party, hq: Party, hq_store: Path,
                                                                       recipient: Recipient) -> None:
    """unzip reads the directory at the end, a stream reads the headers in order: they must agree."""
    entries = rows(2)
    zipped = bytearray(payload_zip(entries))
    directory = zipped.rindex(b"PK\x01\x02")  # the last member's entry in the central directory
    zipped[directory + 16] ^= 0xFF  # its CRC
    refused(hq_store, seal(bytes(zipped), post, hq), recipient, "central directory does not match its member")


def test_a_zip_with_data_descriptors_or_bytes_after_it_is_refused(post: Party, hq: Party, hq_store: Path,
                                                                   recipient: Recipient) -> None:
    entries = rows(1)
    members = members_for(entries)
    manifest = bundle.manifest_bytes("Ottawa", 1, "2026-11-20T12:00:00+00:00", 1, members)

    class Unseekable(io.BytesIO):
        def seekable(self) -> bool:
            return False

        def tell(self) -> int:
            raise OSError("not seekable")

    out = Unseekable()
    with zipfile.ZipFile(out, "w") as archive:  # a non-seekable file makes zipfile write data descriptors
        for name, data in [*members.items(), (bundle.MANIFEST, manifest)]:
            archive.writestr(name, data)
    refused(hq_store, seal(out.getvalue(), post, hq), recipient, "written with a data descriptor")
    refused(hq_store, seal(payload_zip(entries) + b"trailing", post, hq), recipient, "bytes follow the end of the ZIP")


def test_the_export_writes_only_ciphertext_and_leaves_nothing_beside_the_bundle(store: Store, hq: Party,
                                                                                 tmp_path: Path) -> None:
    canary = "Zebulon Quixotic-Canary"
    seed_entries(store, 3, individual_name=canary)
    out = tmp_path / "out"
    result = export_bundle(store.repo, hq.certificate, out)
    assert [p.name for p in out.iterdir()] == [result.path.name]  # no partial file left behind
    written = result.path.read_bytes()
    for form in (canary.encode("utf-8"), canary.encode("utf-16-le"), b"%PDF-", b"entries.jsonl"):
        assert form not in written and form not in _der_of(written)


def test_the_headquarters_spool_holds_pdfs_sealed_and_refuses_a_changed_copy() -> None:
    canary = b"%PDF-1.4 Zebulon Quixotic-Canary " * 100
    spool = SealedSpool()
    try:
        spool.put("dhs191/a.pdf", [canary[:1000], canary[1000:]])
        spool.put("dhs191/b.pdf", [b"%PDF-other"])
        on_disk = spool._file  # the anonymous temporary file itself: what headquarters' disk holds
        on_disk.seek(0)
        raw = on_disk.read()
        assert b"Zebulon" not in raw and b"%PDF" not in raw
        assert spool.get("dhs191/a.pdf") == canary and list(spool.names()) == ["dhs191/a.pdf", "dhs191/b.pdf"]
        on_disk.seek(10)
        on_disk.write(b"\x00")
        with pytest.raises(SpoolError, match="changed on disk"):
            spool.get("dhs191/a.pdf")
    finally:
        spool.close()


def test_hq_import_of_a_bundle_file_that_cannot_be_read_says_so(hq_store: Path, recipient: Recipient,
                                                                 tmp_path: Path) -> None:
    from desktop.hq.importer import HqInputError

    opened = SqliteHqStore.open(hq_store)
    try:
        with pytest.raises(HqInputError, match="missing.p7m: cannot be read"):
            import_bundle(opened, tmp_path / "missing.p7m", recipient)
    finally:
        opened.close()


def test_a_csv_that_says_something_else_is_refused_and_one_quoted_otherwise_is_not(post: Party, hq: Party,
                                                                                     hq_store: Path,
                                                                                     recipient: Recipient) -> None:
    import csv

    entries = rows(3)

    def sealed(table: list[list[str]], quoting: int) -> bytes:
        out = io.StringIO()
        csv.writer(out, lineterminator="\r\n", quoting=quoting).writerows(table)
        members = {**members_for(entries), bundle.CSV: ("\ufeff" + out.getvalue()).encode("utf-8")}
        manifest = bundle.manifest_bytes("Ottawa", 1, "2026-11-20T12:00:00+00:00", len(entries), members)
        return seal(raw_zip([*members.items(), (bundle.MANIFEST, manifest)]), post, hq)

    table = [list(bundle.COLUMNS), *([bundle.csv_cell(e[name]) for name in bundle.COLUMNS] for e in entries)]
    changed = [row[:] for row in table]
    changed[2][4] = "Someone Else"
    refused(hq_store, sealed(changed, csv.QUOTE_MINIMAL), recipient,
            f"entries.csv line 3 differs from entry {entries[1]['uuid']} in entries.jsonl")
    opened = SqliteHqStore.open(hq_store)
    try:
        assert import_bundle(opened, sealed(table, csv.QUOTE_ALL), recipient).new == 3
    finally:
        opened.close()
