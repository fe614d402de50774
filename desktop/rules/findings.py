"""What the rules say: findings, their severities, and the outcome they add up to (SPEC section 4)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    BLOCK = "block"  # may not be disclosed while the facts stand
    ACTION = "action"  # a required step is not done; the packet cannot be finalized
    FOLLOWUP = "followup"  # disclosure may go ahead, a step must be closed later
    ADVICE = "advice"  # information; nothing is held


class Outcome(StrEnum):
    BLOCKED = "blocked"
    NEEDS_ACTION = "needs_action"
    READY = "ready"


@dataclass(frozen=True)
class Finding:
    code: str
    severity: Severity
    section: str
    message: str
    field: str | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "code": self.code,
            "severity": self.severity.value,
            "section": self.section,
            "message": self.message,
        }
        if self.field is not None:
            out["field"] = self.field
        return out


@dataclass(frozen=True)
class Assessment:
    findings: tuple[Finding, ...]

    @property
    def outcome(self) -> Outcome:
        severities = {f.severity for f in self.findings}
        if Severity.BLOCK in severities:
            return Outcome.BLOCKED
        if Severity.ACTION in severities:
            return Outcome.NEEDS_ACTION
        return Outcome.READY

    def codes(self) -> set[str]:
        return {f.code for f in self.findings}

    def holding(self) -> tuple[Finding, ...]:
        """The findings that keep a packet from being finalized (SPEC P3)."""
        return tuple(f for f in self.findings if f.severity in (Severity.BLOCK, Severity.ACTION))

    def to_json(self) -> dict[str, Any]:
        return {"outcome": self.outcome.value, "findings": [f.to_json() for f in self.findings]}
