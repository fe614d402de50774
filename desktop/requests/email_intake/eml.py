"""An `.eml` message (RFC 5322 / MIME) read with the standard library's parser, `policy=email.policy.default`.

The parser is lenient by design and notes what it had to repair as defects; a defect in the structure (a boundary
missing or never closed, headers without a body separator, a part that breaks the multipart invariant, base64 of an
impossible length) means the parts cannot be told apart as the sender meant them, so the message is refused.
Nested messages (message/rfc822, or an attached .eml or .msg) are read to their limit but kept whole, as received.
"""

from __future__ import annotations

import email.errors
import email.policy
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage, Message
from email.parser import BytesParser
from typing import Any

from desktop.requests.email_intake import text
from desktop.requests.email_intake.model import EmailLimits, EmailRefused, MailDocument, ParsedMail
from desktop.requests.email_intake.names import NameRefused, safe_name

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_STRUCTURAL = (
    email.errors.NoBoundaryInMultipartDefect,
    email.errors.StartBoundaryNotFoundDefect,
    email.errors.CloseBoundaryNotFoundDefect,
    email.errors.MultipartInvariantViolationDefect,
    email.errors.MissingHeaderBodySeparatorDefect,
    email.errors.FirstHeaderLineIsContinuationDefect,
    email.errors.MisplacedEnvelopeHeaderDefect,
    email.errors.InvalidBase64LengthDefect,
)
_NESTED_TYPES = ("message/rfc822", "message/global")
MAX_MULTIPARTS = 100
_AS_SENT = email.policy.default.clone(refold_source="none")  # headers written back as they came, not re-folded


NestedReader = Callable[[str, bytes, int, "Budget"], None]  # checks an attached .msg, `depth` levels down


@dataclass
class Budget:
    """What a message and everything nested in it may still use; shared with the .msg reader."""

    limits: EmailLimits
    parts: int = 0
    names: set[str] = field(default_factory=set)

    def count_part(self, shown: str) -> None:
        self.parts += 1
        if self.parts > self.limits.max_parts:
            raise EmailRefused(f"{shown} has more than {self.limits.max_parts} parts; no request needs so many. "
                               "Ask the sender to send the request letter alone, or save it as PDF and attach that.")


def parse_eml(shown: str, data: bytes, limits: EmailLimits, nested_msg: NestedReader | None = None) -> ParsedMail:
    """`shown` is the file's name as the user sees it (messages); `nested_msg` reads an attached .msg for its
    checks (msg.check_nested_msg), passed in so that this module needs no extract-msg."""
    budget = Budget(limits)
    message = _parsed(shown, data)
    try:
        _check_tree(shown, message, 0, budget, nested_msg)
        sender_name, sender_address = _sender(message)
        attachments, renamed = _attachments(shown, message, budget)
        return ParsedMail(
            format="eml", sender_name=sender_name, sender_address=sender_address,
            subject=text.clean(str(message.get("subject", "") or "")), body=_body(message),
            sent_at=_date(message), attachments=attachments, renamed=renamed,
        )
    except EmailRefused:
        raise
    except Exception as error:  # a header or part the lenient parser let through but cannot give back
        raise EmailRefused(f"{shown} has malformed MIME ({type(error).__name__}). Ask the sender to send it again, "
                           "or save it from the mail program once more, and take that in.") from error


def check_nested_eml(shown: str, data: bytes, depth: int, budget: Budget, nested_msg: NestedReader | None) -> None:
    """An attached message's own checks, `depth` levels down (it is kept whole, not taken apart)."""
    _check_tree(shown, _parsed(shown, data, needs_sender=False), depth, budget, nested_msg)


def _parsed(shown: str, data: bytes, needs_sender: bool = True) -> EmailMessage:
    # Counted in the bytes, before the parser recurses into them: thousands of nested multiparts take it seconds
    # and a deep stack (a worker thread's is small). A real message has a handful.
    if data.lower().count(b"multipart/") > MAX_MULTIPARTS:
        raise EmailRefused(f"{shown} has more than {MAX_MULTIPARTS} multipart sections; no request needs so many. "
                           "Ask the sender to send the request letter alone, or save it as PDF and attach that.")
    try:
        message = BytesParser(policy=email.policy.default).parsebytes(data)
    except Exception as error:  # the parser's own failures on crafted input are of many types
        raise EmailRefused(f"{shown} is not a readable e-mail message ({type(error).__name__}). Save the message "
                           "again from the mail program (as .eml or Outlook .msg) and take that in.") from error
    if not isinstance(message, EmailMessage) or (needs_sender and not (message.get("from") or message.get("sender"))):
        raise EmailRefused(f"{shown} is not an e-mail message: it has no From: header. Save the message again from "
                           "the mail program (as .eml or Outlook .msg), or attach the file to a request by hand.")
    return message


def _check_tree(shown: str, part: Message, depth: int, budget: Budget, nested_msg: NestedReader | None) -> None:
    budget.count_part(shown)
    for defect in part.defects:
        if isinstance(defect, _STRUCTURAL):
            raise EmailRefused(f"{shown} has malformed MIME ({type(defect).__name__}): its parts cannot be told "
                               "apart safely. Ask the sender to send it again, or save it from the mail program "
                               "once more, and take that in.")
    if part.get_content_type() in _NESTED_TYPES:
        _check_depth(shown, depth + 1, budget)
        for inner in _children(part):
            _check_tree(shown, inner, depth + 1, budget, nested_msg)
    elif part.is_multipart():
        for inner in _children(part):
            _check_tree(shown, inner, depth, budget, nested_msg)
    else:
        payload = _decoded(part)
        if len(payload) > budget.limits.max_attachment_bytes:
            raise EmailRefused(_too_big(shown, len(payload), budget.limits))
        if payload.startswith(OLE_MAGIC) and nested_msg is not None:
            _check_depth(shown, depth + 1, budget)
            nested_msg(shown, payload, depth + 1, budget)
        elif (part.get_filename() or "").lower().endswith(".eml"):
            _check_depth(shown, depth + 1, budget)
            check_nested_eml(shown, payload, depth + 1, budget, nested_msg)


def _children(part: Message) -> list[Message]:
    payload = part.get_payload()
    return [inner for inner in payload if isinstance(inner, Message)] if isinstance(payload, list) else []


def _decoded(part: Message) -> bytes:
    """The part's bytes after its transfer encoding (base64, quoted-printable) is undone."""
    payload = part.get_payload(decode=True)
    return payload if isinstance(payload, bytes) else b""


def _check_depth(shown: str, depth: int, budget: Budget) -> None:
    if depth > budget.limits.max_depth:
        raise EmailRefused(f"{shown} holds messages nested more than {budget.limits.max_depth} deep (a message "
                           "attached to a message attached to …). Forward the request itself, or save the innermost "
                           "message alone and take that in.")


def _too_big(shown: str, size: int, limits: EmailLimits) -> str:
    return (f"{shown} has an attachment of {size:,} bytes, over the {limits.max_attachment_bytes:,}-byte limit for "
            "one attachment. Ask the sender for the request letter alone, or a smaller copy of the enclosure.")


def _sender(message: EmailMessage) -> tuple[str, str]:
    header = message.get("from") or message.get("sender")
    addresses: tuple[Any, ...] = tuple(getattr(header, "addresses", ()))
    if len(addresses) != 1:  # none, or several authors: which one asked is not for intake to guess
        return "", ""
    address = addresses[0]
    return text.clean(address.display_name), text.address(address.addr_spec)


def _date(message: EmailMessage) -> datetime | None:
    header = message.get("date")
    moment = getattr(header, "datetime", None)
    if not isinstance(moment, datetime):
        return None
    # "-0000" (RFC 5322 3.3: the local zone is not known) parses naive; the moment itself is still UTC.
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _body(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    try:
        content = part.get_content()
    except (LookupError, UnicodeError, ValueError):  # an unknown or lying charset: the original keeps the text
        return ""
    if not isinstance(content, str):
        return ""
    return text.from_html(content) if part.get_content_subtype() == "html" else text.clean(content)


def _attachments(shown: str, message: EmailMessage, budget: Budget) -> tuple[tuple[MailDocument, ...], int]:
    found: list[MailDocument] = []
    renamed = 0
    for position, part in enumerate(message.iter_attachments(), start=1):
        if len(found) >= budget.limits.max_attachments:
            raise EmailRefused(f"{shown} has more than {budget.limits.max_attachments} attachments. Ask the sender "
                               "to send the request letter and its enclosures in fewer files (a PDF or a ZIP).")
        content, media_type, default_name = _content(part)
        try:
            name, changed = safe_name(part.get_filename() or default_name.format(position), position, budget.names)
        except NameRefused as refusal:
            raise EmailRefused(f"{shown} refused: {refusal}. Ask the sender to send it again with plain file "
                               "names.") from refusal
        renamed += changed
        found.append(MailDocument(name, media_type, content))
    return tuple(found), renamed


def _content(part: EmailMessage) -> tuple[bytes, str, str]:
    """(the bytes as sent, the declared type, a name pattern for a part without one)."""
    media_type = part.get_content_type()
    if media_type in _NESTED_TYPES:
        inner = _children(part)
        return (inner[0].as_bytes(policy=_AS_SENT) if inner else b""), media_type, "forwarded-message-{}.eml"
    return _decoded(part), media_type, "attachment-{}"
