"""E-mail fixtures made in the test: `.eml` with the standard library; Outlook `.msg` as MS-OXMSG property streams in
an MS-CFB compound file.

The compound file is written by extract-msg's own OLE writer (extract_msg.ole_writer.OleWriter, a pip-installed
MS-CFB writer that ships with the dependency; no home-made CFB code). What is ours is the message inside it, laid
out as MS-OXMSG 2.1-2.4 says: `__properties_version1.0` (a 32-byte header for the message, 24 for an embedded one,
8 for recipients and attachments, then 16 bytes a property), `__substg1.0_TTTTPPPP` streams for variable-length
values (UTF-16LE strings, 001F; binary, 0102), `__recip_version1.0_#N` and `__attach_version1.0_#N` storages, an
embedded message under `__substg1.0_3701000D`, and the `__nameid_version1.0` storage. extract-msg reads them back
through olefile, the same path as for a real Outlook file.
"""

from __future__ import annotations

import io
import struct
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime

from extract_msg.ole_writer import OleWriter

PT_LONG, PT_SYSTIME, PT_UNICODE, PT_BINARY, PT_OBJECT = 0x0003, 0x0040, 0x001F, 0x0102, 0x000D
FILETIME_EPOCH = datetime(1601, 1, 1, tzinfo=UTC)


@dataclass
class MsgAttachment:
    filename: str
    data: bytes = b""
    mime: str = ""
    embedded: MsgMessage | None = None  # an attached Outlook message (ATTACH_EMBEDDED_MSG)


@dataclass
class MsgMessage:
    subject: str = "Request for crossing records"
    sender_name: str = "Inspector Claire Dubois"
    sender_address: str = "claire.dubois@cbsa-asfc.gc.ca"
    body: str = "Please provide the crossing records of the subject named in the attached letter."
    sent_at: datetime | None = datetime(2026, 11, 30, 15, 0, tzinfo=UTC)
    delivered_at: datetime | None = datetime(2026, 11, 30, 15, 1, tzinfo=UTC)
    recipients: tuple[tuple[str, str], ...] = (("CBP Attaché Ottawa", "attache.ottawa@cbp.dhs.gov"),)
    attachments: list[MsgAttachment] = field(default_factory=list)
    message_class: str = "IPM.Note"


def build_msg(message: MsgMessage) -> bytes:
    writer = OleWriter()
    _write_message(writer, [], message, top=True)
    for stream in ("00020102", "00030102", "00040102"):  # MS-OXMSG 2.2.3: GUID, entry and string streams
        writer.addEntry(["__nameid_version1.0", f"__substg1.0_{stream}"], b"")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _write_message(writer: OleWriter, root: list[str], message: MsgMessage, *, top: bool) -> None:
    props: list[tuple[int, int, bytes]] = []
    strings = {0x001A: message.message_class, 0x0037: message.subject, 0x0C1A: message.sender_name,
               0x0C1F: message.sender_address, 0x0C1E: "SMTP", 0x5D01: message.sender_address, 0x1000: message.body}
    for prop_id, value in strings.items():
        if value:
            _stream(writer, root, props, prop_id, PT_UNICODE, value.encode("utf-16-le"))
    for prop_id, moment in ((0x0039, message.sent_at), (0x0E06, message.delivered_at)):
        if moment is not None:
            props.append((prop_id, PT_SYSTIME, struct.pack("<Q", _filetime(moment))))
    props.append((0x0E07, PT_LONG, struct.pack("<I", 0x01)))  # PR_MESSAGE_FLAGS: read, not unsent
    for number, (name, address) in enumerate(message.recipients):
        _write_recipient(writer, [*root, f"__recip_version1.0_#{number:08X}"], name, address)
    for number, attachment in enumerate(message.attachments):
        _write_attachment(writer, [*root, f"__attach_version1.0_#{number:08X}"], attachment)
    count_r, count_a = len(message.recipients), len(message.attachments)
    header = struct.pack("<8xIIII", count_r, count_a, count_r, count_a) + (b"\0" * 8 if top else b"")
    writer.addEntry([*root, "__properties_version1.0"], header + _entries(props))


def _write_recipient(writer: OleWriter, root: list[str], name: str, address: str) -> None:
    props: list[tuple[int, int, bytes]] = [(0x0C15, PT_LONG, struct.pack("<I", 1))]  # PR_RECIPIENT_TYPE: To
    for prop_id, value in ((0x3001, name), (0x3003, address), (0x39FE, address), (0x3002, "SMTP")):
        _stream(writer, root, props, prop_id, PT_UNICODE, value.encode("utf-16-le"))
    writer.addEntry([*root, "__properties_version1.0"], b"\0" * 8 + _entries(props))


def _write_attachment(writer: OleWriter, root: list[str], attachment: MsgAttachment) -> None:
    props: list[tuple[int, int, bytes]] = []
    method = 5 if attachment.embedded else 1  # ATTACH_EMBEDDED_MSG or ATTACH_BY_VALUE
    props.append((0x3705, PT_LONG, struct.pack("<I", method)))
    if attachment.filename:
        encoded = attachment.filename.encode("utf-16-le")
        _stream(writer, root, props, 0x3707, PT_UNICODE, encoded)
        _stream(writer, root, props, 0x3001, PT_UNICODE, encoded)
    if attachment.mime:
        _stream(writer, root, props, 0x370E, PT_UNICODE, attachment.mime.encode("utf-16-le"))
    if attachment.embedded is not None:
        inner = [*root, "__substg1.0_3701000D"]
        writer.addEntry(inner, storage=True)
        _write_message(writer, inner, attachment.embedded, top=False)
        props.append((0x3701, PT_OBJECT, struct.pack("<II", 0xFFFFFFFF, 0)))
    else:
        _stream(writer, root, props, 0x3701, PT_BINARY, attachment.data)
    writer.addEntry([*root, "__properties_version1.0"], b"\0" * 8 + _entries(props))


def _stream(writer: OleWriter, root: list[str], props: list[tuple[int, int, bytes]], prop_id: int, prop_type: int,
            data: bytes) -> None:
    writer.addEntry([*root, f"__substg1.0_{prop_id:04X}{prop_type:04X}"], data)
    # MS-OXMSG 2.4.2.2: a string's stream has no terminator, but its size in the property stream counts one.
    size = len(data) + 2 if prop_type == PT_UNICODE else len(data)
    props.append((prop_id, prop_type, struct.pack("<II", size, 0)))


def _entries(props: list[tuple[int, int, bytes]]) -> bytes:
    # MS-OXMSG 2.4.2: tag (type | id << 16), flags (readable | writable), then 8 bytes of value or size.
    return b"".join(struct.pack("<II", prop_type | prop_id << 16, 0x06) + value for prop_id, prop_type, value in props)


def _filetime(moment: datetime) -> int:
    return int((moment - FILETIME_EPOCH).total_seconds() * 10_000_000)


def build_eml(*, sender: str = "Inspector Claire Dubois <claire.dubois@cbsa-asfc.gc.ca>",
              subject: str = "Request for crossing records", body: str = "Please provide the crossing records.",
              date: datetime | None = datetime(2026, 11, 30, 15, 0, tzinfo=UTC),
              attachments: tuple[tuple[str, str, bytes], ...] = (), html: str = "") -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "CBP Attaché Ottawa <attache.ottawa@cbp.dhs.gov>"
    message["Subject"] = subject
    if date is not None:
        message["Date"] = format_datetime(date)
    message["Message-ID"] = "<intake-test@cbsa-asfc.gc.ca>"
    message.set_content(body)
    if html:
        message.add_alternative(html, subtype="html")
    for filename, media_type, data in attachments:
        maintype, subtype = media_type.split("/")
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return message


def build_signed_msg(inner: EmailMessage) -> bytes:
    """An S/MIME signed Outlook message (MS-OXOSMIME 2.1.3.1): class IPM.Note.SMIME.MultipartSigned, one attachment
    holding the multipart/signed MIME entity, whose first part is `inner`'s content; the signature is a dummy."""
    head, _, rest = inner.as_bytes().replace(b"\r\n", b"\n").partition(b"\n\n")
    content_type = b"\n".join(line for line in head.split(b"\n") if line.lower().startswith(b"content-type"))
    entity = (b'Content-Type: multipart/signed; protocol="application/pkcs7-signature"; micalg=sha-256; '
              b'boundary="sig"\n\n--sig\n' + content_type + b"\n\n" + rest + b"\n--sig\n"
              b"Content-Type: application/pkcs7-signature; name=smime.p7s\nContent-Transfer-Encoding: base64\n"
              b"Content-Disposition: attachment; filename=smime.p7s\n\nAAAA\n--sig--\n")
    return build_msg(MsgMessage(message_class="IPM.Note.SMIME.MultipartSigned", body="",
                                attachments=[MsgAttachment("smime.p7m", entity, "multipart/signed")]))
