"""The request facts the directive asks for (SPEC C1, scenarios/README.md).

Field names are the interchange JSON v1 names, so that the parser, the store and the rules share one vocabulary.
Everything here is immutable; an edit makes a new value with `dataclasses.replace`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum


class InitiatedBy(StrEnum):
    FOREIGN_AUTHORITY = "foreign_authority"
    CBP = "cbp"  # proactive disclosure, §7.3.3


class Channel(StrEnum):
    LETTERHEAD_MEMO = "letterhead_memo"  # fn 25
    OFFICIAL_EMAIL = "official_email"  # fn 25
    ORAL = "oral"  # §8.1.1.2 when exigent


class AuthorityKind(StrEnum):
    CUSTOMS = "customs"
    LAW_ENFORCEMENT = "law_enforcement"
    OTHER_GOVERNMENT = "other_government"
    MULTILATERAL = "multilateral"


class Purpose(StrEnum):
    CUSTOMS_LAW_COMPLIANCE = "customs_law_compliance"  # §8.1.2.1
    AGREEMENT_ADMINISTRATION = "agreement_administration"  # §8.1.2.2
    US_PROCEEDING = "us_proceeding"  # §8.1.2.3
    COMPARABLE_FOREIGN_ACTION = "comparable_foreign_action"  # §8.1.2.4
    OTHER = "other"


class Basis(StrEnum):
    AD_HOC_1628 = "ad_hoc_1628"  # §7.3.1
    CMAA = "cmaa"  # §7.3.2
    MLAT = "mlat"  # §7.3.2.1
    USMCA = "usmca"  # §7.3.2.2
    OTHER_AGREEMENT = "other_agreement"  # §7.3.2, §7.3.2.3


class SubjectStatus(StrEnum):
    US_CITIZEN = "us_citizen"
    LPR = "lpr"
    JRA_COVERED = "jra_covered"
    OTHER = "other"


class DataCategory(StrEnum):
    TRAVEL = "travel"
    TRADE = "trade"
    CASE_FILE = "case_file"
    PNR = "pnr"
    ATS = "ats"
    PROTECTED_CLASS = "protected_class"
    ASYLUM = "asylum"
    ADVANCE_CARGO = "advance_cargo"
    DEVICE_SEARCH = "device_search"
    THIRD_AGENCY = "third_agency"
    INTELLIGENCE_PRODUCT = "intelligence_product"
    LES = "les"
    BUSINESS_CONFIDENTIAL = "business_confidential"


class AdvanceCargoUse(StrEnum):
    SECURITY = "security"
    COMMERCIAL_ENFORCEMENT = "commercial_enforcement"


class OfficialPosition(StrEnum):
    # The §7.3.1.1 positions, delegated by DO-18-210.
    DEPUTY_COMMISSIONER = "deputy_commissioner"
    CHIEF_USBP = "chief_usbp"
    EAC_OFO = "eac_ofo"
    EAC_AMO = "eac_amo"
    EAC_TRADE = "eac_trade"
    EAC_ES = "eac_es"
    EAC_OS = "eac_os"
    AC_OIA = "ac_oia"
    AC_OI = "ac_oi"
    AC_OPR = "ac_opr"
    AC_LSS = "ac_lss"
    # fn 22: further delegation, not below supervisory GS-13.
    PRINCIPAL_FIELD_OFFICIAL = "principal_field_official"
    FURTHER_DELEGATE = "further_delegate"
    OTHER = "other"


DELEGATED_POSITIONS = frozenset(
    {
        OfficialPosition.DEPUTY_COMMISSIONER,
        OfficialPosition.CHIEF_USBP,
        OfficialPosition.EAC_OFO,
        OfficialPosition.EAC_AMO,
        OfficialPosition.EAC_TRADE,
        OfficialPosition.EAC_ES,
        OfficialPosition.EAC_OS,
        OfficialPosition.AC_OIA,
        OfficialPosition.AC_OI,
        OfficialPosition.AC_OPR,
        OfficialPosition.AC_LSS,
    }
)

COORDINATION_ITEMS = (
    "occ",
    "privacy_office",
    "oia_deconfliction",
    "fdo",
    "record_owner",
    "attache_notified",
    "pnr_requirements_confirmed",
    "device_search_requirements_confirmed",
    "trade_secrets_review",
)


@dataclass(frozen=True)
class RequestingAuthority:
    name: str = ""
    country: str = ""  # ISO 3166-1 alpha-2
    kind: AuthorityKind | None = None
    address: str = ""
    violated_assurances: bool = False  # §7.3.1.2


@dataclass(frozen=True)
class Requester:
    name: str = ""
    title: str = ""
    email: str = ""


@dataclass(frozen=True)
class OnwardDisclosure:
    expected: bool = False
    details: str = ""


@dataclass(frozen=True)
class ThirdAgency:
    name: str = ""
    consent_obtained: bool = False
    sole_owner: bool = False


@dataclass(frozen=True)
class Subject:
    name: str = ""
    status: SubjectStatus = SubjectStatus.OTHER
    identifier: str = ""


@dataclass(frozen=True)
class DisclosingOfficial:
    name: str = ""
    position: OfficialPosition = OfficialPosition.OTHER
    grade: int | None = None
    supervisory: bool = False


@dataclass(frozen=True)
class Coordination:
    occ: bool = False
    privacy_office: bool = False
    oia_deconfliction: bool = False
    fdo: bool = False
    record_owner: bool = False
    attache_notified: bool = False
    pnr_requirements_confirmed: bool = False
    device_search_requirements_confirmed: bool = False
    trade_secrets_review: bool = False


@dataclass(frozen=True)
class Request:
    reference: str = ""
    received_on: date | None = None
    initiated_by: InitiatedBy = InitiatedBy.FOREIGN_AUTHORITY
    channel: Channel | None = None
    exigent: bool = False
    reduced_to_writing_on: date | None = None
    requesting_authority: RequestingAuthority | None = None
    requester: Requester | None = None
    information_requested: str = ""
    reason: str = ""
    purpose: Purpose | None = None
    recipient_legal_authority: str = ""
    onward_disclosure: OnwardDisclosure | None = None
    deliver_to: str = ""
    certification_required: bool | None = None
    needed_by: date | None = None
    basis: Basis = Basis.AD_HOC_1628
    agreement: str = ""
    usmca_chapters: tuple[int, ...] = ()
    classified: bool = False
    foreign_proceeding_demand: bool = False
    private_party_matter: bool = False
    required_by_agreement: bool = False
    foreign_judicial_proceeding: bool = False
    subjects: tuple[Subject, ...] = ()
    data_categories: tuple[DataCategory, ...] = ()
    advance_cargo_use: AdvanceCargoUse | None = None
    third_agency: ThirdAgency | None = None
    protected_class_authorization: str | None = None
    asylum_exception_by_counsel: bool = False
    source_system: str = ""
    from_aggregator: bool = False
    routine_use: str | None = None
    sorn: str | None = None
    disclosing_official: DisclosingOfficial | None = None
    coordination: Coordination = field(default_factory=Coordination)

    def has_category(self, category: DataCategory) -> bool:
        return category in self.data_categories

    @property
    def country(self) -> str:
        return self.requesting_authority.country if self.requesting_authority else ""

    @property
    def authority_name(self) -> str:
        return self.requesting_authority.name if self.requesting_authority else ""
