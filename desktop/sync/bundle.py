"""The sync bundle (SPEC A2), written by the post and read at headquarters: this module is its format, both ways.

The bundle file is S/MIME: an EnvelopedData to headquarters (desktop/sync/envelope.py) around the post's
SignedData (desktop/sync/cms.py) around a ZIP (desktop/sync/zipstream.py) holding

    entries.jsonl    one entry a line, the A2 columns in order
    entries.csv      the same entries and columns
    dhs191/<uuid>.pdf
    manifest.json    format, post, batch, created, entry_count, and the SHA-256 of every other member

Each layer is written and read as a stream (issue 15), so neither side holds the payload whole: `BundleWriter`
takes one member at a time and the bytes leave, signed and encrypted, as each member is done; the manifest comes
last because it names every other member's hash. `read_bundle` decrypts, hashes and checks in one pass, keeping only
the entries (small: one line each), each member's hash and the manifest, and refuses anything before the signature
is known good. Each PDF goes, as it streams past, to the caller's `Merge` (headquarters' open transaction, which
rolls back if anything fails at the end); PDFs that come before entries.jsonl (older writers' order) wait instead
in a spool sealed with a key that lives only in memory (desktop/sync/spool.py).

Reading trusts nothing in the ZIP: member names (no absolute paths, no "..", no duplicates, only the names above),
sizes before and while decompressing (a zip bomb is refused, not unpacked), the manifest's hashes and counts, and
that the CSV says what the JSON Lines say. Nothing readable is ever written to disk.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import time
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, BinaryIO, Protocol

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa

from desktop.sync import cms, der, envelope
from desktop.sync.der import Chunk
from desktop.sync.spool import SealedSpool, SpoolError
from desktop.sync.zipstream import Member, ZipFormatError, ZipReader, ZipSink

FORMAT = "disclosure-desk/dhs191-bundle/v1"
COLUMNS = (
    "uuid", "post", "request_reference", "disclosure_id", "individual_name", "individual_identifier", "disclosed_on",
    "nature", "purpose", "recipient_name", "recipient_address", "authority", "sorn", "method", "disclosing_official",
    "office", "retain_until", "b7",
)
MANIFEST = "manifest.json"
JSONL = "entries.jsonl"
CSV = "entries.csv"
PDF_FOLDER = "dhs191/"
_MANIFEST_KEYS = {"format", "post", "batch", "created", "entry_count", "sha256"}
_PDF_NAME = re.compile(r"dhs191/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.pdf")
_HEX64 = re.compile(r"[0-9a-f]{64}")
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")  # lower case, as str(UUID)
_DATES = ("disclosed_on", "retain_until")
_PIECE = 1 << 16  # characters of entries.csv written at a time

_COLUMN_LIST = list(COLUMNS)
_COLUMN_SET = frozenset(COLUMNS)
_TEXT_COLUMNS = COLUMNS[:-1]  # every column but b7 is text (b7 is last)
_LINE_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))  # made once: json.dumps makes one a call

Row = dict[str, Any]


class BundleError(ValueError):
    """The payload is not a bundle this program accepts; the message says what is wrong, in one line."""


@dataclass(frozen=True)
class BundleLimits:
    """How much a bundle may hold before it is refused unread (zip bombs, runaway exports)."""

    max_bundle_bytes: int = 1 << 30  # the encrypted file as received
    max_members: int = 250_003  # 100,000 entries' PDFs and the three other files, with room
    max_member_bytes: int = 256 << 20  # one member, uncompressed
    max_total_bytes: int = 2 << 30  # every member, uncompressed
    max_ratio: int = 100  # uncompressed / compressed, for members over 1 MiB


@dataclass(frozen=True)
class Manifest:
    post: str
    batch: int
    created: str
    entry_count: int
    sha256: dict[str, str]


class Merge(Protocol):
    """Where `read_bundle` hands the entries and each PDF while the bundle streams (headquarters' open
    transaction, desktop/hq/importer.py): nothing it is given is checked yet, so it must be able to undo it all
    (roll back) when the signature or a check at the end refuses the bundle."""

    def entries(self, entries: Entries) -> None:
        """entries.jsonl has been read whole and every line checked; its PDFs follow."""

    def pdf(self, uuid: str, data: bytes, sha256: bytes) -> None:
        """The PDF of entry `uuid` (one of `entries`), whole, with its SHA-256, not yet compared with the
        manifest's."""


class Entries:
    """The entries of entries.jsonl in order, each kept as its canonical line in UTF-8 (what headquarters stores
    and compares on a second receipt) and parsed again when it is needed: about a third of what the parsed rows
    took, which is what grew with the bundle at headquarters (issue 15)."""

    def __init__(self) -> None:
        self._lines: dict[str, bytes] = {}  # uuid -> canonical line, in the order of entries.jsonl
        self.csv = _ExpectedCsv()  # what entries.csv must be, as digests, made while each row is at hand

    def __len__(self) -> int:
        return len(self._lines)

    def __contains__(self, uuid: object) -> bool:
        return uuid in self._lines

    def uuids(self) -> list[str]:
        return list(self._lines)

    def line(self, uuid: str) -> str:
        return self._lines[uuid].decode("utf-8")

    def row(self, uuid: str) -> Row:
        row: Row = json.loads(self._lines[uuid])
        return row

    def rows(self) -> Iterator[Row]:
        for line in self._lines.values():
            yield json.loads(line)

    def add(self, row: Row) -> None:
        self._lines[row["uuid"]] = _LINE_ENCODER.encode(row).encode("utf-8")  # _row gave the columns in order
        self.csv.add(row)


@dataclass(frozen=True)
class Payload:
    """A bundle whose signature, manifest and entries have checked. PDFs that came before entries.jsonl (older
    bundles, other writers) wait in a sealed spool for the merge (`pdfs`); the others went to the `Merge` as they
    streamed. Use it in a `with` block, or `close()` it, so that the spool goes when the import is done."""

    manifest: Manifest
    manifest_sha256: str
    entries: Entries
    signer: x509.Certificate  # the registered post certificate whose key signed it
    _spool: SealedSpool = field(repr=False)

    @property
    def rows(self) -> list[Row]:
        return list(self.entries.rows())

    @property
    def spooled(self) -> bool:
        """Some PDFs came before entries.jsonl and wait in the spool."""
        return next(self._spool.names(), None) is not None

    def pdfs(self, uuids: set[str]) -> Iterator[tuple[str, bytes]]:
        """The spooled DHS-191 PDF of each entry in `uuids`, one at a time, in the order the ZIP held them: each
        was checked against the signed manifest as it streamed past, and its sealed copy is checked as it is read.
        Without a `Merge`, every PDF is spooled."""
        for name in self._spool.names():
            uuid = name[len(PDF_FOLDER):-len(".pdf")]
            if uuid in uuids:
                try:
                    yield uuid, self._spool.get(name)
                except SpoolError as error:
                    raise BundleError(str(error)) from None

    def close(self) -> None:
        self._spool.close()

    def __enter__(self) -> Payload:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def pdf_name(entry_uuid: str) -> str:
    return f"{PDF_FOLDER}{entry_uuid}.pdf"


def jsonl_line(row: Mapping[str, Any]) -> str:
    if list(row) != _COLUMN_LIST:
        row = {name: row[name] for name in COLUMNS}
    return _LINE_ENCODER.encode(row)


def csv_cell(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def jsonl_lines(rows: Iterable[Mapping[str, Any]]) -> Iterator[str]:
    for row in rows:
        yield jsonl_line(row) + "\n"


def csv_lines(rows: Iterable[Mapping[str, Any]]) -> Iterator[str]:
    """entries.csv in pieces of about 64 KiB: RFC 4180 lines, after a byte-order mark, because the Privacy Office
    opens it in Excel, which otherwise misreads accents."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    out.write("\ufeff")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([csv_cell(row[name]) for name in COLUMNS])
        if out.tell() >= _PIECE:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()


def entries_jsonl(rows: Iterable[Mapping[str, Any]]) -> bytes:
    return "".join(jsonl_lines(rows)).encode("utf-8")


def entries_csv(rows: Iterable[Mapping[str, Any]]) -> bytes:
    return "".join(csv_lines(rows)).encode("utf-8")


def manifest_bytes(post: str, batch: int, created: str, entry_count: int, members: Mapping[str, bytes]) -> bytes:
    hashes = {name: hashlib.sha256(data).hexdigest() for name, data in members.items()}
    return _manifest_document(post, batch, created, entry_count, hashes)


def _manifest_document(post: str, batch: int, created: str, entry_count: int, hashes: Mapping[str, str]) -> bytes:
    manifest = {
        "format": FORMAT, "post": post, "batch": batch, "created": created, "entry_count": entry_count,
        "sha256": dict(sorted(hashes.items())),
    }
    return json.dumps(manifest, ensure_ascii=False, indent=2).encode("utf-8") + b"\n"


class BundleWriter:
    """A whole bundle written as a stream to `out` (the bundle file, which holds only ciphertext): each member is
    zipped, signed and encrypted as it is added and leaves before the next one comes (SPEC S1: nothing readable
    reaches the disk). `finish` writes the manifest, with every member's hash, and ends each layer."""

    def __init__(self, out: envelope.Output, signer: x509.Certificate, key: cms.SigningKey,
                 recipient: x509.Certificate) -> None:
        self._signed = cms.SignedWriter(envelope.EnvelopeWriter(envelope.SmimeWriter(out), recipient), signer, key)
        self._sink = ZipSink(self._signed)
        self._zip = zipfile.ZipFile(self._sink, "w")
        self._hashes: dict[str, str] = {}
        self._stamp = time.localtime()[:6]

    def add(self, name: str, data: bytes) -> None:
        """One member given whole (a DHS-191 PDF: stored, being compressed already)."""
        self._zip.writestr(self._info(name), data)
        self._hashes[name] = hashlib.sha256(data).hexdigest()
        self._sink.commit()

    def add_text(self, name: str, pieces: Iterable[str]) -> None:
        """One member written piece by piece (entries.jsonl, entries.csv: deflated), UTF-8."""
        digest = hashlib.sha256()
        with self._zip.open(self._info(name), "w") as member:
            for piece in pieces:
                data = piece.encode("utf-8")
                digest.update(data)
                member.write(data)
        self._hashes[name] = digest.hexdigest()
        self._sink.commit()

    def finish(self, post: str, batch: int, created: str, entry_count: int) -> bytes:
        """Writes manifest.json last and closes the ZIP, the signature and the envelope; the manifest's bytes."""
        manifest = _manifest_document(post, batch, created, entry_count, self._hashes)
        self._zip.writestr(self._info(MANIFEST), manifest)
        self._zip.close()
        self._sink.commit()
        self._signed.close()
        return manifest

    def _info(self, name: str) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(name, self._stamp)
        info.compress_type = zipfile.ZIP_STORED if name.endswith(".pdf") else zipfile.ZIP_DEFLATED
        return info


def read_bundle(handle: BinaryIO, certificate: x509.Certificate, key: rsa.RSAPrivateKey,
                trusted: Sequence[x509.Certificate], limits: BundleLimits = BundleLimits(),
                merge: Merge | None = None) -> Payload:
    """The checked content of a bundle read from `handle` in one pass: decrypted with headquarters' key, signed by
    one of `trusted`. CmsError or BundleError name the first problem; a problem in the payload is told only once
    the signature has checked, so that a changed byte is reported as a broken signature and not as whatever the
    garbled ZIP then looks like. With a `merge`, the entries and each PDF after them go to it as they stream past,
    before anything has checked: the caller undoes what it did with them when this raises."""
    plaintext = envelope.Envelope(envelope.bundle_stream(handle), certificate, key).plaintext()
    signed = cms.SignedReader(der.Stream(plaintext))
    scan = _Scan(limits, merge)
    try:
        problem: BundleError | None = None
        try:
            # Stored members are the PDFs, whose SHA-256 is checked against the manifest: their CRC would add nothing.
            scan.read(ZipReader(der.Stream(signed.content()), stored_crc=False))
        except BundleError as error:
            problem = error
        signer = signed.finish(trusted)
        if problem is not None:
            raise problem
        return scan.payload(signer)
    except BaseException:
        scan.spool.close()
        raise


class _Scan:
    """What the one pass keeps of the payload: the manifest whole, the entries as their lines stream past
    (entries.csv compared with them as it streams), every member's SHA-256 (bytes, not hex: 10,000 of them), which
    PDFs came and whether each starts as one, and the PDFs either handed to the merge (once the entries are known)
    or sealed in a spool until the merge. Problems in the entries are kept, not raised, and told in the order the
    checks have always run: manifest, hashes, count, entries, CSV, PDFs."""

    def __init__(self, limits: BundleLimits, merge: Merge | None) -> None:
        self._limits = limits
        self._merge = merge
        self._manifest: bytes | None = None
        self._entries: _Entries | None = None
        self._csv: _CsvCheck | None = None
        self._hashes: dict[str, bytes] = {}
        self._not_pdf: set[str] = set()  # PDF members that do not start with "%PDF-"
        self._total = 0
        self.spool = SealedSpool()

    def read(self, reader: ZipReader) -> None:
        try:
            for member, data in reader.entries():
                self._member(member, data)
        except ZipFormatError as error:
            raise BundleError(str(error)) from None
        except der.DerError as error:  # the stream ended inside the archive
            raise BundleError(f"the payload is not a readable ZIP ({error})") from None
        for required in (MANIFEST, JSONL, CSV):
            if required not in self._hashes:
                raise BundleError(f"the member {required} is missing")

    def _member(self, member: Member, data: Iterator[Chunk]) -> None:
        name = _checked_name(member.name)
        if name in self._hashes:
            raise BundleError(f"the member {name!r} appears twice")
        if len(self._hashes) >= self._limits.max_members:
            raise BundleError(f"the payload has more than {self._limits.max_members} members; at most "
                              f"{self._limits.max_members} are accepted")
        _check_size(member, self._limits)
        self._total += member.file_size
        if self._total > self._limits.max_total_bytes:
            raise BundleError(f"the members unpack to more than {self._limits.max_total_bytes:,} bytes, the most "
                              "accepted")
        digest = hashlib.sha256()
        if name == MANIFEST:
            self._manifest = b"".join(_hashed(data, digest))  # at most its declared size, which _check_size bounded
        elif name == JSONL:
            self._entries = _Entries()
            for chunk in _hashed(data, digest):
                self._entries.feed(chunk)
            self._entries.close()
            if self._merge is not None and self._entries.whole:
                self._merge.entries(self._entries.entries)
        elif name == CSV:
            self._csv = _CsvCheck(self._entries.entries if self._entries and self._entries.whole else None)
            for chunk in _hashed(data, digest):
                self._csv.feed(chunk)
        else:
            self._pdf(name, data, digest)
        self._hashes[name] = digest.digest()

    def _pdf(self, name: str, data: Iterator[Chunk], digest: Any) -> None:
        """To the merge when the entries came first and are whole (today's bundles: entries.jsonl, entries.csv,
        the PDFs, the manifest); to the spool when no entries have come yet (older writers' order), or without a
        merge; else only hashed, as the bundle is refused anyway (its entries have a problem, or the PDF belongs to
        none of them)."""
        head = bytearray()
        uuid = name[len(PDF_FOLDER):-len(".pdf")]
        entries = self._entries
        if self._merge is not None and entries is not None and entries.whole and uuid in entries.entries:
            pdf = b"".join(_hashed(data, digest, head))
            if pdf.startswith(b"%PDF-"):
                self._merge.pdf(uuid, pdf, digest.digest())
        elif self._merge is None or entries is None:
            self.spool.put(name, _hashed(data, digest, head))
        else:
            for _ in _hashed(data, digest, head):
                pass
        if not head.startswith(b"%PDF-"):
            self._not_pdf.add(name)

    def payload(self, signer: x509.Certificate) -> Payload:
        assert self._manifest is not None and self._entries is not None and self._csv is not None  # read() saw them
        manifest = _manifest(self._manifest)
        _check_hashes(manifest, {name: digest for name, digest in self._hashes.items() if name != MANIFEST})
        if self._entries.count != manifest.entry_count:
            raise BundleError(f"entries.jsonl has {self._entries.count} entries; manifest.json says "
                              f"{manifest.entry_count}")
        if self._entries.problem is not None:
            raise self._entries.problem
        entries = self._entries.entries
        self._csv.check(entries)
        _check_pdfs(self._hashes, self._not_pdf, entries)
        return Payload(manifest, self._hashes[MANIFEST].hex(), entries, signer, self.spool)


class _Entries:
    """entries.jsonl read as it streams, a line at a time (JSON Lines: split at line feeds only, as a JSON string
    may hold U+2028): each entry checked and kept as its canonical line (`Entries`). The first problem is kept,
    and the lines after it only counted."""

    def __init__(self) -> None:
        self.entries = Entries()
        self.count = 0
        self.problem: BundleError | None = None
        self._tail = b""

    @property
    def whole(self) -> bool:
        return self.problem is None

    def feed(self, data: Chunk) -> None:
        *lines, self._tail = (self._tail + data).split(b"\n")
        for line in lines:
            self._line(line)

    def close(self) -> None:
        if self._tail:
            self._line(self._tail)
            self._tail = b""
        self.entries.csv.close()

    def _line(self, encoded: bytes) -> None:
        self.count += 1
        if self.problem is not None:
            return
        try:
            try:
                line = encoded.removesuffix(b"\r").decode("utf-8")
            except UnicodeDecodeError:
                raise BundleError("entries.jsonl is not UTF-8") from None
            row = _row(line, self.count)
            if row["uuid"] in self.entries:
                raise BundleError(f"entries.jsonl line {self.count}: entry {row['uuid']} appears twice")
        except BundleError as error:
            self.problem = error
            return
        self.entries.add(row)


class _ExpectedCsv:
    """entries.csv as csv_lines writes it for the entries (what this program's export writes, byte for byte),
    made row by row while entries.jsonl is parsed and kept only as the SHA-256 of each 64 KiB piece: the CSV is
    then compared piece by piece as it streams, without parsing the entries again or holding either text."""

    def __init__(self) -> None:
        self._out = io.StringIO()
        self._writer = csv.writer(self._out, lineterminator="\r\n")
        self._out.write("\ufeff")
        self._writer.writerow(COLUMNS)
        self._pending = bytearray()
        self.digests: list[bytes] = []  # of each whole piece, then of the last, shorter one
        self.size = 0

    def add(self, row: Row) -> None:
        self._writer.writerow([*map(row.__getitem__, _TEXT_COLUMNS), "true" if row["b7"] else "false"])
        if self._out.tell() >= _PIECE:
            self._flush()

    def close(self) -> None:
        self._flush()
        self.digests.append(hashlib.sha256(self._pending).digest())
        self.size += len(self._pending)
        self._pending = bytearray()

    def _flush(self) -> None:
        self._pending += self._out.getvalue().encode("utf-8")
        self._out.seek(0)
        self._out.truncate()
        while len(self._pending) >= _PIECE:
            self.digests.append(hashlib.sha256(self._pending[:_PIECE]).digest())
            self.size += _PIECE
            del self._pending[:_PIECE]


class _CsvCheck:
    """entries.csv compared as it streams with `_ExpectedCsv`, a piece at a time, keeping one piece; a CSV written
    otherwise (another quoting, say), or one that came before the entries, is kept from where it first differs
    and checked cell by cell at the end."""

    def __init__(self, entries: Entries | None) -> None:
        self._entries = entries
        self._piece = bytearray()  # bytes not yet compared (less than a piece)
        self._matched = 0  # bytes found to be what the export writes
        self._kept: bytearray | None = None if entries is not None else bytearray()

    def feed(self, data: Chunk) -> None:
        if self._kept is not None:
            self._kept += data
            return
        assert self._entries is not None
        self._piece += data
        digests = self._entries.csv.digests
        while len(self._piece) >= _PIECE:
            index = self._matched // _PIECE
            if index < len(digests) - 1 and hashlib.sha256(self._piece[:_PIECE]).digest() == digests[index]:
                self._matched += _PIECE
                del self._piece[:_PIECE]
            else:
                self._differs()
                return

    def check(self, entries: Entries) -> None:
        if self._kept is None:
            expected = entries.csv
            if (self._matched + len(self._piece) == expected.size
                    and hashlib.sha256(self._piece).digest() == expected.digests[-1]):
                return
            self._differs()
        assert self._kept is not None
        _check_csv(bytes(self._kept), entries)

    def _differs(self) -> None:
        """From here on the CSV is kept: what matched so far is what csv_lines writes, so it is made again."""
        rows = self._entries.rows() if self._entries is not None else iter(())
        self._kept = bytearray(entries_csv(rows)[:self._matched]) + self._piece
        self._piece = bytearray()


def _hashed(data: Iterator[Chunk], digest: Any, head: bytearray | None = None) -> Iterator[Chunk]:
    """The chunks, passed on after hashing them; `head` collects the first five bytes (to see "%PDF-")."""
    for chunk in data:
        digest.update(chunk)
        if head is not None and len(head) < 5:
            head += chunk[:5 - len(head)]
        yield chunk


def _checked_name(name: str) -> str:
    parts = name.replace("\\", "/").split("/")
    if name.startswith(("/", "\\")) or re.match(r"[A-Za-z]:", name):
        raise BundleError(f"the member {name!r} has an absolute path")
    if ".." in parts:
        raise BundleError(f"the member {name!r} points outside the bundle (path traversal)")
    if name not in (MANIFEST, JSONL, CSV) and not _PDF_NAME.fullmatch(name):
        raise BundleError(f"the member {name!r} is not one a bundle holds (manifest.json, entries.jsonl, "
                          "entries.csv, dhs191/<uuid>.pdf)")
    return name


def _check_size(member: Member, limits: BundleLimits) -> None:
    if member.encrypted:
        raise BundleError(f"the member {member.name!r} is encrypted inside the ZIP")
    if member.file_size > limits.max_member_bytes:
        raise BundleError(f"the member {member.name!r} unpacks to {member.file_size:,} bytes, over the "
                          f"{limits.max_member_bytes:,} accepted")
    if member.file_size > (1 << 20) and member.file_size > limits.max_ratio * max(member.compress_size, 1):
        raise BundleError(f"the member {member.name!r} expands more than {limits.max_ratio} times (a zip bomb?)")


def _manifest(raw: bytes) -> Manifest:
    try:
        value = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        raise BundleError(f"manifest.json is not JSON ({error})") from None
    if not isinstance(value, dict) or set(value) != _MANIFEST_KEYS:
        raise BundleError(f"manifest.json must hold exactly {', '.join(sorted(_MANIFEST_KEYS))}")
    if value["format"] != FORMAT:
        raise BundleError(f"manifest.json: format is {value['format']!r}, not {FORMAT!r}")
    post, batch, count, created, hashes = (value[k] for k in ("post", "batch", "entry_count", "created", "sha256"))
    if not isinstance(post, str) or not post.strip():
        raise BundleError("manifest.json: post must name the post")
    for key, number in (("batch", batch), ("entry_count", count)):
        if not isinstance(number, int) or isinstance(number, bool) or number < (1 if key == "batch" else 0):
            raise BundleError(f"manifest.json: {key} must be a whole number" + (" from 1" if key == "batch" else ""))
    if not isinstance(created, str) or not _is_datetime(created):
        raise BundleError("manifest.json: created must be an ISO 8601 date and time")
    if not isinstance(hashes, dict) or not all(isinstance(h, str) and _HEX64.fullmatch(h) for h in hashes.values()):
        raise BundleError("manifest.json: sha256 must map each member to its lower-case hex SHA-256")
    return Manifest(post, batch, created, count, dict(hashes))


def _check_hashes(manifest: Manifest, hashes: Mapping[str, bytes]) -> None:
    listed, present = set(manifest.sha256), set(hashes)
    if listed != present:
        extra, missing = sorted(present - listed), sorted(listed - present)
        raise BundleError("manifest.json does not list the members the ZIP holds" +
                          (f"; not listed: {extra[0]}" if extra else "") +
                          (f"; missing: {missing[0]}" if missing else ""))
    for name in sorted(hashes):
        if hashes[name].hex() != manifest.sha256[name]:
            raise BundleError(f"{name} does not match its SHA-256 in manifest.json")


def _row(line: str, number: int) -> Row:
    where = f"entries.jsonl line {number}"
    try:
        row = json.loads(line)
    except ValueError as error:
        raise BundleError(f"{where} is not JSON ({error})") from None
    if not isinstance(row, dict) or row.keys() != _COLUMN_SET:
        raise BundleError(f"{where} must hold exactly the columns {', '.join(COLUMNS)}")
    if not all(isinstance(value, str) for value in map(row.__getitem__, _TEXT_COLUMNS)) or not isinstance(
            row["b7"], bool):
        name = next(n for n in COLUMNS if not isinstance(row[n], bool if n == "b7" else str))
        raise BundleError(f"{where}: {name} must be {'true or false' if name == 'b7' else 'text'}")
    if not _is_uuid(row["uuid"]):
        raise BundleError(f"{where}: uuid {row['uuid']!r} is not a lower-case UUID")
    for name in _DATES:
        if not _is_date(row[name]):
            raise BundleError(f"{where}: {name} must be a date, YYYY-MM-DD")
    return row if list(row) == _COLUMN_LIST else {name: row[name] for name in COLUMNS}


def _check_csv(raw: bytes, entries: Entries) -> None:
    """entries.csv says what entries.jsonl says, cell by cell."""
    rows = entries.rows()
    expected = len(entries)
    try:
        table = csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline=""))
        header = next(table, None)
        if header is None or tuple(header) != COLUMNS:
            raise BundleError("entries.csv: the header is not the A2 columns in order")
        count = 0
        for number, cells in enumerate(table, 2):  # line by line: the table is never held whole
            count += 1
            row = next(rows, None)
            if row is not None and cells != [csv_cell(row[name]) for name in COLUMNS]:
                raise BundleError(f"entries.csv line {number} differs from entry {row['uuid']} in entries.jsonl")
    except (UnicodeDecodeError, csv.Error) as error:
        raise BundleError(f"entries.csv cannot be read ({error})") from None
    if count != expected:
        raise BundleError(f"entries.csv has {count} entries; entries.jsonl has {expected}")


def _check_pdfs(members: Mapping[str, bytes], not_pdf: set[str], entries: Entries) -> None:
    """One PDF for each entry and none for any other; `not_pdf` are those that do not start as a PDF does."""
    for uuid in entries.uuids():
        name = pdf_name(uuid)
        if name not in members:
            raise BundleError(f"the DHS-191 PDF of entry {uuid} is missing")
        if name in not_pdf:
            raise BundleError(f"{name} is not a PDF")
    if len(members) - 3 != len(entries):  # the manifest, entries.jsonl and entries.csv, which read() required
        raise BundleError("the bundle holds a DHS-191 PDF for an entry that entries.jsonl does not list")


def _is_uuid(text: str) -> bool:
    return _UUID.fullmatch(text) is not None


def _is_date(text: str) -> bool:
    try:
        return date.fromisoformat(text).isoformat() == text
    except ValueError:
        return False


def _is_datetime(text: str) -> bool:
    try:
        datetime.fromisoformat(text)
    except ValueError:
        return False
    return True
