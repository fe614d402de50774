"""Building the packet (SPEC P1, P2): coversheet, cover letter, marked and Bates-numbered records, encrypted.

Bates numbers go on the record pages only: they identify what CBP disclosed, page by page (the letter cites the
range, App. A), and the coversheet and letter are CBP's own correspondence, not records. The numbers are the ones
the caller allocated; `finalize.py` allocates them from the store in the transaction that records the packet.

The packet is written page by page as it is made, each object encrypted (AES-256, revision 6) as it goes out
(desktop/records/pdfwriter.py), to a buffer in memory or to the file the command line writes: the plaintext PDF
never exists whole, not even in memory, and nothing of it touches the disk (SPEC S1, P2). Records are redacted on
the way in (SPEC D3, desktop/records/redact.py): each boxed page is rasterized when its turn comes and dropped once
written, so memory stays flat in page count. Every page without boxes is checked for what a person looking at it
cannot see (desktop/records/visibility.py) and rebuilt as an image when it holds any; `PacketFacts.rebuilt` says
which pages and why, for the user. The result is opened again with and without the password before it is
returned, and its record pages are read back for any text that was under a box: a packet that would not open, would
open without it, or shows covered text, never leaves.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Sequence
from typing import BinaryIO

from pypdf import PageObject
from pypdf.generic import DictionaryObject, IndirectObject, NameObject, RectangleObject

from desktop.jobs import JobControl
from desktop.packets import layout
from desktop.packets.model import (
    BuiltPacket,
    PacketError,
    PacketFacts,
    PacketRecord,
    PacketSettings,
    PageRange,
    RebuiltPage,
    bates_label,
)
from desktop.packets.password import generate_owner_password, generate_packet_password
from desktop.packets.texts import Markings, contents_for, coversheet_blocks, letter_blocks, markings
from desktop.records import _pdfium
from desktop.records.pdfbytes import pdf_reader
from desktop.records.pdfwriter import Copier, ObjectWriter
from desktop.records.rebuild import form_xobject
from desktop.records.redact import PlannedPage, RecordPages, content_stream
from desktop.records.verify import Placement
from desktop.requests.model import Request

PRODUCER = "Disclosure Desk"
PDF_HEADER = "%PDF-2.0"  # AES-256 revision 6 is the PDF 2.0 security handler (ISO 32000-2)
OVERLAY_PAGES = 100  # marking bands are drawn for this many pages at a time: what reportlab holds stays bounded


def build_packet(request: Request, records: Sequence[PacketRecord], settings: PacketSettings, bates_first: int,
                 control: JobControl | None = None) -> BuiltPacket:
    """The encrypted packet, in memory (to be stored, or saved where the user chooses); see `write_packet`."""
    out = io.BytesIO()
    facts = write_packet(request, records, settings, bates_first, out, control)
    return BuiltPacket.of(facts, out.getvalue())


def write_packet(request: Request, records: Sequence[PacketRecord], settings: PacketSettings, bates_first: int,
                 out: BinaryIO, control: JobControl | None = None) -> PacketFacts:
    """Writes the encrypted packet to `out` (from its current position, which must be 0 for the read-back: a fresh
    BytesIO or a file opened w+b) and reads it back from there. Raises PacketError for unusable input,
    RedactionError for boxes that cannot be applied or a redaction that fails its check, and desktop.jobs.Cancelled
    when cancelled; what was written to `out` is then the caller's to throw away."""
    control = control or JobControl()
    _check_input(records, settings, bates_first)
    counts = [_page_count(index, record) for index, record in enumerate(records)]
    total = sum(counts) + 2
    marks = markings(request, settings)
    contents = contents_for([(r.title, n) for r, n in zip(records, counts, strict=True)], settings, bates_first,
                            any(r.redacted for r in records), any(r.contains_pii for r in records))
    passphrase = generate_packet_password()
    writer = ObjectWriter(out, PDF_HEADER, passphrase.text, generate_owner_password())
    control.step(0, total, "Writing the coversheet and cover letter")
    _add_front(writer, layout.render_front(coversheet_blocks(request, settings, contents),
                                           letter_blocks(request, settings, contents), marks.banner))
    front_pages = writer.page_count
    checks: list[tuple[RecordPages, list[Placement]]] = []
    rebuilt: list[RebuiltPage] = []
    for index, record in enumerate(records):
        first = bates_first + sum(counts[:index])
        stamps = Stamps(settings.bates_prefix, first, marks)
        with RecordPages(writer, record.pdf, record.boxes) as pages:
            checks.append((pages, _add_record(writer, pages, stamps, control, total)))
        rebuilt += [RebuiltPage(index + 1, number, stamps.label(number - 1), reasons)
                    for number, reasons in sorted(pages.rebuilt.items())]
    writer.close({"/Producer": PRODUCER})
    out.flush()
    control.step(total - 1, total, "Checking the encrypted packet")
    _verify(out, passphrase.text, writer.page_count, contents.bates_range.split()[-1], checks)
    out.seek(0)
    digest = hashlib.file_digest(out, "sha256").hexdigest()  # type: ignore[arg-type]  # BytesIO and files both
    control.progress(total, total, "Packet built")
    return PacketFacts(
        password=passphrase.text, sha256=digest, page_count=writer.page_count, bates_prefix=settings.bates_prefix,
        bates_first=bates_first, bates_last=contents.bates_last, record_pages=_ranges(front_pages, counts),
        password_bits=passphrase.bits, rebuilt=tuple(rebuilt),
    )


def _check_input(records: Sequence[PacketRecord], settings: PacketSettings, bates_first: int) -> None:
    if not records:
        raise PacketError("A packet needs at least one record; add the records to disclose first.")
    prefix = settings.bates_prefix
    if not (prefix.isascii() and prefix.isalnum() and prefix.upper() == prefix and 1 <= len(prefix) <= 8):
        raise PacketError(f"The Bates prefix {prefix!r} must be 1 to 8 capital letters or digits, e.g. OTT; set "
                          "it in the post's settings.")
    if bates_first < 1:
        raise PacketError("Bates numbers start at 1.")


def _page_count(index: int, record: PacketRecord) -> int:
    try:
        with _pdfium.document(record.pdf) as doc, _pdfium.LOCK:
            count = len(doc)
    except _pdfium.PdfiumError as error:
        raise PacketError(f"Record {index + 1} is not a readable PDF ({error}); import it again.") from error
    if not count:
        raise PacketError(f"Record {index + 1} has no pages.")
    return count


class Stamps:
    """What goes into the bands of a record's pages: the post's Bates numbers from `first`, and the markings."""

    def __init__(self, prefix: str, first: int, marks: Markings):
        self.prefix, self.first, self.marks = prefix, first, marks

    def label(self, offset: int) -> str:
        return bates_label(self.prefix, self.first + offset)


def _add_front(writer: ObjectWriter, front: bytes) -> None:
    """The coversheet and letter pages, as reportlab drew them."""
    with pdf_reader(front) as reader:
        copier = Copier(writer, reader)
        for page in reader.pages:
            fresh = DictionaryObject({NameObject(key): copier.copy(page.raw_get(key))
                                      for key in ("/MediaBox", "/Resources", "/Contents") if key in page})
            copier.flush()
            writer.add_page(fresh)


def _add_record(writer: ObjectWriter, pages: RecordPages, stamps: Stamps, control: JobControl,
                total: int) -> list[Placement]:
    """Each record page as a form, in a page grown by the marking bands (§8.1.4, §9.2, App. B) with its Bates
    number; the bands are drawn by reportlab a hundred pages at a time."""
    placed: list[Placement] = []
    planned = pages.pages
    for start in range(0, len(planned), OVERLAY_PAGES):
        chunk = planned[start:start + OVERLAY_PAGES]
        sizes = [(p.box[2] - p.box[0], p.box[3] - p.box[1]) for p in chunk]
        overlays = layout.render_overlays(sizes, [stamps.label(start + i) for i in range(len(chunk))], stamps.marks)
        with pdf_reader(overlays) as reader:
            copier = Copier(writer, reader)
            for page, overlay in zip(chunk, reader.pages, strict=True):
                doing = "Redacting" if page.boxes else "Adding"
                control.step(writer.page_count, total, f"{doing} record page {page.number} of {len(planned)} "
                                                       f"({stamps.label(len(placed))})")
                _stamped(writer, pages.form(page), _band(writer, copier, overlay), page, stamps.marks)
                placed.append(Placement(page.number, writer.page_count, page.box, pages.rasterized(page)))
    return placed


def _band(writer: ObjectWriter, copier: Copier, overlay: PageObject) -> IndirectObject:
    contents = overlay.get_contents()
    box = overlay.mediabox
    ref = writer.write(form_xobject(contents.get_data() if contents is not None else b"",
                                    (float(box.left), float(box.bottom), float(box.right), float(box.top)),
                                    copier.copy(overlay.raw_get("/Resources"))))
    copier.flush()
    return ref


def _stamped(writer: ObjectWriter, record: IndirectObject, band: IndirectObject, page: PlannedPage,
             marks: Markings) -> None:
    """Draws the record page, then its band on top, each as a form XObject with its own resources: the record's
    content is copied, not parsed and rewritten as merging pages would, no resource name of it can clash with the
    band's, and a form keeps whatever graphics state it sets to itself, even past an unbalanced q (which a q ... Q
    around the content would not), so nothing in a record can move, clip or hide its marking."""
    x0, y0, x1, y1 = page.box
    bands = layout.bands(x1 - x0, marks)
    draw = f"/Record Do 1 0 0 1 {x0:.4f} {y0 - bands.foot:.4f} cm /Band Do".encode()
    writer.add_page(DictionaryObject({
        NameObject("/MediaBox"): RectangleObject((x0, y0 - bands.foot, x1, y1 + bands.head)),
        NameObject("/Resources"): DictionaryObject({NameObject("/XObject"): DictionaryObject({
            NameObject("/Record"): record, NameObject("/Band"): band})}),
        NameObject("/Contents"): writer.write(content_stream(draw).flate_encode()),
    }))


def _verify(data: BinaryIO, password: str, pages: int, last_label: str,
            checks: Sequence[tuple[RecordPages, Sequence[Placement]]]) -> None:
    """SPEC P2: the packet must not open without the password, and must open with it, whole and stamped; SPEC D3:
    no text that was under a box shows on any page of its record."""
    try:
        with _pdfium.document(data):
            opened_bare = True
    except _pdfium.PdfiumError:
        opened_bare = False
    try:
        with _pdfium.document(data, password=password) as doc, _pdfium.LOCK:
            count = len(doc)
            with _pdfium.page(doc, count) as pg:
                textpage = pg.get_textpage()
                last = str(textpage.get_text_range())
                textpage.close()
    except _pdfium.PdfiumError:
        count, last = -1, ""
    if opened_bare or count == -1:
        raise PacketError("The encrypted packet did not check out (it opened without the password, or not with "
                          "it); nothing was saved. Report this as a defect.")
    if count != pages or last_label not in last:
        raise PacketError("The encrypted packet lost pages or markings while being written; nothing was saved. "
                          "Report this as a defect.")
    for record, placed in checks:
        record.finish(data, password, placed)


def _ranges(front_pages: int, counts: Sequence[int]) -> tuple[PageRange, ...]:
    ranges, first = [], front_pages + 1
    for count in counts:
        ranges.append(PageRange(first, first + count - 1))
        first += count
    return tuple(ranges)
