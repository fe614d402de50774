"""Building the packet (SPEC P1, P2): coversheet, cover letter, marked and Bates-numbered records, encrypted.

Bates numbers go on the record pages only: they identify what CBP disclosed, page by page (the letter cites the
range, App. A), and the coversheet and letter are CBP's own correspondence, not records. The numbers are the ones
the caller allocated; `finalize.py` allocates them from the store in the transaction that records the packet.

The plaintext PDF exists only as objects in memory and is written once, encrypted (AES-256, revision 6), into an
in-memory buffer; nothing touches the disk here (SPEC S1, P2). The result is opened again with and without the
password before it is returned, so a packet that would not open, or would open without it, never leaves.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Sequence
from dataclasses import dataclass

from pypdf import PageObject, PdfReader, PdfWriter
from pypdf.errors import PdfReadError
from pypdf.generic import (
    ContentStream,
    DecodedStreamObject,
    DictionaryObject,
    NameObject,
    PdfObject,
    RectangleObject,
    StreamObject,
)

from desktop.jobs import JobControl
from desktop.packets import layout
from desktop.packets.model import BuiltPacket, PacketError, PacketRecord, PacketSettings, PageRange, bates_label
from desktop.packets.password import generate_owner_password, generate_packet_password
from desktop.packets.texts import Markings, contents_for, coversheet_blocks, letter_blocks, markings
from desktop.records.pdfbytes import pdf_reader
from desktop.requests.model import Request

PRODUCER = "Disclosure Desk"
PDF_HEADER = "%PDF-2.0"  # AES-256 revision 6 is the PDF 2.0 security handler (ISO 32000-2)
# Page entries that carry the source's metadata or active content, and are not part of what the page shows (§9.1,
# SPEC D3: nothing of the record survives but its appearance; annotations would bring comments and links along).
_DROPPED_PAGE_KEYS = ("/Annots", "/Metadata", "/PieceInfo", "/LastModified", "/AA", "/Thumb", "/B", "/ID", "/PZ",
                      "/SeparationInfo", "/Trans", "/Dur", "/StructParents", "/Tabs")
_DROPPED_XOBJECT_KEYS = ("/Metadata", "/PieceInfo", "/LastModified", "/OPI", "/StructParent", "/StructParents")
_COPIED_WITHOUT = (*_DROPPED_PAGE_KEYS, "/Contents")  # the content goes over as a stream of the page's own
_OTHER_BOXES = ("/TrimBox", "/BleedBox", "/ArtBox")


@dataclass
class _RecordPage:
    page: PageObject  # the writer's copy
    box: tuple[float, float, float, float]  # the visible area of the record page


def build_packet(request: Request, records: Sequence[PacketRecord], settings: PacketSettings, bates_first: int,
                 control: JobControl | None = None) -> BuiltPacket:
    """The encrypted packet; raises PacketError for unusable input and desktop.jobs.Cancelled when cancelled."""
    control = control or JobControl()
    _check_input(records, settings, bates_first)
    readers = [_open_record(index, record) for index, record in enumerate(records)]
    counts = [len(reader.pages) for reader in readers]
    total = 2 * sum(counts) + 2
    marks = markings(request, settings)
    contents = contents_for([(r.title, n) for r, n in zip(records, counts, strict=True)], settings, bates_first,
                            any(r.has_redactions for r in records), any(r.contains_pii for r in records))
    control.step(0, total, "Writing the coversheet and cover letter")
    writer = PdfWriter()
    front = layout.render_front(coversheet_blocks(request, settings, contents),
                                letter_blocks(request, settings, contents), marks.banner)
    with pdf_reader(front) as front_reader:
        for page in front_reader.pages:
            writer.add_page(page)
    front_pages = len(writer.pages)
    try:
        placed = _add_records(writer, readers, control, total)
    finally:
        for reader in readers:
            reader.close()  # what the writer needs it has copied; this frees the rest now, not at the next gc
    _mark(writer, placed, settings, bates_first, marks, control, total)
    control.step(total - 1, total, "Encrypting the packet")
    passphrase = generate_packet_password()
    data = _encrypted(writer, passphrase.text)
    _verify(data, passphrase.text, len(writer.pages), contents.bates_range.split()[-1])
    control.progress(total, total, "Packet built")
    return BuiltPacket(
        encrypted_pdf=data, password=passphrase.text, sha256=hashlib.sha256(data).hexdigest(),
        page_count=len(writer.pages), bates_prefix=settings.bates_prefix, bates_first=bates_first,
        bates_last=contents.bates_last, record_pages=_ranges(front_pages, counts), password_bits=passphrase.bits,
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


def _open_record(index: int, record: PacketRecord) -> PdfReader:
    try:
        reader = pdf_reader(record.pdf)
        if reader.is_encrypted:
            raise PacketError(f"Record {index + 1} is an encrypted PDF; import it through the records tab, which "
                              "refuses such files.")
        if not reader.pages:
            raise PacketError(f"Record {index + 1} has no pages.")
        return reader
    except (PdfReadError, ValueError, OSError) as error:
        raise PacketError(f"Record {index + 1} is not a readable PDF ({error}); import it again.") from error


def _add_records(writer: PdfWriter, readers: Sequence[PdfReader], control: JobControl, total: int) -> list[_RecordPage]:
    """Copies the record pages. A page's content goes over as a fresh stream of its own instead of a copy of the
    record's object: `_stamp` then replaces it in place, and nothing is left behind unreferenced. A copy may be
    shared with another page, so it could not be replaced, and would be written into the packet for nothing
    unless every object were hashed and walked to find it (50-70 ms for 200 pages)."""
    placed: list[_RecordPage] = []
    for reader in readers:
        for source in reader.pages:
            control.step(len(placed) + 1, total, f"Adding record page {len(placed) + 1}")
            _scrub(source)
            page = writer.add_page(source, excluded_keys=_COPIED_WITHOUT)
            page.replace_contents(_contents(writer, _content_bytes(source)))
            if page.rotation % 360:
                page.transfer_rotation_to_content()
            placed.append(_RecordPage(page, _visible_box(page)))
    return placed


def _scrub(page: PageObject) -> None:
    """Drops metadata from the page's image and form XObjects before they are copied (SPEC S1, D3)."""
    resources = page.get("/Resources")
    if resources is not None:
        _scrub_resources(resources.get_object(), depth=0)


def _scrub_resources(resources: object, depth: int) -> None:
    if not isinstance(resources, DictionaryObject) or depth > 8:
        return
    xobjects = resources.get("/XObject")
    if xobjects is None:
        return
    for ref in list(xobjects.get_object().values()):
        xobject = ref.get_object()
        if not isinstance(xobject, DictionaryObject):
            continue
        for key in _DROPPED_XOBJECT_KEYS:
            xobject.pop(NameObject(key), None)
        if xobject.get("/Subtype") == "/Form" and "/Resources" in xobject:
            _scrub_resources(xobject["/Resources"].get_object(), depth + 1)


def _visible_box(page: PageObject) -> tuple[float, float, float, float]:
    media, crop = page.mediabox, page.cropbox
    box = (max(float(media.left), float(crop.left)), max(float(media.bottom), float(crop.bottom)),
           min(float(media.right), float(crop.right)), min(float(media.top), float(crop.top)))
    if box[2] - box[0] < 1 or box[3] - box[1] < 1:
        return (float(media.left), float(media.bottom), float(media.right), float(media.top))
    return box


def _mark(writer: PdfWriter, placed: Sequence[_RecordPage], settings: PacketSettings, bates_first: int,
          marks: Markings, control: JobControl, total: int) -> None:
    """Adds the marking bands around every record page (§8.1.4, §9.2, App. B) and stamps its Bates number."""
    sizes = [(p.box[2] - p.box[0], p.box[3] - p.box[1]) for p in placed]
    labels = [bates_label(settings.bates_prefix, bates_first + i) for i in range(len(placed))]
    overlays = pdf_reader(layout.render_overlays(sizes, labels, marks)).pages
    done = len(placed)
    for index, (record_page, overlay) in enumerate(zip(placed, overlays, strict=True)):
        control.step(done + index + 1, total, f"Marking record page {index + 1} of {len(placed)}")
        band = layout.bands(sizes[index][0], marks)
        x0, y0, x1, y1 = record_page.box
        _extend(record_page.page, RectangleObject([x0, y0 - band.foot, x1, y1 + band.head]))
        _stamp(writer, record_page, overlay, (x0, y0 - band.foot))


def _stamp(writer: PdfWriter, record_page: _RecordPage, overlay: PageObject, origin: tuple[float, float]) -> None:
    """Draws the record page, then its overlay on top, each as a form XObject with its own resources: the record's
    content is copied, not parsed and rewritten as merging pages would, no resource name of it can clash with the
    band's, and a form keeps whatever graphics state it sets to itself, even past an unbalanced q (which a q ... Q
    around the content would not), so nothing in a record can move, clip or hide its marking."""
    page = record_page.page
    record = _form(_content_bytes(page), RectangleObject(record_page.box), _raw(page, "/Resources"))
    band = _form(_content_bytes(overlay), overlay.mediabox, _raw(overlay, "/Resources").clone(writer))
    page[NameObject("/Resources")] = DictionaryObject({NameObject("/XObject"): DictionaryObject({
        NameObject("/Record"): writer._add_object(record), NameObject("/Band"): writer._add_object(band)})})
    draw = f"/Record Do 1 0 0 1 {origin[0]:.4f} {origin[1]:.4f} cm /Band Do".encode()
    page.replace_contents(_contents(writer, draw))  # in place: the page's own stream from _add_records, now in the form


def _content_bytes(page: PageObject) -> bytes:
    """The page's content streams, decoded and joined (not parsed). get_data also serializes what pypdf holds as
    parsed operations (a page whose rotation went into its content), which its encryption would write as empty."""
    contents = page.get_contents()
    return contents.get_data() if contents is not None else b""


def _form(content: bytes, bbox: RectangleObject, resources: PdfObject) -> StreamObject:
    form = _stream(content).flate_encode()
    form.update({NameObject("/Type"): NameObject("/XObject"), NameObject("/Subtype"): NameObject("/Form"),
                 NameObject("/BBox"): bbox, NameObject("/Resources"): resources})
    return form


def _raw(page: PageObject, key: str) -> PdfObject:
    """page[key] as stored, an indirect reference staying one; an empty dictionary when there is none."""
    return page.raw_get(key) if key in page else DictionaryObject()


def _contents(writer: PdfWriter, data: bytes) -> ContentStream:
    """Page content as given, not parsed."""
    stream = ContentStream(None, writer)
    stream.set_data(data)
    return stream


def _stream(data: bytes) -> DecodedStreamObject:
    stream = DecodedStreamObject()
    stream.set_data(data)
    return stream


def _extend(page: PageObject, box: RectangleObject) -> None:
    page.mediabox = box
    page.cropbox = box
    for key in _OTHER_BOXES:
        page.pop(NameObject(key), None)


def _encrypted(writer: PdfWriter, password: str) -> bytes:
    writer.add_metadata({"/Producer": PRODUCER})
    writer.pdf_header = PDF_HEADER
    # SPEC P2: AES-256, revision 6 only ("AES-256"; never RC4 or the withdrawn revision 5).
    writer.encrypt(user_password=password, owner_password=generate_owner_password(), algorithm="AES-256")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _verify(data: bytes, password: str, pages: int, last_label: str) -> None:
    """SPEC P2: the packet must not open without the password, and must open with it, whole and stamped."""
    with pdf_reader(data) as reader:
        if not reader.is_encrypted or reader.decrypt("") or reader.decrypt(password) == 0:
            raise PacketError("The encrypted packet did not check out (it opened without the password, or not with "
                              "it); nothing was saved. Report this as a defect.")
        if len(reader.pages) != pages or last_label not in reader.pages[-1].extract_text():
            raise PacketError("The encrypted packet lost pages or markings while being written; nothing was saved. "
                              "Report this as a defect.")


def _ranges(front_pages: int, counts: Sequence[int]) -> tuple[PageRange, ...]:
    ranges, first = [], front_pages + 1
    for count in counts:
        ranges.append(PageRange(first, first + count - 1))
        first += count
    return tuple(ranges)
