"""A draft request from a read message (issue 14): only what the message and the post's registries say.

Prefilled: the requester (the sender's name and address), the received date (the message's Date, as a date where
the post is), the authority when the sender's domain is an official domain registered for exactly one authority,
the channel "official e-mail" only then (fn 25: "an email from an official agency address"), and the subject
and body as the information requested, for the user to edit. Everything else stays empty for the checklist to
ask for; `not_filled` says why each of these was left empty.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, tzinfo

from desktop.requests.email_intake.model import ParsedMail
from desktop.requests.model import Channel, Request, Requester, RequestingAuthority
from desktop.store.registries import Authority, authority_by_domain
from desktop.store.repository import Repository


@dataclass(frozen=True)
class Draft:
    request: Request
    filled: tuple[str, ...]  # form field keys (desktop/requests/form.py)
    not_filled: dict[str, str]  # field key -> why it is empty and what to do


def draft_request(repo: Repository, mail: ParsedMail, zone: tzinfo | None = None) -> Draft:
    """`zone` is the post's time zone; None is this computer's, which is at the post."""
    filled: list[str] = []
    missing: dict[str, str] = {}
    requester = _requester(mail, filled, missing)
    received = _received(mail, zone, filled, missing)
    authority = _authority(repo, mail, filled, missing)
    channel = Channel.OFFICIAL_EMAIL if authority else None
    if channel:
        filled.append("channel")
    else:
        missing["channel"] = ("the sender's address is not at an official domain of a registered authority, so "
                              "this is not yet a written request by official e-mail (fn 25); record how the request "
                              "came, or ask for it on letterhead or from an official address")
    information = "\n\n".join(part for part in (mail.subject, mail.body) if part)
    if information:
        filled.append("information_requested")
    else:
        missing["information_requested"] = "the message has neither a subject nor a body; write what is asked for"
    request = Request(received_on=received, channel=channel, requester=requester, requesting_authority=authority,
                      information_requested=information)
    return Draft(request, tuple(filled), missing)


def _requester(mail: ParsedMail, filled: list[str], missing: dict[str, str]) -> Requester | None:
    for key, value, why in (("requester.name", mail.sender_name, "the message's From: gives no name"),
                            ("requester.email", mail.sender_address, "the message's From: gives no one address")):
        if value:
            filled.append(key)
        else:
            missing[key] = why
    return Requester(name=mail.sender_name, email=mail.sender_address) if mail.sender_address or mail.sender_name \
        else None


def _received(mail: ParsedMail, zone: tzinfo | None, filled: list[str], missing: dict[str, str]) -> date | None:
    if mail.sent_at is None:
        missing["received_on"] = "the message has no readable Date; enter the day the request was received"
        return None
    filled.append("received_on")
    return mail.sent_at.astimezone(zone).date()


def _authority(repo: Repository, mail: ParsedMail, filled: list[str],
               missing: dict[str, str]) -> RequestingAuthority | None:
    domain = mail.sender_domain
    match = authority_by_domain(repo, domain) if domain else None
    if match is None or match.authority is None:
        several = match is not None and match.candidates > 1
        missing["requesting_authority.name"] = (
            f"{domain} is an official domain of {match.candidates if match else 0} registered authorities; choose "
            "the one that asks" if several else
            f"no registered authority has {domain or 'the sender’s domain'} as an official e-mail domain; choose "
            "the authority, and add its official domain under Post → Registries… if this is one (fn 25)")
        return None
    filled.append("requesting_authority.name")
    return _as_requesting(match.authority)


def _as_requesting(entry: Authority) -> RequestingAuthority:
    return RequestingAuthority(name=entry.name, country=entry.country, kind=entry.kind, address=entry.address,
                               violated_assurances=entry.violated_assurances)
