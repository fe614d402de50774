"""The directive's rules, a pure function from request facts to findings (SPEC section 4).

    assessment = evaluate(request)
    assessment.outcome      # blocked / needs_action / ready
    assessment.findings     # each with code, severity, section, message, and field where it concerns one
"""

from __future__ import annotations

from desktop.requests.model import Request
from desktop.rules.directive import RULES
from desktop.rules.findings import Assessment, Finding, Outcome, Severity
from desktop.rules.steps import STEP_OF_CODE, STEP_TITLES, Step, current_step


def evaluate(request: Request) -> Assessment:
    return Assessment(tuple(finding for rule in RULES for finding in rule(request)))


def assess_for_store(request: Request) -> tuple[str | None, int | None]:
    """What the store caches beside a request for the list: its outcome and the step it is held at."""
    assessment = evaluate(request)
    return assessment.outcome.value, int(current_step(assessment.findings))


__all__ = [
    "STEP_OF_CODE",
    "STEP_TITLES",
    "Assessment",
    "Finding",
    "Outcome",
    "Severity",
    "Step",
    "assess_for_store",
    "current_step",
    "evaluate",
]
