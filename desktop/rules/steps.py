"""Where each finding belongs in the directive's five-step checklist (its closing pages; SPEC C2)."""

from __future__ import annotations

from enum import IntEnum

from desktop.rules.findings import Finding, Severity


class Step(IntEnum):
    APPLICABILITY = 1
    EVALUATION = 2
    COORDINATION = 3
    DISCLOSURE = 4
    RECORDKEEPING = 5


STEP_TITLES = {
    Step.APPLICABILITY: "Step 1 — Applicability",
    Step.EVALUATION: "Step 2 — Evaluation: the request, their authority, our authority",
    Step.COORDINATION: "Step 3 — Coordination, non-disclosure, redactions and markings",
    Step.DISCLOSURE: "Step 4 — Disclosure with conditions",
    Step.RECORDKEEPING: "Step 5 — Recordkeeping",
}

STEP_OF_CODE: dict[str, Step] = {
    "CLASSIFIED_OUT_OF_SCOPE": Step.APPLICABILITY,
    "FOREIGN_PROCEEDING_DEMAND": Step.APPLICABILITY,
    "PRIVATE_PARTY_MATTER": Step.EVALUATION,
    "AUTHORITY_VIOLATED_ASSURANCES": Step.EVALUATION,
    "PURPOSE_NOT_PERMITTED": Step.EVALUATION,
    "NOT_IN_WRITING": Step.EVALUATION,
    "EXIGENT_WRITING_PENDING": Step.EVALUATION,
    "INSUFFICIENT_DETAIL": Step.EVALUATION,
    "PROACTIVE_REASON_REQUIRED": Step.EVALUATION,
    "OFFICIAL_NOT_AUTHORIZED": Step.EVALUATION,
    "ROUTINE_USE_REQUIRED": Step.EVALUATION,
    "USMCA_SCOPE": Step.EVALUATION,
    "MLAT_VIA_DOJ": Step.EVALUATION,
    "NOT_FROM_SOURCE_SYSTEM": Step.COORDINATION,
    "PROTECTED_CLASS": Step.COORDINATION,
    "ASYLUM_INFORMATION": Step.COORDINATION,
    "ADVANCE_CARGO_COMMERCIAL": Step.COORDINATION,
    "THIRD_AGENCY_CONSENT": Step.COORDINATION,
    "THIRD_AGENCY_REFERRAL_CAUTION": Step.COORDINATION,
    "OCC_COORDINATION": Step.COORDINATION,
    "LES_DECONFLICTION": Step.COORDINATION,
    "LES_MARKING": Step.COORDINATION,
    "FDO_CONSULTATION": Step.COORDINATION,
    "USMCA_NOTIFY_OTTAWA": Step.COORDINATION,
    "USMCA_NOTIFY_MEXICO_CITY": Step.COORDINATION,
    "PNR_SPECIAL_HANDLING": Step.COORDINATION,
    "DEVICE_SEARCH_SPECIAL": Step.COORDINATION,
    "BUSINESS_CONFIDENTIAL": Step.COORDINATION,
    "ONWARD_DISCLOSURE_EXPECTED": Step.DISCLOSURE,
    "DHS191_REQUIRED": Step.RECORDKEEPING,
}


def current_step(findings: tuple[Finding, ...]) -> Step:
    """The first step that still holds the request; Step 4 (disclose) when nothing does."""
    holding = [STEP_OF_CODE[f.code] for f in findings if f.severity in (Severity.BLOCK, Severity.ACTION)]
    return min(holding, default=Step.DISCLOSURE)
