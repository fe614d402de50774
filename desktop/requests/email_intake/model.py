"""The e-mail intake's value types, limits and refusal (issue 14): plain data shared by the two parsers and the draft.

A message is hostile until checked (STYLE: every imported file is): the limits below bound what a parser may be
asked to read, and every refusal names the file, says what is wrong and what to do.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

MB = 1024 * 1024


@dataclass(frozen=True)
class EmailLimits:
    """What intake accepts. The settings `email_max_mb`, `email_max_attachment_mb` and `email_max_attachments`
    change the first three (as `records_max_mb` does for records)."""

    max_message_bytes: int = 50 * MB  # as a request document attached by hand (attachments.MAX_ATTACHMENT_BYTES)
    max_attachment_bytes: int = 25 * MB  # one decoded attachment; Outlook and Exchange send at most 20-35 MB
    max_attachments: int = 50
    max_depth: int = 2  # a forwarded message inside the request, and one more inside that
    max_parts: int = 500  # MIME parts or .msg attachments counted through every nested message


@dataclass(frozen=True)
class MailDocument:
    """One file of the message, as it will be kept: the name made safe to show and to save, the declared type."""

    filename: str
    media_type: str
    content: bytes = field(repr=False)


@dataclass(frozen=True)
class ParsedMail:
    """What a message says of itself; nothing in it is guessed. Empty strings where the message is silent."""

    format: str  # "eml" or "msg"
    sender_name: str
    sender_address: str
    subject: str
    body: str = field(repr=False)
    sent_at: datetime | None  # the Date header (PR_CLIENT_SUBMIT_TIME in a .msg), timezone-aware
    attachments: tuple[MailDocument, ...]
    renamed: int = 0  # attachment names that had to be changed to be safe (names.py)

    @property
    def sender_domain(self) -> str:
        return self.sender_address.rpartition("@")[2].lower() if "@" in self.sender_address else ""


class EmailRefused(ValueError):
    """A message that cannot be taken in; the message names the file, what is wrong and what to do. Nothing was
    stored."""
