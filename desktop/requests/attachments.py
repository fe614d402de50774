"""The original request document kept with a request (§8.1.1: the request is in writing; keep a copy, §10.2.1).

Files are treated as hostile: the type is read from the bytes, not the name; empty and oversized files are refused
with what to do; nothing is stored when a file is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

MAX_ATTACHMENT_BYTES = 50 * 1024 * 1024
KINDS = {
    "original_request": "Original request",
    "written_confirmation": "Written request after an oral one (§8.1.1.2)",
    "correspondence": "Correspondence",
    "other": "Other",
}
_MAGIC = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "application/vnd.ms-outlook"),  # .msg (OLE compound file)
)
_MAIL_HEADERS = (b"from:", b"to:", b"subject:", b"date:", b"received:", b"return-path:", b"message-id:",
                 b"mime-version:")


class AttachmentRefused(ValueError):
    """The file cannot be kept; the message says why and what to do."""


@dataclass(frozen=True)
class Accepted:
    filename: str
    media_type: str
    content: bytes


def accept_attachment(path: Path, limit: int = MAX_ATTACHMENT_BYTES) -> Accepted:
    size = path.stat().st_size
    if size > limit:
        raise AttachmentRefused(
            f"{path.name} is {size / 1e6:.1f} MB; the limit is {limit / 1e6:.0f} MB. Keep a smaller copy (e.g. the "
            "request letter alone, without its enclosures) and attach that."
        )
    return check_attachment(path.name, path.read_bytes(), limit)


def check_attachment(filename: str, content: bytes, limit: int = MAX_ATTACHMENT_BYTES) -> Accepted:
    if not content:
        raise AttachmentRefused(f"{filename} is empty (0 bytes). Save the request again from where it came and "
                                "attach the saved file.")
    if len(content) > limit:
        raise AttachmentRefused(f"{filename} is over the {limit / 1e6:.0f} MB limit; attach a smaller copy.")
    media_type = sniff(content)
    if media_type is None:
        raise AttachmentRefused(
            f"{filename} is not a PDF, image (PNG, JPEG, TIFF), e-mail (.eml, .msg) or plain text file. Save or "
            "print the request as PDF and attach that."
        )
    return Accepted(Path(filename).name, media_type, content)


def sniff(content: bytes) -> str | None:
    for magic, media_type in _MAGIC:
        if content.startswith(magic):
            return media_type
    try:
        text = content[:65536].decode("utf-8")
    except UnicodeDecodeError:
        return None
    if "\x00" in text:
        return None
    head = text.lstrip().lower().encode()
    return "message/rfc822" if head.startswith(_MAIL_HEADERS) else "text/plain"
