"""Properties of the rules over generated requests (hypothesis): what holds for every request, not just the cases.

The strategies build any valid interchange-v1 request from the model's own enums and types, leaning towards the
values the rules turn on (empty and blank strings, Canada and Mexico, USMCA chapters 2/4/5, oral and exigent).
"""

from __future__ import annotations

import string
from collections import Counter
from dataclasses import replace
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from desktop.requests import parse_request_bytes, request_to_json
from desktop.requests.model import (
    COORDINATION_ITEMS,
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
    Requester,
    RequestingAuthority,
    Subject,
    SubjectStatus,
    ThirdAgency,
)
from desktop.rules import Outcome, Severity, evaluate
from tests.core.test_rules import READY, SPEC

PROPERTY_SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Findings a coordination item closes: recording that item must remove the finding (SPEC section 4, C2).
FIXED_BY_FLAG = {
    "OCC_COORDINATION": "occ",
    "LES_DECONFLICTION": "oia_deconfliction",
    "FDO_CONSULTATION": "fdo",
    "USMCA_NOTIFY_OTTAWA": "attache_notified",
    "USMCA_NOTIFY_MEXICO_CITY": "attache_notified",
    "PNR_SPECIAL_HANDLING": "pnr_requirements_confirmed",
    "DEVICE_SEARCH_SPECIAL": "device_search_requirements_confirmed",
    "BUSINESS_CONFIDENTIAL": "trade_secrets_review",
}
HOLDING = (Severity.BLOCK, Severity.ACTION)


def texts() -> st.SearchStrategy[str]:
    return st.one_of(st.just(""), st.just("  "), st.text(max_size=12))


def optional(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), strategy)


countries = st.one_of(
    st.sampled_from(["CA", "MX", "US", "GB", ""]), st.text(string.ascii_uppercase, min_size=2, max_size=2)
)
dates = st.dates()

authorities = st.builds(
    RequestingAuthority, name=texts(), country=countries, kind=optional(st.sampled_from(AuthorityKind)),
    address=texts(), violated_assurances=st.booleans(),
)
officials = st.builds(
    DisclosingOfficial, name=texts(), position=st.sampled_from(OfficialPosition),
    grade=optional(st.integers(min_value=1, max_value=15)), supervisory=st.booleans(),
)
coordinations = st.builds(Coordination, **{item: st.booleans() for item in COORDINATION_ITEMS})
subjects = st.builds(Subject, name=texts(), status=st.sampled_from(SubjectStatus), identifier=texts())

FIELDS: dict[str, st.SearchStrategy[Any]] = {
    "reference": texts(),
    "received_on": optional(dates),
    "initiated_by": st.sampled_from(InitiatedBy),
    "channel": optional(st.sampled_from(Channel)),
    "exigent": st.booleans(),
    "reduced_to_writing_on": optional(dates),
    "requesting_authority": optional(authorities),
    "requester": optional(st.builds(Requester, name=texts(), title=texts(), email=texts())),
    "information_requested": texts(),
    "reason": texts(),
    "purpose": optional(st.sampled_from(Purpose)),
    "recipient_legal_authority": texts(),
    "onward_disclosure": optional(st.builds(OnwardDisclosure, expected=st.booleans(), details=texts())),
    "deliver_to": texts(),
    "certification_required": optional(st.booleans()),
    "needed_by": optional(dates),
    "basis": st.sampled_from(Basis),
    "agreement": texts(),
    "usmca_chapters": st.lists(st.one_of(st.integers(0, 8), st.integers(0, 40)), max_size=4).map(tuple),
    "classified": st.booleans(),
    "foreign_proceeding_demand": st.booleans(),
    "private_party_matter": st.booleans(),
    "required_by_agreement": st.booleans(),
    "foreign_judicial_proceeding": st.booleans(),
    "subjects": st.lists(subjects, max_size=3).map(tuple),
    "data_categories": st.lists(st.sampled_from(DataCategory), max_size=6).map(tuple),
    "advance_cargo_use": optional(st.sampled_from(AdvanceCargoUse)),
    "third_agency": optional(st.builds(ThirdAgency, name=texts(), consent_obtained=st.booleans(),
                                       sole_owner=st.booleans())),
    "protected_class_authorization": optional(texts()),
    "asylum_exception_by_counsel": st.booleans(),
    "source_system": texts(),
    "from_aggregator": st.booleans(),
    "routine_use": optional(texts()),
    "sorn": optional(texts()),
    "disclosing_official": optional(officials),
    "coordination": coordinations,
}


def mostly(value: Any, strategy: st.SearchStrategy[Any], odds: int = 8) -> st.SearchStrategy[Any]:
    """`value` most of the time, otherwise anything `strategy` makes (about one in `odds`)."""
    return st.integers(0, odds - 1).flatmap(lambda n: strategy if n == odds - 1 else st.just(value))


# Anything at all (mostly blocked), and requests a few facts away from ready (every outcome, every rule).
any_request = st.builds(Request, **FIELDS)
# Facts that only add follow-ups, coordination items or advice vary more often, so outcomes other than blocked come up.
LIVELY = {"data_categories": 3, "coordination": 2, "basis": 4}
near_ready = st.builds(
    Request,
    **{name: mostly(getattr(READY, name), strategy, LIVELY.get(name, 8)) for name, strategy in FIELDS.items()},
)
usmca_request = st.builds(
    replace, near_ready, basis=st.just(Basis.USMCA),
    requesting_authority=st.builds(RequestingAuthority, name=texts(), country=st.sampled_from(["CA", "MX", "GB"])),
    usmca_chapters=st.lists(st.sampled_from([2, 4, 5, 1, 3]), max_size=3).map(tuple),
)
oral_request = st.builds(replace, near_ready, channel=st.just(Channel.ORAL), exigent=st.booleans())
requests = st.one_of(any_request, near_ready, usmca_request, oral_request)


def holding_keys(request: Request) -> Counter[tuple[str, str | None]]:
    return Counter((f.code, f.field) for f in evaluate(request).findings if f.severity in HOLDING)


# One request for each outcome, and one with only a follow-up (it must not hold the packet).
OUTCOME_EXAMPLES = (
    READY,
    replace(READY, channel=Channel.ORAL, exigent=True),
    replace(READY, channel=Channel.ORAL),
    replace(READY, classified=True, channel=Channel.ORAL),
)


@PROPERTY_SETTINGS
@given(requests)
@example(OUTCOME_EXAMPLES[0])
@example(OUTCOME_EXAMPLES[1])
@example(OUTCOME_EXAMPLES[2])
@example(OUTCOME_EXAMPLES[3])
def test_outcome_follows_the_severities(request: Request) -> None:
    assessment = evaluate(request)
    severities = {f.severity for f in assessment.findings}
    if Severity.BLOCK in severities:
        assert assessment.outcome is Outcome.BLOCKED
    elif Severity.ACTION in severities:
        assert assessment.outcome is Outcome.NEEDS_ACTION
    else:
        assert assessment.outcome is Outcome.READY
    assert assessment.to_json()["outcome"] == assessment.outcome.value


@PROPERTY_SETTINGS
@given(requests)
def test_the_assessment_is_deterministic(request: Request) -> None:
    first = evaluate(request)
    assert evaluate(request) == first
    assert evaluate(replace(request)) == first
    assert first.to_json() == evaluate(request).to_json()


@PROPERTY_SETTINGS
@given(requests)
def test_every_finding_is_a_spec_row_with_its_severity_and_section(request: Request) -> None:
    for finding in evaluate(request).findings:
        assert finding.code in SPEC, f"{finding.code} is not in SPEC section 4"
        assert finding.severity is SPEC[finding.code].severity, finding.code
        assert finding.section == SPEC[finding.code].section, finding.code
        assert (finding.field is not None) == (finding.code == "INSUFFICIENT_DETAIL"), finding.code
        assert finding.message.strip() and finding.message.endswith("."), finding.code


@PROPERTY_SETTINGS
@given(requests)
def test_who_initiated_decides_which_request_facts_are_checked(request: Request) -> None:
    codes = {f.code for f in evaluate(request).findings}
    if request.initiated_by is InitiatedBy.CBP:
        assert not codes & {"INSUFFICIENT_DETAIL", "NOT_IN_WRITING", "EXIGENT_WRITING_PENDING"}
    else:
        assert "PROACTIVE_REASON_REQUIRED" not in codes


EVERY_COORDINATION_FINDING = replace(
    READY, basis=Basis.USMCA, usmca_chapters=(4,), foreign_judicial_proceeding=True,
    data_categories=(DataCategory.LES, DataCategory.INTELLIGENCE_PRODUCT, DataCategory.PNR, DataCategory.ATS,
                     DataCategory.DEVICE_SEARCH, DataCategory.BUSINESS_CONFIDENTIAL),
)


@PROPERTY_SETTINGS
@given(requests)
@example(EVERY_COORDINATION_FINDING)
@example(replace(EVERY_COORDINATION_FINDING, requesting_authority=RequestingAuthority(name="ANAM", country="MX")))
def test_recording_the_coordination_closes_its_finding_and_opens_nothing(request: Request) -> None:
    before = evaluate(request)
    for code in before.codes() & set(FIXED_BY_FLAG):
        flag = FIXED_BY_FLAG[code]
        fixed = replace(request, coordination=replace(request.coordination, **{flag: True}))
        assert code not in evaluate(fixed).codes(), f"setting {flag} leaves {code}"
        assert not holding_keys(fixed) - holding_keys(request), f"setting {flag} adds a block or action"


@PROPERTY_SETTINGS
@given(requests, st.sampled_from(COORDINATION_ITEMS))
def test_recording_any_coordination_never_adds_a_finding(request: Request, flag: str) -> None:
    done = replace(request, coordination=replace(request.coordination, **{flag: True}))
    before = Counter((f.code, f.field) for f in evaluate(request).findings)
    after = Counter((f.code, f.field) for f in evaluate(done).findings)
    assert not after - before


@PROPERTY_SETTINGS
@given(requests)
def test_interchange_round_trip_keeps_the_request_and_its_findings(request: Request) -> None:
    parsed = parse_request_bytes(request_to_json(request).encode("utf-8"))
    assert parsed == request
    assert evaluate(parsed) == evaluate(request)


def test_the_coordination_map_names_spec_codes_and_real_items() -> None:
    assert set(FIXED_BY_FLAG) <= set(SPEC)
    assert set(FIXED_BY_FLAG.values()) <= set(COORDINATION_ITEMS)
    covered = evaluate(EVERY_COORDINATION_FINDING).codes() | {"USMCA_NOTIFY_MEXICO_CITY"}
    assert set(FIXED_BY_FLAG) <= covered
