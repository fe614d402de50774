"""SPEC P3: no packet is finalized, or written by the command line, while the rules hold the request."""

from __future__ import annotations

from collections.abc import Sequence

from desktop.packets.model import PacketError
from desktop.requests.model import Request
from desktop.rules import Finding, evaluate


class PacketRefused(PacketError):
    """The rules say blocked or needs_action; `findings` are the ones that hold the request (block, action)."""

    def __init__(self, outcome: str, findings: Sequence[Finding]) -> None:
        self.outcome = outcome
        self.findings = tuple(findings)
        listed = "; ".join(f"{f.code} ({f.section}): {f.message}" for f in self.findings)
        super().__init__(f"The packet cannot be finalized while the request is {outcome}. {listed}")


def refuse_unless_ready(request: Request) -> None:
    """Raises PacketRefused while the rules outcome is blocked or needs_action."""
    assessment = evaluate(request)
    if assessment.holding():
        raise PacketRefused(assessment.outcome.value, assessment.holding())
