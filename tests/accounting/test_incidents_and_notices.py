"""§11 incidents (SPEC I1), 552a(c)(4) correction notices (SPEC A4) and §8.1.5 onward permissions (SPEC I2)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from desktop.accounting.incidents import IncidentReport, list_incidents, record_incident
from desktop.accounting.notices import draft_correction_notices, mark_corrected, recipients_of
from desktop.accounting.onward import (
    OnwardRequest,
    get_permission,
    permission_document,
    permissions_for,
    record_onward_answer,
    record_onward_request,
)
from desktop.accounting.texts import AccountingError
from desktop.assessment import attach_rules
from desktop.packets.finalize import FinalizedPacket
from desktop.rules import evaluate
from desktop.store import Store
from desktop.store.registries import Agreement, Authority, authority_for, save_entry
from tests.accounting.helpers import disclose, two_subjects
from tests.packets.helpers import ready

CBSA = ready().requesting_authority
assert CBSA is not None


def test_an_incident_that_finds_violated_assurances_blocks_the_authoritys_open_requests(store: Store) -> None:
    attach_rules(store)
    save_entry(store.repo, Agreement(title=ready().agreement, kind="cmaa", country="CA",
                                     contact="CBSA liaison officer, Ottawa"))
    open_id = store.repo.add_request(replace(ready(), reference="OTT-2026-0170"))
    assert store.repo.get_request(open_id).outcome == "ready"
    finalized = disclose(store, two_subjects())
    incident = record_incident(store.repo, IncidentReport(
        description="The records were forwarded to a provincial agency without CBP's written permission.",
        discovered_on=date(2026, 12, 3), packet_id=finalized.packet_id, finding="Onward disclosure without consent",
        violated_assurances=True, reported_by="Laura Benitez"), today=date(2026, 12, 4))
    stored = store.repo.get_request(open_id)
    assert stored.outcome == "blocked"
    assert "AUTHORITY_VIOLATED_ASSURANCES" in {f.code for f in evaluate(stored.request).findings}
    authority = authority_for(store.repo, CBSA.name, CBSA.country)
    assert authority is not None and authority.violated_assurances and incident.authority_id == authority.id
    notes = {n.recipient: n.body for n in incident.notifications}
    assert set(notes) == {"privacy_office", "ac_oia", "attache"}
    assert "PRIVACYINCIDENTS@CBP.DHS.GOV" in notes["privacy_office"]
    assert "Assistant Commissioner, Office of International Affairs" in notes["ac_oia"]
    assert notes["attache"].startswith("To: CBSA liaison officer, Ottawa")  # §11.1.3: the agreement's contact
    for body in notes.values():
        assert "forwarded to a provincial agency" in body and "December 3, 2026" in body
        assert "OTT000001-OTT000003" in body and "violated the assurances of §10.1" in body
    assert [i.id for i in list_incidents(store.repo)] == [incident.id]
    audit = store.repo.history("incident", incident.id)
    assert [a.action for a in audit] == ["incident.add"] and "provincial" not in audit[0].detail
    assert store.repo.verify_audit().ok


def test_an_incident_without_a_violation_leaves_the_registry_alone(store: Store) -> None:
    authority_id = save_entry(store.repo, Authority(CBSA.name, CBSA.country, CBSA.kind, CBSA.address))
    incident = record_incident(store.repo, IncidentReport("A misdirected e-mail, recalled unread.",
                                                         date(2026, 12, 3), authority_id=authority_id))
    assert incident.notifications[2].body.startswith("To: CBP Attaché, Ottawa")
    found = authority_for(store.repo, CBSA.name, CBSA.country)
    assert found is not None and not found.violated_assurances
    with pytest.raises(AccountingError, match="no authority is named"):
        record_incident(store.repo, IncidentReport("x", date(2026, 12, 3), violated_assurances=True))


def resend(store: Store, first: FinalizedPacket) -> FinalizedPacket:
    return disclose(store, two_subjects(), request_id=first.disclosure.request_id)


def test_correction_notices_go_to_every_recipient_of_the_record(store: Store) -> None:
    first = disclose(store, two_subjects())
    again = resend(store, first)  # the same files again: a second packet, same records (superseding the first)
    other_authority = replace(CBSA, name="Canada Revenue Agency", address="555 Mackenzie Ave, Ottawa")
    other = disclose(store, replace(two_subjects("OTT-2026-0180"), requesting_authority=other_authority))
    record_id = first.disclosure.records[0].record_id
    assert again.disclosure.records[0].record_id == record_id
    mark_corrected(store.repo, record_id, date(2027, 1, 5))
    found = recipients_of(store.repo, record_id)
    assert [r.name.split(" (attn.")[0] for r in found] == [CBSA.name, "Canada Revenue Agency"]
    assert [d.packet_id for d in found[0].deliveries] == [first.packet_id, again.packet_id]
    assert [d.packet_id for d in found[1].deliveries] == [other.packet_id]
    assert found[0].deliveries[1].bates == "OTT000004-OTT000005"
    notices = draft_correction_notices(store.repo, record_id, "The exit date of 12 March 2025 was wrong.",
                                       today=date(2027, 1, 6))
    assert len(notices) == 2
    assert "191 Laurier Avenue West" in notices[0].text and "555 Mackenzie Ave" in notices[1].text
    for notice in notices:
        assert "The exit date of 12 March 2025 was wrong." in notice.text and "January 6, 2027" in notice.text
        assert "crossings-0.pdf" in notice.text and "CBP Attaché Office, Ottawa" in notice.text
    with store.repo.read() as conn:
        assert conn.execute("SELECT corrected_at FROM records WHERE id = ?", (record_id,)).fetchone()[0] == "2027-01-05"


def test_onward_disclosure_permission_request_and_written_answer(store: Store) -> None:
    finalized = disclose(store, two_subjects())
    asked = OnwardRequest(finalized.packet_id, date(2027, 2, 1), "Inspector Marie-Claude Fortin",
                          "Ontario Provincial Police", "joint investigation", document=b"%PDF letter")
    permission_id = record_onward_request(store.repo, asked)
    assert get_permission(store.repo, permission_id).decision == "pending"
    with pytest.raises(AccountingError, match="written answer"):
        record_onward_answer(store.repo, permission_id, "granted", date(2027, 2, 3), "", "")
    record_onward_answer(store.repo, permission_id, "granted", date(2027, 2, 3),
                         "CBP agrees to the sharing with the OPP for the joint investigation only.", "Laura Benitez",
                         document=b"%PDF answer")
    permission = permissions_for(store.repo, finalized.disclosure.request_id)[0]
    assert (permission.decision, permission.decided_on, permission.packet_id) == (
        "granted", "2027-02-03", finalized.packet_id)
    assert permission.has_request_document and permission_document(store.repo, permission_id, "answer") == (
        b"%PDF answer")
    with pytest.raises(AccountingError, match="already granted"):
        record_onward_answer(store.repo, permission_id, "denied", date(2027, 2, 4), "No.", "Laura Benitez")
