"""§10.2.1, §10.2.2, SPEC T1: nothing from a disclosure goes before its retain-until date; after it, only on
confirmation, in one transaction whose audit entry survives and carries no personal data."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlcipher3

from desktop.accounting.retention import dispose, dispositions, eligible_for_disposition, retention_of
from desktop.store import Store
from desktop.store.errors import RetentionError
from tests.accounting.helpers import OKAFOR, acknowledge_all, disclose, two_subjects

TABLES = ("requests", "subjects", "records", "packets", "packet_records", "dhs191_entries", "dhs191_fts",
          "requests_fts", "attachments", "audit_log")


def snapshot(store: Store) -> dict[str, int]:
    with store.repo.read() as conn:
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}


def test_early_deletion_is_refused_and_the_store_is_unchanged(store: Store) -> None:
    finalized = disclose(store, two_subjects())
    request_id = finalized.disclosure.request_id
    store.repo.add_attachment(request_id, "original_request", "request.eml", "message/rfc822", b"the request")
    acknowledge_all(store)
    before = snapshot(store)
    item = retention_of(store.repo, request_id)
    assert item is not None and item.retain_until == date(2031, 11, 20)
    assert eligible_for_disposition(store.repo, date(2031, 11, 20)) == []  # kept through its last day
    assert eligible_for_disposition(store.repo, date(2031, 11, 21)) == [item]
    with pytest.raises(RetentionError, match=r"kept until 2031-11-20 \(5 years from the disclosure, §10.2.1"):
        dispose(store.repo, [item], confirmed=True)
    for sql in ("DELETE FROM dhs191_entries", "DELETE FROM packets", "DELETE FROM records",
                "DELETE FROM attachments", "DELETE FROM subjects", f"DELETE FROM requests WHERE id = {request_id}"):
        with pytest.raises(sqlcipher3.IntegrityError, match="cannot be (deleted|removed)"):
            with store.repo.transaction("test.delete", "request", request_id) as tx:
                tx.conn.execute(sql)
    assert snapshot(store) == before
    assert store.repo.verify_audit().ok


def test_disposition_after_the_date_with_an_audit_entry_that_survives(store: Store) -> None:
    old = disclose(store, two_subjects("OTT-2019-0007"), on=date(2019, 3, 4))
    kept = disclose(store, two_subjects("OTT-2026-0142"))
    acknowledge_all(store)
    items = eligible_for_disposition(store.repo)
    assert [(i.reference, i.retain_until, i.packets, i.entries, i.records) for i in items] == [
        ("OTT-2019-0007", date(2024, 3, 4), 1, 2, 2)]
    with pytest.raises(RetentionError, match="confirmation"):
        dispose(store.repo, items)
    assert dispose(store.repo, items, confirmed=True) == 1
    with store.repo.read() as conn:
        assert conn.execute("SELECT count(*) FROM requests WHERE id = ?", (old.disclosure.request_id,)
                            ).fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM packets WHERE id = ?", (old.packet_id,)).fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM dhs191_entries WHERE request_id = ?",
                            (old.disclosure.request_id,)).fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM dhs191_fts").fetchone()[0] == 2  # the kept request's two
        assert conn.execute("SELECT count(*) FROM requests_fts WHERE requests_fts MATCH 'okafor'").fetchone()[0] == 1
        detail = conn.execute("SELECT detail FROM audit_log WHERE action = 'retention.dispose'").fetchone()[0]
    assert "OTT-2019-0007" in detail and '"entries": 2' in detail
    assert OKAFOR.name.split()[-1] not in detail and "HK482913" not in detail and "Canada Border" not in detail
    assert store.repo.verify_audit().ok
    assert [d[0] for d in dispositions(store.repo)] == ["OTT-2019-0007"]
    assert retention_of(store.repo, kept.disclosure.request_id) is not None
    assert eligible_for_disposition(store.repo, date.today() + timedelta(days=1)) == []


def test_entries_headquarters_has_not_acknowledged_are_not_disposed_of(store: Store) -> None:
    disclose(store, two_subjects("OTT-2019-0007"), on=date(2019, 3, 4))
    items = eligible_for_disposition(store.repo)
    assert items[0].unsynced == 2
    before = snapshot(store)
    with pytest.raises(RetentionError, match="not acknowledged; export them"):
        dispose(store.repo, items, confirmed=True)
    assert snapshot(store) == before
