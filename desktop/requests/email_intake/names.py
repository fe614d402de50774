"""Attachment names as a sender wrote them are hostile input: made safe to show and to save, or refused.

The judgement (issue 14): a name with a path in it ("../", "C:\\", a slash of either kind), a control character or a
bidirectional override is refused with the whole message: no mail program sends one (Outlook and the usual clients
send the base name), so it is a crafted message, and a name that hides its real extension (the right-to-left
override turns "cod.exe" into "exe.doc" on screen) must not reach the list. What an honest sender can write and
only Windows minds is changed instead, and counted: the characters <>:"|?* become "_", a reserved device name (CON,
PRN, AUX, NUL, COM1-9, LPT1-9, with or without an extension: "con.pdf" is Spanish for "with") gets a "_" in front,
trailing dots and spaces go, a name over 150 characters is shortened keeping its extension, an empty name becomes
"attachment-N", and a name used twice gets " (2)".
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import PurePosixPath

MAX_NAME = 150
_RESERVED = re.compile(r"(?i)(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?")
_WINDOWS_ONLY = re.compile(r'[<>:"|?*]')
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_DRIVE = re.compile(r"^[A-Za-z]:")


class NameRefused(ValueError):
    """The reason, without the name (it may be crafted to mislead on screen)."""


def safe_name(raw: str, position: int, taken: set[str]) -> tuple[str, bool]:
    """(the name to keep, whether it was changed). `position` numbers a nameless attachment; `taken` holds the
    names already given (lower case), and gets this one."""
    name = unicodedata.normalize("NFC", raw.strip())
    _refuse_paths(name)
    cleaned = _WINDOWS_ONLY.sub("_", name).rstrip(" .")
    if _RESERVED.fullmatch(cleaned):
        cleaned = "_" + cleaned
    cleaned = _shortened(cleaned) or f"attachment-{position}"
    unique = _unique(cleaned, taken)
    taken.add(unique.lower())
    return unique, unique != raw


def _refuse_paths(name: str) -> None:
    if "/" in name or "\\" in name or _DRIVE.match(name) or name in (".", ".."):
        raise NameRefused("an attachment's name holds a folder path (such as ../ or C:\\), which no mail program "
                          "sends")
    if any(unicodedata.category(ch) == "Cc" or ch in _BIDI for ch in name):
        raise NameRefused("an attachment's name holds control or text-direction characters, which can disguise "
                          "its real type")


def _shortened(name: str) -> str:
    if len(name) <= MAX_NAME:
        return name
    suffix = PurePosixPath(name).suffix
    suffix = suffix if len(suffix) <= 16 else ""
    return name[: MAX_NAME - len(suffix)].rstrip(" .") + suffix


def _unique(name: str, taken: set[str]) -> str:
    if name.lower() not in taken:
        return name
    path = PurePosixPath(name)
    stem, suffix = (path.stem, path.suffix) if path.stem else (name, "")
    number = 2
    while f"{stem} ({number}){suffix}".lower() in taken:
        number += 1
    return f"{stem} ({number}){suffix}"
