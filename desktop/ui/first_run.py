"""First run (SPEC section 8, S2; issue 6): short pages — passphrase, post and Bates prefix, disclosing officials,
keyring choice, headquarters certificate — then one click creates the encrypted store and saves the rest into it.

Nothing is written before Create: there is no store yet, so nowhere safe to keep what is typed. The pages
(desktop/ui/first_run_pages.py) stay alive while the user goes Back and Next, so nothing typed is lost on the way.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.jobs import JobControl
from desktop.settings import CertificateDetails, import_hq_certificate
from desktop.store import KeyVault, Store, StoreError
from desktop.store.registries import Official, save_entry
from desktop.ui.first_run_pages import (
    CertificatePage,
    KeyringPage,
    OfficialsPage,
    PassphrasePage,
    PostPage,
    ReviewPage,
    WizardPage,
)
from desktop.ui.hq_certificate import HqCertificateBox
from desktop.ui.operations import run_job

StoreFactory = Callable[..., Store]


class SetupIncomplete(Exception):
    """The store was created, but the officials or the certificate could not be saved into it."""


class FirstRunWizard(QWidget):
    created = Signal(object)  # the new, unlocked Store

    def __init__(self, data_dir: Path, vault: KeyVault, create: StoreFactory, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._data_dir, self._vault, self._create = data_dir, vault, create
        self.secret_page = PassphrasePage(data_dir)
        self.post_page = PostPage()
        self.officials_page = OfficialsPage()
        self.keyring_page = KeyringPage(vault)
        self.certificate_page = CertificatePage()
        self.review_page = ReviewPage()
        self.pages: list[WizardPage] = [self.secret_page, self.post_page, self.officials_page, self.keyring_page,
                                        self.certificate_page, self.review_page]
        self._build()
        self._go(0)

    # The fields the tests and the screenshots reach for.
    @property
    def passphrase(self) -> QLineEdit:
        return self.secret_page.passphrase

    @property
    def confirm(self) -> QLineEdit:
        return self.secret_page.confirm

    @property
    def meter(self) -> QProgressBar:
        return self.secret_page.meter

    @property
    def post_name(self) -> QLineEdit:
        return self.post_page.post_name

    @property
    def bates_prefix(self) -> QLineEdit:
        return self.post_page.bates_prefix

    @property
    def keyring(self) -> QRadioButton:
        return self.keyring_page.use_keyring

    @property
    def certificate(self) -> HqCertificateBox:
        return self.certificate_page.box

    def _build(self) -> None:
        self.steps = QLabel()
        self.steps.setAccessibleName("Wizard steps")
        self.stack = QStackedWidget()
        for page in self.pages:
            self.stack.addWidget(page)
            page.changed.connect(self._refresh)
        self.problems = QLabel()
        self.problems.setWordWrap(True)
        self.problems.setAccessibleName("What is missing")
        self.back_button = QPushButton("< &Back")
        self.back_button.setAccessibleName("Back to the previous step")
        self.next_button = QPushButton("&Next >")
        self.next_button.setAccessibleName("Next step")
        self.create_button = QPushButton("&Create encrypted store")
        self.create_button.setAccessibleName("Create encrypted store")
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        for button in (self.back_button, self.next_button, self.create_button):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(QLabel("<h2>Set up Disclosure Desk</h2>"))
        layout.addWidget(self.steps)
        layout.addWidget(self.stack)
        layout.addWidget(self.problems)
        layout.addLayout(buttons)
        layout.addStretch(1)
        self.back_button.clicked.connect(self.back)
        self.next_button.clicked.connect(self.next)
        self.create_button.clicked.connect(self._submit)
        for field in (self.passphrase, self.confirm, self.post_name, self.bates_prefix):
            field.returnPressed.connect(self._advance)

    @property
    def index(self) -> int:
        return self.stack.currentIndex()

    def current_page(self) -> WizardPage:
        return self.pages[self.index]

    def next(self) -> None:
        self.current_page().leaving()
        if not self.current_page().problems() and self.index < len(self.pages) - 1:
            self._go(self.index + 1)

    def back(self) -> None:
        if self.index > 0:
            self._go(self.index - 1)

    def _advance(self) -> None:
        """Enter in a field: on to the next step, or create on the last one."""
        if self.index == len(self.pages) - 1:
            self._submit()
        else:
            self.next()

    def _go(self, index: int) -> None:
        self.stack.setCurrentIndex(index)
        if self.current_page() is self.review_page:
            self.review_page.summary.setText(self._summary())
        self._refresh()
        self.current_page().first_field().setFocus()

    def _refresh(self) -> None:
        last = self.index == len(self.pages) - 1
        names = [(f"<b>{page.title}</b>" if i == self.index else page.title) for i, page in enumerate(self.pages)]
        self.steps.setText(f"Step {self.index + 1} of {len(self.pages)}: " + " › ".join(names))
        problems = self.current_page().problems()
        self.problems.setText("\n".join(problems))
        self.back_button.setEnabled(self.index > 0)
        self.next_button.setVisible(not last)
        self.next_button.setEnabled(not problems)
        self.create_button.setVisible(last)
        self.create_button.setEnabled(last and not self._all_problems())

    def _all_problems(self) -> list[str]:
        return [problem for page in self.pages for problem in page.problems()]

    def _summary(self) -> str:
        officials = self.officials_page.officials()
        certificate = self.certificate.pending
        lines = [
            f"The encrypted store will be created in <b>{escape(str(self._data_dir))}</b> for the post "
            f"<b>{escape(self.post_name.text().strip())}</b>, Bates prefix "
            f"<b>{escape(self.bates_prefix.text().strip().upper())}</b>.",
            f"Disclosing officials: {escape(', '.join(o.name for o in officials)) if officials else 'none yet'}.",
            "Key in this computer's keyring as well as the passphrase." if self.keyring.isChecked()
            else "Passphrase only (no copy of the key in the keyring).",
            f"Headquarters certificate: {escape(certificate.subject)}." if certificate else
            "Headquarters certificate: not yet (Post → Settings).",
            "Keep the passphrase somewhere safe: without it, and without the keyring, nobody can open the store.",
        ]
        return "<p>" + "</p><p>".join(lines) + "</p>"

    def _submit(self) -> None:
        if self._all_problems() or not self.create_button.isEnabled():
            return
        self.create_button.setEnabled(False)
        self.back_button.setEnabled(False)
        self.problems.setText("Creating the encrypted store…")
        passphrase, post, prefix = self.passphrase.text(), self.post_name.text(), self.bates_prefix.text()
        keyring_wanted = self.keyring.isChecked() and self.keyring.isEnabled()
        officials, certificate = self.officials_page.officials(), self.certificate.pending

        def work(_control: JobControl) -> Store:
            store = self._create(self._data_dir, passphrase, post_name=post, bates_prefix=prefix,
                                 use_keyring=keyring_wanted, vault=self._vault)
            _complete(store, officials, certificate)
            return store

        run_job(self, work, self._done, self._failed, title="Creating the encrypted store")

    def _done(self, store: Store) -> None:
        self.secret_page.clear()
        self.created.emit(store)

    def _failed(self, error: BaseException) -> None:
        known = isinstance(error, StoreError | SetupIncomplete)
        self._refresh()
        self.problems.setText(str(error) if known else f"Could not create the store: {error}")


def _complete(store: Store, officials: list[Official], certificate: CertificateDetails | None) -> None:
    """The post's officials and certificate, saved into the new store (each an audited change)."""
    try:
        for official in officials:
            save_entry(store.repo, official)
        if certificate is not None:
            import_hq_certificate(store.repo, certificate.pem.encode("ascii"))
    except (StoreError, ValueError) as error:
        store.lock()
        raise SetupIncomplete(
            f"The store was created, but the officials or the certificate could not be saved ({error}). Close and "
            "reopen Disclosure Desk, unlock, and add them under Post → Registries and Post → Settings."
        ) from error
