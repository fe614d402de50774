"""Finding the post's DHS personnel names in a page's text (§9.1.1) as records write them: with or without accents
and in any case ("Ramon Nunez" finds "RAMÓN NÚÑEZ"), across a line break, as "Last, First", and with or without a
middle initial ("Jane Q. Roe" and "Jane Roe" find each other).

No library matches names this way, so it is written here: the text is folded (accents dropped, case folded) with a
map back to the original characters, so a match still points at the boxes of what was printed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence
from functools import lru_cache


class Folded:
    """`text` without accents, case-folded; `start(i)`/`end(i)` map folded positions back to the original."""

    def __init__(self, text: str) -> None:
        parts: list[str] = []
        self._origin: list[int] = []
        for index, char in enumerate(text):
            folded = fold(char)
            parts.append(folded)
            self._origin.extend([index] * len(folded))
        self.text = "".join(parts)
        self._length = len(text)

    def start(self, index: int) -> int:
        return self._origin[index] if index < len(self._origin) else self._length

    def end(self, index: int) -> int:
        return self._origin[index - 1] + 1 if index > 0 else 0


def fold(text: str) -> str:
    """Without accents and case: "Núñez" and "NUNEZ" are both "nunez"."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


@lru_cache(maxsize=256)
def name_pattern(name: str) -> re.Pattern[str] | None:
    """The forms of one listed name over folded text: "First [M.] Last" and "Last, First [M.]"; None if empty."""
    words = fold(name).replace(",", " ").split()
    parts = [w for w in words if not _initial(w)]  # a middle initial in the list is optional in the text
    if not parts:
        return None
    gap, initial = r"\s+", r"(?:\s+[a-z]\.?)?"
    escaped = [re.escape(p) for p in parts]
    forms = [gap.join(escaped)]
    if len(parts) >= 2:
        forms = [escaped[0] + initial + gap + gap.join(escaped[1:]),
                 gap.join(escaped[1:]) + r"\s*,\s*" + escaped[0] + initial]
    return re.compile(rf"(?<!\w)(?:{'|'.join(forms)})(?!\w)")


def _initial(word: str) -> bool:
    return len(word.rstrip(".")) == 1


def find_names(text: str, names: Sequence[str]) -> Iterator[tuple[int, int]]:
    """(start, end) in `text` of every listed name found."""
    folded = Folded(text)
    for name in dict.fromkeys(" ".join(n.split()) for n in names):
        pattern = name_pattern(name) if name else None
        if pattern is None:
            continue
        for match in pattern.finditer(folded.text):
            yield folded.start(match.start()), folded.end(match.end())


def same_name(found: str, name: str) -> bool:
    """Whether text found on a page is this name, in any of the forms find_names accepts."""
    pattern = name_pattern(" ".join(name.split()))
    return bool(pattern and pattern.fullmatch(fold(" ".join(found.split()))))
