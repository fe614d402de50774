"""The identifiers of the region found in a page's text (SPEC D2, issue 14), each with its §9.1 ground and, where
the kind has a check digit, whether it checks.

Validation is the field's libraries' where they cover the case: python-stdnum for U.S. SSNs and ITINs, Canadian
SINs, Mexican CURPs and RFCs; phonenumbers for phone numbers of the NANP and Mexico in their written forms. A
number of the right form with a wrong check digit is still found (records have typos) and carries
checksum=False; kinds without a check digit carry None. The patterns written here are only those no library has:
the forms the libraries are given, A-numbers, passport numbers after their labels (passport, pasaporte,
passeport; the U.S., Canada and Mexico issue 9 digits, two letters and six digits, or a letter and eight digits),
INE voter keys (clave de elector: six letters, the birth date, the state, H or M, three digits; it has no check
digit), dates of birth in English, Spanish and French, e-mail addresses and the §9.1.3 system codes.

Which ground a kind suggests:
- e-mail addresses at dhs.gov (incl. cbp.dhs.gov): §9.1.1, DHS personnel PII (personnel names are in names.py);
- SSNs, ITINs, A-numbers, SINs, CURPs, RFCs, passport numbers, voter keys, dates of birth, other e-mail addresses
  and phone numbers: §9.1.2, identifiable information of individuals not identified in the request. When they are
  the subject's own (suggest.py marks those) the user rejects them; when they are DHS personnel's the user changes
  the ground to §9.1.1;
- screen, internal file and system codes: §9.1.3. The directive names no formats, so these patterns are ours:
  a code after a label such as "Screen", "Screen ID", "Transaction", "System code", "File no.", "Record ID",
  "TECS ID", "Lookout ID", "Event no.", "Case no.", "Incident no."; a code that directly follows a system name
  (TECS, ATS, ATS-P, ATS-N, SEACATS, ENFORCE, EID, IDENT, APIS, ACE); SEACATS case numbers (fiscal year, port,
  sequence: 2024-2704-000123 or 2024-2704-000123-01); and ENFORCE/EID event numbers (three-letter station code and
  ten digits: SND2404000123). Codes must carry a digit, except after a screen or transaction label.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import phonenumbers
from stdnum.ca import sin as ca_sin
from stdnum.exceptions import InvalidChecksum, ValidationError
from stdnum.mx import curp as mx_curp
from stdnum.mx import rfc as mx_rfc
from stdnum.us import itin as us_itin

KINDS = ("ssn", "itin", "a_number", "sin", "curp", "rfc", "passport", "voter_key", "dob", "email", "phone",
         "personnel_name", "system_code")
PHONE_REGIONS = ("US", "MX")  # the NANP (the U.S. and Canada) and Mexico


@dataclass(frozen=True)
class Found:
    start: int
    end: int
    kind: str
    reason: str
    checksum: bool | None  # None: the kind has no check digit


Check = Callable[[str], "bool | None | _Reject"]


class _Reject:
    """A match of the pattern that the library says is not that kind of number at all."""


REJECT = _Reject()

_MONTHS = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?"
           r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
           r"|enero|ene|febrero|marzo|abril|abr|mayo|junio|julio|agosto|ago|septiembre|setiembre|octubre|noviembre"
           r"|diciembre|dic"
           r"|janvier|janv|f[ée]vrier|f[ée]vr|mars|avril|avr|mai|juin|juillet|juil|ao[ûu]t|octobre|novembre"
           r"|d[ée]cembre|d[ée]c)")
_DATE = re.compile(
    r"(?<![\w/.-])(?:\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})|\d{4}-\d{1,2}-\d{1,2}"
    rf"|\d{{1,2}}(?:er)?(?:[ -]?|\s+de\s+){_MONTHS}\.?(?:[ -]?|,\s?|\s+de\s+|\s+del\s+)\d{{4}}"
    rf"|{_MONTHS}\.?\s\d{{1,2}},?\s\d{{4}})(?![\w/-])",
    re.IGNORECASE,
)
_DOB_LABEL = re.compile(
    # OCR may read a speck between the words of a label as a full stop: "Date of.birth".
    r"(?<!\w)(?:D\.?O\.?B\b\.?|date[\s.]+of[\s.]+birth|birth\s*date|born|fecha[\s.]+de[\s.]+nacimiento"
    r"|fecha\s+de\s+nac\b\.?|f\.\s?de\s+nac\b\.?|nacid[oa]\s+el|date[\s.]+de[\s.]+naissance|n[ée]e?\s+le)",
    re.IGNORECASE)
_DOB_ABBREVIATION = re.compile(r"\bD\.?O\.?B\b", re.IGNORECASE)
_DOB_REACH = 40  # characters between a "born"/"date of birth" label and its date

_SYSTEMS = r"(?:TECS(?:\s+II)?|ATS(?:-[A-Z]{1,4})?|SEACATS|ENFORCE|EID|IDENT|APIS|ACE)"
_CODE_LABELS = (r"(?i:screen(?:\s+(?:id|code|no\.?|\#))?|transaction(?:\s+code)?|trans\.?\s+code|system\s+(?:code|id)"
                r"|(?:internal\s+)?file\s+(?:code|no\.?|number|\#)|record\s+(?:id|no\.?|number|\#)"
                r"|TECS\s+(?:record\s+)?(?:id|no\.?|\#)|lookout(?:\s+(?:id|no\.?|\#))?|query\s+(?:id|code)"
                r"|event\s+(?:id|no\.?|number|\#)|(?:case|incident)\s+(?:no\.?|number|\#))")
_NUMBER_WORD = r"(?:\s+(?:no\.?|n[o°º]\.?|number|num\.?|n[uú]m(?:ero)?\.?|num[ée]ro|\#))?"

_SSN = r"(?<![\w-])(?P<v>(?!000|666)\d{3}([- ])(?!00)\d{2}\2(?!0000)\d{4})(?![\w-])"
_SSN_LABELLED = r"(?i:\bSSN|social\s+security(?:\s+(?:no\.?|number|\#))?)\s*[:#]?\s*(?P<v>\d{9})\b"
_ITIN_LABELLED = r"(?i:\bITIN|taxpayer\s+identification(?:\s+(?:no\.?|number|\#))?)\s*[:#]?\s*(?P<v>9\d{8})\b"
_A_NUMBER = r"(?<![\w-])(?P<v>A[-# ]{0,2}(?:\d{8,9}|\d{2,3}[- ]\d{3}[- ]\d{3}))(?![\w-])"
_A_NUMBER_LABELLED = r"(?i:A-?number|alien\s+(?:no\.?|number|\#))\s*[:#]?\s*(?P<v>\d{8,9}|\d{2,3}-\d{3}-\d{3})\b"
_SIN_GROUPED = r"(?<![\w-])(?P<v>\d{3}([- ])\d{3}\2\d{3})(?![\w-])"
# The label may carry a word or two before its colon: "NAS erroné :", "SIN (spouse):".
_SIN_LABELLED = (r"(?i:\bSIN|\bNAS|social\s+insurance(?:\s+(?:no\.?|number|\#))?|num[ée]ro\s+d.assurance\s+sociale)"
                 r"(?:\s*[:#]?|(?:\s+\(?[^\W\d_]+\)?){1,2}\s*[:#])\s*(?P<v>\d{3}[- ]?\d{3}[- ]?\d{3})(?![\w-])")
# Loose on purpose: OCR reads 0 as O and 1 as I; _curp and _rfc put digits and letters back where the forms say.
_CURP = r"(?<![\w-])(?P<v>[A-Z]{4}[0-9OIl]{6}[HMX][A-Z]{5}[A-Z0-9]{2})(?![\w-])"
_RFC = r"(?<![\w&-])(?P<v>[A-ZÑ&]{3,4}[0-9OIl]{6}[A-Z0-9]{3})(?![\w-])"
_PASSPORT = (rf"(?i:(?:\bpass(?:port|eport)|\bpasaporte){_NUMBER_WORD})\s*[:#]?\s*"
             r"(?P<v>[A-Z]{2}\d{6}|[A-Z]\d{8}|\d{9}|[A-Z]\d{7}|\d{11})(?![\w-])")
_VOTER_KEY = r"(?<![\w-])(?P<v>[A-Z]{6}[0-9OIl]{8}[HM][0-9OIl]{3})(?![\w-])"
_EMAIL = r"(?<![\w.+-])(?P<v>[\w.%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})\b"
_CODE_AFTER_LABEL = rf"\b(?P<label>{_CODE_LABELS})\s*[:#]?\s*(?P<v>[A-Z0-9][A-Z0-9-]{{2,30}})\b"
_CODE_AFTER_SYSTEM = rf"\b{_SYSTEMS}[ \t]*[:#]?[ \t]*(?P<v>[A-Z0-9]*\d[A-Z0-9-]{{2,30}})\b"
_SEACATS_CASE = r"(?<![\w-])(?P<v>\d{4}-\d{4}-\d{6}(?:-\d{2})?)(?![\w-])"
_EID_EVENT = r"\b(?P<v>[A-Z]{3}\d{10})\b"


def _stdnum(module: object) -> Check:
    """True if it checks, False for a wrong check digit, REJECT when the number is not of that kind at all."""
    validate: Callable[..., str] = module.validate  # type: ignore[attr-defined]

    def check(value: str) -> bool | _Reject:
        try:
            validate(value)
        except InvalidChecksum:
            return False
        except ValidationError:
            return REJECT
        return True

    return check


def _ssn(value: str) -> bool | None | _Reject:
    # An ITIN has an SSN's form: stdnum tells them apart (9XX with the ITIN's group numbers). stdnum's us.ssn is not
    # asked: an SSN has no check digit, and it refuses the publicised numbers (078-05-1120 and the like) that
    # records do carry and that must be redacted all the same.
    if us_itin.is_valid(value):
        return REJECT
    return None  # no check digit; an area stdnum does not know (or a famous misused SSN) is still an SSN's form


def _itin(value: str) -> bool | None | _Reject:
    return None if us_itin.is_valid(value) else REJECT


def _sin_grouped(value: str) -> bool | None | _Reject:
    """Unlabelled, 123 456 782 could be anything of nine digits: a SIN only when its Luhn digit checks."""
    return True if ca_sin.is_valid(value) else REJECT


def _sin_labelled(value: str) -> bool | None | _Reject:
    result = _stdnum(ca_sin)(value)
    if result is REJECT:  # e.g. a first digit no SIN has; after the label it is still what the record calls a SIN
        return False
    return result


def _curp(value: str) -> bool | None | _Reject:
    fixed = _letters(value[:4]) + _digits(value[4:10]) + value[10:16] + value[16] + _digits(value[17])
    return _stdnum(mx_curp)(fixed)


def _rfc(value: str) -> bool | None | _Reject:
    head = len(value) - 9
    fixed = value[:head] + _digits(value[head:head + 6]) + value[head + 6:]
    try:
        mx_rfc.validate(fixed)
    except ValidationError:
        return REJECT
    try:
        mx_rfc.validate(fixed, validate_check_digits=True)
    except ValidationError:  # a wrong check digit, or a homoclave the SAT does not issue: the form is an RFC's
        return False
    return True


def _voter_key(value: str) -> bool | None | _Reject:
    digits = _digits(value[6:14])
    month, day, state = int(digits[2:4]), int(digits[4:6]), int(digits[6:8])
    return None if 1 <= month <= 12 and 1 <= day <= 31 and 1 <= state <= 32 else REJECT


def _digits(text: str) -> str:
    return text.translate(str.maketrans("OIl", "011"))


def _letters(text: str) -> str:
    return text.translate(str.maketrans("01", "OI"))


def _code_accept(match: re.Match[str]) -> bool:
    label = (match.groupdict().get("label") or "").lower()
    return any(c.isdigit() for c in match.group("v")) or label.startswith(("screen", "trans"))


@dataclass(frozen=True)
class _Rule:
    kind: str
    reason: str
    pattern: re.Pattern[str]
    check: Check = lambda value: None
    accept: Callable[[re.Match[str]], bool] = lambda match: True


_RULES = (
    _Rule("ssn", "9.1.2", re.compile(_SSN), _ssn),
    _Rule("ssn", "9.1.2", re.compile(_SSN_LABELLED), _ssn),
    _Rule("itin", "9.1.2", re.compile(_SSN), _itin),
    _Rule("itin", "9.1.2", re.compile(_ITIN_LABELLED), _itin),
    _Rule("a_number", "9.1.2", re.compile(_A_NUMBER)),
    _Rule("a_number", "9.1.2", re.compile(_A_NUMBER_LABELLED)),
    _Rule("sin", "9.1.2", re.compile(_SIN_GROUPED), _sin_grouped),
    _Rule("sin", "9.1.2", re.compile(_SIN_LABELLED), _sin_labelled),
    _Rule("curp", "9.1.2", re.compile(_CURP), _curp),
    _Rule("rfc", "9.1.2", re.compile(_RFC), _rfc),
    _Rule("passport", "9.1.2", re.compile(_PASSPORT)),
    _Rule("voter_key", "9.1.2", re.compile(_VOTER_KEY), _voter_key),
    _Rule("email", "9.1.2", re.compile(_EMAIL)),
    _Rule("system_code", "9.1.3", re.compile(_CODE_AFTER_LABEL), accept=_code_accept),
    _Rule("system_code", "9.1.3", re.compile(_CODE_AFTER_SYSTEM)),
    _Rule("system_code", "9.1.3", re.compile(_SEACATS_CASE)),
    _Rule("system_code", "9.1.3", re.compile(_EID_EVENT)),
)
# A phone number or a SIN that lies over one of these is a reading of the same digits as something else.
_STRONGER = {"ssn", "itin", "a_number", "curp", "rfc", "passport", "voter_key", "system_code", "dob"}


def find(text: str) -> list[Found]:
    """Every identifier in `text` (a page's text, lines separated by line breaks), in no particular order."""
    found = list(_by_rules(text))
    found += [Found(s, e, "dob", "9.1.2", None) for s, e in _dates_of_birth(text)]
    strong = [f for f in found if f.kind in _STRONGER]
    found = [f for f in found if f.kind != "sin" or not _overlaps_any(f, strong)]
    found += [f for f in _phones(text) if not _overlaps_any(f, found)]
    return found


def _by_rules(text: str) -> Iterator[Found]:
    for rule in _RULES:
        for match in rule.pattern.finditer(text):
            if not rule.accept(match):
                continue
            checked = rule.check(match.group("v"))
            if not isinstance(checked, _Reject):
                yield Found(match.start("v"), match.end("v"), rule.kind, _reason(rule, match.group("v")), checked)


def _reason(rule: _Rule, value: str) -> str:
    # §9.1.1: an address at DHS (cbp.dhs.gov, ice.dhs.gov, dhs.gov) is DHS personnel PII.
    if rule.kind == "email" and re.search(r"(?:^|\.)dhs\.gov$", value.split("@")[-1], re.IGNORECASE):
        return "9.1.1"
    return rule.reason


def _phones(text: str) -> Iterator[Found]:
    """Numbers phonenumbers accepts as valid for the NANP or Mexico, in any written form it knows (with or without
    +1/+52, parentheses, dots, dashes, spaces); international numbers written with + are found from either."""
    seen: set[tuple[int, int]] = set()
    for region in PHONE_REGIONS:
        for match in phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.VALID):
            if (match.start, match.end) not in seen and not _inside_any(match.start, match.end, seen):
                seen.add((match.start, match.end))
                yield Found(match.start, match.end, "phone", "9.1.2", None)


def _inside_any(start: int, end: int, spans: set[tuple[int, int]]) -> bool:
    return any(s < end and start < e for s, e in spans)


def _overlaps_any(item: Found, others: list[Found]) -> bool:
    return any(o is not item and o.start < item.end and item.start < o.end for o in others)


def _dates_of_birth(text: str) -> Iterator[tuple[int, int]]:
    """Any date on a line that says DOB, and the first date shortly after "born", "date of birth", "fecha de
    nacimiento", "date de naissance", "né(e) le" or "DOB" (the label may end one line and the date start the
    next)."""
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


def repair_ocr_digits(text: str) -> str:
    """OCR reads 0 as O and 1 as l or I inside numbers: put digits back in words that are mostly digits already.
    Same length as `text`, so every index still points at the same character's box."""
    def fix(match: re.Match[str]) -> str:
        word = match.group(0)
        digits = sum(c.isdigit() for c in word)
        return _digits(word).replace("o", "0") if digits >= 4 and digits >= 0.7 * len(word) else word

    return re.sub(r"(?<![^\W\d_])[0-9OoIl]+(?:[-./ ][0-9OoIl]+)*(?![^\W\d_])", fix, text)
