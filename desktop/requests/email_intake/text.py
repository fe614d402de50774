"""Text from a message as a request field holds it: control characters out, line ends as "\n", within the
interchange JSON's length for a string (so the request still exports, SPEC section 7)."""

from __future__ import annotations

import re
import unicodedata

from bs4 import BeautifulSoup

from desktop.requests.interchange import MAX_STRING

_SPACES = re.compile(r"[ \t]+\n")
_BLANK_LINES = re.compile(r"\n{3,}")
CUT_NOTE = "\n\n[… the rest is in the original message, under Documents]"


def clean(value: str, limit: int = MAX_STRING) -> str:
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    kept = "".join(ch for ch in value if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cs"))
    kept = _BLANK_LINES.sub("\n\n", _SPACES.sub("\n", kept)).strip()
    if len(kept) <= limit:
        return kept
    return kept[: limit - len(CUT_NOTE)].rstrip() + CUT_NOTE


def address(value: str) -> str:
    """An address only if it has the one form intake trusts: local@domain, no spaces or angle brackets."""
    value = clean(value, 320).strip("<>").strip()
    local, at, domain = value.rpartition("@")
    if not at or not local or "." not in domain or any(ch.isspace() or ch in "<>,;" for ch in value):
        return ""
    return f"{local}@{domain.lower()}"


def from_html(html: str) -> str:
    """The words of an HTML-only body (BeautifulSoup's parser: no script runs, nothing is fetched)."""
    soup = BeautifulSoup(html, "html.parser")
    for hidden in soup(["script", "style", "head"]):
        hidden.decompose()
    return clean(soup.get_text("\n"))
