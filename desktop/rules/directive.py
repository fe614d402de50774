"""CBP Directive 4320-025B as rules: request facts in, findings out (SPEC section 4, a public contract).

Each rule is a pure function of the request. The codes, severities and sections are the SPEC table's; a rule
never reads the store, the clock or the network, so `disclosure-desk check` and the window agree by construction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from desktop.requests.model import (
    DELEGATED_POSITIONS,
    AdvanceCargoUse,
    Basis,
    Channel,
    DataCategory,
    InitiatedBy,
    OfficialPosition,
    Purpose,
    Request,
    SubjectStatus,
)
from desktop.rules.findings import Finding, Severity

Rule = Callable[[Request], Iterator[Finding]]

BLOCK, ACTION, FOLLOWUP, ADVICE = Severity.BLOCK, Severity.ACTION, Severity.FOLLOWUP, Severity.ADVICE
USMCA_CHAPTERS = frozenset({2, 4, 5})
USMCA_COUNTRIES = frozenset({"CA", "MX"})
PRIVACY_ACT_STATUSES = frozenset({SubjectStatus.US_CITIZEN, SubjectStatus.LPR, SubjectStatus.JRA_COVERED})
PERMITTED_PURPOSES = frozenset(
    {
        Purpose.CUSTOMS_LAW_COMPLIANCE,
        Purpose.AGREEMENT_ADMINISTRATION,
        Purpose.US_PROCEEDING,
        Purpose.COMPARABLE_FOREIGN_ACTION,
    }
)
FURTHER_DELEGATE_MIN_GRADE = 13  # fn 22: "not below the supervisory GS-13 level"


def from_foreign_authority(request: Request) -> bool:
    return request.initiated_by is InitiatedBy.FOREIGN_AUTHORITY


# Step 1: applicability (§2) -----------------------------------------------------------------------------------


def classified(request: Request) -> Iterator[Finding]:
    if request.classified:
        yield Finding(
            "CLASSIFIED_OUT_OF_SCOPE", BLOCK, "§2, fn 2",
            "Classified national security information cannot be shared under this directive. Remove it from the "
            "request, or route the release through ODNI's ICD 403 process.",
        )


def foreign_proceeding_demand(request: Request) -> Iterator[Finding]:
    if request.foreign_proceeding_demand:
        yield Finding(
            "FOREIGN_PROCEEDING_DEMAND", BLOCK, "§2 (19 CFR 103.27)",
            "A demand such as a subpoena for use in a foreign proceeding where the U.S. is not a party is handled "
            "under 19 CFR 103.27, not this directive. Refer it to the Office of Chief Counsel.",
        )


# Step 2: the request, their authority, our authority ----------------------------------------------------------


def private_party(request: Request) -> Iterator[Finding]:
    if request.private_party_matter and not request.required_by_agreement:
        yield Finding(
            "PRIVATE_PARTY_MATTER", BLOCK, "§7.2.1",
            "CBP does not provide information requested on behalf of a private party for a civil, administrative "
            "or private matter unless an international agreement requires it. Decline, or record the agreement "
            "that requires it.",
        )


def violated_assurances(request: Request) -> Iterator[Finding]:
    if request.requesting_authority and request.requesting_authority.violated_assurances:
        yield Finding(
            "AUTHORITY_VIOLATED_ASSURANCES", BLOCK, "§7.3.1.2",
            f"{request.authority_name or 'The requesting authority'} has violated the §10.1 assurances; no "
            "information may be provided to it. Consult the Assistant Commissioner, OIA (§11.1.2).",
        )


def purpose(request: Request) -> Iterator[Finding]:
    if request.purpose not in PERMITTED_PURPOSES:
        yield Finding(
            "PURPOSE_NOT_PERMITTED", BLOCK, "§8.1.2",
            "The disclosure must support one of the four purposes of §8.1.2 (customs-law compliance, an "
            "agreement, a U.S. proceeding, or a comparable foreign action). Record which one applies, or decline.",
        )


def in_writing(request: Request) -> Iterator[Finding]:
    if not from_foreign_authority(request) or request.channel is not Channel.ORAL:
        return
    if request.exigent:
        if request.reduced_to_writing_on is None:
            yield Finding(
                "EXIGENT_WRITING_PENDING", FOLLOWUP, "§8.1.1.2",
                "An exigent oral request may be answered now, but the foreign authority must promptly put it in "
                "writing. Record the date the written request arrives and attach it.",
            )
    elif request.reduced_to_writing_on is None:
        yield Finding(
            "NOT_IN_WRITING", ACTION, "§8.1.1",
            "Requests must be in writing: a signed memo on letterhead or an e-mail from an official address "
            "(fn 25). Ask for the written request, then record its channel or the date it was received in writing.",
        )


_DETAIL_FIELDS: tuple[tuple[str, str], ...] = (
    ("requesting_authority.name", "the agency or entity requesting the information"),
    ("information_requested", "the specific type of information requested"),
    ("reason", "the reason, and how the information supports their official duties"),
    ("recipient_legal_authority", "the laws that give the recipient authority to obtain and use the data"),
    ("onward_disclosure", "whether onward disclosure is expected"),
    ("deliver_to", "where the information should be sent"),
    ("certification_required", "whether certified records or other requirements are needed"),
)


def sufficient_detail(request: Request) -> Iterator[Finding]:
    if not from_foreign_authority(request):
        return
    for field, what in _DETAIL_FIELDS:
        if _missing(request, field):
            yield _insufficient(field, what)
    onward = request.onward_disclosure
    if onward is not None and onward.expected and not onward.details.strip():
        yield _insufficient("onward_disclosure.details", "the details of the expected onward disclosure")


def _missing(request: Request, field: str) -> bool:
    if field == "requesting_authority.name":
        return not request.authority_name.strip()
    value = getattr(request, field)
    return value is None or (isinstance(value, str) and not value.strip())


def _insufficient(field: str, what: str) -> Finding:
    return Finding(
        "INSUFFICIENT_DETAIL", ACTION, "§8.1.1.1",
        f"The request does not state {what}. Ask the foreign authority for it and record it here.",
        field,
    )


def proactive_reason(request: Request) -> Iterator[Finding]:
    if request.initiated_by is InitiatedBy.CBP and not request.reason.strip():
        yield Finding(
            "PROACTIVE_REASON_REQUIRED", ACTION, "§7.3.3",
            "A disclosure CBP starts without a request needs its reason and the recipient's need-to-know "
            "documented. Write them in the reason.",
        )


def source_system(request: Request) -> Iterator[Finding]:
    if not request.source_system.strip() or request.from_aggregator:
        yield Finding(
            "NOT_FROM_SOURCE_SYSTEM", ACTION, "§8.1.3, fn 26",
            "Disclosed data must come from a CBP source system, not an aggregator or collaboration tool. Retrieve "
            "it from the source system and name that system.",
        )


def official_authorized(request: Request) -> Iterator[Finding]:
    if request.basis is not Basis.AD_HOC_1628 or _official_may_disclose(request):
        return
    yield Finding(
        "OFFICIAL_NOT_AUTHORIZED", ACTION, "§7.3.1.1, fn 22",
        "Under 19 U.S.C. 1628 only the §7.3.1.1 officials, or their further delegates at supervisory GS-13 or "
        "above, may disclose. Have an authorized official make this disclosure and record them.",
    )


def _official_may_disclose(request: Request) -> bool:
    official = request.disclosing_official
    if official is None:
        return False
    if official.position in DELEGATED_POSITIONS:
        return True
    further = official.position in (OfficialPosition.PRINCIPAL_FIELD_OFFICIAL, OfficialPosition.FURTHER_DELEGATE)
    return further and official.supervisory and (official.grade or 0) >= FURTHER_DELEGATE_MIN_GRADE


def routine_use(request: Request) -> Iterator[Finding]:
    covered = any(subject.status in PRIVACY_ACT_STATUSES for subject in request.subjects)
    recorded = bool((request.routine_use or "").strip() and (request.sorn or "").strip())
    if covered and not recorded:
        yield Finding(
            "ROUTINE_USE_REQUIRED", ACTION, "§6.1.2.1",
            "PII of a U.S. citizen, LPR or JRA-covered person may be disclosed only under a routine use in the "
            "source system's SORN. Record both the routine use and the SORN.",
        )


def usmca_scope(request: Request) -> Iterator[Finding]:
    if request.basis is Basis.USMCA and not _within_usmca(request):
        yield Finding(
            "USMCA_SCOPE", BLOCK, "§7.3.2.2",
            "USMCA sharing is only with Canada or Mexico and only to implement USMCA chapters 2, 4 or 5. Choose "
            "another basis (e.g. 19 U.S.C. 1628 or a CMAA), or record the chapter it implements.",
        )


def _within_usmca(request: Request) -> bool:
    return request.country in USMCA_COUNTRIES and bool(USMCA_CHAPTERS.intersection(request.usmca_chapters))


def mlat_via_doj(request: Request) -> Iterator[Finding]:
    if request.basis is Basis.MLAT:
        yield Finding(
            "MLAT_VIA_DOJ", ADVICE, "§7.3.2.1",
            "MLAT requests come through the Department of Justice, Office of International Affairs; the cover "
            "letter is addressed to DOJ OIA, which releases the information to the foreign authority.",
        )


# Step 3: non-disclosure categories, coordination ---------------------------------------------------------------


def protected_class(request: Request) -> Iterator[Finding]:
    if request.has_category(DataCategory.PROTECTED_CLASS) and not (request.protected_class_authorization or "").strip():
        yield Finding(
            "PROTECTED_CLASS", BLOCK, "§7.2.3.1",
            "T/U visa and VAWA protected-class information may not be shared unless authorized under DHS "
            "Instruction 002-02-001 or 215-01-001 (CBP Directive 1450-023). Remove it, or record the authorization.",
        )


def asylum(request: Request) -> Iterator[Finding]:
    if request.has_category(DataCategory.ASYLUM) and not request.asylum_exception_by_counsel:
        yield Finding(
            "ASYLUM_INFORMATION", BLOCK, "§7.2.3, fn 18",
            "Asylum, credible-fear and reasonable-fear information is ordinarily not disclosed. Remove it, or "
            "record an exception approved by the Associate Chief Counsel (Enforcement and Operations).",
        )


def advance_cargo(request: Request) -> Iterator[Finding]:
    commercial = request.advance_cargo_use is AdvanceCargoUse.COMMERCIAL_ENFORCEMENT
    if request.has_category(DataCategory.ADVANCE_CARGO) and commercial:
        yield Finding(
            "ADVANCE_CARGO_COMMERCIAL", BLOCK, "§7.2.3.2, fn 13",
            "Advance cargo information may not be used for commercial enforcement such as duties, taxes or entry "
            "(19 U.S.C. 1415(a)(3)(F)). Decline that part; export data requests go to the Census Bureau (fn 13).",
        )


def third_agency(request: Request) -> Iterator[Finding]:
    agency = request.third_agency
    involved = agency is not None or request.has_category(DataCategory.THIRD_AGENCY)
    if involved and not (agency and agency.consent_obtained):
        yield Finding(
            "THIRD_AGENCY_CONSENT", ACTION, "§7.2.4",
            f"Information owned by {agency.name if agency and agency.name else 'a third agency'} (other DHS "
            "components included) needs that agency's consent before disclosure. Obtain and record it.",
        )
    if agency is not None and agency.sole_owner:
        yield Finding(
            "THIRD_AGENCY_REFERRAL_CAUTION", ADVICE, "§7.2.4.1",
            "The request concerns only third-agency information: it may be referred to that agency, but not where "
            "the referral itself would reveal something (e.g. a watchlisting or an open investigation).",
        )


def occ_coordination(request: Request) -> Iterator[Finding]:
    if request.foreign_judicial_proceeding and not request.coordination.occ:
        yield Finding(
            "OCC_COORDINATION", ACTION, "§6.1.5.2",
            "Records for use in a foreign judicial proceeding must be coordinated through the Office of Chief "
            "Counsel (Associate Chief Counsel, Enforcement and Operations). Record that coordination.",
        )


def les(request: Request) -> Iterator[Finding]:
    if not request.has_category(DataCategory.LES):
        return
    if not request.coordination.oia_deconfliction:
        yield Finding(
            "LES_DECONFLICTION", ACTION, "§9.2.1",
            "Before sharing law enforcement sensitive information, deconflict with the Office of International "
            "Affairs so the disclosure cannot interfere with U.S. enforcement interests. Record the deconfliction.",
        )
    yield Finding(
        "LES_MARKING", ADVICE, "§9.2",
        "The records will carry the \"For Official Use Only - Law Enforcement Sensitive\" marking of Appendix B.",
    )


def intelligence(request: Request) -> Iterator[Finding]:
    if request.has_category(DataCategory.INTELLIGENCE_PRODUCT) and not request.coordination.fdo:
        yield Finding(
            "FDO_CONSULTATION", ACTION, "§9.2.2",
            "Intelligence products may be released only after consulting the Office of Intelligence's Foreign "
            "Disclosure Office (cbpfdo@cbp.dhs.gov). Record the consultation.",
        )


def usmca_notify(request: Request) -> Iterator[Finding]:
    if request.basis is not Basis.USMCA or not _within_usmca(request) or request.coordination.attache_notified:
        return
    if request.country == "CA":
        yield Finding(
            "USMCA_NOTIFY_OTTAWA", ACTION, "§7.3.2.2.1",
            "Notify the CBP Attaché-Ottawa of this Canadian USMCA request, then record the notification.",
        )
    else:
        yield Finding(
            "USMCA_NOTIFY_MEXICO_CITY", ACTION, "§7.3.2.2.2",
            "Notify the CBP Attaché-Mexico City of this Mexican USMCA request, then record the notification.",
        )


def pnr(request: Request) -> Iterator[Finding]:
    wanted = request.has_category(DataCategory.PNR) or request.has_category(DataCategory.ATS)
    if wanted and not request.coordination.pnr_requirements_confirmed:
        yield Finding(
            "PNR_SPECIAL_HANDLING", ACTION, "§3.6, §7.2.3",
            "PNR and ATS information follow the PNR Directive (4320-035) and the ATS disclosure memorandum. "
            "Confirm their requirements are met, then record it.",
        )


def device_search(request: Request) -> Iterator[Finding]:
    confirmed = request.coordination.device_search_requirements_confirmed
    if request.has_category(DataCategory.DEVICE_SEARCH) and not confirmed:
        yield Finding(
            "DEVICE_SEARCH_SPECIAL", ACTION, "§7.2.3, fn 17",
            "Information from border searches of electronic devices follows CBP Directive 3340-049A. Confirm its "
            "requirements are met, then record it.",
        )


def business_confidential(request: Request) -> Iterator[Finding]:
    if request.has_category(DataCategory.BUSINESS_CONFIDENTIAL) and not request.coordination.trade_secrets_review:
        yield Finding(
            "BUSINESS_CONFIDENTIAL", ACTION, "§7.2.2, §4.25",
            "Business confidential information needs a Trade Secrets Act (18 U.S.C. 1905) review under CBP "
            "Directive 1450-015. Record the review.",
        )


# Step 4: disclosure with conditions; Step 5: recordkeeping -----------------------------------------------------


def onward_disclosure(request: Request) -> Iterator[Finding]:
    if request.onward_disclosure is not None and request.onward_disclosure.expected:
        yield Finding(
            "ONWARD_DISCLOSURE_EXPECTED", ADVICE, "§8.1.5, §10.1.1",
            "Onward disclosure is expected: it needs CBP's express prior written permission. Record the "
            "authority's request and CBP's written answer when they come.",
        )


def dhs191(request: Request) -> Iterator[Finding]:
    if request.subjects:
        yield Finding(
            "DHS191_REQUIRED", ADVICE, "§10.2",
            "The request names individuals, so the disclosure carries PII (fn 6): a DHS-191 accounting entry "
            "will be made for each when the packet is finalized, and kept 5 years.",
        )


RULES: tuple[Rule, ...] = (
    classified,
    foreign_proceeding_demand,
    private_party,
    violated_assurances,
    purpose,
    usmca_scope,
    protected_class,
    asylum,
    advance_cargo,
    in_writing,
    sufficient_detail,
    proactive_reason,
    source_system,
    official_authorized,
    third_agency,
    routine_use,
    occ_coordination,
    les,
    intelligence,
    usmca_notify,
    pnr,
    device_search,
    business_confidential,
    mlat_via_doj,
    onward_disclosure,
    dhs191,
)
