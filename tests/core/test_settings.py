"""desktop.settings, without a window: typed values with their bounds, the Bates prefix frozen by the first packet,
the backup reminder, the personnel names and headquarters' certificate — each change audited."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from desktop import settings
from desktop.requests import Request
from desktop.settings import SettingError, SettingsChange
from desktop.store import Store
from tests.certs import HQ_NAME, certificate_pem


def audit_actions(store: Store) -> list[str]:
    with store.repo.read() as conn:
        return [row[0] for row in conn.execute("SELECT action FROM audit_log ORDER BY seq")]


def test_defaults(store: Store) -> None:
    current = settings.load(store.repo)
    assert (current.idle_lock_minutes, current.backup_reminder_days, current.last_backup_at) == (10, 7, None)
    assert (current.post_name, current.bates_prefix) == ("Ottawa", "OTT")


@pytest.mark.parametrize(("change", "message"), [
    (SettingsChange(idle_lock_minutes=0), "between 1 and 120"),
    (SettingsChange(idle_lock_minutes=121), "between 1 and 120"),
    (SettingsChange(backup_reminder_days=0), "between 1 and 365"),
    (SettingsChange(idle_lock_minutes=30, bates_prefix="O"), "2-8 letters or digits"),
    (SettingsChange(idle_lock_minutes=30, backup_reminder_days=3, bates_prefix="OTT-1"), "2-8 letters or digits"),
])
def test_bad_values_change_nothing(store: Store, change: SettingsChange, message: str) -> None:
    before = audit_actions(store)
    with pytest.raises(SettingError, match=message):
        settings.apply(store.repo, change)
    assert audit_actions(store) == before
    assert settings.idle_lock_minutes(store.repo) == 10


def test_one_change_is_one_audited_update(store: Store) -> None:
    settings.apply(store.repo, SettingsChange(idle_lock_minutes=120, backup_reminder_days=30, bates_prefix=" ott2 "))
    current = settings.load(store.repo)
    assert (current.idle_lock_minutes, current.backup_reminder_days, current.bates_prefix) == (120, 30, "OTT2")
    assert audit_actions(store)[-1] == "settings.update" and store.repo.verify_audit().ok


def test_a_damaged_value_reads_as_the_default_within_bounds(store: Store) -> None:
    store.repo.set_settings({"idle_lock_minutes": "lots", "backup_reminder_days": "9999"})
    assert (settings.load(store.repo).idle_lock_minutes, settings.load(store.repo).backup_reminder_days) == (10, 365)


def test_bates_prefix_frozen_by_the_first_packet(store: Store) -> None:
    assert settings.bates_prefix_locked_reason(store.repo) is None
    settings.set_bates_prefix(store.repo, "OTW")
    request_id = store.repo.add_request(Request())
    with store.repo.transaction("packet.finalize", "packets") as tx:
        tx.conn.execute("INSERT INTO packets (request_id, state, created_at, sha256, page_count, bates_prefix, "
                        "content) VALUES (?, 'final', '2026-01-01', ?, 1, 'OTW', x'00')", (request_id, "0" * 64))
    reason = settings.bates_prefix_locked_reason(store.repo)
    assert reason is not None and "1 packet already carries Bates numbers with OTW" in reason
    with pytest.raises(SettingError, match="cannot change"):
        settings.set_bates_prefix(store.repo, "NEW")
    settings.set_bates_prefix(store.repo, "otw")  # the same prefix is no change
    settings.set_idle_lock_minutes(store.repo, 5)  # and the rest still changes
    assert settings.load(store.repo).bates_prefix == "OTW"


def test_backup_reminder(store: Store) -> None:
    now = datetime(2026, 3, 10, 12, tzinfo=UTC)
    assert settings.backup_reminder(store.repo, now) == "No backup yet — File → Back up…"
    store.repo.set_settings({"last_backup_at": (now - timedelta(days=6, hours=23)).isoformat()})
    assert settings.backup_reminder(store.repo, now) is None
    store.repo.set_settings({"last_backup_at": (now - timedelta(days=7)).isoformat()})
    assert settings.backup_reminder(store.repo, now) == "Last backup: 7 days ago — File → Back up…"
    settings.set_backup_reminder_days(store.repo, 1)
    store.repo.set_settings({"last_backup_at": (now - timedelta(days=1)).isoformat()})
    assert settings.backup_reminder(store.repo, now) == "Last backup: 1 day ago — File → Back up…"


def test_personnel_names_replace_the_list_and_the_audit_holds_no_name(store: Store) -> None:
    assert settings.set_personnel_names(store.repo, ["  Jane   Roe ", "", "John Smith", "Jane Roe"]) == \
        ["Jane Roe", "John Smith"]
    assert settings.personnel_names(store.repo) == ["Jane Roe", "John Smith"]
    settings.set_personnel_names(store.repo, ["John Smith"])
    assert settings.personnel_names(store.repo) == ["John Smith"]
    with store.repo.read() as conn:
        details = " ".join(row[0] for row in conn.execute("SELECT detail FROM audit_log"))
    assert "Jane" not in details and "Smith" not in details
    with pytest.raises(SettingError, match="At most"):
        settings.set_personnel_names(store.repo, [f"Name {i}" for i in range(settings.MAX_PERSONNEL_NAMES + 1)])


def test_hq_certificate_import_keeps_one_active(store: Store) -> None:
    assert settings.hq_certificate(store.repo) is None
    first = settings.import_hq_certificate(store.repo, certificate_pem())
    second = settings.import_hq_certificate(store.repo, certificate_pem("Second headquarters"))
    assert settings.hq_certificate(store.repo) == second and HQ_NAME in first.subject
    assert settings.import_hq_certificate(store.repo, first.pem.encode()) == first
    assert settings.hq_certificate(store.repo) == first
    with store.repo.read() as conn:
        assert conn.execute("SELECT count(*), sum(active) FROM hq_certificates").fetchone() == (2, 1)
    assert audit_actions(store).count("hq_certificate.import") == 3


@pytest.mark.parametrize(("pem", "message"), [
    (certificate_pem(days=5, starts_in_days=-10), "not valid today"),
    (certificate_pem(starts_in_days=3), "not valid today"),
    (certificate_pem(key_kind="ec"), "EC certificate cannot receive bundles"),
    (b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", "not an X.509 certificate"),
    (b"not a certificate at all", "not an X.509 certificate"),
    (b"x" * (settings.MAX_CERTIFICATE_BYTES + 1), "too large"),
])
def test_hq_certificate_refused(store: Store, pem: bytes, message: str) -> None:
    with pytest.raises(SettingError, match=message):
        settings.import_hq_certificate(store.repo, pem)
    assert settings.hq_certificate(store.repo) is None


def test_a_der_certificate_is_read_too(store: Store) -> None:
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    der = x509.load_pem_x509_certificate(certificate_pem()).public_bytes(serialization.Encoding.DER)
    kept = settings.import_hq_certificate(store.repo, der, "hq.cer")
    assert settings.hq_certificate(store.repo) == kept and kept.pem.startswith("-----BEGIN CERTIFICATE-----")
