"""The decrypted payload of a sync bundle (SPEC A2): a ZIP written here by the post and read back at headquarters.

    manifest.json    format, post, batch, created, entry_count, and the SHA-256 of every other member
    entries.jsonl    one entry a line, the A2 columns in order
    entries.csv      the same entries and columns
    dhs191/<uuid>.pdf

Reading trusts nothing in the ZIP: member names (no absolute paths, no "..", no duplicates, only the names above),
sizes before and while decompressing (a zip bomb is refused, not unpacked), the manifest's hashes and counts, and
that the CSV says what the JSON Lines say. Nothing is ever extracted to disk.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import uuid as uuid_module
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

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
_DATES = ("disclosed_on", "retain_until")

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


@dataclass(frozen=True)
class Payload:
    manifest: Manifest
    manifest_sha256: str
    rows: list[Row]
    lines: list[str]  # each row as its entries.jsonl line: what headquarters compares on a second receipt
    pdfs: dict[str, bytes]  # by entry UUID


def pdf_name(entry_uuid: str) -> str:
    return f"{PDF_FOLDER}{entry_uuid}.pdf"


def jsonl_line(row: Mapping[str, Any]) -> str:
    return json.dumps({name: row[name] for name in COLUMNS}, ensure_ascii=False, separators=(",", ":"))


def csv_cell(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def entries_jsonl(rows: Iterable[Mapping[str, Any]]) -> bytes:
    return "".join(jsonl_line(row) + "\n" for row in rows).encode("utf-8")


def entries_csv(rows: Iterable[Mapping[str, Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")  # RFC 4180
    writer.writerow(COLUMNS)
    writer.writerows([csv_cell(row[name]) for name in COLUMNS] for row in rows)
    # With a byte-order mark, because the Privacy Office opens it in Excel, which otherwise misreads accents.
    return out.getvalue().encode("utf-8-sig")


def manifest_bytes(post: str, batch: int, created: str, entry_count: int, members: Mapping[str, bytes]) -> bytes:
    manifest = {
        "format": FORMAT, "post": post, "batch": batch, "created": created, "entry_count": entry_count,
        "sha256": {name: hashlib.sha256(data).hexdigest() for name, data in sorted(members.items())},
    }
    return json.dumps(manifest, ensure_ascii=False, indent=2).encode("utf-8") + b"\n"


def write_zip(manifest: bytes, members: Iterable[tuple[str, bytes]]) -> bytes:
    """The ZIP in memory (nothing reaches the disk unencrypted, SPEC S1); PDFs are stored, being compressed."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(MANIFEST, manifest, zipfile.ZIP_DEFLATED)
        for name, data in members:
            archive.writestr(name, data, zipfile.ZIP_STORED if name.endswith(".pdf") else zipfile.ZIP_DEFLATED)
    return out.getvalue()


def read_payload(data: bytes, limits: BundleLimits = BundleLimits()) -> Payload:
    """The checked content of a decrypted, signature-checked payload; BundleError names the first problem."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError) as error:
        raise BundleError(f"the payload is not a readable ZIP ({error})") from None
    with archive:
        infos = _checked_members(archive.infolist(), limits)
        raw_manifest = _member(archive, infos[MANIFEST], limits)
        manifest = _manifest(raw_manifest)
        contents = {name: _member(archive, info, limits) for name, info in infos.items() if name != MANIFEST}
    _check_hashes(manifest, contents)
    rows, lines = _rows(contents[JSONL], manifest)
    _check_csv(contents[CSV], rows)
    pdfs = _pdfs(contents, rows)
    return Payload(manifest, hashlib.sha256(raw_manifest).hexdigest(), rows, lines, pdfs)


def _checked_members(infos: Sequence[zipfile.ZipInfo], limits: BundleLimits) -> dict[str, zipfile.ZipInfo]:
    if len(infos) > limits.max_members:
        raise BundleError(f"the payload has {len(infos)} members; at most {limits.max_members} are accepted")
    found: dict[str, zipfile.ZipInfo] = {}
    total = 0
    for info in infos:
        name = _checked_name(info.filename)
        if name in found:
            raise BundleError(f"the member {name!r} appears twice")
        _check_size(info, limits)
        total += info.file_size
        found[name] = info
    if total > limits.max_total_bytes:
        raise BundleError(f"the members unpack to {total:,} bytes, over the {limits.max_total_bytes:,} accepted")
    for required in (MANIFEST, JSONL, CSV):
        if required not in found:
            raise BundleError(f"the member {required} is missing")
    return found


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


def _check_size(info: zipfile.ZipInfo, limits: BundleLimits) -> None:
    if info.flag_bits & 0x1:
        raise BundleError(f"the member {info.filename!r} is encrypted inside the ZIP")
    if info.file_size > limits.max_member_bytes:
        raise BundleError(f"the member {info.filename!r} unpacks to {info.file_size:,} bytes, over the "
                          f"{limits.max_member_bytes:,} accepted")
    if info.file_size > (1 << 20) and info.file_size > limits.max_ratio * max(info.compress_size, 1):
        raise BundleError(f"the member {info.filename!r} expands more than {limits.max_ratio} times (a zip bomb?)")


def _member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limits: BundleLimits) -> bytes:
    """The member's bytes, never more than its declared size (checked against the limits) plus one."""
    try:
        with archive.open(info) as handle:
            data = handle.read(min(info.file_size, limits.max_member_bytes) + 1)
    except (zipfile.BadZipFile, NotImplementedError, OSError, EOFError, ValueError) as error:
        raise BundleError(f"the member {info.filename!r} cannot be read ({error})") from None
    if len(data) != info.file_size:
        raise BundleError(f"the member {info.filename!r} is not the size its header declares")
    return data


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


def _check_hashes(manifest: Manifest, contents: Mapping[str, bytes]) -> None:
    listed, present = set(manifest.sha256), set(contents)
    if listed != present:
        extra, missing = sorted(present - listed), sorted(listed - present)
        raise BundleError("manifest.json does not list the members the ZIP holds" +
                          (f"; not listed: {extra[0]}" if extra else "") +
                          (f"; missing: {missing[0]}" if missing else ""))
    for name in sorted(contents):
        if hashlib.sha256(contents[name]).hexdigest() != manifest.sha256[name]:
            raise BundleError(f"{name} does not match its SHA-256 in manifest.json")


def _rows(raw: bytes, manifest: Manifest) -> tuple[list[Row], list[str]]:
    try:
        lines = raw.decode("utf-8").splitlines()
    except UnicodeDecodeError:
        raise BundleError("entries.jsonl is not UTF-8") from None
    if len(lines) != manifest.entry_count:
        raise BundleError(f"entries.jsonl has {len(lines)} entries; manifest.json says {manifest.entry_count}")
    rows = [_row(line, number) for number, line in enumerate(lines, 1)]
    seen: set[str] = set()
    for number, row in enumerate(rows, 1):
        if row["uuid"] in seen:
            raise BundleError(f"entries.jsonl line {number}: entry {row['uuid']} appears twice")
        seen.add(row["uuid"])
    return rows, [jsonl_line(row) for row in rows]


def _row(line: str, number: int) -> Row:
    where = f"entries.jsonl line {number}"
    try:
        row = json.loads(line)
    except ValueError as error:
        raise BundleError(f"{where} is not JSON ({error})") from None
    if not isinstance(row, dict) or set(row) != set(COLUMNS):
        raise BundleError(f"{where} must hold exactly the columns {', '.join(COLUMNS)}")
    for name in COLUMNS:
        wanted = bool if name == "b7" else str
        if not isinstance(row[name], wanted):
            raise BundleError(f"{where}: {name} must be {'true or false' if wanted is bool else 'text'}")
    if not _is_uuid(row["uuid"]):
        raise BundleError(f"{where}: uuid {row['uuid']!r} is not a lower-case UUID")
    for name in _DATES:
        if not _is_date(row[name]):
            raise BundleError(f"{where}: {name} must be a date, YYYY-MM-DD")
    return {name: row[name] for name in COLUMNS}


def _check_csv(raw: bytes, rows: Sequence[Row]) -> None:
    try:
        table = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    except (UnicodeDecodeError, csv.Error) as error:
        raise BundleError(f"entries.csv cannot be read ({error})") from None
    if not table or tuple(table[0]) != COLUMNS:
        raise BundleError("entries.csv: the header is not the A2 columns in order")
    if len(table) - 1 != len(rows):
        raise BundleError(f"entries.csv has {len(table) - 1} entries; entries.jsonl has {len(rows)}")
    for number, (cells, row) in enumerate(zip(table[1:], rows, strict=True), 2):
        if cells != [csv_cell(row[name]) for name in COLUMNS]:
            raise BundleError(f"entries.csv line {number} differs from entry {row['uuid']} in entries.jsonl")


def _pdfs(contents: Mapping[str, bytes], rows: Sequence[Row]) -> dict[str, bytes]:
    pdfs = {}
    for row in rows:
        data = contents.get(pdf_name(row["uuid"]))
        if data is None:
            raise BundleError(f"the DHS-191 PDF of entry {row['uuid']} is missing")
        if not data.startswith(b"%PDF-"):
            raise BundleError(f"{pdf_name(row['uuid'])} is not a PDF")
        pdfs[row["uuid"]] = data
    if len(contents) - 2 != len(pdfs):
        raise BundleError("the bundle holds a DHS-191 PDF for an entry that entries.jsonl does not list")
    return pdfs


def _is_uuid(text: str) -> bool:
    try:
        return str(uuid_module.UUID(text)) == text
    except ValueError:
        return False


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
