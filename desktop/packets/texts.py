"""The words of a packet: cover letter (App. A), coversheet, and markings (App. B), from editable templates.

Templates are text files under `resources/templates/` and `resources/markings/` (see the README there): lines that
start with '#' are comments, `$name` placeholders are filled from the request, the post's settings and the
disclosing official with `string.Template`, paragraphs are separated by blank lines, and a paragraph left empty
(an optional one that does not apply) is dropped. Nothing here knows about PDF; layout.py draws the blocks.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Literal

from desktop.documents.wording import agreement_name as agreement_name  # shared with the accounting
from desktop.documents.wording import country_name as country_name
from desktop.documents.wording import long_date as long_date
from desktop.packets.model import PacketError, PacketSettings, bates_label
from desktop.paths import resource_path
from desktop.requests.model import Basis, DataCategory, Purpose, Request

USMCA_CHAPTERS = frozenset({2, 4, 5})  # App. A, USMCA letter; §7.3.2.2
USMCA_COUNTRIES = frozenset({"CA", "MX"})
_LETTERS = {
    Basis.AD_HOC_1628: "letter_ad_hoc_1628.txt",
    Basis.USMCA: "letter_usmca.txt",
    Basis.MLAT: "letter_mlat.txt",
    Basis.CMAA: "letter_cmaa.txt",
    Basis.OTHER_AGREEMENT: "letter_other_agreement.txt",
}
DOJ_OIA = "Office of International Affairs\nCriminal Division\nU.S. Department of Justice\nWashington, DC"

BlockKind = Literal["title", "notice", "text"]


@dataclass(frozen=True)
class Block:
    kind: BlockKind
    text: str  # plain text; '\n' is a line break inside the paragraph


@dataclass(frozen=True)
class RecordEntry:
    title: str
    pages: int


@dataclass(frozen=True)
class Contents:
    """What the packet encloses, as the letter and coversheet describe it (App. A: pages, records, Bates range)."""

    records: tuple[RecordEntry, ...]
    bates_prefix: str
    bates_first: int
    bates_last: int
    redacted: bool
    pii: bool

    @property
    def pages(self) -> int:
        return sum(r.pages for r in self.records)

    @property
    def bates_range(self) -> str:
        first, last = bates_label(self.bates_prefix, self.bates_first), bates_label(self.bates_prefix, self.bates_last)
        return f"{first} through {last}"


@dataclass(frozen=True)
class Markings:
    """What goes on every record page (§8.1.4, §9.2, App. B, fn 28) and the packet's handling banner."""

    banner: str  # handling line on the coversheet and letter: FOUO, or FOUO - LES (§9.2)
    head: str | None  # the LES line at the head of every record page, when LES (§9.2)
    foot: str  # App. B sample 1 or 2
    lead: str | None  # fn 28 restriction, when LES is given as a lead


# Templates -----------------------------------------------------------------------------------------------------


@cache
def _template(folder: str, name: str) -> string.Template:
    path = resource_path(folder, name)
    try:
        text = path.read_text("utf-8")
    except OSError as error:
        raise PacketError(f"The template {path} cannot be read ({error.strerror}); reinstall Disclosure Desk."
                          ) from error
    kept = [line.rstrip() for line in text.splitlines() if not line.startswith("#")]
    return string.Template("\n".join(kept).strip("\n"))


def fill(folder: str, name: str, values: Mapping[str, str]) -> str:
    """The template with every placeholder filled; PacketError names the file and the unknown placeholder."""
    try:
        return _template(folder, name).substitute(values)
    except KeyError as error:
        raise PacketError(f"{folder}/{name} uses the placeholder ${error.args[0]}, which is not one Disclosure Desk "
                          "fills; see resources/templates/README.md.") from error
    except ValueError as error:
        raise PacketError(f"{folder}/{name}: {error}; write a literal dollar sign as $$.") from error


def blocks(text: str) -> list[Block]:
    out: list[Block] = []
    for paragraph in re.split(r"\n[ \t]*\n", text):
        paragraph = paragraph.strip()
        if paragraph.startswith("= "):
            out.append(Block("title", paragraph[2:].strip()))
        elif paragraph.startswith("! "):
            out.append(Block("notice", paragraph[2:].strip()))
        elif paragraph:
            out.append(Block("text", paragraph))
    return out


# Facts, as the letters word them --------------------------------------------------------------------------------


def is_les(request: Request) -> bool:
    """§9.2: LES and intelligence information carry the FOUO - LES marking."""
    return request.has_category(DataCategory.LES) or request.has_category(DataCategory.INTELLIGENCE_PRODUCT)


def is_lead(request: Request, settings: PacketSettings) -> bool:
    """fn 28: LES given to be used as a lead. Unless the user said, LES for an investigation (not a proceeding)."""
    if not is_les(request):
        return False
    if settings.les_as_lead is not None:
        return settings.les_as_lead
    return not request.foreign_judicial_proceeding and request.purpose is not Purpose.US_PROCEEDING


def usmca_chapters_apply(request: Request) -> bool:
    """App. A: information for a government agency of a USMCA country, implementing USMCA chapters 2, 4 or 5."""
    return request.country.upper() in USMCA_COUNTRIES and bool(USMCA_CHAPTERS & set(request.usmca_chapters))


def basis_text(request: Request) -> str:
    if request.basis is Basis.AD_HOC_1628:
        return "19 U.S.C. 1628 (disclosure without an agreement, §7.3.1)"
    if request.basis is Basis.MLAT:
        return f"the {agreement_name(request)}, through the U.S. Department of Justice, Office of International Affairs"
    return f"the {agreement_name(request)}"


def _sentence(text: str) -> str:
    """A request's free text inside a letter sentence: one line, no closing period (the template has it)."""
    return " ".join(text.split()).rstrip(".") or "(not recorded)"


def office_line(settings: PacketSettings) -> str:
    post = settings.post_name.strip()
    return f"CBP Attaché Office, {post}" if post else "U.S. Customs and Border Protection"


def _official(request: Request) -> str:
    official = request.disclosing_official
    return official.name.strip() if official and official.name.strip() else "(authorized disclosing official)"


def _addressee(request: Request) -> str:
    requester, authority = request.requester, request.requesting_authority
    lines = [requester.name, requester.title] if requester else []
    lines += [authority.name, authority.address] if authority else []
    kept = [" ".join(line.split()) for line in lines if line.strip()]
    return "\n".join(kept) or "(addressee not recorded)"


def _doj_addressee(settings: PacketSettings) -> str:
    contact = settings.doj_contact.strip()
    return f"{contact}\n{DOJ_OIA}" if contact else DOJ_OIA


def _business_owner(request: Request, settings: PacketSettings) -> str:
    if settings.business_owner.strip():
        return settings.business_owner.strip()
    system = request.source_system.strip()
    return f"Business owner of the {system} records" if system else "Business owner(s) of the requested information"


def _pages(count: int) -> str:
    return f"{count} page" if count == 1 else f"{count} pages"


def describe_contents(contents: Contents) -> str:
    """App. A: "[NUMBER OF PAGES AND DESCRIPTION OF RECORDS; REFERENCE BATES STAMP NUMBERING]"."""
    items = "; ".join(f"{r.title} ({_pages(r.pages)})" for r in contents.records)
    return f"{_pages(contents.pages)} of records: {items}, Bates-numbered {contents.bates_range}."


def recipients(request: Request) -> str:
    """App. B "[INSERT AGENCY(S) OR OFFICIALS]": whom the records may be shared with."""
    authority = request.authority_name.strip() or "the requesting authority"
    if request.basis is Basis.MLAT:
        return f"the U.S. Department of Justice, Office of International Affairs, and {authority}"
    return authority


def request_description(request: Request) -> str:
    """App. B sample 1 "[describe request]", with the purpose the request states (§9.2)."""
    authority = request.authority_name.strip() or "the requesting authority"
    said = f"the request of {authority} dated {long_date(request.received_on)}"
    if request.reference:
        said += f" (CBP reference {request.reference})"
    reason = " ".join(request.reason.split()).rstrip(".")
    return f"{said}: {reason}" if reason else said


def values(request: Request, settings: PacketSettings, contents: Contents) -> dict[str, str]:
    """Every placeholder the letters and the coversheet may use (resources/templates/README.md)."""
    authority = request.authority_name.strip() or "the requesting authority"
    common = {
        "date": long_date(settings.date),
        "reference": request.reference or "(no reference)",
        "request_date": long_date(request.received_on),
        "authority": authority,
        "country": country_name(request.country),
        "operation": _sentence(request.reason),
        "agreement": agreement_name(request),
        "basis_text": basis_text(request),
        "post": settings.post_name.strip(),
        "office": office_line(settings),
        "official": _official(request),
        "addressee": _addressee(request),
        "doj_addressee": _doj_addressee(settings),
        "business_owner": _business_owner(request, settings),
        "contents": describe_contents(contents),
        "pages": str(contents.pages),
        "bates_range": contents.bates_range,
    }
    common["point_of_contact"] = f"{common['official']}, {common['office']}"
    common["signature"] = f"{common['official']}\n{common['office']}\nU.S. Customs and Border Protection"
    common["assurances"] = fill("templates", "assurances.txt", common)
    common["redaction_paragraph"] = fill("templates", "paragraph_redactions.txt", common) if contents.redacted else ""
    usmca = "paragraph_usmca_chapters.txt" if usmca_chapters_apply(request) else "paragraph_usmca_other_cases.txt"
    common["usmca_assurance"] = fill("templates", usmca, common)
    common["record_summary"] = _record_summary(contents)
    common["pii_notice"] = fill("templates", "pii_notice.txt", common) if contents.pii else ""
    return common


def _record_summary(contents: Contents) -> str:
    count = len(contents.records)
    records = f"{count} record" if count == 1 else f"{count} records"
    redacted = "; redacted under §9.1 where shown" if contents.redacted else ""
    return f"{records}, {_pages(contents.pages)}, Bates-numbered {contents.bates_range}{redacted}."


# What the packet says ------------------------------------------------------------------------------------------


def letter_blocks(request: Request, settings: PacketSettings, contents: Contents) -> list[Block]:
    """The App. A cover letter for the request's basis (§10.1, fn 30)."""
    return blocks(fill("templates", _LETTERS[request.basis], values(request, settings, contents)))


def coversheet_blocks(request: Request, settings: PacketSettings, contents: Contents) -> list[Block]:
    return blocks(fill("templates", "coversheet.txt", values(request, settings, contents)))


def _line(folder: str, name: str, index: int = 0) -> str:
    lines = [line for line in fill(folder, name, {}).splitlines() if line.strip()]
    return lines[index].strip()


def markings(request: Request, settings: PacketSettings) -> Markings:
    les = is_les(request)
    marking_values = {
        "handling": _line("markings", "handling_labels.txt", 0 if les else 1),
        "request_description": request_description(request),
        "recipients": recipients(request),
        "agreement": agreement_name(request),
    }
    # App. B: sample 2 names the agreement under which CBP shares; sample 1 when there is none (1628, §7.3.1).
    sample = "sample1_no_agreement.txt" if request.basis is Basis.AD_HOC_1628 else "sample2_agreement.txt"
    foot = " ".join(fill("markings", sample, marking_values).split())
    lead = " ".join(fill("markings", "lead_restriction.txt", {}).split()) if is_lead(request, settings) else None
    les_line = _line("markings", "les_line.txt")
    return Markings(banner=les_line if les else _line("markings", "fouo_line.txt"),
                    head=les_line if les else None, foot=foot, lead=lead)


def contents_for(titles: Sequence[tuple[str, int]], settings: PacketSettings, bates_first: int, redacted: bool,
                 pii: bool) -> Contents:
    entries = tuple(RecordEntry(title.strip() or f"Record {i}", pages) for i, (title, pages) in enumerate(titles, 1))
    last = bates_first + sum(pages for _, pages in titles) - 1
    return Contents(entries, settings.bates_prefix, bates_first, last, redacted, pii)
