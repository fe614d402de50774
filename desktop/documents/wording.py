"""How a date, a country and an agreement read in a cover letter, a notice or a DHS-191 entry."""

from __future__ import annotations

import re
from datetime import date
from functools import cache

from desktop.paths import resource_path
from desktop.requests.model import Basis, Request

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")


def long_date(value: date | None) -> str:
    return f"{_MONTHS[value.month - 1]} {value.day}, {value.year}" if value else "(date not recorded)"


@cache
def _countries() -> dict[str, str]:
    text = resource_path("countries.tab").read_text("utf-8")
    pairs = (line.split("\t", 1) for line in text.splitlines() if line and not line.startswith("#"))
    return {code.strip().upper(): name.strip() for code, name in pairs}


def country_name(code: str) -> str:
    return _countries().get(code.strip().upper(), code.strip() or "the requesting country")


def agreement_name(request: Request) -> str:
    """The agreement's title as it reads after "the"; a default naming the country when none was recorded."""
    title = re.sub(r"^the\s+", "", request.agreement.strip(), flags=re.IGNORECASE)
    if title:
        return title
    country = country_name(request.country)
    return {
        Basis.USMCA: "United States-Mexico-Canada Agreement (USMCA)",
        Basis.MLAT: f"Mutual Legal Assistance Treaty between the United States and {country}",
        Basis.CMAA: f"customs mutual assistance agreement between the United States and {country}",
    }.get(request.basis, f"agreement or arrangement between CBP and {request.authority_name or country}")
