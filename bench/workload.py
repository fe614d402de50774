"""A post's worth of synthetic requests, the same for every engine: seeded, so two runs build identical stores.

Shaped like the attaché posts' traffic (SPEC section 9): mostly Canada and Mexico, a few other countries, dates
over three years, one to three subjects each, and every fact the rules read filled in, so the rules run as they
do for real requests.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from desktop.packets.intake import IncomingRecord
from desktop.requests.model import (
    AuthorityKind,
    Basis,
    Channel,
    DataCategory,
    DisclosingOfficial,
    OfficialPosition,
    OnwardDisclosure,
    Purpose,
    Request,
    Requester,
    RequestingAuthority,
    Subject,
    SubjectStatus,
)

TODAY = date(2026, 11, 20)  # fixed, so the overdue filter selects the same rows in every run
FIRST_RECEIVED = date(2024, 1, 1)
SEARCHED_NAME = "Okafor"  # a family name in the pool below; the FTS benchmark searches for it
COUNTRY = "MX"  # the country filter benchmark

AUTHORITIES = {
    "CA": ("OTT", "Canada Border Services Agency, Criminal Investigations Division", AuthorityKind.CUSTOMS),
    "MX": ("MEX", "Agencia Nacional de Aduanas de México, Dirección de Investigación Aduanera",
           AuthorityKind.CUSTOMS),
    "GB": ("LON", "HM Revenue and Customs, Fraud Investigation Service", AuthorityKind.CUSTOMS),
    "NL": ("HAG", "Fiscale Inlichtingen- en Opsporingsdienst", AuthorityKind.LAW_ENFORCEMENT),
    "DE": ("BER", "Zollkriminalamt", AuthorityKind.LAW_ENFORCEMENT),
    "CO": ("BOG", "Dirección de Impuestos y Aduanas Nacionales", AuthorityKind.CUSTOMS),
    "JP": ("TYO", "Japan Customs, Investigation Division", AuthorityKind.CUSTOMS),
}
COUNTRY_WEIGHTS = {"CA": 40, "MX": 35, "GB": 8, "NL": 5, "DE": 5, "CO": 4, "JP": 3}
GIVEN = ["Daniel", "Marie", "Kevin", "Ana", "Luis", "Sofia", "Omar", "Grace", "Hiro", "Lena", "Pedro", "Aisha",
         "Tomás", "Ines", "Jonas", "Priya", "Mateo", "Chloé", "Ivan", "Nadia"]
FAMILY = ["Okafor", "Fortin", "Marsh", "García", "Hernández", "Tremblay", "Smith", "Nguyen", "Müller", "Rossi",
          "Kowalski", "Tanaka", "Silva", "Moreau", "Novak", "Haddad", "Larsen", "Ortiz", "Gagnon", "Ramírez",
          "Byrne", "Cohen", "Petrov", "Osei", "Lindqvist", "Duarte", "Sato", "Mbeki", "Castillo", "Roy"]
CATEGORIES = [DataCategory.TRAVEL, DataCategory.TRADE, DataCategory.CASE_FILE, DataCategory.ADVANCE_CARGO]


def requests(count: int, seed: int = 4320) -> list[Request]:
    rng = random.Random(seed)
    countries = rng.choices(list(COUNTRY_WEIGHTS), weights=list(COUNTRY_WEIGHTS.values()), k=count)
    return [_request(rng, number, country) for number, country in enumerate(countries, start=1)]


def _request(rng: random.Random, number: int, country: str) -> Request:
    prefix, authority, kind = AUTHORITIES[country]
    received = FIRST_RECEIVED + timedelta(days=rng.randrange((TODAY - FIRST_RECEIVED).days + 30))
    needed = received + timedelta(days=rng.randrange(7, 60)) if rng.random() < 0.9 else None
    subjects = tuple(_subject(rng) for _ in range(rng.choice((1, 1, 1, 2, 3))))
    names = ", ".join(s.name for s in subjects)
    return Request(
        reference=f"{prefix}-{received.year}-{number:05d}",
        received_on=received,
        channel=rng.choice((Channel.OFFICIAL_EMAIL, Channel.LETTERHEAD_MEMO)),
        requesting_authority=RequestingAuthority(authority, country, kind, f"{authority}, head office"),
        requester=Requester(f"Inspector {rng.choice(GIVEN)} {rng.choice(FAMILY)}", "Investigator",
                            f"investigator{number}@{prefix.lower()}.example"),
        information_requested=f"Border crossing and entry records for {names}, {received.year - 1} to date.",
        reason=f"Investigation {prefix}-CI-{number:05d} into undeclared goods; the records show travel patterns.",
        purpose=rng.choice((Purpose.COMPARABLE_FOREIGN_ACTION, Purpose.CUSTOMS_LAW_COMPLIANCE)),
        recipient_legal_authority="Customs Act, s. 107(4)",
        onward_disclosure=OnwardDisclosure(False, ""),
        deliver_to=f"investigator{number}@{prefix.lower()}.example",
        certification_required=False,
        needed_by=needed,
        basis=Basis.CMAA,
        agreement=f"Customs mutual assistance agreement, United States and {country}",
        subjects=subjects,
        data_categories=tuple(rng.sample(CATEGORIES[:3], rng.randrange(1, 3))),
        source_system=rng.choice(("TECS", "ACE", "ATS")),
        disclosing_official=DisclosingOfficial("Laura Benitez", OfficialPosition.FURTHER_DELEGATE, 14, True),
    )


def _subject(rng: random.Random) -> Subject:
    name = f"{rng.choice(GIVEN)} {rng.choice('ABCDEFGHJKLMNPRSTW')}. {rng.choice(FAMILY)}"
    return Subject(name, rng.choice(list(SubjectStatus)), f"passport {rng.randrange(10**7, 10**8)}")


def records(number: int, count: int) -> list[IncomingRecord]:
    """Small text records (a page of a query result each), distinct so none is stored twice."""
    return [IncomingRecord(f"tecs-{number:05d}-{i:02d}.txt", "text/plain",
                           f"TECS crossing history, request {number}, page {i}.\n".encode() * 20, 1, True)
            for i in range(count)]
