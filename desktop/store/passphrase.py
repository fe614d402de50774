"""Passphrase strength: an estimate in bits for the meter, and the minimum the store accepts (SPEC S2).

The estimate is deliberately conservative: a word of the packet word list counts as one pick from that list (and
once only), other text counts the character pool it uses with repeats, runs and sequences discounted.
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
    """Sums its tokens: a word of the list is worth the list's entropy once (repeating it adds one bit), anything
    else its characters over its own pool, a token made of one piece repeated counted as that piece."""
    known = _wordlist()
    seen: set[str] = set()
    bits = 0.0
    for token in re.split(r"[\s\-_.,;:]+", passphrase):
        if not token:
            continue
        piece, times = _repeated_piece(token)
        bits += math.log2(times) if times > 1 else 0.0
        if piece.lower() in seen:
            bits += 1.0
        elif piece.lower() in known:
            bits += math.log2(len(known))
        else:
            bits += _effective_length(piece) * math.log2(max(_pool(piece), 2))
        seen.add(piece.lower())
    return bits


def _repeated_piece(token: str) -> tuple[str, int]:
    """("password", 2) for "passwordpassword"; the token itself and 1 when it is not one piece repeated."""
    for size in range(1, len(token) // 2 + 1):
        if len(token) % size == 0 and token[:size] * (len(token) // size) == token:
            return token[:size], len(token) // size
    return token, 1


def _pool(text: str) -> int:
    pool = 26 if re.search(r"[a-z]", text) else 0
    pool += 26 if re.search(r"[A-Z]", text) else 0
    pool += 10 if re.search(r"[0-9]", text) else 0
    pool += 33 if re.search(r"[^A-Za-z0-9]", text) else 0
    pool += 100 if re.search(r"[^\x00-\x7f]", text) else 0
    return pool


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
