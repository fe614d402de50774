"""SPEC A1, 552a(c)(1), §10.2: finalizing a packet writes one DHS-191 entry per individual, with every field."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date

import pytest
import sqlcipher3

from desktop.accounting import A2_COLUMNS, Entry, correct_entry, entries, unacknowledged_entries
from desktop.accounting.texts import AccountingError
from desktop.store import Store
from tests.accounting.helpers import OKAFOR, SECOND, disclose, two_subjects


def test_one_entry_per_individual_per_disclosure_with_every_field(store: Store) -> None:
    first = disclose(store, two_subjects(), links=((0,), (0, 1)))
    found = entries(store.repo)
    assert [(e.individual_name, e.individual_identifier) for e in found] == [
        (OKAFOR.name, OKAFOR.identifier), (SECOND.name, SECOND.identifier)]
    okafor, second = found
    assert uuid.UUID(okafor.uuid).version == 4 and okafor.uuid != second.uuid
    assert okafor.post == "Ottawa" and okafor.office == "CBP Attaché Office, Ottawa"
    assert okafor.request_reference == "OTT-2026-0142"
    assert okafor.disclosure_id == first.disclosure.bates_range == "OTT000001-OTT000003"
    assert okafor.disclosed_on == date(2026, 11, 20)
    assert okafor.nature == ("crossings-0.pdf (packet pages 3-4, OTT000001-OTT000002); "
                             "crossings-1.pdf (packet page 5, OTT000003)")
    assert second.nature == "crossings-1.pdf (packet page 5, OTT000003)"  # only the record linked to her
    assert okafor.purpose.startswith("A comparable foreign investigation or proceeding (§8.1.2.4): Investigation "
                                     "CI-2026-3381")
    assert okafor.recipient_name == ("Canada Border Services Agency, Criminal Investigations Division "
                                     "(attn. Inspector Marie-Claude Fortin, Senior Investigator)")
    assert okafor.recipient_address.startswith("191 Laurier Avenue West, Ottawa, ON K1A 0L8, Canada")
    assert okafor.authority.startswith("Customs mutual assistance agreement (§7.3.2): Agreement between the "
                                       "Government of the United States of America and the Government of Canada")
    assert okafor.method == "encrypted PDF by e-mail"
    assert okafor.disclosing_official == "Laura Benitez (further delegate, GS-14)"
    assert okafor.retain_until == date(2031, 11, 20)  # §10.2.1: five years
    assert okafor.b7 is False
    assert okafor.packet_id == first.packet_id and okafor.packet_sha256 == first.built.sha256
    assert okafor.supersedes is None and okafor.superseded_by is None and okafor.acknowledged_at is None
    assert list(okafor.a2_row()) == list(A2_COLUMNS)
    assert all(value not in ("", None) for key, value in okafor.a2_row().items() if key != "sorn")
    assert [e.uuid for e in unacknowledged_entries(store.repo)] == [okafor.uuid, second.uuid]


def test_each_disclosure_has_its_own_entries_and_routine_use_and_sorn_are_the_authority(store: Store) -> None:
    request = replace(two_subjects(), routine_use="G", sorn="DHS/CBP-011 TECS")
    disclose(store, request)
    disclose(store, replace(request, reference="OTT-2026-0150"), on=date(2026, 12, 1))
    found = entries(store.repo)
    assert len(found) == 4 and len({e.uuid for e in found}) == 4
    assert {e.disclosure_id for e in found} == {"OTT000001-OTT000003", "OTT000004-OTT000006"}
    assert found[0].authority.endswith("; routine use G; SORN DHS/CBP-011 TECS")
    assert found[0].sorn == "DHS/CBP-011 TECS"


def test_unlinked_pii_records_account_for_every_subject_and_records_without_pii_for_nobody(store: Store) -> None:
    disclose(store, two_subjects())  # no links: the command line's way (every subject)
    assert len(entries(store.repo)) == 2
    disclose(store, two_subjects("OTT-2026-0151"), links=((), ()), pii=False)
    assert len(entries(store.repo)) == 2  # a packet without PII has no DHS-191 entry (§10.2)


def test_a_record_with_a_longer_life_keeps_the_entry_longer(store: Store) -> None:
    disclose(store, two_subjects(), links=((0,), (1,)), record_life=("2040-06-30", None))
    okafor, second = entries(store.repo)
    assert okafor.retain_until == date(2040, 6, 30)
    assert second.retain_until == date(2031, 11, 20)


def test_law_enforcement_request_is_marked_b7(store: Store) -> None:
    disclose(store, two_subjects(law_enforcement=True))
    assert {e.b7 for e in entries(store.repo)} == {True}


def test_a_correction_supersedes_and_both_entries_remain(store: Store) -> None:
    disclose(store, two_subjects(), links=((0,), (1,)))
    old = entries(store.repo)[0]
    new = correct_entry(store.repo, old.uuid, {"individual_identifier": "CA passport HK482914"}, "typo in passport")
    assert new.supersedes == old.uuid and new.uuid != old.uuid
    assert new.individual_identifier == "CA passport HK482914" and new.correction_reason == "typo in passport"
    assert (new.nature, new.disclosed_on, new.retain_until) == (old.nature, old.disclosed_on, old.retain_until)
    kept = {e.uuid: e for e in entries(store.repo)}
    assert len(kept) == 3 and kept[old.uuid].individual_identifier == OKAFOR.identifier
    assert kept[old.uuid].superseded_by == new.uuid
    assert [e.uuid for e in entries(store.repo, current_only=True)][-1] == new.uuid
    assert len(entries(store.repo, current_only=True)) == 2
    with pytest.raises(AccountingError, match="already been corrected"):
        correct_entry(store.repo, old.uuid, {"purpose": "x"}, "again")
    with pytest.raises(AccountingError, match="cannot change"):
        correct_entry(store.repo, new.uuid, {"retain_until": date(2020, 1, 1)}, "shorter")
    history = store.repo.history("dhs191_entry", new.uuid)
    assert [h.action for h in history] == ["dhs191.correct"] and "HK48" not in history[0].detail


def test_entries_cannot_be_edited_in_place(store: Store) -> None:
    disclose(store, two_subjects())
    entry: Entry = entries(store.repo)[0]
    with pytest.raises(sqlcipher3.IntegrityError, match="cannot be changed"):
        with store.repo.transaction("test.edit", "dhs191_entry", entry.uuid) as tx:
            tx.conn.execute("UPDATE dhs191_entries SET individual_name = 'Someone Else' WHERE uuid = ?",
                            (entry.uuid,))
    assert entries(store.repo)[0] == entry
