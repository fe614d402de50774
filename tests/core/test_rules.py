"""The directive's rules, row by row against SPEC section 4: each condition fires on one changed fact and not otherwise.

Every case starts from `ready()`, a request that needs nothing (outcome ready, no findings), changes the one fact a
row of the SPEC table is about, and states exactly which findings follow. The codes, severities and sections are
read from the project's docs/rules.md, so a new row there without a case here fails
`test_every_spec_row_is_tested_both_ways`.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from desktop.requests.model import (
    AdvanceCargoUse,
    AuthorityKind,
    Basis,
    Channel,
    Coordination,
    DataCategory,
    DisclosingOfficial,
    InitiatedBy,
    OfficialPosition,
    OnwardDisclosure,
    Purpose,
    Request,
    RequestingAuthority,
    Subject,
    SubjectStatus,
    ThirdAgency,
)
from desktop.rules import STEP_OF_CODE, Assessment, Finding, Outcome, Severity, evaluate
from tests.conftest import RULE_TABLE


@dataclass(frozen=True)
class SpecRow:
    severity: Severity
    section: str


def spec_table(path: Path = RULE_TABLE) -> dict[str, SpecRow]:
    """The rule table (docs/rules.md, SPEC section 4): code -> (severity, section)."""
    rows: dict[str, SpecRow] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 4 and re.fullmatch(r"[A-Z][A-Z0-9_]+", cells[0]):
            rows[cells[0]] = SpecRow(Severity(cells[2]), cells[3])
    return rows


SPEC = spec_table()

# The §7.3.1.1 positions (DO-18-210), spelled as interchange v1 spells them: written out here, from the directive,
# so that a position added to the model without a decision about it fails a test.
SECTION_7_3_1_1_POSITIONS = (
    "deputy_commissioner",
    "chief_usbp",
    "eac_ofo",
    "eac_amo",
    "eac_trade",
    "eac_es",
    "eac_os",
    "ac_oia",
    "ac_oi",
    "ac_opr",
    "ac_lss",
)

READY = Request(
    reference="OTT-2026-0001",
    received_on=date(2026, 11, 2),
    channel=Channel.OFFICIAL_EMAIL,
    requesting_authority=RequestingAuthority(
        name="Canada Border Services Agency", country="CA", kind=AuthorityKind.CUSTOMS,
        address="191 Laurier Avenue West, Ottawa, ON K1A 0L8",
    ),
    information_requested="Border crossing records for the named subject, January to June 2025.",
    reason="Investigation CI-2026-3381 into undeclared currency exports.",
    purpose=Purpose.COMPARABLE_FOREIGN_ACTION,
    recipient_legal_authority="Customs Act, s. 107(4)",
    onward_disclosure=OnwardDisclosure(expected=False),
    deliver_to="investigator@cbsa-asfc.gc.ca",
    certification_required=False,
    basis=Basis.AD_HOC_1628,
    source_system="TECS",
    disclosing_official=DisclosingOfficial(
        name="Laura Benitez", position=OfficialPosition.FURTHER_DELEGATE, grade=14, supervisory=True,
    ),
)


def ready(**changes: Any) -> Request:
    """The minimal ready request (no findings at all) with the given facts changed."""
    return replace(READY, **changes)


def authority(**changes: Any) -> RequestingAuthority:
    assert READY.requesting_authority is not None
    return replace(READY.requesting_authority, **changes)


def official(position: OfficialPosition | str, grade: int | None, supervisory: bool) -> DisclosingOfficial:
    return DisclosingOfficial(name="A. Official", position=OfficialPosition(position), grade=grade,
                              supervisory=supervisory)


def categories(*names: DataCategory) -> tuple[DataCategory, ...]:
    return tuple(names)


def usmca(country: str | None, chapters: tuple[int, ...], **changes: Any) -> Request:
    """A USMCA request from `country` (None: no requesting authority recorded) implementing `chapters`."""
    holder = None if country is None else authority(country=country)
    return ready(basis=Basis.USMCA, usmca_chapters=chapters, requesting_authority=holder, **changes)


def subject(status: SubjectStatus) -> Subject:
    return Subject(name="Kevin J. Marsh", status=status, identifier="passport 583920174")


def cbp_initiated(**changes: Any) -> Request:
    """A proactive disclosure (§7.3.3): no request, so none of the §8.1.1.1 request facts."""
    facts: dict[str, Any] = {
        "initiated_by": InitiatedBy.CBP, "channel": None, "requesting_authority": authority(name=""),
        "information_requested": "", "recipient_legal_authority": "", "onward_disclosure": None, "deliver_to": "",
        "certification_required": None,
    }
    return ready(**{**facts, **changes})


Key = tuple[str, str | None]


@dataclass(frozen=True)
class Case:
    id: str
    code: str  # the SPEC row under test
    fires: bool
    request: Request
    field: str | None = None  # the field the finding under test names (INSUFFICIENT_DETAIL only)
    others: tuple[str | Key, ...] = ()  # every other finding the request must give, exactly

    def expected(self) -> Counter[Key]:
        keys = [item if isinstance(item, tuple) else (item, None) for item in self.others]
        if self.fires:
            keys.append((self.code, self.field))
        return Counter(keys)


def fires(code: str, id: str, request: Request, *others: str | Key, field: str | None = None) -> Case:
    return Case(f"{code}-fires-{id}", code, True, request, field, others)


def quiet(code: str, id: str, request: Request, *others: str | Key) -> Case:
    return Case(f"{code}-quiet-{id}", code, False, request, None, others)


def applicability_cases() -> list[Case]:
    return [
        fires("CLASSIFIED_OUT_OF_SCOPE", "classified", ready(classified=True)),
        quiet("CLASSIFIED_OUT_OF_SCOPE", "not-classified", ready(classified=False)),
        fires("FOREIGN_PROCEEDING_DEMAND", "subpoena", ready(foreign_proceeding_demand=True)),
        quiet("FOREIGN_PROCEEDING_DEMAND", "judicial-use-coordinated",
              ready(foreign_judicial_proceeding=True, coordination=Coordination(occ=True))),
    ]


def authority_cases() -> list[Case]:
    permitted = [
        quiet("PURPOSE_NOT_PERMITTED", purpose.value, ready(purpose=purpose))
        for purpose in (Purpose.CUSTOMS_LAW_COMPLIANCE, Purpose.AGREEMENT_ADMINISTRATION, Purpose.US_PROCEEDING,
                        Purpose.COMPARABLE_FOREIGN_ACTION)
    ]
    return [
        fires("PRIVATE_PARTY_MATTER", "private-party", ready(private_party_matter=True)),
        quiet("PRIVATE_PARTY_MATTER", "required-by-agreement",
              ready(private_party_matter=True, required_by_agreement=True)),
        quiet("PRIVATE_PARTY_MATTER", "government-matter", ready(private_party_matter=False)),
        fires("AUTHORITY_VIOLATED_ASSURANCES", "violator", ready(requesting_authority=authority(
            violated_assurances=True))),
        fires("AUTHORITY_VIOLATED_ASSURANCES", "cbp-initiated-to-violator",
              cbp_initiated(requesting_authority=authority(name="", violated_assurances=True))),
        quiet("AUTHORITY_VIOLATED_ASSURANCES", "in-good-standing",
              ready(requesting_authority=authority(violated_assurances=False))),
        fires("PURPOSE_NOT_PERMITTED", "not-stated", ready(purpose=None)),
        fires("PURPOSE_NOT_PERMITTED", "other", ready(purpose=Purpose.OTHER)),
        *permitted,
    ]


def usmca_cases() -> list[Case]:
    return [
        fires("USMCA_SCOPE", "third-country", usmca("GB", (5,))),
        fires("USMCA_SCOPE", "united-states", usmca("US", (2,))),
        fires("USMCA_SCOPE", "no-authority", usmca(None, (2,)), ("INSUFFICIENT_DETAIL", "requesting_authority.name")),
        fires("USMCA_SCOPE", "canada-no-chapter", usmca("CA", ())),
        fires("USMCA_SCOPE", "canada-chapter-3", usmca("CA", (3,))),
        fires("USMCA_SCOPE", "mexico-chapters-1-6", usmca("MX", (1, 6))),
        quiet("USMCA_SCOPE", "canada-chapter-2", usmca("CA", (2,)), "USMCA_NOTIFY_OTTAWA"),
        quiet("USMCA_SCOPE", "canada-chapter-4", usmca("CA", (4,)), "USMCA_NOTIFY_OTTAWA"),
        quiet("USMCA_SCOPE", "mexico-chapter-5", usmca("MX", (5,)), "USMCA_NOTIFY_MEXICO_CITY"),
        quiet("USMCA_SCOPE", "canada-chapters-3-5", usmca("CA", (3, 5)), "USMCA_NOTIFY_OTTAWA"),
        quiet("USMCA_SCOPE", "third-country-under-cmaa",
              ready(basis=Basis.CMAA, requesting_authority=authority(country="GB"))),
        fires("USMCA_NOTIFY_OTTAWA", "canada", usmca("CA", (5,))),
        quiet("USMCA_NOTIFY_OTTAWA", "attache-notified", usmca("CA", (5,), coordination=Coordination(
            attache_notified=True))),
        quiet("USMCA_NOTIFY_OTTAWA", "out-of-scope", usmca("CA", (3,)), "USMCA_SCOPE"),
        quiet("USMCA_NOTIFY_OTTAWA", "canada-under-cmaa", ready(basis=Basis.CMAA)),
        quiet("USMCA_NOTIFY_OTTAWA", "mexico", usmca("MX", (2,)), "USMCA_NOTIFY_MEXICO_CITY"),
        fires("USMCA_NOTIFY_MEXICO_CITY", "mexico", usmca("MX", (2,))),
        quiet("USMCA_NOTIFY_MEXICO_CITY", "attache-notified",
              usmca("MX", (2,), coordination=Coordination(attache_notified=True))),
        quiet("USMCA_NOTIFY_MEXICO_CITY", "out-of-scope", usmca("MX", ()), "USMCA_SCOPE"),
        quiet("USMCA_NOTIFY_MEXICO_CITY", "canada", usmca("CA", (4,)), "USMCA_NOTIFY_OTTAWA"),
    ]


def non_disclosure_cases() -> list[Case]:
    cargo = categories(DataCategory.ADVANCE_CARGO)
    return [
        fires("PROTECTED_CLASS", "no-authorization", ready(data_categories=categories(DataCategory.PROTECTED_CLASS))),
        fires("PROTECTED_CLASS", "blank-authorization", ready(
            data_categories=categories(DataCategory.PROTECTED_CLASS), protected_class_authorization="  ")),
        quiet("PROTECTED_CLASS", "authorized", ready(
            data_categories=categories(DataCategory.PROTECTED_CLASS),
            protected_class_authorization="DHS Instruction 002-02-001; approved by the Privacy Officer")),
        fires("ASYLUM_INFORMATION", "asylum", ready(data_categories=categories(DataCategory.ASYLUM))),
        quiet("ASYLUM_INFORMATION", "exception-by-counsel", ready(
            data_categories=categories(DataCategory.ASYLUM), asylum_exception_by_counsel=True)),
        fires("ADVANCE_CARGO_COMMERCIAL", "duties", ready(
            data_categories=cargo, advance_cargo_use=AdvanceCargoUse.COMMERCIAL_ENFORCEMENT)),
        quiet("ADVANCE_CARGO_COMMERCIAL", "security", ready(
            data_categories=cargo, advance_cargo_use=AdvanceCargoUse.SECURITY)),
        quiet("ADVANCE_CARGO_COMMERCIAL", "use-not-stated", ready(data_categories=cargo)),
        fires("THIRD_AGENCY_CONSENT", "agency-named", ready(third_agency=ThirdAgency(name="ICE"))),
        fires("THIRD_AGENCY_CONSENT", "category-only", ready(data_categories=categories(DataCategory.THIRD_AGENCY))),
        fires("THIRD_AGENCY_CONSENT", "category-and-agency", ready(
            data_categories=categories(DataCategory.THIRD_AGENCY), third_agency=ThirdAgency(name="USCIS"))),
        quiet("THIRD_AGENCY_CONSENT", "consent-obtained", ready(
            data_categories=categories(DataCategory.THIRD_AGENCY),
            third_agency=ThirdAgency(name="USCIS", consent_obtained=True))),
        fires("THIRD_AGENCY_REFERRAL_CAUTION", "sole-owner", ready(
            third_agency=ThirdAgency(name="ICE", consent_obtained=True, sole_owner=True))),
        fires("THIRD_AGENCY_REFERRAL_CAUTION", "sole-owner-no-consent", ready(
            third_agency=ThirdAgency(name="ICE", sole_owner=True)), "THIRD_AGENCY_CONSENT"),
        quiet("THIRD_AGENCY_REFERRAL_CAUTION", "shared-ownership", ready(
            third_agency=ThirdAgency(name="ICE", consent_obtained=True, sole_owner=False))),
    ]


def coordination_cases() -> list[Case]:
    """Each coordination flag: unset, its finding fires; set, it clears."""
    rows: list[tuple[str, str, dict[str, Any], str, tuple[str, ...]]] = [
        ("OCC_COORDINATION", "foreign-judicial", {"foreign_judicial_proceeding": True}, "occ", ()),
        ("LES_DECONFLICTION", "les", {"data_categories": categories(DataCategory.LES)}, "oia_deconfliction",
         ("LES_MARKING",)),
        ("FDO_CONSULTATION", "intelligence", {"data_categories": categories(DataCategory.INTELLIGENCE_PRODUCT)},
         "fdo", ()),
        ("PNR_SPECIAL_HANDLING", "pnr", {"data_categories": categories(DataCategory.PNR)},
         "pnr_requirements_confirmed", ()),
        ("PNR_SPECIAL_HANDLING", "ats", {"data_categories": categories(DataCategory.ATS)},
         "pnr_requirements_confirmed", ()),
        ("DEVICE_SEARCH_SPECIAL", "device", {"data_categories": categories(DataCategory.DEVICE_SEARCH)},
         "device_search_requirements_confirmed", ()),
        ("BUSINESS_CONFIDENTIAL", "bci", {"data_categories": categories(DataCategory.BUSINESS_CONFIDENTIAL)},
         "trade_secrets_review", ()),
    ]
    cases = []
    for code, name, facts, flag, others in rows:
        cases.append(fires(code, f"{name}-{flag}-unset", ready(**facts), *others))
        cases.append(quiet(code, f"{name}-{flag}-set", ready(coordination=Coordination(**{flag: True}), **facts),
                           *others))
    cases += [
        quiet("OCC_COORDINATION", "no-foreign-proceeding", ready(foreign_judicial_proceeding=False)),
        fires("LES_MARKING", "les", ready(data_categories=categories(DataCategory.LES),
                                          coordination=Coordination(oia_deconfliction=True))),
        quiet("LES_MARKING", "case-file", ready(data_categories=categories(DataCategory.CASE_FILE))),
        quiet("PNR_SPECIAL_HANDLING", "travel-only", ready(data_categories=categories(DataCategory.TRAVEL))),
    ]
    return cases


def writing_cases() -> list[Case]:
    oral = {"channel": Channel.ORAL}
    return [
        fires("NOT_IN_WRITING", "oral", ready(**oral)),
        quiet("NOT_IN_WRITING", "oral-since-put-in-writing", ready(reduced_to_writing_on=date(2026, 11, 3), **oral)),
        quiet("NOT_IN_WRITING", "letterhead-memo", ready(channel=Channel.LETTERHEAD_MEMO)),
        quiet("NOT_IN_WRITING", "official-email", ready(channel=Channel.OFFICIAL_EMAIL)),
        quiet("NOT_IN_WRITING", "oral-exigent", ready(exigent=True, **oral), "EXIGENT_WRITING_PENDING"),
        quiet("NOT_IN_WRITING", "cbp-initiated", cbp_initiated(**oral)),
        fires("EXIGENT_WRITING_PENDING", "oral-exigent", ready(exigent=True, **oral)),
        quiet("EXIGENT_WRITING_PENDING", "reduced-to-writing",
              ready(exigent=True, reduced_to_writing_on=date(2026, 11, 3), **oral)),
        quiet("EXIGENT_WRITING_PENDING", "exigent-by-email", ready(exigent=True, channel=Channel.OFFICIAL_EMAIL)),
        quiet("EXIGENT_WRITING_PENDING", "cbp-initiated", cbp_initiated(exigent=True, **oral)),
    ]


def detail_cases() -> list[Case]:
    missing: list[tuple[str, str, dict[str, Any]]] = [
        ("requesting_authority.name", "no-authority", {"requesting_authority": None}),
        ("requesting_authority.name", "authority-unnamed", {"requesting_authority": authority(name="")}),
        ("information_requested", "information", {"information_requested": ""}),
        ("reason", "reason", {"reason": ""}),
        ("reason", "blank-reason", {"reason": "   "}),
        ("recipient_legal_authority", "their-authority", {"recipient_legal_authority": ""}),
        ("onward_disclosure", "onward-not-stated", {"onward_disclosure": None}),
        ("deliver_to", "deliver-to", {"deliver_to": ""}),
        ("certification_required", "certification-not-stated", {"certification_required": None}),
    ]
    cases = [fires("INSUFFICIENT_DETAIL", name, ready(**facts), field=field) for field, name, facts in missing]
    return cases + [
        fires("INSUFFICIENT_DETAIL", "onward-expected-without-details",
              ready(onward_disclosure=OnwardDisclosure(expected=True, details=" ")), "ONWARD_DISCLOSURE_EXPECTED",
              field="onward_disclosure.details"),
        quiet("INSUFFICIENT_DETAIL", "certification-required", ready(certification_required=True)),
        quiet("INSUFFICIENT_DETAIL", "needed-by-never-flagged", ready(needed_by=None)),
        quiet("INSUFFICIENT_DETAIL", "cbp-initiated-has-no-request", cbp_initiated()),
        fires("ONWARD_DISCLOSURE_EXPECTED", "expected", ready(
            onward_disclosure=OnwardDisclosure(expected=True, details="To the Public Prosecution Service."))),
        quiet("ONWARD_DISCLOSURE_EXPECTED", "not-expected", ready(onward_disclosure=OnwardDisclosure(expected=False))),
        fires("PROACTIVE_REASON_REQUIRED", "no-reason", cbp_initiated(reason="")),
        fires("PROACTIVE_REASON_REQUIRED", "blank-reason", cbp_initiated(reason="  ")),
        quiet("PROACTIVE_REASON_REQUIRED", "reason-documented", cbp_initiated()),
        quiet("PROACTIVE_REASON_REQUIRED", "foreign-request-without-reason", ready(reason=""),
              ("INSUFFICIENT_DETAIL", "reason")),
    ]


def source_and_privacy_cases() -> list[Case]:
    covered = [
        fires("ROUTINE_USE_REQUIRED", status.value, ready(subjects=(subject(status),)), "DHS191_REQUIRED")
        for status in (SubjectStatus.US_CITIZEN, SubjectStatus.LPR, SubjectStatus.JRA_COVERED)
    ]
    citizen = (subject(SubjectStatus.US_CITIZEN),)
    return [
        fires("NOT_FROM_SOURCE_SYSTEM", "not-named", ready(source_system="")),
        fires("NOT_FROM_SOURCE_SYSTEM", "blank", ready(source_system="  ")),
        fires("NOT_FROM_SOURCE_SYSTEM", "aggregator", ready(from_aggregator=True)),
        quiet("NOT_FROM_SOURCE_SYSTEM", "source-system", ready(source_system="ACE", from_aggregator=False)),
        *covered,
        fires("ROUTINE_USE_REQUIRED", "routine-use-without-sorn",
              ready(subjects=citizen, routine_use="Routine use G"), "DHS191_REQUIRED"),
        fires("ROUTINE_USE_REQUIRED", "sorn-without-routine-use",
              ready(subjects=citizen, sorn="DHS/CBP-011 TECS"), "DHS191_REQUIRED"),
        fires("ROUTINE_USE_REQUIRED", "blank-routine-use",
              ready(subjects=citizen, routine_use=" ", sorn="DHS/CBP-011 TECS"), "DHS191_REQUIRED"),
        fires("ROUTINE_USE_REQUIRED", "one-of-several",
              ready(subjects=(subject(SubjectStatus.OTHER), *citizen)), "DHS191_REQUIRED"),
        quiet("ROUTINE_USE_REQUIRED", "recorded",
              ready(subjects=citizen, routine_use="Routine use G", sorn="DHS/CBP-011 TECS"), "DHS191_REQUIRED"),
        quiet("ROUTINE_USE_REQUIRED", "not-covered", ready(subjects=(subject(SubjectStatus.OTHER),)),
              "DHS191_REQUIRED"),
        fires("DHS191_REQUIRED", "named-subject", ready(subjects=(subject(SubjectStatus.OTHER),))),
        quiet("DHS191_REQUIRED", "no-subjects", ready(subjects=())),
    ]


def official_cases() -> list[Case]:
    code = "OFFICIAL_NOT_AUTHORIZED"
    pfo, further = OfficialPosition.PRINCIPAL_FIELD_OFFICIAL, OfficialPosition.FURTHER_DELEGATE
    delegated = [
        quiet(code, f"{position}", ready(disclosing_official=official(position, None, False)))
        for position in SECTION_7_3_1_1_POSITIONS
    ]
    return [
        *delegated,
        fires(code, "none-recorded", ready(disclosing_official=None)),
        fires(code, "further-delegate-gs12", ready(disclosing_official=official(further, 12, True))),
        fires(code, "further-delegate-gs13-not-supervisory", ready(disclosing_official=official(further, 13, False))),
        fires(code, "further-delegate-no-grade", ready(disclosing_official=official(further, None, True))),
        fires(code, "principal-field-official-gs12", ready(disclosing_official=official(pfo, 12, True))),
        fires(code, "principal-field-official-gs15-not-supervisory",
              ready(disclosing_official=official(pfo, 15, False))),
        fires(code, "other-position-gs15", ready(disclosing_official=official(OfficialPosition.OTHER, 15, True))),
        fires(code, "cbp-initiated-none-recorded", cbp_initiated(disclosing_official=None)),
        quiet(code, "further-delegate-gs13", ready(disclosing_official=official(further, 13, True))),
        quiet(code, "further-delegate-gs15", ready(disclosing_official=official(further, 15, True))),
        quiet(code, "principal-field-official-gs13", ready(disclosing_official=official(pfo, 13, True))),
        quiet(code, "cmaa-needs-no-delegation", ready(basis=Basis.CMAA, disclosing_official=None)),
        quiet(code, "other-agreement", ready(basis=Basis.OTHER_AGREEMENT, disclosing_official=None)),
        quiet(code, "mlat", ready(basis=Basis.MLAT, disclosing_official=None), "MLAT_VIA_DOJ"),
        quiet(code, "usmca", usmca("CA", (2,), disclosing_official=official(further, 12, False)),
              "USMCA_NOTIFY_OTTAWA"),
        fires("MLAT_VIA_DOJ", "mlat", ready(basis=Basis.MLAT)),
        fires("MLAT_VIA_DOJ", "mlat-judicial-coordinated", ready(
            basis=Basis.MLAT, foreign_judicial_proceeding=True, coordination=Coordination(occ=True))),
        quiet("MLAT_VIA_DOJ", "cmaa", ready(basis=Basis.CMAA)),
    ]


CASES: list[Case] = [
    *applicability_cases(),
    *authority_cases(),
    *usmca_cases(),
    *non_disclosure_cases(),
    *coordination_cases(),
    *writing_cases(),
    *detail_cases(),
    *source_and_privacy_cases(),
    *official_cases(),
]

HELD = (Severity.BLOCK, Severity.ACTION, Severity.FOLLOWUP)
# What a user is told to do: each held finding's message has a sentence that starts with one of these.
IMPERATIVES = ("Ask", "Choose", "Confirm", "Consult", "Decline", "Have", "Notify", "Obtain", "Record", "Refer",
               "Remove", "Retrieve", "Write")


def keys_of(findings: tuple[Finding, ...]) -> Counter[Key]:
    return Counter((f.code, f.field) for f in findings)


def outcome_for(severities: set[Severity]) -> Outcome:
    if Severity.BLOCK in severities:
        return Outcome.BLOCKED
    if Severity.ACTION in severities:
        return Outcome.NEEDS_ACTION
    return Outcome.READY


def assert_tells_what_to_do(finding: Finding) -> None:
    message = finding.message
    assert message[:1].isupper() and message.endswith("."), f"{finding.code}: not a full sentence: {message!r}"
    assert len(message.split()) >= 8, f"{finding.code}: too short to explain anything: {message!r}"
    assert "{" not in message and "None" not in message, f"{finding.code}: unfilled text: {message!r}"
    if finding.severity in HELD:
        sentences = re.split(r"(?<=[.;:])\s+|,\s+or\s+", message)
        assert any(s.split()[0].strip(",") in IMPERATIVES for s in sentences if s.split()), (
            f"{finding.code}: the message does not say what to do: {message!r}"
        )


def test_spec_table_was_read() -> None:
    assert len(SPEC) >= 30
    assert SPEC["USMCA_SCOPE"] == SpecRow(Severity.BLOCK, "§7.3.2.2")
    assert SPEC["EXIGENT_WRITING_PENDING"] == SpecRow(Severity.FOLLOWUP, "§8.1.1.2")
    assert SPEC["DHS191_REQUIRED"] == SpecRow(Severity.ADVICE, "§10.2")


def test_the_minimal_request_is_ready_with_nothing_to_say() -> None:
    assessment = evaluate(ready())
    assert assessment.outcome is Outcome.READY
    assert assessment.findings == ()
    assert assessment.to_json() == {"outcome": "ready", "findings": []}


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_rule(case: Case) -> None:
    assessment = evaluate(case.request)
    assert keys_of(assessment.findings) == case.expected()
    for finding in assessment.findings:
        assert (finding.severity, finding.section) == (SPEC[finding.code].severity, SPEC[finding.code].section), (
            f"{finding.code} is {finding.severity} at {finding.section!r}; SPEC says {SPEC[finding.code]}"
        )
        assert_tells_what_to_do(finding)
    assert assessment.outcome is outcome_for({SPEC[code].severity for code, _ in case.expected()})


def test_every_spec_row_is_tested_both_ways() -> None:
    fired = {case.code for case in CASES if case.fires}
    quieted = {case.code for case in CASES if not case.fires}
    assert set(SPEC) - fired == set(), "SPEC rows with no case where they fire"
    assert set(SPEC) - quieted == set(), "SPEC rows with no case where they stay quiet"
    assert fired | quieted <= set(SPEC), "cases for codes SPEC does not list"
    produced = {code for case in CASES for code, _ in case.expected()}
    assert produced == set(SPEC)


def test_case_ids_are_unique() -> None:
    ids = [case.id for case in CASES]
    assert len(ids) == len(set(ids)), [i for i, n in Counter(ids).items() if n > 1]


def test_every_position_in_the_model_has_a_decision() -> None:
    further = {"principal_field_official", "further_delegate", "other"}
    assert {p.value for p in OfficialPosition} == set(SECTION_7_3_1_1_POSITIONS) | further


def test_every_missing_request_fact_is_its_own_finding() -> None:
    bare = ready(requesting_authority=None, information_requested="", reason="", recipient_legal_authority="",
                 onward_disclosure=None, deliver_to="", certification_required=None)
    assessment = evaluate(bare)
    fields = Counter(f.field for f in assessment.findings if f.code == "INSUFFICIENT_DETAIL")
    assert fields == Counter([
        "requesting_authority.name", "information_requested", "reason", "recipient_legal_authority",
        "onward_disclosure", "deliver_to", "certification_required",
    ])
    assert assessment.outcome is Outcome.NEEDS_ACTION


def test_only_insufficient_detail_names_a_field_in_its_json() -> None:
    request = ready(reason="", classified=True, subjects=(subject(SubjectStatus.US_CITIZEN),),
                    data_categories=categories(DataCategory.LES))
    rendered = evaluate(request).to_json()
    assert rendered["outcome"] == "blocked"
    for finding in rendered["findings"]:
        expected_keys = {"code", "severity", "section", "message"}
        if finding["code"] == "INSUFFICIENT_DETAIL":
            expected_keys.add("field")
        assert set(finding) == expected_keys
    detail = [f for f in rendered["findings"] if f["code"] == "INSUFFICIENT_DETAIL"]
    assert [f["field"] for f in detail] == ["reason"]


def test_cbp_initiated_disclosure_needs_no_request_facts_only_a_reason() -> None:
    assert evaluate(cbp_initiated()).findings == ()
    assert [f.code for f in evaluate(cbp_initiated(reason="")).findings] == ["PROACTIVE_REASON_REQUIRED"]
    # The same empty facts on a foreign request are six things to ask for (the reason is there).
    as_request = replace(cbp_initiated(), initiated_by=InitiatedBy.FOREIGN_AUTHORITY)
    assert Counter(f.code for f in evaluate(as_request).findings) == Counter({"INSUFFICIENT_DETAIL": 6})


def test_violator_message_names_the_authority() -> None:
    finding = next(f for f in evaluate(ready(requesting_authority=authority(violated_assurances=True))).findings)
    assert "Canada Border Services Agency" in finding.message


def test_third_agency_message_names_the_agency() -> None:
    finding = next(f for f in evaluate(ready(third_agency=ThirdAgency(name="USCIS"))).findings)
    assert "USCIS" in finding.message


# Outcome precedence: any block -> blocked; else any action -> needs_action; else ready.


@pytest.mark.parametrize(
    ("request_", "outcome"),
    [
        (ready(classified=True, source_system=""), Outcome.BLOCKED),
        (ready(classified=True, channel=Channel.ORAL, exigent=True, basis=Basis.MLAT), Outcome.BLOCKED),
        (ready(source_system="", channel=Channel.ORAL, exigent=True, subjects=(subject(SubjectStatus.OTHER),)),
         Outcome.NEEDS_ACTION),
        (ready(channel=Channel.ORAL, exigent=True), Outcome.READY),
        (ready(basis=Basis.MLAT, subjects=(subject(SubjectStatus.OTHER),)), Outcome.READY),
        (ready(channel=Channel.ORAL, exigent=True, data_categories=categories(DataCategory.LES),
               coordination=Coordination(oia_deconfliction=True)), Outcome.READY),
    ],
    ids=["block+action", "block+followup+advice", "action+followup+advice", "followup", "advice", "followup+advice"],
)
def test_outcome_precedence_on_requests(request_: Request, outcome: Outcome) -> None:
    assessment = evaluate(request_)
    assert assessment.outcome is outcome
    held = {f.severity for f in assessment.holding()}
    assert held <= {Severity.BLOCK, Severity.ACTION}
    assert bool(held) == (outcome is not Outcome.READY)


SEVERITY_SETS = [set(combo) for n in range(5) for combo in itertools.combinations(Severity, n)]


@pytest.mark.parametrize("severities", SEVERITY_SETS, ids=lambda s: "+".join(sorted(s)) or "none")
def test_outcome_precedence_on_any_mix_of_severities(severities: set[Severity]) -> None:
    findings = tuple(Finding(f"CODE_{s.name}", s, "§1", "Do something about it.") for s in severities)
    assessment = Assessment(findings)
    assert assessment.outcome is outcome_for(severities)
    assert {f.severity for f in assessment.holding()} == severities & {Severity.BLOCK, Severity.ACTION}


def test_every_spec_code_has_a_checklist_step() -> None:
    assert set(STEP_OF_CODE) == set(SPEC)
