"""SPEC P2: the packet opens with its password in independent readers, and in none of them without it."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from pypdf import PdfReader

from desktop.packets.model import BuiltPacket
from tests.packets.helpers import LEAKY_AUTHOR, build, pdfium_pages, pdftotext, ready, write


@pytest.fixture(scope="module")
def packet() -> BuiltPacket:
    return build(ready(), pages=3)


@pytest.fixture
def path(tmp_path: Path, packet: BuiltPacket) -> Path:
    return write(tmp_path, packet)


def qpdf(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["qpdf", *args], capture_output=True, text=True, timeout=30)


def test_pdfium_opens_it_with_the_password_only(path: Path, packet: BuiltPacket) -> None:
    assert pdfium_pages(path, packet.password) == packet.page_count
    for wrong in (None, "", packet.password.upper()):
        with pytest.raises(pdfium.PdfiumError):
            pdfium_pages(path, wrong)


def test_qpdf_decrypts_it_with_the_password_only(tmp_path: Path, path: Path, packet: BuiltPacket) -> None:
    plain = tmp_path / "plain.pdf"
    assert qpdf("--decrypt", f"--password={packet.password}", str(path), str(plain)).returncode == 0
    assert len(PdfReader(plain).pages) == packet.page_count
    refused = qpdf("--decrypt", str(path), str(tmp_path / "nope.pdf"))
    assert refused.returncode == 2 and "invalid password" in refused.stderr
    assert not (tmp_path / "nope.pdf").exists()


def test_pdftotext_reads_it_with_the_password_only(path: Path, packet: BuiltPacket) -> None:
    opened = pdftotext(path, packet.password)
    assert opened.returncode == 0 and "OTT000003" in opened.stdout
    for wrong in (None, "wrong-password"):
        refused = pdftotext(path, wrong)
        assert refused.returncode != 0 and "OTT000001" not in refused.stdout


def test_encryption_is_aes_256_revision_6(path: Path, packet: BuiltPacket) -> None:
    shown = qpdf("--show-encryption", f"--password={packet.password}", str(path)).stdout
    assert "R = 6" in shown
    assert "stream encryption method: AESv3" in shown and "string encryption method: AESv3" in shown
    assert "RC4" not in shown
    assert path.read_bytes().startswith(b"%PDF-2.0")


def test_one_revision_only_in_the_packet_and_its_decrypted_form(tmp_path: Path, path: Path,
                                                                 packet: BuiltPacket) -> None:
    plain = tmp_path / "plain.pdf"
    qpdf("--decrypt", f"--password={packet.password}", str(path), str(plain))
    for data in (path.read_bytes(), plain.read_bytes()):
        assert data.count(b"%%EOF") == 1
        assert b"/Prev" not in data


def test_nothing_of_the_records_metadata_is_carried_over(tmp_path: Path, path: Path, packet: BuiltPacket) -> None:
    plain = tmp_path / "plain.pdf"
    qpdf("--decrypt", f"--password={packet.password}", "--qdf", "--object-streams=disable", str(path), str(plain))
    data = plain.read_bytes()
    assert LEAKY_AUTHOR.encode() not in data and b"SYSCODE-77" not in data
    assert b"/Metadata" not in data and b"ReportLab" not in data
    reader = PdfReader(plain)
    assert {str(k): str(v) for k, v in (reader.metadata or {}).items()} == {"/Producer": "Disclosure Desk"}


def test_the_password_is_nowhere_in_the_file(path: Path, packet: BuiltPacket) -> None:
    assert packet.password.encode() not in path.read_bytes()
    assert re.fullmatch(r"[0-9a-z]{3}(-[0-9a-z]{3}){5}", packet.password)


def test_annotations_do_not_travel_and_rotated_pages_are_marked_upright(tmp_path: Path) -> None:
    from desktop.packets.builder import build_packet
    from desktop.packets.model import PacketRecord
    from tests.packets.helpers import SETTINGS, rotated_with_annotation_pdf, text_of

    packet = build_packet(ready(), [PacketRecord(rotated_with_annotation_pdf())], SETTINGS, 1)
    path = write(tmp_path, packet)
    plain = tmp_path / "plain.pdf"
    qpdf("--decrypt", f"--password={packet.password}", "--qdf", "--object-streams=disable", str(path), str(plain))
    data = plain.read_bytes()
    assert b"ANNOTATION SECRET" not in data and b"example.invalid" not in data and b"/Annots" not in data
    page = PdfReader(plain).pages[-1]
    assert page.rotation == 0 and float(page.mediabox.width) > float(page.mediabox.height)
    assert "Rotated page 1" in text_of(path, packet.password, packet.page_count)
    assert text_of(path, packet.password, packet.page_count).endswith("OTT000001")


def test_the_password_opens_reading_printing_and_copying_but_no_changes(path: Path, packet: BuiltPacket) -> None:
    """§8.1.7: what was disclosed stays as sent; the recipient reads, prints, quotes it and has it read aloud."""
    shown = qpdf("--show-encryption", f"--password={packet.password}", str(path)).stdout
    assert "Supplied password is user password" in shown  # the owner password is another, never shown
    for allowed in ("extract for accessibility", "extract for any purpose", "print low resolution",
                    "print high resolution"):
        assert f"{allowed}: allowed" in shown
    for refused in ("modify document assembly", "modify forms", "modify annotations", "modify other",
                    "modify anything"):
        assert f"{refused}: not allowed" in shown
    assert "P = -4\n" not in shown
