"""`make package-test`: starts the built program headless and checks what it does (issue 6, packaging/README.md).

    python packaging/smoke_test.py [--dist DIR]

1. `--version` prints the version of the installed package.
2. `diagnostics --json`: the program runs from the bundle, and every library it needs loads there (SQLCipher 4,
   pdfium, the keyring backends of this platform).
3. `demo --out DIR --json` on a throw-away data folder (DISCLOSURE_DESK_DATA in a temp folder, the passphrase from
   DISCLOSURE_DESK_PASSPHRASE): every sample request, a packet that opens with the printed password and not without,
   the HQ certificate and the DHS-191 bundle, and a log with no name of the demo in it.
4. `record suggest SCAN.png --json` on a scanned page made here (text drawn into a 200-dpi picture, tilted): the
   bundled OCR reads it (libtesseract and the eng/spa/fra language files are in the bundle) and the SSN, the SIN
   and the CURP on it are suggested, with source "ocr" and their check digits marked.
5. The window starts (QT_QPA_PLATFORM=offscreen) and is still running a few seconds later: Qt and its plugins
   are in the bundle. Then it is ended.
Prints one line per check; exits 1 at the first that fails. Run with the build's Python (pypdfium2 reads the packet).
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PASSPHRASE = "smoke test lantern orbit velvet 42"
OWN_BACKEND = {"linux": "SecretService", "win32": "Windows", "darwin": "macOS"}
GUI_SECONDS = 6.0


class SmokeFailure(Exception):
    pass


def binary(dist: Path) -> Path:
    if sys.platform == "darwin":
        return dist / "Disclosure Desk.app" / "Contents" / "MacOS" / "disclosure-desk"
    return dist / "disclosure-desk" / ("disclosure-desk.exe" if sys.platform == "win32" else "disclosure-desk")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dist", type=Path, default=ROOT / "dist", help="where `make package` put the program")
    program = binary(parser.parse_args(argv).dist)
    if not program.is_file():
        print(f"smoke test: {program} does not exist; run `make package` first.", file=sys.stderr)
        return 1
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="disclosure-desk-smoke-") as folder:
        checks: list[tuple[str, Callable[[Path, Path], str]]] = [
            ("--version", check_version), ("diagnostics", check_diagnostics), ("demo", check_demo),
            ("ocr", check_ocr), ("window", check_window)]
        for name, check in checks:
            try:
                print(f"ok    {name}: {check(program, Path(folder))}")
            except SmokeFailure as failure:
                print(f"FAIL  {name}: {failure}", file=sys.stderr)
                return 1
    print(f"smoke test passed in {time.monotonic() - started:.0f} s: {program}")
    return 0


def environment(root: Path) -> dict[str, str]:
    """A throw-away data folder and passphrase; nothing from the caller's DISCLOSURE_DESK_* settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DISCLOSURE_DESK_")}
    env.update(DISCLOSURE_DESK_DATA=str(root / "data"), DISCLOSURE_DESK_PASSPHRASE=PASSPHRASE)
    return env


def run(program: Path, root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([str(program), *args], env=environment(root), capture_output=True, text=True,
                          timeout=300, stdin=subprocess.DEVNULL, encoding="utf-8")
    if done.returncode != 0:
        raise SmokeFailure(f"`{' '.join(args)}` exited {done.returncode}: {done.stderr.strip()[-2000:]}")
    return done


def check_version(program: Path, root: Path) -> str:
    expected = f"Disclosure Desk {importlib.metadata.version('disclosure-desk')}"
    printed = run(program, root, "--version").stdout.strip()
    if printed != expected:
        raise SmokeFailure(f"printed {printed!r}, expected {expected!r}")
    return printed


def check_diagnostics(program: Path, root: Path) -> str:
    found = json.loads(run(program, root, "diagnostics", "--json").stdout)
    versions, cipher = found["versions"], found["cipher"]
    if not found["running_from"].startswith("bundle"):
        raise SmokeFailure(f"not running from the bundle: {found['running_from']}")
    if not cipher["version"].startswith("4."):
        raise SmokeFailure(f"SQLCipher reports {cipher['version']!r}, expected 4.x")
    unknown = [name for name, version in versions.items() if version == "unknown"]
    if unknown:
        raise SmokeFailure(f"no version for {unknown}: their metadata is missing from the bundle")
    backend = OWN_BACKEND.get("linux" if sys.platform.startswith("linux") else sys.platform)
    if backend and backend not in found["keyring"]["backends"]:
        raise SmokeFailure(f"the {backend} keyring backend is not in the bundle: {found['keyring']['backends']}")
    return f"SQLCipher {cipher['version']}, pdfium {versions['pypdfium2']}, keyring {found['keyring']['backends']}"


def check_demo(program: Path, root: Path) -> str:
    out = root / "out"
    printed = json.loads(run(program, root, "demo", "--out", str(out), "--json").stdout)
    requests = printed["requests"]["imported"]
    if requests != 8 or printed["requests"]["outcomes"].get("ready") != 2:
        raise SmokeFailure(f"expected 8 requests, 2 ready: {printed['requests']}")
    pages = packet_pages(Path(printed["packet"]["path"]), printed["packet"]["password"])
    if pages != printed["packet"]["pages"]:
        raise SmokeFailure(f"the packet has {pages} pages, the demo said {printed['packet']['pages']}")
    for name in ("certificate", "key"):
        if not Path(printed["hq"][name]).is_file():
            raise SmokeFailure(f"no HQ {name} was written")
    missing = printed["not_available"]
    left_out = [line for line in missing if _in_source(line)]
    if left_out:
        raise SmokeFailure(f"modules in the source are missing from the bundle: {left_out}")
    if printed["bundle"] and not Path(printed["bundle"]["path"]).is_file():
        raise SmokeFailure("the DHS-191 bundle the demo printed does not exist")
    check_logs(root / "data" / "logs")
    made = f"{requests} requests, a {pages}-page packet, {printed['dhs191_entries']} DHS-191 entries"
    return made + (f"; not available: {missing}" if missing else ", a sync bundle")


SCAN_LINES = ["Informe de la Dirección General de Aduanas — Señor Núñez", "SSN 536-90-4399", "NAS : 123 456 782",
              "CURP: BOXW310820HNERXN08"]  # the CURP's check digit is wrong: it must be marked so


def check_ocr(program: Path, root: Path) -> str:
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("L", (1700, 2200), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(str(ROOT / "resources" / "fonts" / "DejaVuSans.ttf"), 30)
    for number, line in enumerate(SCAN_LINES):
        draw.text((150, 160 + 62 * number), line, font=font, fill=0)
    scan = root / "scan.png"
    image.rotate(1.0, fillcolor=255).save(scan, dpi=(200, 200))
    started = time.monotonic()
    found = json.loads(run(program, root, "record", "suggest", str(scan), "--json").stdout)["suggestions"]
    seconds = time.monotonic() - started
    got = {(s["kind"], s["checksum"], s["source"]) for s in found}
    wanted = {("ssn", None, "ocr"), ("sin", True, "ocr"), ("curp", False, "ocr")}
    if not wanted <= got:
        raise SmokeFailure(f"the scanned page gave {sorted(got, key=str)}, expected at least {sorted(wanted, key=str)}")
    return f"{len(found)} suggestions from OCR of one scanned page in {seconds:.1f} s"


def _in_source(line: str) -> bool:
    """Whether a "not available" line names a module the source has (then the bundle left it out)."""
    found = re.search(r"\b(desktop(?:\.\w+)+) is not part of this build", line)
    if not found:
        return False
    path = ROOT.joinpath(*found.group(1).split("."))
    return path.is_dir() or path.with_suffix(".py").is_file()


def packet_pages(path: Path, password: str) -> int:
    import pypdfium2 as pdfium

    try:
        pdfium.PdfDocument(path).close()
    except pdfium.PdfiumError:
        pass
    else:
        raise SmokeFailure(f"{path} opens without a password")
    document = pdfium.PdfDocument(path, password=password)
    try:
        return len(document)
    finally:
        document.close()


def check_logs(folder: Path) -> None:
    logs = [path for path in folder.rglob("*") if path.is_file()]
    text = b"".join(path.read_bytes() for path in logs)
    if b"demo.done" not in text:
        raise SmokeFailure(f"no log of the demo in {folder}")
    names = sample_names()
    leaked = [name for name in names if name.encode("utf-8") in text or name.encode("utf-16-le") in text]
    if leaked:
        raise SmokeFailure(f"personal names in the logs: {leaked}")


def sample_names() -> list[str]:
    names = []
    for path in (ROOT / "resources" / "samples" / "requests").glob("*.request.json"):
        request: dict[str, Any] = json.loads(path.read_text("utf-8"))
        names += [subject["name"] for subject in request["subjects"]]
        names += [person["name"] for person in (request["requester"], request["disclosing_official"]) if person]
    record = json.loads((ROOT / "resources" / "samples" / "record.json").read_text("utf-8"))
    return sorted(set(names + record["personnel"]))


def check_window(program: Path, root: Path) -> str:
    env = {**environment(root / "gui"), "QT_QPA_PLATFORM": "offscreen"}
    process = subprocess.Popen([str(program)], env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, encoding="utf-8")
    try:
        process.wait(timeout=GUI_SECONDS)
    except subprocess.TimeoutExpired:
        process.terminate()
        process.communicate(timeout=30)
        return f"still running after {GUI_SECONDS:.0f} s (offscreen), then ended"
    _, errors = process.communicate()
    raise SmokeFailure(f"the window exited at once with {process.returncode}: {errors.strip()[-2000:]}")


if __name__ == "__main__":
    sys.exit(main())
