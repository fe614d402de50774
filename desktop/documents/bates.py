"""Bates numbers (SPEC P1): the post's prefix and six digits, e.g. OTT000001, on packet pages and DHS-191 entries."""

from __future__ import annotations

BATES_DIGITS = 6


def bates_label(prefix: str, number: int) -> str:
    return f"{prefix}{number:0{BATES_DIGITS}d}"
