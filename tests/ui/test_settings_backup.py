"""Issue 6, settings and backups in the window: the idle lock applied at once, the Bates prefix frozen by the first
packet, personnel names for the suggestions, a backup and its restore through the dialogs, and the reminder."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtWidgets import QFileDialog

from desktop import settings
from desktop.requests.model import Request, RequestingAuthority
from desktop.store import KeyVault, Store, create_store
from desktop.ui.app import AppWindow
from desktop.ui.settings_dialog import SettingsDialog
from tests.certs import HQ_NAME, certificate_pem
from tests.conftest import CHEAP_KDF, PASSPHRASE
from tests.ui.steps import click, unlock

MINUTE_MS = 200  # a test minute: the default 10-minute lock is 2 s, one minute 0.2 s
AUTHORITY = "Zyxrestorecanary Border Agency"


def make_store(data_dir: Path, vault: KeyVault, **values: str) -> None:
    store = create_store(data_dir, PASSPHRASE, post_name="Ottawa", bates_prefix="OTT", use_keyring=False,
                         vault=vault, kdf=CHEAP_KDF)
    store.repo.add_request(Request(requesting_authority=RequestingAuthority(AUTHORITY, "CA")))
    if values:
        store.repo.set_settings(values)
    store.lock()


def open_window(qtbot, data_dir: Path, vault: KeyVault) -> AppWindow:
    window = AppWindow(data_dir, vault, minute_ms=MINUTE_MS)
    qtbot.addWidget(window)
    window.show()
    unlock(qtbot, window)
    return window


@pytest.fixture
def window(qtbot, data_dir: Path, vault: KeyVault) -> AppWindow:
    make_store(data_dir, vault, last_backup_at=datetime.now(UTC).isoformat(timespec="seconds"))
    return open_window(qtbot, data_dir, vault)


def add_packet(store_repo, prefix: str = "OTT") -> None:
    """A packet row as the packets core leaves it once finalized (only its existence matters here)."""
    request_id = store_repo.add_request(Request(requesting_authority=RequestingAuthority("Packet test", "CA")))
    with store_repo.transaction("packet.finalize", "packets") as tx:
        tx.conn.execute(
            "INSERT INTO packets (request_id, state, created_at, finalized_at, sha256, page_count, bates_prefix, "
            "bates_first, bates_last, content) VALUES (?, 'final', ?, ?, ?, 1, ?, 1, 1, x'00')",
            (request_id, "2026-01-05T10:00:00+00:00", "2026-01-05T10:00:00+00:00", "0" * 64, prefix),
        )


def test_idle_minutes_change_applies_at_once_and_the_lock_fires_at_the_new_time(qtbot, window: AppWindow) -> None:
    assert window.idle.timeout_ms == 10 * MINUTE_MS, "the default is 10 minutes (SPEC S3)"
    dialog = window.open_settings()
    assert dialog is not None and dialog.idle_minutes.value() == 10
    dialog.idle_minutes.setValue(1)
    click(qtbot, dialog.save_button)
    started = time.monotonic()
    assert window.idle.timeout_ms == MINUTE_MS
    assert settings.load(window.store.repo).idle_lock_minutes == 1
    with window.store.repo.read() as conn:
        actions = [row[0] for row in conn.execute("SELECT action FROM audit_log WHERE entity = 'settings'")]
    assert "settings.update" in actions, "the change is audited"

    qtbot.waitUntil(lambda: window.is_locked, timeout=5_000)
    assert time.monotonic() - started < 10 * MINUTE_MS / 1000, "locked at the new time, not the old one"
    assert not shiboken6.isValid(dialog) or not dialog.isVisible(), "the settings dialog closes with the lock"

    unlock(qtbot, window)
    assert window.idle.timeout_ms == MINUTE_MS, "the setting is kept in the store"


def test_settings_refuse_a_bad_prefix_and_change_nothing(qtbot, window: AppWindow) -> None:
    dialog = window.open_settings()
    dialog.idle_minutes.setValue(30)
    dialog.bates_prefix.setText("no way")
    click(qtbot, dialog.save_button)
    assert "Not saved" in dialog.status.text() and "2-8 letters or digits" in dialog.status.text()
    assert settings.load(window.store.repo).idle_lock_minutes == 10 and dialog.isVisible()
    dialog.bates_prefix.setText("ott2")
    click(qtbot, dialog.save_button)
    assert (settings.load(window.store.repo).bates_prefix, settings.idle_lock_minutes(window.store.repo)) == \
        ("OTT2", 30)


def test_bates_prefix_cannot_change_after_the_first_packet(qtbot, store: Store) -> None:
    add_packet(store.repo)
    dialog = SettingsDialog(store.repo)
    qtbot.addWidget(dialog)
    assert not dialog.bates_prefix.isEnabled()
    assert "1 packet already carries Bates numbers with OTT" in dialog.bates_note.text()
    assert "run on across every packet of the post, never reused." in dialog.bates_note.text()
    assert dialog.bates_prefix.accessibleDescription() == dialog.bates_note.text()
    with pytest.raises(settings.SettingError, match="cannot change"):
        settings.set_bates_prefix(store.repo, "NEW")
    dialog.reminder_days.setValue(14)
    assert dialog.save(), dialog.status.text()
    assert settings.load(store.repo).bates_prefix == "OTT" and settings.load(store.repo).backup_reminder_days == 14


def test_personnel_names_feed_the_redaction_suggestions(qtbot, store: Store) -> None:
    from desktop.records import store as records_store

    dialog = SettingsDialog(store.repo)
    qtbot.addWidget(dialog)
    dialog.personnel.setPlainText("Jane  Roe\n\n  John Smith \nJane Roe\n")
    assert dialog.save()
    assert records_store.personnel_names(store.repo) == ["Jane Roe", "John Smith"]
    again = SettingsDialog(store.repo)
    qtbot.addWidget(again)
    assert again.personnel.toPlainText() == "Jane Roe\nJohn Smith"
    again.personnel.setPlainText("John Smith")
    assert again.save()
    assert settings.personnel_names(store.repo) == ["John Smith"]
    assert store.repo.verify_audit().ok


def test_settings_import_the_hq_certificate(qtbot, store: Store, tmp_path: Path, monkeypatch) -> None:
    pem = tmp_path / "hq.pem"
    pem.write_bytes(certificate_pem())
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *args, **kwargs: (str(pem), ""))
    dialog = SettingsDialog(store.repo)
    qtbot.addWidget(dialog)
    assert "No headquarters certificate" in dialog.certificate.summary.text()
    dialog.certificate.import_button.click()
    assert settings.hq_certificate(store.repo) is None, "nothing is stored before Save"
    assert dialog.save()
    stored = settings.hq_certificate(store.repo)
    assert stored is not None and HQ_NAME in stored.subject


def test_backup_then_restore_through_the_dialogs(qtbot, window: AppWindow, data_dir: Path, tmp_path: Path,
                                                 monkeypatch) -> None:
    target = tmp_path / "usb" / "post.ddbackup"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, **kwargs: (str(target), ""))
    dialog = window.open_backup()
    assert dialog is not None
    dialog.choose_button.click()
    assert dialog.target.text() == str(target)
    click(qtbot, dialog.write_button)
    assert not window.idle.counting, "no idle lock while the backup copies the store"
    qtbot.waitUntil(lambda: "verified" in dialog.status.text(), timeout=20_000)
    assert target.is_file() and window.idle.counting
    assert settings.load(window.store.repo).last_backup_at is not None
    assert not window.backup_reminder.isVisible()
    dialog.close()

    # A change after the backup, which the restore must take back.
    window.store.repo.add_request(Request(requesting_authority=RequestingAuthority("After the backup", "MX")))
    assert window.store.repo.count_requests() == 2

    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *args, **kwargs: (str(target), ""))
    restore = window.open_restore()
    restore.choose_button.click()
    qtbot.keyClicks(restore.passphrase, PASSPHRASE)
    assert not restore.restore_button.isEnabled(), "replacing the store needs the confirmation"
    restore.confirm.setChecked(True)
    click(qtbot, restore.restore_button)
    assert window.is_locked, "the store is closed before it is replaced"
    qtbot.waitUntil(lambda: "restored" in window.unlock_page.message.text(), timeout=20_000)
    assert "replaced-by-restore" in window.unlock_page.message.text()
    assert window.stack.currentWidget() is window.unlock_holder

    unlock(qtbot, window)
    repo = window.store.repo
    rows = repo.list_requests()
    assert [row.authority for row in rows] == [AUTHORITY]
    assert repo.get_request(rows[0].id).request.requesting_authority.country == "CA"
    assert window.workspace.list_panel.model.total() == 1
    assert len(list((data_dir / "backups").glob("replaced-by-restore-*/store.db"))) == 1


def test_restore_with_the_wrong_passphrase_changes_nothing(qtbot, window: AppWindow, tmp_path: Path) -> None:
    target = tmp_path / "post.ddbackup"
    backup = window.open_backup()
    backup.target.setText(str(target))
    click(qtbot, backup.write_button)
    qtbot.waitUntil(lambda: "verified" in backup.status.text(), timeout=20_000)
    backup.close()
    restore = window.open_restore()
    restore.source.setText(str(target))
    qtbot.keyClicks(restore.passphrase, "not the passphrase of that backup")
    restore.confirm.setChecked(True)
    click(qtbot, restore.restore_button)
    qtbot.waitUntil(lambda: "Not restored" in restore.status.text(), timeout=20_000)
    assert "does not open" in restore.status.text() and "as it was" in restore.status.text()
    restore.close()
    unlock(qtbot, window)
    assert window.store.repo.count_requests() == 1


def test_restore_on_a_new_laptop_replaces_the_first_run(qtbot, data_dir: Path, vault: KeyVault,
                                                        tmp_path: Path) -> None:
    from desktop.store import unlock_with_passphrase, write_backup

    origin = tmp_path / "old-laptop"
    make_store(origin, vault)
    store = unlock_with_passphrase(origin, PASSPHRASE, vault)
    write_backup(store, tmp_path / "old.ddbackup")
    store.lock()
    window = AppWindow(data_dir, vault, minute_ms=MINUTE_MS)
    qtbot.addWidget(window)
    window.show()
    assert window.first_run is not None
    restore = window.open_restore()
    restore.source.setText(str(tmp_path / "old.ddbackup"))
    qtbot.keyClicks(restore.passphrase, PASSPHRASE)
    restore.confirm.setChecked(True)
    click(qtbot, restore.restore_button)
    qtbot.waitUntil(lambda: window.first_run is None, timeout=20_000)
    unlock(qtbot, window)
    assert [row.authority for row in window.store.repo.list_requests()] == [AUTHORITY]


@pytest.mark.parametrize(("last", "reminder_days", "shown"), [
    (None, None, "No backup yet — File → Back up…"),
    (timedelta(days=10), None, "Last backup: 10 days ago — File → Back up…"),
    (timedelta(days=3), "2", "Last backup: 3 days ago — File → Back up…"),
    (timedelta(days=3), None, None),
])
def test_backup_reminder_at_unlock(qtbot, data_dir: Path, vault: KeyVault, last: timedelta | None,
                                   reminder_days: str | None, shown: str | None) -> None:
    values = {}
    if last is not None:
        values["last_backup_at"] = (datetime.now(UTC) - last).isoformat(timespec="seconds")
    if reminder_days is not None:
        values["backup_reminder_days"] = reminder_days
    make_store(data_dir, vault, **values)
    window = open_window(qtbot, data_dir, vault)  # a modal box would fail the test (tests/ui/conftest.py)
    if shown is None:
        assert not window.backup_reminder.isVisible()
    else:
        assert window.backup_reminder.isVisible() and window.backup_reminder.text() == shown
    window.lock()
    assert not window.backup_reminder.isVisible() and not window.backup_reminder.text()


def test_a_damaged_key_file_points_to_restore_which_brings_the_store_back(qtbot, data_dir: Path, vault: KeyVault,
                                                                          tmp_path: Path) -> None:
    from desktop.store import unlock_with_passphrase, write_backup

    make_store(data_dir, vault)
    store = unlock_with_passphrase(data_dir, PASSPHRASE, vault)
    write_backup(store, tmp_path / "good.ddbackup")
    store.lock()
    keyfile = data_dir / "keyfile.json"
    keyfile.write_text(keyfile.read_text("utf-8")[:40], "utf-8")  # cut short, as by a failing disk
    window = AppWindow(data_dir, vault, minute_ms=MINUTE_MS)
    qtbot.addWidget(window)
    window.show()
    qtbot.keyClicks(window.unlock_page.passphrase, PASSPHRASE)
    click(qtbot, window.unlock_page.unlock_button)
    qtbot.waitUntil(lambda: "damaged" in window.unlock_page.message.text(), timeout=10_000)
    assert "File → Restore…" in window.unlock_page.message.text() and window.is_locked
    assert window.restore_action.isEnabled(), "restore is offered while locked"

    restore = window.open_restore()
    restore.source.setText(str(tmp_path / "good.ddbackup"))
    qtbot.keyClicks(restore.passphrase, PASSPHRASE)
    restore.confirm.setChecked(True)
    click(qtbot, restore.restore_button)
    qtbot.waitUntil(lambda: "restored" in window.unlock_page.message.text(), timeout=20_000)
    unlock(qtbot, window)
    assert [row.authority for row in window.store.repo.list_requests()] == [AUTHORITY]
