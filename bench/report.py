"""What every benchmark shares: timing, the printed table, and the JSON file in bench/results/ (git-ignored)."""

from __future__ import annotations

import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"


@dataclass(frozen=True)
class Figure:
    """One measured quantity for the product and for its baseline; `ratio` is product cost ÷ baseline cost."""

    metric: str
    unit: str
    product: float
    baseline: float
    higher_is_better: bool = False

    @property
    def ratio(self) -> float:
        if self.higher_is_better:
            return self.baseline / self.product if self.product else float("inf")
        return self.product / self.baseline if self.baseline else float("inf")


@dataclass(frozen=True)
class Timing:
    first: float  # seconds; the first run after opening (nothing in the page cache yet)
    median: float  # seconds; the median of the runs after it


def timed(work: Callable[[], object], repeat: int) -> Timing:
    """Runs `work` once cold, then `repeat` more times; the figures are seconds."""
    started = time.perf_counter()
    work()
    first = time.perf_counter() - started
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        runs.append(time.perf_counter() - started)
    return Timing(first, statistics.median(runs) if runs else first)


@contextmanager
def workdir(prefix: str, chosen: Path | None, keep: bool) -> Iterator[Path]:
    """A fresh folder for a benchmark's stores (under `chosen` if given), removed afterwards unless `keep`."""
    root = Path(tempfile.mkdtemp(prefix=prefix, dir=chosen))
    try:
        yield root
    finally:
        if keep:
            progress(f"stores kept in {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def table(title: str, product: str, baseline: str, figures: list[Figure]) -> str:
    headers = ["", product, baseline, "ratio"]
    rows = [[f"{f.metric} ({f.unit})", _number(f.product), _number(f.baseline), f"{f.ratio:.2f}x"] for f in figures]
    widths = [max(len(row[i]) for row in [headers, *rows]) for i in range(len(headers))]
    rule = ["-" * width for width in widths]
    return "\n".join([title, *(_line(cells, widths) for cells in [headers, rule, *rows])])


def _line(cells: list[str], widths: list[int]) -> str:
    first, *rest = cells
    return "  ".join([first.ljust(widths[0]), *(c.rjust(w) for c, w in zip(rest, widths[1:], strict=True))])


def _number(value: float) -> str:
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def machine() -> dict[str, Any]:
    return {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "processor": platform.processor() or platform.machine(),
    }


def write_results(name: str, payload: dict[str, Any], figures: list[Figure]) -> Path:
    RESULTS.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = RESULTS / f"{name}-{stamp}.json"
    document = {
        **payload,
        "benchmark": name,
        "finished": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "figures": [{**asdict(f), "ratio": round(f.ratio, 3)} for f in figures],
    }
    path.write_text(json.dumps(document, indent=2) + "\n", "utf-8")
    return path
