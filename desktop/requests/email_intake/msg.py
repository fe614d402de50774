"""An Outlook `.msg` (MS-OXMSG in an MS-CFB compound file) read with extract-msg, from memory.

extract-msg opens it through olefile from a file object (never a path: olefile takes short `bytes` for a file
name), so neither the message nor an attachment is ever written to disk; none of extract-msg's save functions is
called. Its error behaviour stays THROW: a broken attachment or a structure it cannot read refuses the message
rather than taking in part of it. Its own log lines can quote a subject or a file name, so they are kept out of
ours (logging_setup: "no logs with names or record content").
"""

from __future__ import annotations

import io
import logging
import mimetypes
import re
from datetime import UTC, datetime
from email.utils import parseaddr
from typing import Any

import extract_msg
from extract_msg.enums import AttachmentType
from extract_msg.msg_classes import MessageBase

from desktop.requests.attachments import sniff
from desktop.requests.email_intake import text
from desktop.requests.email_intake.eml import OLE_MAGIC, Budget, check_nested_eml
from desktop.requests.email_intake.model import EmailLimits, EmailRefused, MailDocument, ParsedMail
from desktop.requests.email_intake.names import NameRefused, safe_name

MAX_EMBEDDED = 50
# MS-OXMSG 2.2.2.1: an embedded message's storage, named in UTF-16; in any case, as extract-msg finds it in any.
_EMBEDDED_NAME = re.compile(re.escape("__substg1.0_3701000D".encode("utf-16-le")), re.IGNORECASE)

for _name in ("extract_msg", "RTFDE", "olefile"):
    logging.getLogger(_name).setLevel(logging.CRITICAL + 1)


def parse_msg(shown: str, data: bytes, limits: EmailLimits) -> ParsedMail:
    budget = Budget(limits)
    with _opened(shown, data) as message:
        try:
            _check_tree(shown, message, 0, budget)
            sender_name, sender_address = _sender(message)
            attachments, renamed = _attachments(shown, message, budget)
            return ParsedMail(
                format="msg", sender_name=sender_name, sender_address=sender_address,
                subject=text.clean(message.subject or ""), body=_body(message), sent_at=_date(message),
                attachments=attachments, renamed=renamed,
            )
        except EmailRefused:
            raise
        except Exception as error:  # extract-msg's and olefile's own failures on a damaged file are of many types
            raise _unreadable(shown, error) from error


def check_nested_msg(shown: str, data: bytes, depth: int, budget: Budget) -> None:
    """An Outlook message attached to an .eml: read for its checks only (it is kept whole)."""
    with _opened(shown, data) as message:
        try:
            _check_tree(shown, message, depth, budget)
        except EmailRefused:
            raise
        except Exception as error:
            raise _unreadable(shown, error) from error


def _opened(shown: str, data: bytes) -> Any:
    if not data:
        raise EmailRefused(f"{shown} is empty (0 bytes). Save the message again from Outlook and take that in.")
    if not data.startswith(OLE_MAGIC):
        raise EmailRefused(f"{shown} is not an Outlook message (.msg files are OLE compound files; this one is "
                           "not). Save the message again from Outlook (File → Save As → Outlook Message Format), "
                           "or save it as .eml.")
    # Counted in the directory's UTF-16 names before extract-msg, which opens embedded messages recursively: a
    # chain of hundreds would take it down its recursion limit, and a worker thread's stack is small.
    if len(_EMBEDDED_NAME.findall(data)) > MAX_EMBEDDED:
        raise EmailRefused(f"{shown} holds more than {MAX_EMBEDDED} attached Outlook messages. Forward the request "
                           "itself, or save the message that carries it alone, and take that in.")
    try:
        message = extract_msg.openMsg(io.BytesIO(data), delayAttachments=True)
    except Exception as error:
        raise _unreadable(shown, error) from error
    if not isinstance(message, MessageBase):
        message.close()
        raise EmailRefused(f"{shown} is an Outlook item but not an e-mail (a calendar item, contact or task). Take "
                           "in the e-mail that carried the request.")
    return message


def _unreadable(shown: str, error: BaseException) -> EmailRefused:
    return EmailRefused(f"{shown} is a damaged or unsupported Outlook message (extract-msg: {type(error).__name__}). "
                        "Open it in Outlook and save it again, or save it as .eml, and take that in.")


def _check_tree(shown: str, message: Any, depth: int, budget: Budget) -> None:
    for attachment in message.attachments:
        budget.count_part(shown)
        if attachment.type in (AttachmentType.MSG, AttachmentType.SIGNED_EMBEDDED):
            if depth + 1 > budget.limits.max_depth:
                raise EmailRefused(f"{shown} holds messages nested more than {budget.limits.max_depth} deep (a "
                                   "message attached to a message attached to …). Forward the request itself, or "
                                   "save the innermost message alone and take that in.")
            _check_tree(shown, attachment.data, depth + 1, budget)
            continue
        data = attachment.data if isinstance(attachment.data, bytes) else b""
        if len(data) > budget.limits.max_attachment_bytes:
            raise EmailRefused(f"{shown} has an attachment of {len(data):,} bytes, over the "
                               f"{budget.limits.max_attachment_bytes:,}-byte limit for one attachment. Ask the "
                               "sender for the request letter alone, or a smaller copy of the enclosure.")
        if data.startswith(OLE_MAGIC) and _named_msg(attachment):
            if depth + 1 > budget.limits.max_depth:
                raise EmailRefused(f"{shown} holds messages nested more than {budget.limits.max_depth} deep. "
                                   "Forward the request itself, or save the innermost message alone.")
            check_nested_msg(shown, data, depth + 1, budget)
        elif data and _named_eml(attachment):
            check_nested_eml(shown, data, depth + 1, budget, check_nested_msg)


def _named_msg(attachment: Any) -> bool:
    return str(_raw_name(attachment)).lower().endswith(".msg")


def _named_eml(attachment: Any) -> bool:
    name, declared = str(_raw_name(attachment)).lower(), str(_declared_type(attachment)).lower()
    return name.endswith(".eml") or declared in ("message/rfc822", "message/global")


def _sender(message: Any) -> tuple[str, str]:
    """MS-OXOMSG: PR_SENDER_NAME, PR_SENDER_SMTP_ADDRESS, else PR_SENDER_EMAIL_ADDRESS when it is an SMTP
    address (an Exchange sender's is an X.500 name), else the transport headers' From."""
    name = message.getStringStream("__substg1.0_0C1A") or ""
    for candidate in (message.getStringStream("__substg1.0_5D01"), message.getStringStream("__substg1.0_0C1F")):
        found = text.address(candidate or "")
        if found:
            return text.clean(name), found
    header_name, header_address = parseaddr(str(message.header.get("From", "") or "")) if message.headerText \
        else ("", "")
    return text.clean(name or header_name), text.address(header_address)


def _date(message: Any) -> datetime | None:
    """PR_CLIENT_SUBMIT_TIME is the Date header; a message never sent has none, then PR_MESSAGE_DELIVERY_TIME."""
    for tag in ("00390040", "0E060040"):
        moment = message.getPropertyVal(tag)
        if isinstance(moment, datetime) and moment.year > 1601:  # FILETIME zero is 1601-01-01: not a date
            return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return None


def _body(message: Any) -> str:
    """PR_BODY; else extract-msg's body (an S/MIME message's text part, or the words de-encapsulated from an RTF
    body), else the words of the HTML body."""
    plain = message.getStringStream("__substg1.0_1000")
    try:
        plain = plain or message.body
        html = None if plain else message.htmlBody
    except Exception:  # a damaged RTF or HTML body: the text stays in the original, kept under Documents
        return ""
    if isinstance(plain, str) and plain:
        return text.clean(plain)
    return text.from_html(html.decode("utf-8", "replace")) if isinstance(html, bytes) else ""


def _attachments(shown: str, message: Any, budget: Budget) -> tuple[tuple[MailDocument, ...], int]:
    found: list[MailDocument] = []
    renamed = 0
    for position, attachment in enumerate(message.attachments, start=1):
        content, media_type = _content(attachment)
        if content is None:  # a link to a file elsewhere (a "web" attachment) carries no file to keep
            continue
        if len(found) >= budget.limits.max_attachments:
            raise EmailRefused(f"{shown} has more than {budget.limits.max_attachments} attachments. Ask the sender "
                               "to send the request letter and its enclosures in fewer files (a PDF or a ZIP).")
        fallback = f"forwarded-message-{position}.msg" if media_type == "application/vnd.ms-outlook" \
            else f"attachment-{position}"
        try:
            name, changed = safe_name(_raw_name(attachment) or fallback, position, budget.names)
        except NameRefused as refusal:
            raise EmailRefused(f"{shown} refused: {refusal}. Ask the sender to send it again with plain file "
                               "names.") from refusal
        renamed += changed
        found.append(MailDocument(name, _typed(name, media_type, content), content))
    return tuple(found), renamed


def _content(attachment: Any) -> tuple[bytes | None, str]:
    if attachment.type is AttachmentType.MSG:
        # Kept as its own .msg, rebuilt in memory (exportBytes: an OLE writer into a bytes buffer, not a file).
        return attachment.data.exportBytes(), "application/vnd.ms-outlook"
    if attachment.type is AttachmentType.SIGNED_EMBEDDED:  # a .msg inside an S/MIME message: its bytes as sent
        return attachment.asBytes(), "application/vnd.ms-outlook"
    data = attachment.data
    return (data, _declared_type(attachment)) if isinstance(data, bytes) else (None, "")


def _raw_name(attachment: Any) -> str:
    """PR_ATTACH_LONG_FILENAME, else the short one, else PR_DISPLAY_NAME; an S/MIME part's reported name."""
    if attachment.type is AttachmentType.MSG:
        title = attachment.displayName or ""
        return f"{title}.msg" if title and not title.lower().endswith(".msg") else title
    return str(getattr(attachment, "longFilename", None) or getattr(attachment, "shortFilename", None)
               or getattr(attachment, "displayName", None) or "")


def _declared_type(attachment: Any) -> str:
    """PR_ATTACH_MIME_TAG; an attachment of an S/MIME message has the type its MIME part declared."""
    if hasattr(attachment, "getStringStream"):
        return str(attachment.getStringStream("__substg1.0_370E") or "").strip().lower()
    return str(getattr(attachment, "mimetype", "") or "").strip().lower()


def _typed(name: str, declared: str, content: bytes) -> str:
    """PR_ATTACH_MIME_TAG when the sender's client wrote one; else from the name, else from the bytes."""
    if declared and "/" in declared and " " not in declared:
        return declared
    return mimetypes.guess_type(name, strict=False)[0] or sniff(content) or "application/octet-stream"
