"""A request taken in from the e-mail that carried it (issue 14): an Outlook `.msg` or an `.eml`.

The message and its attachments are kept encrypted as the request's original documents (§8.1.1: the request is in
writing, and a copy is kept, §10.2.1), and a draft request is prefilled from what the message says (draft.py).
One user action, one transaction: the request, its documents and the audit entry are stored together, or, when
the message is refused (model.EmailRefused says why and what to do), nothing is.

Nothing of the message is written to disk in plaintext or logged: it is read into memory once, parsed there, and
stored in the encrypted database; the log gets counts and the format only.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import tzinfo
from pathlib import Path
from typing import Any

from desktop.jobs import JobControl
from desktop.requests.email_intake.draft import Draft, draft_request
from desktop.requests.email_intake.eml import OLE_MAGIC, parse_eml
from desktop.requests.email_intake.model import MB, EmailLimits, EmailRefused, MailDocument, ParsedMail
from desktop.requests.email_intake.names import NameRefused, safe_name
from desktop.store.repository import NewDocument, Repository

# Settings that change the limits, as records_max_mb does for records (desktop/records/store.py).
LIMIT_SETTINGS = {"email_max_mb": "max_message_bytes", "email_max_attachment_mb": "max_attachment_bytes",
                  "email_max_attachments": "max_attachments"}
DOCUMENT_KIND = "original_request"  # §8.1.1: the message is the written request; its attachments are part of it
MEDIA_TYPES = {"eml": "message/rfc822", "msg": "application/vnd.ms-outlook"}
SUFFIXES = (".eml", ".msg")
_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Intake:
    request_id: int
    reference: str
    format: str
    filled: tuple[str, ...]
    not_filled: dict[str, str]
    documents: tuple[MailDocument, ...] = field(repr=False)
    renamed: int
    outcome: str | None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.request_id, "reference": self.reference, "format": self.format, "outcome": self.outcome,
            "filled": list(self.filled), "not_filled": self.not_filled, "renamed_attachments": self.renamed,
            "documents": [{"filename": d.filename, "media_type": d.media_type, "size": len(d.content)}
                          for d in self.documents],
        }


def limits(repo: Repository) -> EmailLimits:
    """The post's intake limits; the defaults unless its settings say otherwise."""
    values = repo.settings()
    changed: dict[str, int] = {}
    for key, name in LIMIT_SETTINGS.items():
        given = values.get(key, "").strip()
        if given.isdigit() and int(given) > 0:
            changed[name] = int(given) * (MB if name.endswith("_bytes") else 1)
    return EmailLimits(**changed)


def read_message_file(path: Path, checked: EmailLimits) -> bytes:
    """The file's bytes, refused by its size before a byte of it is read."""
    try:
        size = path.stat().st_size
        if size > checked.max_message_bytes:
            raise EmailRefused(_too_big(path.name, size, checked))
        return path.read_bytes()
    except OSError as error:
        raise EmailRefused(f"{path.name} cannot be read ({error.strerror}); check that it is still there and that "
                           "you may open it, then take it in again.") from error


def parse_message(shown: str, data: bytes, checked: EmailLimits) -> ParsedMail:
    """Reads a message from memory; the format is told by the bytes (an OLE compound file is a .msg)."""
    if not data:
        raise EmailRefused(f"{shown} is empty (0 bytes). Save the message again from the mail program and take "
                           "that in.")
    if len(data) > checked.max_message_bytes:
        raise EmailRefused(_too_big(shown, len(data), checked))
    if data.startswith(OLE_MAGIC) or shown.lower().endswith(".msg"):
        from desktop.requests.email_intake.msg import parse_msg  # extract-msg is loaded only for a .msg

        return parse_msg(shown, data, checked)
    from desktop.requests.email_intake.msg import check_nested_msg

    return parse_eml(shown, data, checked, nested_msg=check_nested_msg)


def take_in(repo: Repository, shown: str, data: bytes, zone: tzinfo | None = None,
            control: JobControl | None = None) -> Intake:
    """Parses, prefills and stores in one transaction: a new request with the message and its attachments."""
    control = control or JobControl()
    control.step(0, 3, "Reading the message")
    mail = parse_message(shown, data, limits(repo))
    control.step(1, 3, "Prefilling the request")
    draft = draft_request(repo, mail, zone)
    documents = (_message_document(shown, mail, data), *mail.attachments)
    control.step(2, 3, "Storing the message encrypted")
    request_id = repo.add_request(draft.request, source=f"email.{mail.format}", documents=[
        NewDocument(DOCUMENT_KIND, d.filename, d.media_type, d.content) for d in documents])
    stored = repo.get_request(request_id)
    _log.info("email intake: %s, %d attachment(s), %d field(s) filled", mail.format, len(mail.attachments),
              len(draft.filled))
    control.progress(3, 3, "Request taken in")
    return _intake(request_id, stored.request.reference, mail, draft, documents, stored.outcome)


def take_in_file(repo: Repository, path: Path, zone: tzinfo | None = None,
                 control: JobControl | None = None) -> Intake:
    return take_in(repo, path.name, read_message_file(path, limits(repo)), zone, control)


def _message_document(shown: str, mail: ParsedMail, data: bytes) -> MailDocument:
    suffix = f".{mail.format}"
    try:
        name = safe_name(shown, 0, set())[0]
    except NameRefused:
        name = f"message{suffix}"
    if not name.lower().endswith(suffix):
        name += suffix
    return MailDocument(name, MEDIA_TYPES[mail.format], data)


def _intake(request_id: int, reference: str, mail: ParsedMail, draft: Draft, documents: tuple[MailDocument, ...],
            outcome: str | None) -> Intake:
    return Intake(request_id, reference, mail.format, draft.filled, draft.not_filled, documents, mail.renamed,
                  outcome)


def _too_big(shown: str, size: int, checked: EmailLimits) -> str:
    return (f"{shown} is {size:,} bytes, over the {checked.max_message_bytes:,}-byte limit for a message (the "
            "setting email_max_mb). Ask the sender for the request letter without its large enclosures.")


__all__ = ["EmailLimits", "EmailRefused", "Intake", "ParsedMail", "SUFFIXES", "limits", "parse_message",
           "read_message_file", "take_in", "take_in_file"]
