"""How the accounting words a request's facts, and the notice templates it fills (resources/templates/)."""

from __future__ import annotations

import string
from collections.abc import Mapping
from functools import cache

from desktop.documents import agreement_name, country_name
from desktop.paths import resource_path
from desktop.requests.model import AuthorityKind, Basis, Channel, OfficialPosition, Purpose, Request
from desktop.store.errors import StoreError


class AccountingError(StoreError):
    """An accounting action that cannot be done; `str(error)` says why and what to do."""


_BASES = {
    Basis.CMAA: "Customs mutual assistance agreement (§7.3.2)",
    Basis.MLAT: "Mutual legal assistance treaty, through DOJ OIA (§7.3.2.1)",
    Basis.USMCA: "USMCA (§7.3.2.2)",
    Basis.OTHER_AGREEMENT: "Agreement (§7.3.2.3)",
}

_PURPOSES = {
    Purpose.CUSTOMS_LAW_COMPLIANCE: "Ensuring compliance with customs laws (§8.1.2.1)",
    Purpose.AGREEMENT_ADMINISTRATION: "Administering an international agreement (§8.1.2.2)",
    Purpose.US_PROCEEDING: "A U.S. proceeding or investigation (§8.1.2.3)",
    Purpose.COMPARABLE_FOREIGN_ACTION: "A comparable foreign investigation or proceeding (§8.1.2.4)",
    Purpose.OTHER: "Other",
}


def purpose_text(request: Request) -> str:
    """552a(c)(1): the purpose of the disclosure, as the request states it."""
    label = _PURPOSES.get(request.purpose, "(purpose not recorded)") if request.purpose else "(purpose not recorded)"
    reason = " ".join(request.reason.split())
    return f"{label}: {reason}" if reason else label


def recipient(request: Request) -> tuple[str, str]:
    """552a(c)(1): the name and address of the person or agency to whom the disclosure is made."""
    authority = request.requesting_authority
    name = " ".join(authority.name.split()) if authority else ""
    requester = request.requester
    if requester and requester.name.strip():
        attention = ", ".join(p.strip() for p in (requester.name, requester.title) if p.strip())
        name = f"{name} (attn. {attention})" if name else attention
    address = " ".join(authority.address.split()) if authority else ""
    if authority and authority.country and country_name(authority.country) not in address:
        address = f"{address}, {country_name(authority.country)}" if address else country_name(authority.country)
    if request.deliver_to.strip():
        address = f"{address}; delivered to {request.deliver_to.strip()}" if address else request.deliver_to.strip()
    return name or "(recipient not recorded)", address or "(address not recorded)"


def authority_text(request: Request) -> str:
    """The authority for the disclosure: the agreement, or 19 U.S.C. 1628; with the routine use where recorded."""
    if request.basis is Basis.AD_HOC_1628:
        parts = ["19 U.S.C. 1628 (§7.3.1)"]
    else:
        parts = [f"{_BASES[request.basis]}: {agreement_name(request)}"]
    if request.routine_use and request.routine_use.strip():
        parts.append(f"routine use {request.routine_use.strip()}")
    if request.sorn and request.sorn.strip():
        parts.append(f"SORN {request.sorn.strip()}")
    return "; ".join(parts)


def official_text(request: Request) -> str:
    official = request.disclosing_official
    if not official or not official.name.strip():
        return "(not recorded)"
    details = [] if official.position is OfficialPosition.OTHER else [official.position.value.replace("_", " ")]
    if official.grade:
        details.append(f"GS-{official.grade}")
    return f"{official.name.strip()} ({', '.join(details)})" if details else official.name.strip()


def b7_request(request: Request) -> bool:
    """552a(b)(7): a written request from a law-enforcement agency for a law-enforcement activity.

    Such a disclosure is accounted for but left out of the individual's copy (552a(c)(3)). A request from an
    authority registered as law enforcement, made in writing (or reduced to writing), counts; the user can correct
    the entry when that is wrong.
    """
    authority = request.requesting_authority
    in_writing = request.channel is not Channel.ORAL or request.reduced_to_writing_on is not None
    return bool(authority and authority.kind is AuthorityKind.LAW_ENFORCEMENT and in_writing)


@cache
def _template(name: str) -> string.Template:
    path = resource_path("templates", name)
    try:
        text = path.read_text("utf-8")
    except OSError as error:
        raise AccountingError(f"The template {path} cannot be read ({error.strerror}); reinstall Disclosure Desk."
                              ) from error
    kept = [line.rstrip() for line in text.splitlines() if not line.startswith("#")]
    return string.Template("\n".join(kept).strip("\n") + "\n")


def fill(name: str, values: Mapping[str, str]) -> str:
    """A template from resources/templates/ with every placeholder filled."""
    try:
        return _template(name).substitute(values)
    except KeyError as error:
        raise AccountingError(f"templates/{name} uses the placeholder ${error.args[0]}, which Disclosure Desk does "
                              "not fill; see resources/templates/README.md.") from error
