"""The request form: every interchange field, grouped as the directive's checklist groups them (SPEC C1, C2).

The window builds its editor from `GROUPS` and the checklist uses `target_of` to take the user from a finding to
the field or coordination record that resolves it. Form values are plain JSON values keyed by the interchange's
dotted paths ("" for a date or choice not given), so a draft stores them as they are and the strict interchange
parser turns them into a `Request` — the form cannot make a request the JSON could not carry.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from desktop.requests.interchange import FORMAT, parse_request, request_to_dict
from desktop.requests.model import (
    COORDINATION_ITEMS,
    AdvanceCargoUse,
    AuthorityKind,
    Basis,
    Channel,
    DataCategory,
    InitiatedBy,
    OfficialPosition,
    Purpose,
    Request,
    SubjectStatus,
)


class Kind(StrEnum):
    LINE = "line"
    TEXT = "text"
    DATE = "date"
    BOOL = "bool"
    TRISTATE = "tristate"  # not stated / yes / no
    CHOICE = "choice"
    MULTI = "multi"
    CHAPTERS = "chapters"
    GRADE = "grade"
    COUNTRY = "country"
    SUBJECTS = "subjects"


@dataclass(frozen=True)
class FieldSpec:
    path: str  # dotted interchange path; "third_agency" alone is the "another agency's information" switch
    label: str
    kind: Kind
    section: str
    hint: str = ""
    choices: tuple[tuple[str, str], ...] = ()  # (value, what the user reads)


@dataclass(frozen=True)
class Group:
    key: str
    title: str
    fields: tuple[FieldSpec, ...]


def _choices(names: dict[str, str]) -> tuple[tuple[str, str], ...]:
    return tuple(names.items())


CHANNELS = _choices({
    Channel.LETTERHEAD_MEMO: "Memorandum on letterhead",
    Channel.OFFICIAL_EMAIL: "E-mail from an official account",
    Channel.ORAL: "Oral (telephone or in person)",
})
AUTHORITY_KINDS = _choices({
    AuthorityKind.CUSTOMS: "Customs administration",
    AuthorityKind.LAW_ENFORCEMENT: "Law enforcement",
    AuthorityKind.OTHER_GOVERNMENT: "Other government authority",
    AuthorityKind.MULTILATERAL: "Multilateral organization",
})
PURPOSES = _choices({
    Purpose.CUSTOMS_LAW_COMPLIANCE: "Ensure compliance with customs laws they administer (§8.1.2.1)",
    Purpose.AGREEMENT_ADMINISTRATION: "Administer or enforce an agreement with the U.S. (§8.1.2.2)",
    Purpose.US_PROCEEDING: "Assist a U.S. investigation or proceeding (§8.1.2.3)",
    Purpose.COMPARABLE_FOREIGN_ACTION: "Comparable foreign investigation or proceeding (§8.1.2.4)",
    Purpose.OTHER: "Another purpose",
})
BASES = _choices({
    Basis.AD_HOC_1628: "Ad hoc, 19 U.S.C. 1628 (§7.3.1)",
    Basis.CMAA: "Customs mutual assistance agreement (§7.3.2)",
    Basis.MLAT: "Mutual legal assistance treaty (§7.3.2.1)",
    Basis.USMCA: "USMCA (§7.3.2.2)",
    Basis.OTHER_AGREEMENT: "Another agreement (§7.3.2.3)",
})
SUBJECT_STATUSES = _choices({
    SubjectStatus.US_CITIZEN: "U.S. citizen",
    SubjectStatus.LPR: "Lawful permanent resident",
    SubjectStatus.JRA_COVERED: "Covered by the Judicial Redress Act",
    SubjectStatus.OTHER: "Other",
})
CATEGORIES = _choices({
    DataCategory.TRAVEL: "Travel and crossing records",
    DataCategory.TRADE: "Trade and entry records",
    DataCategory.CASE_FILE: "Case file",
    DataCategory.PNR: "Passenger name records (§3.6)",
    DataCategory.ATS: "Automated Targeting System (§7.2.3)",
    DataCategory.PROTECTED_CLASS: "T/U visa or VAWA information (§7.2.3.1)",
    DataCategory.ASYLUM: "Asylum, credible or reasonable fear (§7.2.3)",
    DataCategory.ADVANCE_CARGO: "Advance cargo information (§7.2.3.2)",
    DataCategory.DEVICE_SEARCH: "Border search of electronic devices (§7.2.3)",
    DataCategory.THIRD_AGENCY: "Another agency's information (§7.2.4)",
    DataCategory.INTELLIGENCE_PRODUCT: "Intelligence product (§9.2.2)",
    DataCategory.LES: "Law enforcement sensitive (§9.2)",
    DataCategory.BUSINESS_CONFIDENTIAL: "Business confidential (§7.2.2)",
})
CARGO_USES = _choices({
    AdvanceCargoUse.SECURITY: "Security screening",
    AdvanceCargoUse.COMMERCIAL_ENFORCEMENT: "Commercial enforcement: duties, taxes, entry",
})
POSITIONS = _choices({
    OfficialPosition.DEPUTY_COMMISSIONER: "Deputy Commissioner",
    OfficialPosition.CHIEF_USBP: "Chief, U.S. Border Patrol",
    OfficialPosition.EAC_OFO: "EAC, Office of Field Operations",
    OfficialPosition.EAC_AMO: "EAC, Air and Marine Operations",
    OfficialPosition.EAC_TRADE: "EAC, Office of Trade",
    OfficialPosition.EAC_ES: "EAC, Enterprise Services",
    OfficialPosition.EAC_OS: "EAC, Operations Support",
    OfficialPosition.AC_OIA: "AC, Office of International Affairs",
    OfficialPosition.AC_OI: "AC, Office of Intelligence",
    OfficialPosition.AC_OPR: "AC, Office of Professional Responsibility",
    OfficialPosition.AC_LSS: "AC, Laboratories and Scientific Services",
    OfficialPosition.PRINCIPAL_FIELD_OFFICIAL: "Principal field official (fn 22)",
    OfficialPosition.FURTHER_DELEGATE: "Further delegate in writing (fn 22)",
    OfficialPosition.OTHER: "Other",
})
INITIATED = _choices({
    InitiatedBy.FOREIGN_AUTHORITY: "A foreign authority asked",
    InitiatedBy.CBP: "CBP offers it on its own initiative (§7.3.3)",
})
CHAPTERS = ((2, "2 — National treatment and market access"), (4, "4 — Rules of origin"),
            (5, "5 — Origin procedures"), (6, "6 — Textiles"), (7, "7 — Customs administration"))

COORDINATION_LABELS: dict[str, tuple[str, str]] = {
    "privacy_office": ("CBP Privacy Office", "§6.1.2"),
    "occ": ("Office of Chief Counsel", "§6.1.5.2"),
    "oia_deconfliction": ("OIA deconfliction (LES)", "§9.2.1"),
    "fdo": ("Office of Intelligence, Foreign Disclosure Office", "§9.2.2"),
    "record_owner": ("Record owner (source system)", "§8.1.3"),
    "attache_notified": ("Attaché notified (USMCA)", "§7.3.2.2.1-2"),
    "pnr_requirements_confirmed": ("PNR directive / ATS memorandum requirements", "§3.6, §7.2.3"),
    "device_search_requirements_confirmed": ("Device search requirements", "§7.2.3, fn 17"),
    "trade_secrets_review": ("Trade Secrets Act review", "§7.2.2"),
}
assert set(COORDINATION_LABELS) == set(COORDINATION_ITEMS)


def _f(path: str, label: str, kind: Kind, section: str, hint: str = "",
       choices: tuple[tuple[Any, str], ...] = ()) -> FieldSpec:
    return FieldSpec(path, label, kind, section, hint, tuple((str(v), t) for v, t in choices))


GROUPS: tuple[Group, ...] = (
    Group("applicability", "Step 1 — Does the directive apply?", (
        _f("initiated_by", "Who starts the disclosure", Kind.CHOICE, "§7.3.3", choices=INITIATED),
        _f("classified", "Classified national security information is involved", Kind.BOOL, "§2, fn 2"),
        _f("foreign_proceeding_demand", "A demand (e.g. subpoena) for a foreign proceeding the U.S. is not party to",
           Kind.BOOL, "§2"),
    )),
    Group("request", "Step 2 — The request", (
        _f("reference", "Reference", Kind.LINE, "", "left empty, the post's next number is given"),
        _f("received_on", "Received on", Kind.DATE, "§8.1.1"),
        _f("channel", "How it came", Kind.CHOICE, "§8.1.1, fn 25", choices=CHANNELS),
        _f("exigent", "Exigent circumstances", Kind.BOOL, "§8.1.1.2"),
        _f("reduced_to_writing_on", "Written request received (or oral request reduced to writing) on",
           Kind.DATE, "§8.1.1, §8.1.1.2"),
        _f("requesting_authority.name", "Requesting authority", Kind.LINE, "§8.1.1.1", "agency or entity"),
        _f("requesting_authority.country", "Country", Kind.COUNTRY, "§8.1.1.1", "two letters, e.g. CA, MX"),
        _f("requesting_authority.kind", "Kind of authority", Kind.CHOICE, "§8.1.1.1", choices=AUTHORITY_KINDS),
        _f("requesting_authority.address", "Authority's address", Kind.TEXT, "§10.2"),
        _f("requesting_authority.violated_assurances", "This authority has violated the §10.1 assurances",
           Kind.BOOL, "§7.3.1.2"),
        _f("requester.name", "Requester's name", Kind.LINE, "§8.1.1.1"),
        _f("requester.title", "Requester's title", Kind.LINE, "§8.1.1.1"),
        _f("requester.email", "Requester's e-mail", Kind.LINE, "§8.1.1.1"),
        _f("information_requested", "Information requested", Kind.TEXT, "§8.1.1.1", "the specific information"),
        _f("subjects", "Individuals the request concerns", Kind.SUBJECTS, "§6.1.2.1, §10.2"),
        _f("reason", "Reason for the request", Kind.TEXT, "§8.1.1.1",
           "why, and how it supports their official duties"),
        _f("purpose", "Purpose", Kind.CHOICE, "§8.1.2", choices=PURPOSES),
        _f("private_party_matter", "On behalf of a private party for a civil, administrative or private matter",
           Kind.BOOL, "§7.2.1"),
        _f("required_by_agreement", "An international agreement requires the disclosure", Kind.BOOL, "§7.2.1"),
        _f("foreign_judicial_proceeding", "For use in a foreign judicial proceeding", Kind.BOOL, "§6.1.5.2"),
        _f("onward_disclosure.expected", "They expect to disclose it further", Kind.TRISTATE, "§8.1.1.1, §8.1.5"),
        _f("onward_disclosure.details", "To whom and why", Kind.TEXT, "§8.1.1.1, §8.1.5"),
        _f("deliver_to", "Deliver to", Kind.LINE, "§8.1.1.1", "where the information should be sent"),
        _f("certification_required", "They need the records certified", Kind.TRISTATE, "§8.1.1.1"),
        _f("needed_by", "Needed by", Kind.DATE, "§8.1.1.1"),
    )),
    Group("authority", "Step 2 — Their authority and ours", (
        _f("recipient_legal_authority", "Their legal authority to receive it", Kind.TEXT, "§8.1.1.1"),
        _f("basis", "Our basis for disclosure", Kind.CHOICE, "§7.3", choices=BASES),
        _f("agreement", "Agreement", Kind.LINE, "§7.3.2", "the agreement's title, when the basis is one"),
        _f("usmca_chapters", "USMCA chapters the request implements", Kind.CHAPTERS, "§7.3.2.2"),
        _f("routine_use", "Routine use", Kind.LINE, "§6.1.2.1", "for U.S. persons' PII"),
        _f("sorn", "System of records notice", Kind.LINE, "§6.1.2.1"),
        _f("disclosing_official.name", "Disclosing official", Kind.LINE, "§7.3.1.1"),
        _f("disclosing_official.position", "Official's position", Kind.CHOICE, "§7.3.1.1, fn 22", choices=POSITIONS),
        _f("disclosing_official.grade", "Official's GS grade", Kind.GRADE, "fn 22"),
        _f("disclosing_official.supervisory", "Supervisory position", Kind.BOOL, "fn 22"),
    )),
    Group("records", "Step 3 — The information, its source and limits", (
        _f("data_categories", "What the information includes", Kind.MULTI, "§7.2", choices=CATEGORIES),
        _f("source_system", "Source system", Kind.LINE, "§8.1.3", "the system of record, e.g. TECS"),
        _f("from_aggregator", "Taken from an aggregator or collaboration tool", Kind.BOOL, "§8.1.3, fn 26"),
        _f("advance_cargo_use", "Advance cargo information wanted for", Kind.CHOICE, "§7.2.3.2", choices=CARGO_USES),
        _f("third_agency", "Another agency owns some of the information", Kind.BOOL, "§7.2.4"),
        _f("third_agency.name", "Owning agency", Kind.LINE, "§7.2.4"),
        _f("third_agency.consent_obtained", "Its consent obtained", Kind.BOOL, "§7.2.4"),
        _f("third_agency.sole_owner", "The request concerns only that agency's information", Kind.BOOL, "§7.2.4.1"),
        _f("protected_class_authorization", "Authorization for protected-class information", Kind.LINE,
           "§7.2.3.1", "DHS Instruction 002-02-001 or 215-01-001 reference"),
        _f("asylum_exception_by_counsel", "Counsel approved an exception for asylum information", Kind.BOOL,
           "§7.2.3, fn 18"),
    )),
)

FIELDS: dict[str, FieldSpec] = {spec.path: spec for group in GROUPS for spec in group.fields}
GROUP_OF: dict[str, str] = {spec.path: group.key for group in GROUPS for spec in group.fields}

# Nested objects that are null in the JSON when the user gave none of their facts.
_OBJECTS = ("requesting_authority", "requester", "disclosing_official")

# Where the user resolves each finding (SPEC section 4): a form path, or "coordination:<item>".
TARGET_OF_CODE: dict[str, str] = {
    "CLASSIFIED_OUT_OF_SCOPE": "classified",
    "FOREIGN_PROCEEDING_DEMAND": "foreign_proceeding_demand",
    "PRIVATE_PARTY_MATTER": "private_party_matter",
    "AUTHORITY_VIOLATED_ASSURANCES": "requesting_authority.violated_assurances",
    "PURPOSE_NOT_PERMITTED": "purpose",
    "PROTECTED_CLASS": "protected_class_authorization",
    "ASYLUM_INFORMATION": "asylum_exception_by_counsel",
    "ADVANCE_CARGO_COMMERCIAL": "advance_cargo_use",
    "USMCA_SCOPE": "usmca_chapters",
    "NOT_IN_WRITING": "reduced_to_writing_on",
    "EXIGENT_WRITING_PENDING": "reduced_to_writing_on",
    "NOT_FROM_SOURCE_SYSTEM": "source_system",
    "OFFICIAL_NOT_AUTHORIZED": "disclosing_official.position",
    "THIRD_AGENCY_CONSENT": "third_agency.consent_obtained",
    "THIRD_AGENCY_REFERRAL_CAUTION": "third_agency.sole_owner",
    "ROUTINE_USE_REQUIRED": "routine_use",
    "OCC_COORDINATION": "coordination:occ",
    "LES_DECONFLICTION": "coordination:oia_deconfliction",
    "LES_MARKING": "data_categories",
    "FDO_CONSULTATION": "coordination:fdo",
    "USMCA_NOTIFY_OTTAWA": "coordination:attache_notified",
    "USMCA_NOTIFY_MEXICO_CITY": "coordination:attache_notified",
    "PNR_SPECIAL_HANDLING": "coordination:pnr_requirements_confirmed",
    "DEVICE_SEARCH_SPECIAL": "coordination:device_search_requirements_confirmed",
    "BUSINESS_CONFIDENTIAL": "coordination:trade_secrets_review",
    "PROACTIVE_REASON_REQUIRED": "reason",
    "MLAT_VIA_DOJ": "basis",
    "ONWARD_DISCLOSURE_EXPECTED": "onward_disclosure.expected",
    "DHS191_REQUIRED": "subjects",
}


class FormError(ValueError):
    """A value the request cannot hold; `path` names the form field."""

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(f"{FIELDS[path].label if path in FIELDS else path}: {problem}")
        self.path, self.problem = path, problem


def target_of(code: str, field: str | None = None) -> str | None:
    """The form path (or "coordination:<item>") that resolves a finding; the finding's own field first."""
    if field:
        return field if field in FIELDS else _first_field_under(field)
    return TARGET_OF_CODE.get(code)


def _first_field_under(path: str) -> str | None:
    return next((p for p in FIELDS if p.startswith(path + ".")), None)


def values_of(request: Request) -> dict[str, Any]:
    """The form's values for a request (coordination is kept apart: it has its own records)."""
    document = request_to_dict(request)
    values: dict[str, Any] = {}
    for path, spec in FIELDS.items():
        values[path] = _form_value(spec, _get(document, path))
    values["third_agency"] = document.get("third_agency") is not None
    return values


def request_from(values: dict[str, Any], base: Request) -> Request:
    """A request from form values; `base` supplies what the form does not show (coordination)."""
    document = request_to_dict(base)
    for path, spec in FIELDS.items():
        if path in values and path != "third_agency":
            _set(document, path, _json_value(spec, values[path]))
    _settle_objects(document, values)
    document["format"] = FORMAT
    try:
        return parse_request(document)
    except ValueError as error:
        field = getattr(error, "field", "") or ""
        raise FormError(field, getattr(error, "problem", str(error))) from error


def _settle_objects(document: dict[str, Any], values: dict[str, Any]) -> None:
    for name in _OBJECTS:
        part = document.get(name) or {}
        if all(value in ("", None, False, "other") for value in part.values()):
            document[name] = None
    onward = document.get("onward_disclosure") or {}
    if onward.get("expected") is None:
        if str(onward.get("details", "")).strip():
            raise FormError("onward_disclosure.expected",
                            "say whether they expect to disclose it further, or clear 'To whom and why'.")
        document["onward_disclosure"] = None
    if not values.get("third_agency", document.get("third_agency") is not None):
        document["third_agency"] = None


def _get(document: dict[str, Any], path: str) -> Any:
    value: Any = document
    for key in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def _set(document: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    target = document
    for key in parents:
        if not isinstance(target.get(key), dict):
            target[key] = {}
        target = target[key]
    target[last] = value


def _form_value(spec: FieldSpec, value: Any) -> Any:
    if spec.kind in (Kind.DATE, Kind.CHOICE, Kind.LINE, Kind.TEXT, Kind.COUNTRY):
        return "" if value is None else str(value)
    if spec.kind is Kind.TRISTATE:
        return "" if value is None else ("yes" if value else "no")
    if spec.kind is Kind.BOOL:
        return bool(value)
    if spec.kind in (Kind.MULTI, Kind.CHAPTERS):
        return list(value or [])
    if spec.kind is Kind.SUBJECTS:
        return [dict(subject) for subject in value or []]
    return value  # GRADE: int or None


def _json_value(spec: FieldSpec, value: Any) -> Any:
    if spec.kind in (Kind.DATE, Kind.CHOICE):
        return value or None
    if spec.kind is Kind.COUNTRY:
        return str(value).strip().upper()
    if spec.kind is Kind.LINE:
        text = str(value).strip()
        return text or (None if spec.path in _NULLABLE_TEXT else "")
    if spec.kind is Kind.TRISTATE:
        return {"yes": True, "no": False}.get(value)
    if spec.kind is Kind.SUBJECTS:
        return [_subject(s) for s in value if any(str(v).strip() for k, v in s.items() if k != "status")]
    return value


_NULLABLE_TEXT = frozenset({"protected_class_authorization", "routine_use", "sorn"})


def _subject(subject: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": str(subject.get("name", "")).strip(),
        "status": subject.get("status") or SubjectStatus.OTHER.value,
        "identifier": str(subject.get("identifier", "")).strip(),
    }
