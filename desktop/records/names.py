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


def find_names(text: str, names: Sequence[str], misread: bool = False) -> Iterator[tuple[int, int]]:
    """(start, end) in `text` of every listed name found. With `misread` (text read by OCR) a name part of four
    letters or more may also have one letter read as another: OCR reads "Côté" as "Cété" now and then, and
    folding accents cannot bring the o back."""
    folded = Folded(text)
    seen: set[tuple[int, int]] = set()
    words = [(m.group(), m.start(), m.end()) for m in _WORD.finditer(folded.text)] if misread else []
    for name in dict.fromkeys(" ".join(n.split()) for n in names):
        pattern = name_pattern(name) if name else None
        if pattern is None:
            continue
        spans = [(m.start(), m.end()) for m in pattern.finditer(folded.text)]
        if misread:
            spans += list(_near(folded.text, words, _parts(name)))
        for start, end in spans:
            span = (folded.start(start), folded.end(end))
            if span not in seen:
                seen.add(span)
                yield span


_WORD = re.compile(r"[^\W\d_]+")
_PLAIN_GAP = re.compile(r"[\s.]*")
_COMMA_GAP = re.compile(r"\s*,\s*")


def _parts(name: str) -> list[str]:
    return [w for w in fold(name).replace(",", " ").split() if not _initial(w)]


def _near(text: str, words: Sequence[tuple[str, int, int]], parts: Sequence[str]) -> Iterator[tuple[int, int]]:
    """Spans of "First [M.] Rest" and "Rest, First [M.]" whose words are each at most one letter off the parts."""
    if not parts:
        return
    first, rest = parts[0], list(parts[1:])
    for i in range(len(words)):
        # First [M.] Rest
        at = _run(text, words, i, [first], _PLAIN_GAP)
        if at is not None and rest:
            at = _skip_initial(text, words, at)
            end = _run(text, words, at, rest, _PLAIN_GAP, join=words[at - 1][2] if at else 0)
            if end is not None:
                yield words[i][1], words[end - 1][2]
        elif at is not None:
            yield words[i][1], words[at - 1][2]
        # Rest, First [M.]
        if rest:
            at = _run(text, words, i, rest, _PLAIN_GAP)
            if at is not None and at < len(words) and _COMMA_GAP.fullmatch(text, words[at - 1][2], words[at][1]) \
                    and _close(words[at][0], first):
                yield words[i][1], words[at][2]


def _run(text: str, words: Sequence[tuple[str, int, int]], start: int, parts: Sequence[str], gap: re.Pattern[str],
         join: int | None = None) -> int | None:
    """The index after `parts` matched word by word from `start`, each gap plain; None if they do not match."""
    at = start
    for part in parts:
        if at >= len(words) or not _close(words[at][0], part):
            return None
        before = join if at == start and join is not None else (words[at - 1][2] if at > start else None)
        if before is not None and not gap.fullmatch(text, before, words[at][1]):
            return None
        at += 1
    return at


def _skip_initial(text: str, words: Sequence[tuple[str, int, int]], at: int) -> int:
    if at < len(words) and len(words[at][0]) == 1 and _PLAIN_GAP.fullmatch(text, words[at - 1][2], words[at][1]):
        return at + 1
    return at


def _close(word: str, part: str) -> bool:
    """The same word, or for a part of four letters or more one letter read as another (what OCR does; it seldom
    adds or drops a letter, and allowing that would take "Janet" for "Jane")."""
    if word == part:
        return True
    return len(part) >= 4 and len(word) == len(part) and sum(a != b for a, b in zip(word, part, strict=True)) == 1


def same_name(found: str, name: str) -> bool:
    """Whether text found on a page is this name, in any of the forms find_names accepts."""
    pattern = name_pattern(" ".join(name.split()))
    return bool(pattern and pattern.fullmatch(fold(" ".join(found.split()))))
