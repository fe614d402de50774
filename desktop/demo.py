"""`disclosure-desk demo --out DIR`: the product end to end on a throw-away store (SPEC section 7, issue 6).

What a new user runs first to see the product work, and what the packaged program's smoke test runs: a new
encrypted store, the post's registries, the sample requests through the rules, a record drawn with made-up
personal data, redaction boxes from the suggestions (and one phrase no pattern finds), kept in the store and burnt
into the record, a packet finalized for the ready request with its DHS-191 entries, an unsent e-mail draft, a demo
headquarters certificate, and the sync bundle encrypted to it. Every name and number comes from resources/samples/
and is fictitious. The log gets events and counts only (desktop/logging_setup.py).

Accounting (desktop.accounting), sync (desktop.sync) and the stored boxes (desktop.records.store) come from other
packages; where one is not part of this build, its step is skipped with a "not available" line and the rest runs.
"""

from __future__ import annotations

import io
import json
import logging
import os
import shlex
import shutil
import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from desktop.assessment import attach_rules
from desktop.paths import program_command, resource_path
from desktop.requests import Request, load_request_file
from desktop.setup import create_post_store
from desktop.store import KeyVault, Repository, Store
from desktop.store.fileio import atomic_write_bytes
from desktop.store.registries import Agreement, Authority, Official, save_entry

if TYPE_CHECKING:
    from desktop.packets.finalize import AccountingHook, FinalizedPacket

POST_NAME = "Ottawa"
BATES_PREFIX = "OTT"
HQ_CERT_NAME = "hq-demo-cert.pem"
HQ_KEY_NAME = "hq-demo-key.pem"
POST_CERT_NAME = "post-cert.pem"
_log = logging.getLogger(__name__)

Say = Callable[[str], None]


@dataclass
class DemoReport:
    """What the demo made; `password` and a generated `passphrase` are shown here once and stored nowhere."""

    out: Path
    data_dir: Path
    passphrase: str | None  # None when it came from DISCLOSURE_DESK_PASSPHRASE
    registries: dict[str, int]
    outcomes: dict[str, int]  # rules outcome -> number of requests
    record: dict[str, Any]  # filename, pages, redaction boxes, of which suggested
    packet: dict[str, Any]  # path, reference, password, pages, Bates range, SHA-256
    email_draft: Path
    hq_certificate: Path
    hq_key: Path
    dhs191_entries: int | None = None
    bundle: dict[str, Any] | None = None
    audit_entries: int = 0
    not_available: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "out": str(self.out), "data_dir": str(self.data_dir), "passphrase": self.passphrase,
            "registries": self.registries, "requests": {"imported": sum(self.outcomes.values()),
                                                        "outcomes": self.outcomes},
            "record": self.record, "packet": {k: str(v) if isinstance(v, Path) else v for k, v in self.packet.items()},
            "email_draft": str(self.email_draft),
            "hq": {"certificate": str(self.hq_certificate), "key": str(self.hq_key)},
            "dhs191_entries": self.dhs191_entries, "bundle": self.bundle, "audit_entries": self.audit_entries,
            "not_available": self.not_available,
        }

    def as_text(self) -> str:
        lines = ["Disclosure Desk demo: everything below is made up.", "", *self._store_lines(),
                 *self._packet_lines(), *self._sync_lines()]
        lines += [f"Not available       {line}" for line in self.not_available]
        if self.bundle is not None:
            lines += ["", "Try the headquarters side next:", *self._hq_steps()]
        return "\n".join(lines) + "\n"

    def _store_lines(self) -> list[str]:
        r = self.record
        outcomes = ", ".join(f"{n} {o}" for o, n in sorted(self.outcomes.items()))
        return [
            f"Store (throw-away)  {self.data_dir}",
            f"  passphrase        {self.passphrase or 'the one in DISCLOSURE_DESK_PASSPHRASE'}",
            f"  open it with      {program_command()} --data-dir {shlex.quote(str(self.data_dir))}",
            f"Registries          {self.registries['authorities']} authorities, {self.registries['agreements']} "
            f"agreements, {self.registries['officials']} officials",
            f"Requests imported   {sum(self.outcomes.values())} ({outcomes})",
            f"Record              {r['filename']}: {r['pages']} page(s), {r['redaction_boxes']} redaction boxes "
            f"({r['suggested']} from suggestions)",
        ]

    def _packet_lines(self) -> list[str]:
        p = self.packet
        return [
            f"Packet              {p['path']}",
            f"  request           {p['reference']}",
            *self._page_lines(),
            f"  SHA-256           {p['sha256']}",
            f"  password          {p['password']}   (send it by another channel: §8.1.7, fn 27)",
            f"E-mail draft        {self.email_draft} (unsent, without the password)",
        ]

    def _page_lines(self) -> list[str]:
        """The packet's pages, and which of them carry Bates numbers: only the record pages, not the coversheet and
        letter, so 4 pages numbered OTT000001 alone is what a one-page record gives, not a numbering fault."""
        p, record_pages = self.packet, self.record["pages"]
        numbered = p["bates_first"] if record_pages == 1 else f"{p['bates_first']}-{p['bates_last']}"
        pages = "the record page" if record_pages == 1 else f"the {record_pages} record pages"
        return [f"  pages             {p['pages']}: coversheet and cover letter ({p['pages'] - record_pages}), then "
                f"{record_pages} record page{'s' if record_pages != 1 else ''}",
                f"  Bates numbers     {numbered} on {pages} (the coversheet and letter carry none)"]

    def _sync_lines(self) -> list[str]:
        lines = [f"HQ certificate      {self.hq_certificate}", f"HQ private key      {self.hq_key} (demo only)"]
        if self.dhs191_entries is not None:
            lines.append(f"DHS-191 entries     {self.dhs191_entries}")
        if self.bundle is not None:
            lines += [f"Sync bundle         {self.bundle['path']} (batch {self.bundle['batch']}, "
                      f"{self.bundle['entries']} {'entry' if self.bundle['entries'] == 1 else 'entries'})",
                      f"Post certificate    {self.bundle['post_certificate']} (headquarters registers it)"]
        return [*lines, f"Audit log           {self.audit_entries} entries, every link checks"]

    def _hq_steps(self) -> list[str]:
        assert self.bundle is not None
        q = shlex.quote
        program, hq_db, ack = program_command(), q(str(self.out / "hq.db")), q(str(self.out / "acknowledgement.json"))
        return [f"  {program} hq register-post {q(str(self.bundle['post_certificate']))} --db {hq_db}",
                f"  {program} hq import {q(str(self.bundle['path']))} --key {q(str(self.hq_key))} "
                f"--cert {q(str(self.hq_certificate))} --db {hq_db} --ack-out {ack}",
                f"  {program} --data-dir {q(str(self.data_dir))} ack import {ack}"]


def run_demo(out: Path, data_dir: Path | None = None, passphrase: str | None = None,
             say: Say = lambda line: None) -> DemoReport:
    """Runs the demo into `out`, on `data_dir` (a new temporary folder when None), which must hold no store."""
    root = data_dir or Path(tempfile.mkdtemp(prefix="disclosure-desk-demo-"))
    generated = None
    if not passphrase:
        from desktop.packets.password import generate_passphrase

        generated = passphrase = generate_passphrase().text
    out.mkdir(parents=True, exist_ok=True)
    _log.info("demo.start")
    say(f"Creating a throw-away encrypted store in {root}")
    store = create_post_store(root, passphrase, post_name=POST_NAME, bates_prefix=BATES_PREFIX, use_keyring=False,
                              vault=KeyVault())
    try:
        report = _fill(store, out, say)
    finally:
        store.lock()
    report.passphrase = generated
    _log.info("demo.done requests=%d packet_pages=%d dhs191=%s", sum(report.outcomes.values()),
              report.packet["pages"], report.dhs191_entries)
    return report


def _fill(store: Store, out: Path, say: Say) -> DemoReport:
    attach_rules(store)
    repo = store.repo
    say("Adding sample authorities, agreements and officials")
    registries = add_registries(repo, _sample("registries.json"))
    say("Importing the sample requests")
    outcomes, ids = import_requests(repo, sorted(resource_path("samples", "requests").glob("*.request.json")))
    spec = _sample("record.json")
    say(f"Drawing, storing and redacting the sample record for {spec['request']}")
    not_available: list[str] = []
    record, packet_record = _record(repo, ids[spec["request"]], spec, not_available)
    report = _disclose(store, out, ids[spec["request"]], packet_record, not_available, say)
    report.registries, report.outcomes, report.record = registries, outcomes, record
    audit = repo.verify_audit()
    if not audit.ok:
        raise RuntimeError(f"the demo store's audit chain broke at entry {audit.broken_at}")
    report.audit_entries = audit.entries
    return report


def _disclose(store: Store, out: Path, request_id: int, packet_record: Any, not_available: list[str], say: Say
              ) -> DemoReport:
    """The packet finalized (DHS-191 entries with it), written with its e-mail draft; the HQ identity; the bundle."""
    repo = store.repo
    say("Finalizing the packet")
    hook = _accounting_hook(not_available)
    finalized = _finalize(repo, request_id, packet_record, hook)
    packet, draft = _write_packet(out, repo.get_request(request_id).request, finalized)
    say("Writing a demo headquarters certificate")
    cert, key = write_hq_identity(out)
    report = DemoReport(out, store.paths.root, None, {}, {}, {}, packet, draft, cert, key,
                        not_available=not_available)
    report.dhs191_entries = _dhs191_count(repo, finalized.packet_id) if hook else None
    report.bundle = _export(store, cert, out, say, not_available)
    return report


def add_registries(repo: Repository, samples: dict[str, Any]) -> dict[str, int]:
    """The post's registries from the sample file (registries.save_entry, one audit entry each)."""
    kinds: dict[str, type[Authority] | type[Agreement] | type[Official]] = {
        "authorities": Authority, "agreements": Agreement, "officials": Official}
    counts = {}
    for name, kind in kinds.items():
        for values in samples[name]:
            save_entry(repo, kind(**_typed(kind, values)))
        counts[name] = len(samples[name])
    _log.info("demo.registries %s", " ".join(f"{k}={v}" for k, v in counts.items()))
    return counts


def _typed(kind: type, values: dict[str, Any]) -> dict[str, Any]:
    from desktop.requests.model import AuthorityKind, OfficialPosition

    if kind is Authority and values.get("kind"):
        return {**values, "kind": AuthorityKind(values["kind"])}
    if kind is Official:
        return {**values, "position": OfficialPosition(values["position"])}
    return values


def import_requests(repo: Repository, files: list[Path]) -> tuple[dict[str, int], dict[str, int]]:
    """(outcome -> count, reference -> id) for the sample request files, imported as `request import` does."""
    ids: dict[str, int] = {}
    outcomes: Counter[str] = Counter()
    for path in files:
        request: Request = load_request_file(path)
        request_id = repo.add_request(request, source="demo")
        ids[request.reference] = request_id
        outcomes[repo.get_request(request_id).outcome or "not assessed"] += 1
    _log.info("demo.requests imported=%d %s", len(ids), " ".join(f"{k}={v}" for k, v in sorted(outcomes.items())))
    return dict(outcomes), ids


def _record(repo: Repository, request_id: int, spec: dict[str, Any], not_available: list[str]
            ) -> tuple[dict[str, Any], Any]:
    from desktop.packets.intake import IncomingRecord, store_records
    from desktop.packets.model import PacketRecord
    from desktop.records import ingest

    original = draw_record(spec["heading"], spec["lines"])
    document = ingest(spec["filename"], original)
    boxes, suggested = redaction_boxes(document.pdf, spec)
    incoming = IncomingRecord(spec["filename"], document.media_type, original, document.page_count, True)
    (record_id,) = store_records(repo, request_id, [incoming], spec["source_system"])
    _keep_boxes(repo, record_id, boxes, suggested, spec["personnel"], not_available)
    _log.info("demo.record id=%d pages=%d boxes=%d suggested=%d", record_id, document.page_count, len(boxes),
              suggested)
    summary = {"filename": spec["filename"], "pages": document.page_count, "redaction_boxes": len(boxes),
               "suggested": suggested}
    return summary, PacketRecord(document.pdf, contains_pii=True, title=spec["title"], record_id=record_id,
                                 boxes=tuple(boxes))


def _keep_boxes(repo: Repository, record_id: int, boxes: list[Any], suggested: int, personnel: list[str],
                not_available: list[str]) -> None:
    """The boxes and the personnel list in the store, so that the window's records tab shows what was redacted."""
    try:
        from desktop.records.boxes import add_box
        from desktop.records.store import add_personnel_name
    except ModuleNotFoundError as missing:
        if missing.name not in ("desktop.records.boxes", "desktop.records.store"):
            raise
        not_available.append(f"Stored redaction boxes ({missing.name} is not part of this build): the packet is "
                             "redacted, the record in the store shows no boxes.")
        return
    for name in personnel:
        add_personnel_name(repo, name)
    for number, box in enumerate(boxes):  # the suggestions first, accepted; then the boxes "drawn" over phrases
        add_box(repo, record_id, box, origin="suggestion" if number < suggested else "user")


def draw_record(heading: str, lines: list[str]) -> bytes:
    """A one-page record as a source system would print it (reportlab, standard fonts so the text is real text)."""
    from reportlab.lib.pagesizes import letter
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=letter, invariant=True)
    page.setTitle(heading)
    page.setFont("Helvetica-Bold", 13)
    page.drawString(72, 720, heading)
    page.setFont("Helvetica", 10)
    for number, line in enumerate(lines):
        page.drawString(72, 690 - 16 * number, line)
    page.showPage()
    page.save()
    return buffer.getvalue()


def redaction_boxes(pdf: bytes, spec: dict[str, Any]) -> tuple[list[Any], int]:
    """Every suggestion accepted (SPEC D2), plus a box over each listed phrase; (boxes, how many were suggested)."""
    from desktop.records import Box, page_words, suggest

    suggestions = suggest(pdf, personnel_names=spec["personnel"])
    boxes = [Box(s.page, *s.box, s.reason) for s in suggestions]
    words = page_words(pdf, 1)
    for phrase in spec["redact"]:
        boxes += [Box(1, *rect, phrase["reason"]) for rect in _phrase_rects(words, phrase["text"])]
    return boxes, len(suggestions)


def _phrase_rects(words: list[Any], phrase: str) -> list[tuple[float, float, float, float]]:
    """The boxes of each place the phrase's words stand in a row (a trailing comma or stop left outside)."""
    tokens = phrase.split()
    found = []
    for start in range(len(words) - len(tokens) + 1):
        run = words[start:start + len(tokens)]
        if all(w.text.startswith(t) and not w.text[len(t):].isalnum() for w, t in zip(run, tokens, strict=True)):
            chars = [box for w, t in zip(run, tokens, strict=True) for box in w.char_boxes[:len(t)]]
            found.append((min(b[0] for b in chars), min(b[1] for b in chars), max(b[2] for b in chars),
                          max(b[3] for b in chars)))
    if not found:
        raise RuntimeError(f"resources/samples/record.json: a phrase to redact is not on the page ({len(tokens)} "
                           "words); the sample is damaged")
    return found


def _finalize(repo: Repository, request_id: int, record: Any, hook: AccountingHook | None) -> FinalizedPacket:
    from desktop.packets.finalize import finalize_packet

    done = finalize_packet(repo, request_id, [record], accounting=hook)
    _log.info("demo.packet id=%d pages=%d bates=%s", done.packet_id, done.built.page_count,
              done.disclosure.bates_range)
    return done


def _accounting_hook(not_available: list[str]) -> AccountingHook | None:
    try:
        from desktop.accounting import record_disclosure
    except ModuleNotFoundError as missing:
        if missing.name != "desktop.accounting":
            raise
        not_available.append("DHS-191 accounting (desktop.accounting is not part of this build): the packet was "
                             "finalized without DHS-191 entries.")
        return None
    return cast("AccountingHook", record_disclosure)


def _dhs191_count(repo: Repository, packet_id: int) -> int:
    with repo.read() as conn:
        return int(conn.execute("SELECT count(*) FROM dhs191_entries WHERE packet_id = ?", (packet_id,)).fetchone()[0])


def _write_packet(out: Path, request: Request, done: FinalizedPacket) -> tuple[dict[str, Any], Path]:
    from desktop.packets.eml import eml_draft

    built = done.built
    path = out / f"{request.reference}-packet.pdf"
    atomic_write_bytes(path, built.encrypted_pdf)
    draft = out / f"{request.reference}-email-draft.eml"
    atomic_write_bytes(draft, eml_draft(request, built, path.name))
    packet = {"path": path, "reference": request.reference, "packet_id": done.packet_id, "password": built.password,
              "pages": built.page_count, "bates_first": built.bates_first_label,
              "bates_last": built.bates_last_label, "sha256": built.sha256}
    return packet, draft


def write_hq_identity(out: Path) -> tuple[Path, Path]:
    """A self-signed RSA certificate and key standing in for the Privacy Office at headquarters (SPEC A2, A3)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Disclosure Desk demo"),
                      x509.NameAttribute(NameOID.COMMON_NAME, "Demo headquarters Privacy Office (not for real use)")])
    now = datetime.now(UTC)
    usage = x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=True,
                          data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
                          encipher_only=False, decipher_only=False)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(days=1))
            .not_valid_after(now + timedelta(days=365))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(usage, critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = out / HQ_CERT_NAME, out / HQ_KEY_NAME
    atomic_write_bytes(cert_path, cert.public_bytes(serialization.Encoding.PEM))
    atomic_write_bytes(key_path, key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                   serialization.NoEncryption()))
    return cert_path, key_path


def _export(store: Store, cert: Path, out: Path, say: Say, not_available: list[str]) -> dict[str, Any] | None:
    """The sync bundle to the demo headquarters (SPEC A2), and the post's certificate for headquarters to register."""
    try:
        from desktop.sync import export_bundle, post_identity
    except ModuleNotFoundError as missing:
        if missing.name != "desktop.sync":
            raise
        not_available.append("Sync bundle (desktop.sync is not part of this build): no DHS-191 bundle was exported.")
        return None
    say("Exporting the DHS-191 bundle to the demo headquarters certificate")
    # Every demo store starts at batch 1: exported beside the folder, then moved over an earlier demo's bundle.
    staging = Path(tempfile.mkdtemp(prefix=".bundle-", dir=out))
    try:
        result = export_bundle(store.repo, cert.read_bytes(), staging)
        path = out / result.path.name
        os.replace(result.path, path)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    post_cert = out / POST_CERT_NAME
    atomic_write_bytes(post_cert, post_identity(store.repo).certificate_pem())
    _log.info("demo.bundle batch=%d entries=%d", result.batch, result.entry_count)
    return {"path": str(path), "batch": result.batch, "entries": result.entry_count, "sha256": result.sha256,
            "post_certificate": str(post_cert)}


def _sample(name: str) -> dict[str, Any]:
    return cast(dict[str, Any], json.loads(resource_path("samples", name).read_text("utf-8")))
