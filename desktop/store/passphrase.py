"""Passphrase strength: an estimate in bits for the meter, and the minimum the store accepts (SPEC S2).

The estimate is deliberately conservative: it counts the character pool actually used, then discounts repeats,
runs and sequences, and caps words found in the packet word list at that list's entropy per word.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import cache

from desktop.paths import resource_path

MIN_LENGTH = 12
MIN_BITS = 60.0


@dataclass(frozen=True)
class Strength:
    bits: float
    verdict: str  # "too weak" / "fair" / "strong" / "very strong"
    problems: tuple[str, ...]

    @property
    def acceptable(self) -> bool:
        return not self.problems


def assess(passphrase: str) -> Strength:
    bits = _estimate_bits(passphrase)
    problems = []
    if len(passphrase) < MIN_LENGTH:
        problems.append(f"Use at least {MIN_LENGTH} characters (now {len(passphrase)}).")
    if bits < MIN_BITS:
        problems.append(
            f"Too easy to guess (about {bits:.0f} bits; {MIN_BITS:.0f} needed). Add words or unusual characters."
        )
    return Strength(bits, _verdict(bits), tuple(problems))


def _verdict(bits: float) -> str:
    if bits < MIN_BITS:
        return "too weak"
    if bits < 80:
        return "fair"
    if bits < 100:
        return "strong"
    return "very strong"


def _estimate_bits(passphrase: str) -> float:
    if not passphrase:
        return 0.0
    words = [w for w in re.split(r"[\s\-_.,;:]+", passphrase.lower()) if w]
    known = _wordlist()
    if len(words) >= 3 and all(w in known for w in words):
        return len(words) * math.log2(max(len(known), 2))
    pool = 0
    pool += 26 if re.search(r"[a-z]", passphrase) else 0
    pool += 26 if re.search(r"[A-Z]", passphrase) else 0
    pool += 10 if re.search(r"[0-9]", passphrase) else 0
    pool += 33 if re.search(r"[^A-Za-z0-9]", passphrase) else 0
    pool += 100 if re.search(r"[^\x00-\x7f]", passphrase) else 0
    effective = _effective_length(passphrase)
    return effective * math.log2(max(pool, 2))


def _effective_length(text: str) -> float:
    """Length, with repeated characters and ascending/descending runs counted at a quarter each."""
    length = 1.0
    for previous, current in zip(text, text[1:], strict=False):
        step = ord(current) - ord(previous)
        length += 0.25 if step in (-1, 0, 1) else 1.0
    return length


@cache
def _wordlist() -> frozenset[str]:
    path = resource_path("wordlist.txt")
    if not path.exists():
        return frozenset()
    return frozenset(line.strip().lower() for line in path.read_text("utf-8").splitlines() if line.strip())
