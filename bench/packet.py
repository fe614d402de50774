"""A 200-page packet with 40 redacted pages (SPEC section 9): build + encrypt time and memory against a bare script.

The bare script is the cost of rendering and writing the same pages with the same libraries and no app logic.

Product: the core calls `disclosure-desk packet build --request` makes for one record with boxes: `ingest` (SPEC D1
checks; no page facts, as the command line shows no page), then `write_packet` (coversheet, App. A letter; each
record page redacted as its turn comes (SPEC D3: boxed pages rasterized at the default resolution), put in its
App. B bands with its Bates number, encrypted AES-256 R6 and written; then the file opened again with and without
the password and its pages read back for covered text). Baseline, in the same run on the same PDF and boxes: one
bare script, no app logic: pdfium renders the boxed pages at the same resolution, PIL draws the boxes, reportlab
writes those images (at its default Flate level, 6; the product's is 4), pypdf puts the other pages beside them and
encrypts AES-256. Each run is a fresh process, so its peak resident memory is its own. Both write the encrypted
packet to a file in a temporary folder, as the command line writes --out; the made-up record and the images stay
in memory.

`python -m bench packet [--quick] [-n PAGES] [--redacted N] [--repeat R]`
"""

from __future__ import annotations

import argparse
import inspect
import io
import multiprocessing
import resource
import secrets
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.report import Figure, progress, table, write_results

DEFAULT_PAGES, DEFAULT_REDACTED = 200, 40
QUICK_PAGES = 20
DEFAULT_REPEAT = 3
REQUEST_FILE = "01-cmaa-ready.request.json"  # resources/samples/requests: a ready CMAA request (SPEC P3 lets it pass)
TITLE = "TECS crossing history"
LINES, TOP, LEADING, LEFT = 46, 700.0, 14.0, 72.0  # a dense Letter page of 9-point log lines
BOXED_LINES = (3, 17, 31)  # the lines boxed on a redacted page, whole: each line is unique in the record (see _line)
REASON = "9.1.2"  # individuals not identified in the request

Box = tuple[int, float, float, float, float]  # page from 1, x0, y0, x1, y1 in PDF points from the bottom-left


@dataclass(frozen=True)
class Phase:
    seconds: float
    peak_rss_mb: float  # the run's process, at its peak
    start_rss_mb: float  # the same process once its modules were imported and the input received, before the work
    size: int  # bytes of the encrypted PDF
    pages: int
    marks: dict[str, float]  # seconds from the start to each stage
    check_seconds: float = 0.0  # the product: pdfium looking at each unboxed page for what cannot be seen (SPEC D3)
    plan_seconds: float = 0.0  # reading (and cleaning) what each unboxed page draws; the reading was there before
    checked_pages: int = 0
    rebuilt_pages: int = 0  # unboxed pages rebuilt as images for it: 0 on this ordinary record


def main(argv: list[str] | None = None) -> int:
    options = _options(argv)
    pages = options.n or (QUICK_PAGES if options.quick else DEFAULT_PAGES)
    chosen = options.redacted if options.redacted is not None else pages * DEFAULT_REDACTED // DEFAULT_PAGES
    redacted = max(0, min(pages, chosen))
    repeat = options.repeat or (1 if options.quick else DEFAULT_REPEAT)
    dpi = _redaction_dpi()
    progress(f"packet: drawing a {pages}-page record, boxes on {redacted} pages")
    pdf, boxes = record_pdf(pages), redaction_boxes(pages, redacted)
    products: list[Phase] = []
    baselines: list[Phase] = []
    for run in range(1, repeat + 1):  # alternated, so a burst of load from elsewhere falls on both
        progress(f"packet: run {run}/{repeat}, product (ingest, redact at {dpi} dpi, build, encrypt)")
        products.append(_in_child(_product, pdf, boxes))
        progress(f"packet: run {run}/{repeat}, baseline (pdfium + PIL + reportlab + pypdf)")
        baselines.append(_in_child(_baseline, pdf, boxes, dpi))
    product, baseline = _median(products), _median(baselines)
    figures = _figures(product, baseline)
    print(table(f"packet: {pages} record pages, {redacted} redacted at {dpi} dpi ({product.pages} pages with the "
                f"coversheet and letter); median of {repeat} run{'s' * (repeat != 1)}", "product", "bare script",
                figures))
    print(_stages(product, baseline))
    pages_checked = max(product.checked_pages, 1)
    print(f"\nvisibility check (SPEC D3: what cannot be seen on an unboxed page), inside the product's time, "
          f"{product.checked_pages} unboxed pages:\n  pdfium looking at each page: {product.check_seconds:.2f} s, "
          f"{1000 * product.check_seconds / pages_checked:.2f} ms a page\n  reading and cleaning what each draws "
          f"(the reading was there before): {product.plan_seconds:.2f} s, "
          f"{1000 * product.plan_seconds / pages_checked:.2f} ms a page\n  pages rebuilt as images for it: "
          f"{product.rebuilt_pages}")
    path = write_results("packet", _payload(options, pages, redacted, dpi, len(pdf), products, baselines), figures)
    print(f"\nresults: {path}")
    return 0


def _options(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench packet", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help=f"{QUICK_PAGES} pages and one run instead of {DEFAULT_PAGES} pages and {DEFAULT_REPEAT}")
    parser.add_argument("-n", type=int, help="record pages (overrides --quick's)")
    parser.add_argument("--redacted", type=int,
                        help=f"how many pages get boxes (default {DEFAULT_REDACTED} in {DEFAULT_PAGES}, in proportion)")
    parser.add_argument("--repeat", type=int, help=f"fresh-process runs of each (default {DEFAULT_REPEAT}, quick 1)")
    options = parser.parse_args(argv)
    if options.n is not None and options.n < 1:
        parser.error("-n: a record has at least one page")
    if options.repeat is not None and options.repeat < 1:
        parser.error("--repeat: at least one run")
    return options


def _redaction_dpi() -> int:
    """The resolution `redact` uses when the window and the command line call it: the baseline renders at it too."""
    from desktop.records import redact

    return int(inspect.signature(redact).parameters["dpi"].default)


def _line(page: int, line: int) -> str:
    """A crossing log line; the reference at its end makes it unique in the record, as `redact`'s read-back check
    needs: text under a box must not appear anywhere else in the result."""
    day = 1 + (page * LINES + line) % 28
    port = ("Lacolle, QC / Champlain, NY", "Peace Arch, BC / Blaine, WA", "Windsor, ON / Detroit, MI")[line % 3]
    return (f"2025-{1 + page % 12:02d}-{day:02d}  {port:<28}  Passenger vehicle  Insp. M. Roy  "
            f"A-{200_000_000 + page * 100 + line}  ref {page:04d}-{line:02d}")


def record_pdf(pages: int) -> bytes:
    """The made-up record: text on every page (reportlab's Helvetica, Flate-compressed content, as most exports)."""
    from reportlab import rl_config
    from reportlab.lib.pagesizes import LETTER
    from reportlab.pdfgen import canvas

    rl_config.useA85 = 0
    out = io.BytesIO()
    c = canvas.Canvas(out, pagesize=LETTER, invariant=1, pageCompression=1)
    for page in range(1, pages + 1):
        c.setFont("Helvetica-Bold", 12)
        c.drawString(LEFT, TOP + 30, f"Border crossing history (extract), page {page} of {pages}")
        c.setFont("Helvetica", 9)
        for line in range(LINES):
            c.drawString(LEFT, _baseline_of(line), _line(page, line))
        c.showPage()
    c.save()
    return out.getvalue()


def _baseline_of(line: int) -> float:
    return TOP - line * LEADING


def redaction_boxes(pages: int, redacted: int) -> list[Box]:
    """Whole-line boxes on `redacted` pages spread evenly through the record."""
    chosen = sorted({1 + i * pages // redacted for i in range(redacted)}) if redacted else []
    return [(page, LEFT - 2, _baseline_of(line) - 3, 545.0, _baseline_of(line) + 9)
            for page in chosen for line in BOXED_LINES]


def _in_child(work: Callable[..., Phase], *args: Any) -> Phase:
    """Runs `work` in a fresh interpreter (spawn): ru_maxrss then measures that run alone."""
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(work, *args).result()


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _measured(work: Callable[[Callable[[str], None]], tuple[int, int]]) -> Phase:
    start_rss = _rss_mb()
    marks: dict[str, float] = {}
    started = time.perf_counter()
    size, pages = work(lambda stage: marks.setdefault(stage, time.perf_counter() - started))
    return Phase(time.perf_counter() - started, _rss_mb(), start_rss, size, pages, marks)


def _on_labels(mark: Callable[[str], None], stages: dict[str, str]) -> Callable[[int, int, str], None]:
    """A JobControl progress function that marks a stage when the first label of the next one arrives."""

    def seen(done: int, total: int, label: str) -> None:
        for prefix, stage in stages.items():
            if label.startswith(prefix):
                mark(stage)

    return seen


def _product(pdf: bytes, boxes: list[Box]) -> Phase:
    from bench.workload import TODAY  # here, not at the top: the baseline's process imports nothing of desktop/
    from desktop.jobs import JobControl
    from desktop.packets.builder import write_packet
    from desktop.packets.gate import refuse_unless_ready
    from desktop.packets.model import PacketRecord, PacketSettings
    from desktop.paths import resource_path
    from desktop.records import Box as RedactionBox
    from desktop.records import ingest
    from desktop.requests import load_request_file

    request = load_request_file(resource_path("samples", "requests", REQUEST_FILE))
    settings = PacketSettings(post_name="Ottawa", bates_prefix="OTT", date=TODAY)

    checking = _timed_checks()
    rebuilt: list[int] = []

    def work(mark: Callable[[str], None]) -> tuple[int, int]:
        refuse_unless_ready(request)
        document = ingest("crossing-history.pdf", pdf, page_facts=False)
        mark("ingested (D1 checks)")
        record = PacketRecord(document.pdf, contains_pii=True, title=TITLE,
                              boxes=tuple(RedactionBox(*box, REASON) for box in boxes))
        building = JobControl(_on_labels(mark, {"Adding record page": "coversheet and letter",
                                                "Redacting record page": "coversheet and letter",
                                                "Checking the encrypted packet": "pages redacted, marked, encrypted"}))
        with tempfile.TemporaryDirectory(prefix="bench-packet-") as folder, \
                open(Path(folder) / "packet.pdf", "w+b") as out:
            built = write_packet(request, [record], settings, 1, out, building)
            mark("opened again, read back (P2, D3)")
            rebuilt.append(len(built.rebuilt))
            return out.seek(0, io.SEEK_END), built.page_count

    from dataclasses import replace

    phase = _measured(work)
    return replace(phase, check_seconds=checking[0], plan_seconds=checking[2], checked_pages=int(checking[1]),
                   rebuilt_pages=rebuilt[0])


def _timed_checks() -> list[float]:
    """[pdfium's seconds, pages, the content plan's seconds] of the visibility check, summed as the product runs:
    redact's two calls of it are wrapped with a timer (this process only; it measures, it changes nothing)."""
    import importlib

    redact = importlib.import_module("desktop.records.redact")  # the module: the package exports its function
    spent = [0.0, 0.0, 0.0]
    hidden_on_page, vector_plan = redact.hidden_on_page, redact.vector_plan

    def timed_hidden(*args: Any) -> Any:
        started = time.perf_counter()
        try:
            return hidden_on_page(*args)
        finally:
            spent[0] += time.perf_counter() - started
            spent[1] += 1

    def timed_plan(*args: Any) -> Any:
        started = time.perf_counter()
        try:
            return vector_plan(*args)
        finally:
            spent[2] += time.perf_counter() - started

    redact.hidden_on_page, redact.vector_plan = timed_hidden, timed_plan
    return spent


def _baseline(pdf: bytes, boxes: list[Box], dpi: int) -> Phase:
    import pypdfium2 as pdfium
    from PIL import ImageDraw
    from pypdf import PdfReader, PdfWriter
    from reportlab import rl_config
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    rl_config.useA85 = 0  # as desktop/packets/layout.py sets it
    password = secrets.token_urlsafe(16)
    by_page: dict[int, list[Box]] = {}
    for box in boxes:
        by_page.setdefault(box[0], []).append(box)

    def work(mark: Callable[[str], None]) -> tuple[int, int]:
        document = pdfium.PdfDocument(pdf)
        images = io.BytesIO()
        c = canvas.Canvas(images, invariant=1, pageCompression=1)
        for number, on_page in sorted(by_page.items()):
            page = document[number - 1]
            width, height = page.get_size()
            bitmap = page.render(scale=dpi / 72)
            # The record is black on white, and the product stores such a page as one channel: so does this.
            image = bitmap.to_pil().convert("L")
            draw, k = ImageDraw.Draw(image), dpi / 72
            for _, x0, y0, x1, y1 in on_page:
                draw.rectangle((x0 * k, (height - y1) * k, x1 * k, (height - y0) * k), fill=0)
            c.setPageSize((width, height))
            c.drawImage(ImageReader(image), 0, 0, width, height)
            c.showPage()
            bitmap.close()
            page.close()
        document.close()
        c.save()
        mark("boxed pages rendered and drawn")
        drawn = iter(PdfReader(io.BytesIO(images.getvalue())).pages)
        writer = PdfWriter()
        for number, page in enumerate(PdfReader(io.BytesIO(pdf)).pages, start=1):
            writer.add_page(next(drawn) if number in by_page else page)
        mark("pages put together (pypdf)")
        writer.encrypt(user_password=password, owner_password=secrets.token_urlsafe(16), algorithm="AES-256")
        with open(folder / "packet.pdf", "wb") as out:
            writer.write(out)
        mark("encrypted and written (pypdf)")
        return (folder / "packet.pdf").stat().st_size, len(writer.pages)

    with tempfile.TemporaryDirectory(prefix="bench-baseline-") as name:
        folder = Path(name)
        phase = _measured(work)
        _check_baseline((folder / "packet.pdf").read_bytes(), password, phase.pages, min(by_page, default=0))
    return phase


def _check_baseline(data: bytes, password: str, pages: int, boxed: int) -> None:
    """After the measurement: the bare script's output opens with its password only, whole, boxed pages textless
    (build_packet checks the product's the same way, inside its own time)."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    if not reader.is_encrypted or reader.decrypt("") or not reader.decrypt(password) or len(reader.pages) != pages:
        raise SystemExit("the baseline's PDF does not open as it should; its figures are void")
    if boxed and reader.pages[boxed - 1].extract_text().strip():
        raise SystemExit(f"the baseline's page {boxed} still has text; its figures are void")


def _median(runs: list[Phase]) -> Phase:
    """The run with the median wall time (the upper one of two), so its stages and memory belong to it."""
    ordered = sorted(runs, key=lambda run: run.seconds)
    return ordered[len(ordered) // 2]


def _figures(product: Phase, baseline: Phase) -> list[Figure]:
    return [
        Figure("redact + build + encrypt wall time", "s", product.seconds, baseline.seconds),
        Figure("peak memory (process RSS)", "MB", product.peak_rss_mb, baseline.peak_rss_mb),
        Figure("memory above start", "MB", product.peak_rss_mb - product.start_rss_mb,
               baseline.peak_rss_mb - baseline.start_rss_mb),
        Figure("encrypted PDF", "MB", product.size / 1e6, baseline.size / 1e6),
    ]


def _stages(product: Phase, baseline: Phase) -> str:
    lines = ["", "stages (seconds from the start of the run):"]
    for name, phase in (("product", product), ("baseline", baseline)):
        lines += [f"  {name:<9} {stage:<36} {at:8.2f}" for stage, at in phase.marks.items()]
    return "\n".join(lines)


def _payload(options: argparse.Namespace, pages: int, redacted: int, dpi: int, input_size: int,
             products: list[Phase], baselines: list[Phase]) -> dict[str, Any]:
    """Everything needed to compare this run with a later one, besides the figures."""
    import pypdf
    import pypdfium2
    import reportlab

    def runs(phases: list[Phase]) -> list[dict[str, Any]]:
        return [{"seconds": round(p.seconds, 3), "peak_rss_mb": round(p.peak_rss_mb, 1),
                 "check_seconds": round(p.check_seconds, 3), "plan_seconds": round(p.plan_seconds, 3),
                 "checked_pages": p.checked_pages,
                 "rebuilt_pages": p.rebuilt_pages,
                 "start_rss_mb": round(p.start_rss_mb, 1), "marks": {k: round(v, 3) for k, v in p.marks.items()}}
                for p in phases]

    return {
        "record_pages": pages,
        "redacted_pages": redacted,
        "boxes_per_redacted_page": len(BOXED_LINES),
        "dpi": dpi,
        "input_bytes": input_size,
        "quick": bool(options.quick),
        "versions": {"pypdf": pypdf.__version__, "pypdfium2": str(pypdfium2.version.PYPDFIUM_INFO),
                     "pdfium": str(pypdfium2.version.PDFIUM_INFO), "reportlab": reportlab.Version},
        "runs": {"product": runs(products), "baseline": runs(baselines)},
    }
