"""Accounting for an individual (5 U.S.C. 552a(c)(3), SPEC A4): find the person, list and print every disclosure.

Names and identifiers are found through the `dhs191_fts` full-text index (kept by triggers, migration 0002), never
by scanning every entry. A report covers one individual (name and identifier as accounted), so that one
person's copy never carries another's disclosures.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from desktop.accounting.entries import SELECT_ENTRIES, Entry, entry_from_row
from desktop.accounting.texts import AccountingError
from desktop.store.repository import Repository


@dataclass(frozen=True)
class Individual:
    name: str
    identifier: str
    disclosures: int  # current entries (corrections count once)
    b7: int  # of which (b)(7) law-enforcement requests


def _match(text: str) -> str:
    """Each word as a quoted prefix term, so what the user types is never FTS5 syntax."""
    words = [w.replace('"', '""') for w in text.split()]
    return " ".join(f'"{w}"*' for w in words)


def find_individuals(repo: Repository, text: str, limit: int = 50) -> list[Individual]:
    """Individuals whose name or identifier matches every word of `text` (prefixes, accents ignored)."""
    if not text.strip():
        return []
    with repo.read() as conn:
        rows = conn.execute(
            "SELECT e.individual_name, e.individual_identifier, count(*), sum(e.b7) FROM dhs191_entries e "
            "WHERE e.rowid IN (SELECT rowid FROM dhs191_fts WHERE dhs191_fts MATCH ?) "
            "AND NOT EXISTS (SELECT 1 FROM dhs191_entries n WHERE n.supersedes = e.uuid) "
            "GROUP BY e.individual_name, e.individual_identifier ORDER BY e.individual_name, e.individual_identifier "
            "LIMIT ?", (_match(text), limit),
        ).fetchall()
    return [Individual(str(name), str(ident), int(count), int(b7 or 0)) for name, ident, count, b7 in rows]


def resolve_individual(repo: Repository, text: str) -> Individual:
    """The one individual `text` names: an exact identifier wins; several matches are refused with the list."""
    found = find_individuals(repo, text)
    exact = [i for i in found if i.identifier and i.identifier.casefold() == text.strip().casefold()]
    exact = exact or [i for i in found if i.name.casefold() == text.strip().casefold()]
    if len(exact) == 1:
        return exact[0]
    if len(found) == 1:
        return found[0]
    if not found:
        raise AccountingError(f"No DHS-191 entry names {text.strip()!r}; check the spelling, or search by identifier.")
    listed = "; ".join(f"{i.name} [{i.identifier or 'no identifier'}]" for i in (exact or found)[:10])
    raise AccountingError(f"{len(exact or found)} individuals match {text.strip()!r}: {listed}. Give the identifier "
                          "so that the report covers one person only.")


def disclosures_of(repo: Repository, individual: Individual) -> list[Entry]:
    """Every disclosure of one individual's records, oldest first; a corrected entry appears as corrected."""
    with repo.read() as conn:
        rows = conn.execute(
            f"{SELECT_ENTRIES} WHERE e.individual_name = ? AND e.individual_identifier = ? "
            "AND NOT EXISTS (SELECT 1 FROM dhs191_entries n WHERE n.supersedes = e.uuid) "
            "ORDER BY e.disclosed_on, e.created_at, e.rowid", (individual.name, individual.identifier),
        ).fetchall()
    return [entry_from_row(row) for row in rows]


def individual_report(repo: Repository, individual: Individual, *, for_individual: bool,
                      today: date | None = None) -> bytes:
    """The report as PDF bytes. `for_individual` leaves out (b)(7) disclosures (552a(c)(3)); the agency copy
    marks them."""
    post = repo.setting("post_name")
    from desktop.accounting.dhs191_pdf import render_individual_report  # reportlab on first use, not at start

    return render_individual_report(individual.name, individual.identifier, disclosures_of(repo, individual), post,
                                    for_individual=for_individual, today=today or date.today())
