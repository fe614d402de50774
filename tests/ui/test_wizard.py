"""Issue 6, the first-run wizard: a store created with the post's officials and headquarters' certificate, a weak
passphrase refused with its reason, the keyring choice explained, and nothing typed lost on the way Back."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import pytest

from desktop import settings
from desktop.requests.model import OfficialPosition
from desktop.setup import create_post_store
from desktop.store import KeyVault, keyring_enabled
from desktop.store.registries import Official, list_entries
from desktop.ui.app import AppWindow
from desktop.ui.first_run import FirstRunWizard
from tests.certs import HQ_NAME, certificate_pem
from tests.conftest import CHEAP_KDF, PASSPHRASE
from tests.ui.steps import add_official, click, complete_first_run, fill_passphrase, fill_post


def new_window(qtbot, data_dir: Path, vault: KeyVault) -> AppWindow:
    window = AppWindow(data_dir, vault, create=partial(create_post_store, kdf=CHEAP_KDF), idle_ms=60_000)
    qtbot.addWidget(window)
    window.show()
    return window


@pytest.fixture
def window(qtbot, data_dir: Path, vault: KeyVault) -> AppWindow:
    return new_window(qtbot, data_dir, vault)


@pytest.fixture
def wizard(window: AppWindow) -> FirstRunWizard:
    assert window.first_run is not None
    return window.first_run


def test_wizard_creates_the_store_with_officials_and_the_hq_certificate(qtbot, window: AppWindow,
                                                                       wizard: FirstRunWizard, tmp_path: Path,
                                                                       data_dir: Path) -> None:
    pem = tmp_path / "hq.pem"
    pem.write_bytes(certificate_pem())
    fill_passphrase(qtbot, wizard)
    click(qtbot, wizard.next_button)
    fill_post(qtbot, wizard, "Mexico City", "mex")
    click(qtbot, wizard.next_button)
    assert wizard.current_page() is wizard.officials_page
    add_official(qtbot, wizard, "Laura Benitez", OfficialPosition.FURTHER_DELEGATE, 14, True)
    # Typed and not added: Next keeps it rather than dropping it.
    add_official(qtbot, wizard, "Pedro Alvarez", OfficialPosition.AC_OIA, 15, True, press_add=False)
    click(qtbot, wizard.next_button)
    assert wizard.officials_page.entries.count() == 2
    assert wizard.current_page() is wizard.keyring_page and not wizard.keyring.isChecked(), \
        "passphrase only is the default"
    click(qtbot, wizard.next_button)
    assert wizard.certificate.load_file(pem), wizard.certificate.problem.text()
    assert HQ_NAME in wizard.certificate.summary.text() and "Valid until" in wizard.certificate.summary.text()
    click(qtbot, wizard.next_button)
    summary = wizard.review_page.summary.text()
    assert "Mexico City" in summary and "MEX" in summary and "Laura Benitez" in summary and HQ_NAME in summary

    click(qtbot, wizard.create_button)
    qtbot.waitUntil(lambda: window.store is not None, timeout=10_000)

    repo = window.store.repo
    assert (repo.setting("post_name"), repo.setting("bates_prefix")) == ("Mexico City", "MEX")
    officials = {o.name: o for o in list_entries(repo, Official)}
    assert officials["Laura Benitez"].position is OfficialPosition.FURTHER_DELEGATE
    assert (officials["Laura Benitez"].grade, officials["Laura Benitez"].supervisory) == (14, True)
    assert officials["Pedro Alvarez"].position is OfficialPosition.AC_OIA
    stored = settings.hq_certificate(repo)
    assert stored is not None and HQ_NAME in stored.subject
    assert stored.fingerprint == settings.read_hq_certificate(pem.read_bytes()).fingerprint
    assert not keyring_enabled(data_dir)
    with repo.read() as conn:  # the post's signing key for the DHS-191 bundles is made with the store (SPEC A2)
        assert conn.execute("SELECT count(*) FROM post_identity").fetchone()[0] == 1
    assert repo.verify_audit().ok


def test_weak_passphrase_is_refused_with_the_reason(qtbot, wizard: FirstRunWizard) -> None:
    fill_passphrase(qtbot, wizard, "password1234")
    assert not wizard.next_button.isEnabled()
    assert "Too easy to guess" in wizard.problems.text() and "60 needed" in wizard.problems.text()
    assert "too weak" in wizard.meter.format()
    wizard.next()
    assert wizard.current_page() is wizard.secret_page, "Next does not pass a weak passphrase"

    wizard.passphrase.clear()
    wizard.confirm.clear()
    fill_passphrase(qtbot, wizard, "short")
    assert "at least 12 characters (now 5)" in wizard.problems.text()

    wizard.passphrase.clear()
    wizard.confirm.clear()
    qtbot.keyClicks(wizard.passphrase, PASSPHRASE)
    qtbot.keyClicks(wizard.confirm, PASSPHRASE[:-1])
    assert wizard.problems.text() == "The two passphrases differ."
    qtbot.keyClicks(wizard.confirm, PASSPHRASE[-1])
    assert wizard.next_button.isEnabled() and not wizard.problems.text()


def test_bates_prefix_is_checked(qtbot, wizard: FirstRunWizard) -> None:
    fill_passphrase(qtbot, wizard)
    click(qtbot, wizard.next_button)
    fill_post(qtbot, wizard, "Ottawa", "O-T")
    assert not wizard.next_button.isEnabled()
    assert "2-8 letters or digits" in wizard.problems.text()
    wizard.bates_prefix.setText("OTT2")
    assert wizard.next_button.isEnabled()


def test_back_keeps_everything_typed(qtbot, wizard: FirstRunWizard, tmp_path: Path) -> None:
    fill_passphrase(qtbot, wizard)
    click(qtbot, wizard.next_button)
    fill_post(qtbot, wizard, "Ottawa", "OTT")
    click(qtbot, wizard.next_button)
    add_official(qtbot, wizard, "Laura Benitez", OfficialPosition.FURTHER_DELEGATE, 14, True)
    qtbot.keyClicks(wizard.officials_page.name, "Half typed")
    click(qtbot, wizard.next_button)
    wizard.keyring_page.use_keyring.setChecked(True)
    click(qtbot, wizard.next_button)
    pem = tmp_path / "hq.pem"
    pem.write_bytes(certificate_pem())
    assert wizard.certificate.load_file(pem)

    for _ in range(4):
        click(qtbot, wizard.back_button)
    assert wizard.current_page() is wizard.secret_page
    assert not wizard.back_button.isEnabled()
    assert (wizard.passphrase.text(), wizard.confirm.text()) == (PASSPHRASE, PASSPHRASE)
    for _ in range(4):
        click(qtbot, wizard.next_button)
    assert (wizard.post_name.text(), wizard.bates_prefix.text()) == ("Ottawa", "OTT")
    assert [o.name for o in wizard.officials_page.officials()] == ["Laura Benitez", "Half typed"]
    assert wizard.keyring.isChecked()
    assert wizard.certificate.pending is not None


def test_keyring_choice_explains_a_shared_laptop_and_is_kept(qtbot, window: AppWindow, wizard: FirstRunWizard,
                                                            data_dir: Path) -> None:
    page = wizard.keyring_page
    text = " ".join(label.text() for label in page.findChildren(type(wizard.problems)))
    assert "Anyone who can log in as this Windows or macOS user opens the store without the passphrase" in text
    assert "safer on a shared laptop" in page.passphrase_only.text()
    complete_first_run(qtbot, window, keyring=True)
    assert keyring_enabled(data_dir)


def test_without_a_keyring_the_choice_is_off_and_says_why(qtbot, data_dir: Path, no_keyring_vault: KeyVault) -> None:
    window = new_window(qtbot, data_dir, no_keyring_vault)
    page = window.first_run.keyring_page
    assert not page.use_keyring.isEnabled() and page.passphrase_only.isChecked()
    labels = " ".join(label.text() for label in page.findChildren(type(window.first_run.problems)))
    assert "no system keyring" in labels


@pytest.mark.parametrize(("pem", "reason"), [
    (certificate_pem(days=10, starts_in_days=-20), "hq.pem: the certificate is not valid today"),
    (certificate_pem(key_kind="ec"), "RSA encryption certificate"),
    (b"-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n", "not an X.509 certificate"),
    (b"just some text", "not an X.509 certificate"),
])
def test_a_certificate_that_cannot_be_used_is_refused(wizard: FirstRunWizard, tmp_path: Path, pem: bytes,
                                                      reason: str) -> None:
    path = tmp_path / "hq.pem"
    path.write_bytes(pem)
    assert not wizard.certificate.load_file(path)
    assert reason in wizard.certificate.problem.text()
    assert wizard.certificate.pending is None


def test_the_file_dialog_picks_the_certificate(qtbot, wizard: FirstRunWizard, tmp_path: Path, monkeypatch) -> None:
    from PySide6.QtWidgets import QFileDialog

    path = tmp_path / "hq.pem"
    path.write_bytes(certificate_pem())
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *args, **kwargs: (str(path), ""))
    wizard.certificate.import_button.click()
    assert wizard.certificate.pending is not None
    wizard.certificate.undo_button.click()
    assert wizard.certificate.pending is None and "No headquarters certificate" in wizard.certificate.summary.text()
