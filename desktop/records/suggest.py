"""Redaction suggestions from the page text (SPEC D2); the user accepts or rejects each one.

Which §9.1 ground a kind of finding suggests:
- listed DHS personnel names, and e-mail addresses at dhs.gov (incl. cbp.dhs.gov): §9.1.1, DHS personnel PII;
- SSNs (and ITINs, which share their format), A-numbers, dates of birth, other e-mail addresses and phone numbers:
  §9.1.2, identifiable information of individuals not identified in the request. When they belong to the subject
  of the request the user rejects the suggestion; when they belong to DHS personnel the user changes the ground
  to §9.1.1;
- screen, internal file and system codes: §9.1.3. The directive names no formats, so these patterns are ours:
  a code after a label such as "Screen", "Screen ID", "Transaction", "System code", "File no.", "Record ID",
  "TECS ID", "Lookout ID", "Event no.", "Case no.", "Incident no."; a code that directly follows a system name
  (TECS, ATS, ATS-P, ATS-N, SEACATS, ENFORCE, EID, IDENT, APIS, ACE); SEACATS case numbers (fiscal year, port,
  sequence: 2024-2704-000123 or 2024-2704-000123-01); and ENFORCE/EID event numbers (three-letter station code and
  ten digits: SND2404000123). Codes must carry a digit, except after a screen or transaction label.
Scanned pages have no text, so nothing is suggested there (PageInfo.has_text tells the user to look for themselves).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from desktop.jobs import JobControl
from desktop.records import _pdfium
from desktop.records.model import Suggestion
from desktop.records.pages import PageText, page_text, union

Accept = Callable[["re.Match[str]"], bool]

_MONTHS = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?"
           r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?|enero|ene|febrero|marzo|abril|abr|mayo|junio|julio|agosto|ago"
           r"|septiembre|octubre|noviembre|diciembre|dic)")
_DATE = re.compile(
    r"(?<![\w/.-])(?:\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})|\d{4}-\d{1,2}-\d{1,2}"
    rf"|\d{{1,2}}(?:[ -]?|\s+de\s+){_MONTHS}\.?(?:[ -]?|,\s?|\s+de\s+)\d{{4}}"
    rf"|{_MONTHS}\.?\s\d{{1,2}},?\s\d{{4}})(?![\w/-])",
    re.IGNORECASE,
)
_DOB_LABEL = re.compile(r"\b(?:D\.?O\.?B\b\.?|date\s+of\s+birth|birth\s*date|born|fecha\s+de\s+nacimiento)",
                        re.IGNORECASE)
_DOB_ABBREVIATION = re.compile(r"\bD\.?O\.?B\b", re.IGNORECASE)
_DOB_REACH = 40  # characters between a "born"/"date of birth" label and its date

_SYSTEMS = r"(?:TECS(?:\s+II)?|ATS(?:-[A-Z]{1,4})?|SEACATS|ENFORCE|EID|IDENT|APIS|ACE)"
_CODE_LABELS = (r"(?i:screen(?:\s+(?:id|code|no\.?|\#))?|transaction(?:\s+code)?|trans\.?\s+code|system\s+(?:code|id)"
                r"|(?:internal\s+)?file\s+(?:code|no\.?|number|\#)|record\s+(?:id|no\.?|number|\#)"
                r"|TECS\s+(?:record\s+)?(?:id|no\.?|\#)|lookout(?:\s+(?:id|no\.?|\#))?|query\s+(?:id|code)"
                r"|event\s+(?:id|no\.?|number|\#)|(?:case|incident)\s+(?:no\.?|number|\#))")


@dataclass(frozen=True)
class _Rule:
    kind: str
    reason: str
    pattern: re.Pattern[str]
    accept: Accept = lambda match: True


def _digits_between(low: int, high: int) -> Accept:
    return lambda match: low <= sum(c.isdigit() for c in match.group("v")) <= high


def _code_accept(match: re.Match[str]) -> bool:
    label = (match.groupdict().get("label") or "").lower()
    return any(c.isdigit() for c in match.group("v")) or label.startswith(("screen", "trans"))


_SSN = r"(?<![\w-])(?P<v>(?!000|666)\d{3}([- ])(?!00)\d{2}\2(?!0000)\d{4})(?![\w-])"
_SSN_LABELLED = r"(?i:\bSSN|social\s+security(?:\s+(?:no\.?|number|\#))?)\s*[:#]?\s*(?P<v>\d{9})\b"
_A_NUMBER = r"(?<![\w-])(?P<v>A[-# ]{0,2}(?:\d{8,9}|\d{2,3}[- ]\d{3}[- ]\d{3}))(?![\w-])"
_A_NUMBER_LABELLED = r"(?i:A-?number|alien\s+(?:no\.?|number|\#))\s*[:#]?\s*(?P<v>\d{8,9}|\d{2,3}-\d{3}-\d{3})\b"
_EMAIL = r"(?<![\w.+-])(?P<v>[\w.%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})\b"
_PHONE_NANP = r"(?<![\w+-])(?P<v>(?:\+?1[ .-]?)?(?:\(\d{3}\)\s?|\d{3}[ .-])\d{3}[ .-]\d{4})(?![\w-])"
_PHONE_INTERNATIONAL = r"(?<![\w+])(?P<v>\+\d{1,3}(?:[ .-]\(?\d{1,4}\)?){2,5})(?![\w-])"
_CODE_AFTER_LABEL = rf"\b(?P<label>{_CODE_LABELS})\s*[:#]?\s*(?P<v>[A-Z0-9][A-Z0-9-]{{2,30}})\b"
_CODE_AFTER_SYSTEM = rf"\b{_SYSTEMS}[ \t]*[:#]?[ \t]*(?P<v>[A-Z0-9]*\d[A-Z0-9-]{{2,30}})\b"
_SEACATS_CASE = r"(?<![\w-])(?P<v>\d{4}-\d{4}-\d{6}(?:-\d{2})?)(?![\w-])"
_EID_EVENT = r"\b(?P<v>[A-Z]{3}\d{10})\b"

_RULES = (
    _Rule("ssn", "9.1.2", re.compile(_SSN)),
    _Rule("ssn", "9.1.2", re.compile(_SSN_LABELLED)),
    _Rule("a_number", "9.1.2", re.compile(_A_NUMBER)),
    _Rule("a_number", "9.1.2", re.compile(_A_NUMBER_LABELLED)),
    _Rule("email", "9.1.2", re.compile(_EMAIL)),
    _Rule("phone", "9.1.2", re.compile(_PHONE_NANP)),
    _Rule("phone", "9.1.2", re.compile(_PHONE_INTERNATIONAL), _digits_between(8, 15)),
    _Rule("system_code", "9.1.3", re.compile(_CODE_AFTER_LABEL), _code_accept),
    _Rule("system_code", "9.1.3", re.compile(_CODE_AFTER_SYSTEM)),
    _Rule("system_code", "9.1.3", re.compile(_SEACATS_CASE)),
    _Rule("system_code", "9.1.3", re.compile(_EID_EVENT)),
)


def suggest(pdf: bytes, personnel_names: Sequence[str] = (), control: JobControl | None = None) -> list[Suggestion]:
    """Suggestions for every page with text, top to bottom; each covers one line of the found text. With a
    `control`, progress is told page by page and Cancel stops between pages."""
    control = control or JobControl()
    names = [_name_rule(n) for n in dict.fromkeys(" ".join(n.split()) for n in personnel_names) if n]
    found: dict[tuple[int, str, tuple[float, ...]], Suggestion] = {}
    with _pdfium.document(pdf) as doc:
        with _pdfium.LOCK:
            count = len(doc)
        for number in range(1, count + 1):
            control.step(number - 1, count, f"Looking for names, numbers and codes on page {number} of {count}")
            with _pdfium.LOCK, _pdfium.page(doc, number) as pg, page_text(pg) as text:
                for item in _page_suggestions(number, text, names):
                    found.setdefault((item.page, item.kind, item.box), item)
    return sorted(found.values(), key=lambda s: (s.page, -s.box[3], s.box[0]))


def _page_suggestions(number: int, text: PageText, names: Sequence[_Rule]) -> Iterator[Suggestion]:
    for rule in (*_RULES, *names):
        for match in rule.pattern.finditer(text.text):
            if rule.accept(match):
                yield from _boxed(number, text, match.start("v"), match.end("v"), rule.kind, _reason(rule, match))
    for start, end in _dates_of_birth(text.text):
        yield from _boxed(number, text, start, end, "dob", "9.1.2")


def _reason(rule: _Rule, match: re.Match[str]) -> str:
    # §9.1.1: an address at DHS (cbp.dhs.gov, ice.dhs.gov, dhs.gov) is DHS personnel PII.
    if rule.kind == "email" and re.search(r"(?:^|\.)dhs\.gov$", match.group("v").split("@")[-1], re.IGNORECASE):
        return "9.1.1"
    return rule.reason


def _name_rule(name: str) -> _Rule:
    """§9.1.1: a listed name, any case, whole words, any white space between parts; "Roe, Jane" for "Jane Roe"."""
    parts = [re.escape(p) for p in name.split()]
    forms = [r"\s+".join(parts)]
    if len(parts) >= 2:
        forms.append(rf"{parts[-1]}\s*,\s*" + r"\s+".join(parts[:-1]))
    pattern = re.compile(rf"(?<!\w)(?P<v>{'|'.join(forms)})(?!\w)", re.IGNORECASE)
    return _Rule("personnel_name", "9.1.1", pattern)


def _dates_of_birth(text: str) -> Iterator[tuple[int, int]]:
    """Any date on a line that says DOB, and the first date shortly after "born", "date of birth" or "DOB" (the label
    may end one line and the date start the next)."""
    dates = [(m.start(), m.end()) for m in _DATE.finditer(text)]
    dob_lines = {_line_of(text, m.start()) for m in _DOB_ABBREVIATION.finditer(text)}
    yield from ((start, end) for start, end in dates if _line_of(text, start) in dob_lines)
    for label in _DOB_LABEL.finditer(text):
        following = next(((s, e) for s, e in dates if s >= label.end()), None)
        if following and following[0] - label.end() <= _DOB_REACH:
            yield following


def _line_of(text: str, at: int) -> tuple[int, int]:
    start = max(text.rfind("\n", 0, at), text.rfind("\r", 0, at)) + 1
    ends = [i for i in (text.find("\r", at), text.find("\n", at)) if i >= 0]
    return start, min(ends, default=len(text))


def _boxed(number: int, text: PageText, start: int, end: int, kind: str, reason: str) -> Iterator[Suggestion]:
    """One suggestion per line the match runs over, so that no box spans the gap between lines."""
    for seg_start, seg_end in _line_segments(text.text, start, end):
        boxes = text.boxes(seg_start, seg_end)
        if boxes:
            yield Suggestion(number, union(boxes), reason, kind, text.text[seg_start:seg_end])


def _line_segments(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    seg = start
    for i in range(start, end + 1):
        if i == end or text[i] in "\r\n":
            if text[seg:i].strip():
                yield seg, i
            seg = i + 1
