"""Takes the README's screenshots offscreen, on a throw-away store with the sample requests: `make screenshots`."""

from __future__ import annotations

import io
import os
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import keyring.backend  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from desktop.accounting import record_disclosure  # noqa: E402
from desktop.assessment import attach_rules  # noqa: E402
from desktop.packets import PacketRecord, finalize_packet  # noqa: E402
from desktop.records import (  # noqa: E402
    Box,
    boxes,  # noqa: E402
    page_words,
    suggest,
)
from desktop.records import store as records  # noqa: E402
from desktop.requests import load_request_file  # noqa: E402
from desktop.requests.model import AuthorityKind, OfficialPosition  # noqa: E402
from desktop.store import KdfParams, KeyVault, Repository, create_store, unlock_with_passphrase  # noqa: E402
from desktop.store.registries import Agreement, Authority, Official, save_entry  # noqa: E402
from desktop.ui.app import AppWindow  # noqa: E402

PASSPHRASE = "screenshot store passphrase 2026"
SCENARIOS = ROOT / "resources" / "samples" / "requests"  # the scenarios, as the program ships them
SIZE = (1280, 688)  # what a 1366x768 laptop with a taskbar gives the window (desktop/ui/window_state.py)


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        window = AppWindow(data, KeyVault(PresentKeyring()))
        window.resize(*SIZE)
        window.show()
        shoot_first_run(app, window, out)
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
        shoot_settings(app, window, out)
        shoot_records_and_packet(app, window, out)
        shoot_accounting_and_incidents(app, window, out)
        window.close()


def shoot_records_and_packet(app: QApplication, window: AppWindow, out: Path) -> None:
    """The records tab with a page, a box and the suggestions, then the packet tab with two packets (issue 4)."""
    workspace = window.workspace
    assert workspace is not None
    workspace.open_request(1)
    workspace.tabs.setCurrentWidget(workspace.records)
    workspace.records.table.selectRow(0)
    viewer = workspace.records.viewer
    wait_for(app, lambda: viewer.view.has_image)
    viewer.suggestions.setCurrentRow(0)
    shoot(app, window, out / "records.png")
    workspace.tabs.setCurrentWidget(workspace.packet)
    workspace.packet.table.selectRow(1)
    shoot(app, window, out / "packet.png")


def wait_for(app: QApplication, condition: Callable[[], bool], timeout_s: float = 30.0) -> None:
    """Renders and imports run on workers: let them finish before the grab."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the window did not finish its work in time")
        app.processEvents()
        time.sleep(0.02)


def seed(data: Path) -> None:
    store = create_store(data, PASSPHRASE, post_name="Ottawa", bates_prefix="OTT", use_keyring=False,
                         vault=KeyVault(), kdf=KdfParams(1, 8 * 1024, 1))
    attach_rules(store)
    for path in sorted(SCENARIOS.glob("*.request.json")):
        request = load_request_file(path)  # the samples share a reference; keep them apart by file number
        store.repo.add_request(replace(request, reference=f"{request.reference}-{path.name[:2]}"))
    for entry in SAMPLE_REGISTRY:
        save_entry(store.repo, entry)
    seed_records(store.repo, request_id=1)
    store.lock()


def seed_records(repo: Repository, request_id: int) -> None:
    """A crossing history and a scanned form for the first sample, a box, a decided suggestion, two packets."""
    records.add_personnel_name(repo, "Jane Roe")
    subjects = [subject_id for subject_id, _name in records.subjects(repo, request_id)]
    with tempfile.TemporaryDirectory() as folder:  # sample files only: made up, no real person's data
        files = [Path(folder) / "tecs_crossing_history.pdf", Path(folder) / "scanned_declaration.png"]
        files[0].write_bytes(sample_record())
        files[1].write_bytes(sample_scan())
        first, _scan = records.import_files(repo, request_id, files, "TECS", "CBP Office of Field Operations",
                                            subjects).ids
    pdf = records.load_record(repo, first).pdf
    code = next(w for w in page_words(pdf, 1) if w.text == "TCS-IQ12")
    boxes.add_box(repo, first, Box(1, *code.box, "9.1.3"))
    for found in suggest(pdf, records.personnel_names(repo)):
        if found.kind == "personnel_name":  # on every page: the redaction check refuses a name boxed on one page only
            boxes.decide(repo, first, found, accept=True)
    for _ in range(2):  # the second supersedes the first
        sources = records.records_to_send(repo, request_id)
        finalize_packet(repo, request_id, [PacketRecord.of_stored(r) for r in sources], accounting=record_disclosure)


SAMPLE_LINES = [
    (14, "U.S. Customs and Border Protection — TECS crossing history"),
    (10, "Query TECS QRY2026118842    Screen: TCS-IQ12    Run 2026-11-03 09:41"),
    (10, ""),
    (10, "Subject: OKAFOR, Daniel R.    DOB: 03/14/1981    Passport: CA HK482913"),
    (10, "Associate: MBEKI, Thomas    A-number: A212345678    Phone: (206) 555-0187"),
    (10, ""),
    (10, "2025-01-12   Blaine, WA (3004)      Inbound    POV WA ABC1234    CBPO Jane Roe"),
    (10, "2025-02-03   Blaine, WA (3004)      Outbound   POV WA ABC1234"),
    (10, "2025-03-21   Sumas, WA (3009)       Inbound    POV WA ABC1234    CBPO Jane Roe"),
    (10, "2025-05-30   Peace Arch (3004)      Inbound    Bus GreenLine 22"),
    (10, ""),
    (10, "Reviewed by jane.roe@cbp.dhs.gov; SEACATS case 2025-3004-000117"),
]


def sample_record() -> bytes:
    from reportlab.pdfgen.canvas import Canvas

    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(612, 792))
    y = 730.0
    for size, line in SAMPLE_LINES:
        canvas.setFont("Helvetica-Bold" if size > 10 else "Courier", size)
        canvas.drawString(54, y, line)
        y -= 2.2 * size
    canvas.showPage()
    canvas.setFont("Courier", 10)
    canvas.drawString(54, 730, "Remarks: secondary inspection 2025-03-21, nothing found. Processed by Jane Roe.")
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def sample_scan() -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("L", (1275, 1650), 246)
    draw = ImageDraw.Draw(image)
    for top in range(160, 1400, 90):
        draw.rectangle((120, top, 1150, top + 40), outline=90, width=3)
    out = io.BytesIO()
    image.save(out, "PNG", dpi=(150, 150))
    return out.getvalue()


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


def shoot_first_run(app: QApplication, window: AppWindow, out: Path) -> None:
    """Every page of the first-run wizard, filled in as a new post would (issue 6)."""
    wizard = window.first_run
    assert wizard is not None
    wizard.passphrase.setText(PASSPHRASE)
    wizard.confirm.setText(PASSPHRASE)
    shoot(app, window, out / "first-run.png")
    wizard.next()
    wizard.post_name.setText("Ottawa")
    wizard.bates_prefix.setText("OTT")
    shoot(app, window, out / "first-run-post.png")
    wizard.next()
    officials = wizard.officials_page
    officials.name.setText("Laura Benitez")
    officials.position.setCurrentIndex(officials.position.findData(OfficialPosition.FURTHER_DELEGATE.value))
    officials.grade.setValue(14)
    officials.supervisory.setChecked(True)
    officials.add_typed()
    officials.name.setText("Marc Tremblay")
    shoot(app, window, out / "first-run-officials.png")
    wizard.next()
    shoot(app, window, out / "first-run-keyring.png")
    wizard.next()
    with tempfile.TemporaryDirectory() as tmp:
        pem = Path(tmp) / "hq.pem"
        pem.write_bytes(hq_certificate())
        wizard.certificate.load_file(pem)
    shoot(app, window, out / "first-run-certificate.png")
    wizard.next()
    shoot(app, window, out / "first-run-review.png")


def shoot_settings(app: QApplication, window: AppWindow, out: Path) -> None:
    dialog = window.open_settings()
    assert dialog is not None
    dialog.personnel.setPlainText("Laura Benitez\nMarc Tremblay")
    for _ in range(5):
        app.processEvents()
    dialog.grab().save(str(out / "settings.png"))
    print(f"wrote {out / 'settings.png'}")
    dialog.close()


class PresentKeyring(keyring.backend.KeyringBackend):
    """A keyring that is there, as on a Windows or macOS laptop, and keeps nothing (the wizard is only shown)."""

    priority = 1  # type: ignore[assignment]

    def get_password(self, service: str, username: str) -> str | None:
        return None

    def set_password(self, service: str, username: str, password: str) -> None:
        pass

    def delete_password(self, service: str, username: str) -> None:
        pass


def hq_certificate() -> bytes:
    """A stand-in for the certificate headquarters sends a post (SPEC A2)."""
    from datetime import UTC, datetime, timedelta

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "U.S. Customs and Border Protection"),
                      x509.NameAttribute(NameOID.COMMON_NAME, "CBP Privacy and Diversity Office (sample)")])
    start = datetime.now(UTC) - timedelta(days=1)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                   .serial_number(x509.random_serial_number()).not_valid_before(start)
                   .not_valid_after(start + timedelta(days=730)).sign(key, hashes.SHA256()))
    return certificate.public_bytes(serialization.Encoding.PEM)


def shoot_accounting_and_incidents(app: QApplication, window: AppWindow, out: Path) -> None:
    """The accounting tab with a request to share further and CBP's answer, then a recorded incident (issue 5)."""
    from datetime import date

    from desktop.accounting.onward import OnwardRequest, record_onward_answer, record_onward_request
    from desktop.packets.finalize import list_packets

    workspace, store = window.workspace, window.store
    assert workspace is not None and store is not None
    packet = list_packets(store.repo, 1)[-1]
    asked = record_onward_request(store.repo, OnwardRequest(packet.id, date(2026, 11, 27), "Insp. M.-C. Fortin, CBSA",
                                                            "Ontario Provincial Police", "joint investigation"))
    record_onward_answer(store.repo, asked, "granted", date(2026, 11, 30), "Letter OTT-2026-031, that case only",
                         "Laura Benitez")
    workspace.open_request(1)
    workspace.tabs.setCurrentWidget(workspace.accounting)
    workspace.accounting.select_row(0)
    shoot(app, window, out / "accounting.png")
    dialog = window.privacy_actions.open_incidents()
    assert dialog is not None
    dialog.form.description.setPlainText("The CBSA officer forwarded the packet to a provincial agency without "
                                         "CBP's written permission.")
    dialog.form.select_packet(packet.id)
    dialog.form.finding.setText("Onward disclosure without consent (§10.1.1)")
    dialog.form.reported_by.setText("Laura Benitez")
    dialog.save()
    for _ in range(5):
        app.processEvents()
    dialog.grab().save(str(out / "incidents.png"))
    print(f"wrote {out / 'incidents.png'}")
    dialog.close()


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs"))
