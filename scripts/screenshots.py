"""Takes the README's screenshots offscreen, on a throw-away store with the sample requests: `make screenshots`."""

from __future__ import annotations

import os
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PySide6.QtWidgets import QApplication  # noqa: E402

from desktop.assessment import attach_rules  # noqa: E402
from desktop.requests import load_request_file  # noqa: E402
from desktop.requests.model import AuthorityKind, OfficialPosition  # noqa: E402
from desktop.store import KdfParams, KeyVault, create_store, unlock_with_passphrase  # noqa: E402
from desktop.store.registries import Agreement, Authority, Official, save_entry  # noqa: E402
from desktop.ui.app import AppWindow  # noqa: E402

PASSPHRASE = "screenshot store passphrase 2026"
SCENARIOS = ROOT.parent / "shared" / "scenarios"
SIZE = (1280, 760)


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        window = AppWindow(data, KeyVault())
        window.resize(*SIZE)
        window.show()
        page = window.first_run
        assert page is not None
        page.passphrase.setText(PASSPHRASE)
        page.confirm.setText(PASSPHRASE)
        page.post_name.setText("Ottawa")
        page.bates_prefix.setText("OTT")
        shoot(app, window, out / "first-run.png")
        seed(data)
        window.close()
        window = AppWindow(data, KeyVault())
        window.resize(*SIZE)
        window.show()
        shoot(app, window, out / "unlock.png")
        window._enter(unlock_with_passphrase(data, PASSPHRASE, KeyVault()))
        workspace = window.workspace
        assert workspace is not None
        workspace.open_request(3)
        workspace.assess_now()
        shoot(app, window, out / "requests.png")
        workspace.editor.focus_field("reduced_to_writing_on")
        shoot(app, window, out / "editor-checklist.png")
        workspace.tabs.setCurrentWidget(workspace.coordination)
        shoot(app, window, out / "coordination.png")
        dialog = window.open_registries()
        assert dialog is not None
        tab = next(iter(dialog.pages.values()))
        tab.entries.setCurrentRow(0)
        for _ in range(5):
            app.processEvents()
        dialog.grab().save(str(out / "registries.png"))
        dialog.close()
        window.close()


def seed(data: Path) -> None:
    store = create_store(data, PASSPHRASE, post_name="Ottawa", bates_prefix="OTT", use_keyring=False,
                         vault=KeyVault(), kdf=KdfParams(1, 8 * 1024, 1))
    attach_rules(store)
    for path in sorted(SCENARIOS.glob("*.request.json")):
        request = load_request_file(path)  # the samples share a reference; keep them apart by file number
        store.repo.add_request(replace(request, reference=f"{request.reference}-{path.name[:2]}"))
    for entry in SAMPLE_REGISTRY:
        save_entry(store.repo, entry)
    store.lock()


SAMPLE_REGISTRY = (
    Authority("Canada Border Services Agency, Criminal Investigations Division", "CA", AuthorityKind.CUSTOMS,
              "191 Laurier Avenue West, Ottawa, ON K1A 0L8, Canada", standing_note="CMAA partner since 1984"),
    Authority("Royal Canadian Mounted Police, Federal Policing", "CA", AuthorityKind.LAW_ENFORCEMENT),
    Agreement("Canada-U.S. Customs Mutual Assistance Agreement", "cmaa", "CA", signed_on="1984-06-20",
              contact="CBSA International Affairs"),
    Official("Laura Benitez", OfficialPosition.FURTHER_DELEGATE, 14, True, "Delegation OTT-2026-01",
             office="CBP Attaché Ottawa"),
)


def shoot(app: QApplication, window: AppWindow, target: Path) -> None:
    for _ in range(5):
        app.processEvents()
    window.grab().save(str(target))
    print(f"wrote {target}")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs"))
