"""The directive's five-step checklist (its closing pages) filled in from the findings (SPEC C2).

Each step asks the directive's questions; a question with no finding is done, otherwise each finding under it
says what is missing, why (its section) and what to do.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from desktop.rules.findings import Assessment, Finding, Severity
from desktop.rules.steps import STEP_OF_CODE, STEP_TITLES, Step


class ItemState(StrEnum):
    DONE = "done"
    BLOCKED = "blocked"
    NEEDS_ACTION = "needs action"
    FOLLOW_UP = "follow-up"
    ADVICE = "advice"


_STATE_OF = {
    Severity.BLOCK: ItemState.BLOCKED,
    Severity.ACTION: ItemState.NEEDS_ACTION,
    Severity.FOLLOWUP: ItemState.FOLLOW_UP,
    Severity.ADVICE: ItemState.ADVICE,
}
_RANK = [ItemState.BLOCKED, ItemState.NEEDS_ACTION, ItemState.FOLLOW_UP, ItemState.ADVICE, ItemState.DONE]


@dataclass(frozen=True)
class Question:
    step: Step
    text: str
    section: str
    codes: tuple[str, ...]


QUESTIONS: tuple[Question, ...] = (
    Question(Step.APPLICABILITY, "Does the directive apply to this request?", "§2, §3",
             ("CLASSIFIED_OUT_OF_SCOPE", "FOREIGN_PROCEEDING_DEMAND")),
    Question(Step.EVALUATION, "Is the request in writing and detailed enough?", "§8.1.1, §8.1.1.1",
             ("NOT_IN_WRITING", "EXIGENT_WRITING_PENDING", "INSUFFICIENT_DETAIL", "PROACTIVE_REASON_REQUIRED")),
    Question(Step.EVALUATION, "Do they have the authority and a permitted purpose?", "§7.2.1, §7.3.1.2, §8.1.2",
             ("PURPOSE_NOT_PERMITTED", "PRIVATE_PARTY_MATTER", "AUTHORITY_VIOLATED_ASSURANCES")),
    Question(Step.EVALUATION, "Do we have the authority to disclose?", "§6.1.2.1, §7.3",
             ("OFFICIAL_NOT_AUTHORIZED", "ROUTINE_USE_REQUIRED", "USMCA_SCOPE", "MLAT_VIA_DOJ")),
    Question(Step.COORDINATION, "Has everyone who must be consulted been consulted?", "§6.1.5.2, §8.1.3, §9.2",
             ("NOT_FROM_SOURCE_SYSTEM", "OCC_COORDINATION", "LES_DECONFLICTION", "FDO_CONSULTATION",
              "USMCA_NOTIFY_OTTAWA", "USMCA_NOTIFY_MEXICO_CITY")),
    Question(Step.COORDINATION, "Is any of it protected from disclosure?", "§7.2",
             ("PROTECTED_CLASS", "ASYLUM_INFORMATION", "ADVANCE_CARGO_COMMERCIAL", "THIRD_AGENCY_CONSENT",
              "THIRD_AGENCY_REFERRAL_CAUTION", "PNR_SPECIAL_HANDLING", "DEVICE_SEARCH_SPECIAL",
              "BUSINESS_CONFIDENTIAL")),
    Question(Step.COORDINATION, "Redactions and markings", "§9.1, §9.2", ("LES_MARKING",)),
    Question(Step.DISCLOSURE, "Cover letter with the conditions of use and onward disclosure", "§10.1, App. A",
             ("ONWARD_DISCLOSURE_EXPECTED",)),
    Question(Step.RECORDKEEPING, "Request, disclosure and DHS-191 kept", "§10.2", ("DHS191_REQUIRED",)),
)
_OWNER = {code: question for question in QUESTIONS for code in question.codes}
assert set(_OWNER) == set(STEP_OF_CODE), "every finding code belongs to one checklist question"


@dataclass(frozen=True)
class QuestionState:
    question: Question
    state: ItemState
    findings: tuple[Finding, ...]


@dataclass(frozen=True)
class StepState:
    step: Step
    title: str
    state: ItemState
    questions: tuple[QuestionState, ...]


def checklist(assessment: Assessment) -> tuple[StepState, ...]:
    steps = []
    for step in Step:
        questions = tuple(_question_state(q, assessment.findings) for q in QUESTIONS if q.step is step)
        steps.append(StepState(step, STEP_TITLES[step], worst(q.state for q in questions), questions))
    return tuple(steps)


def _question_state(question: Question, findings: tuple[Finding, ...]) -> QuestionState:
    mine = tuple(f for f in findings if _OWNER.get(f.code) is question)
    return QuestionState(question, worst(state_of(f) for f in mine), mine)


def state_of(finding: Finding) -> ItemState:
    return _STATE_OF[finding.severity]


def worst(states: Iterable[ItemState]) -> ItemState:
    found = set(states)
    return next((state for state in _RANK if state in found), ItemState.DONE)
