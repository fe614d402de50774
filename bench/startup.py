"""Cold start to the unlock screen, and unlock to a populated main window (SPEC section 9).

Cold start: from launching a fresh process that runs the `disclosure-desk` entry point's `desktop.cli.main`
(bench/startup_child.py; offscreen Qt, the failing keyring backend, DISCLOSURE_DESK_DATA on the filled store) to the
first paint of the unlock screen's passphrase field. Baseline: a bare PySide6 script that shows one QLabel, timed to
its first paint the same way. Unlock: in the same process, from the Unlock button's click (Argon2id on a worker,
then the window builds the workspace) to the request list's first rows and its first paint. Baseline: the same on a
store of 10 requests, so the ratio is what the filled store costs.

Every launch is a fresh process; the figures are medians. One warm-up launch of each kind comes first and is not
counted, so every counted run finds Python, Qt and the store in the OS file cache: a second start of the day, not
the first after a reboot. `python -m bench startup [--quick] [-n N] [--repeat R] [--dir DIR] [--keep]`
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from keyring.backends import fail

from bench import workload
from bench.report import Figure, progress, table, workdir, write_results
from bench.startup_child import MARK, PASSPHRASE_ENV, SETTLE_MS
from bench.store import RECORDS_PER_REQUEST, _insert
from desktop.assessment import attach_rules
from desktop.paths import DATA_ENV
from desktop.setup import create_post_store
from desktop.store import KdfParams, KeyVault

PASSPHRASE = "bench startup passphrase 4320 lantern"
DEFAULT_COUNT = 20_000  # SPEC section 9: 20,000 requests and 200,000 records
QUICK_COUNT = 500
TINY_COUNT = 10  # the unlock baseline's store
REPEAT = 3
TIMEOUT_S = 600
CHECKOUT = Path(__file__).resolve().parent.parent

# The cold-start baseline: Python, PySide6 and one label on screen, watched like the app's unlock screen. Run as
# `python -c BARE MARK`: the marker to print comes as the one argument.
BARE = """\
import json, sys, time
started = time.perf_counter()
mark = sys.argv.pop()
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QLabel

class Seen(QObject):
    def eventFilter(self, watched, event):
        if watched is label and event.type() == QEvent.Type.Paint and not shown:
            shown.append(time.perf_counter())
            QTimer.singleShot(0, app.quit)
        return False

shown, label = [], None
app = QApplication(sys.argv)
seen = Seen()
app.installEventFilter(seen)
label = QLabel("Disclosure Desk is locked")
label.show()
app.exec()
print(mark + json.dumps({"marks": {"started": started, "unlock_screen": shown[0]}}), flush=True)
"""


def main(argv: list[str] | None = None) -> int:
    options = _options(argv)
    count = options.n or (QUICK_COUNT if options.quick else DEFAULT_COUNT)
    repeat = options.repeat or (1 if options.quick else REPEAT)
    with workdir("dd-bench-startup-", options.dir, options.keep) as root:
        filled, tiny = _filled(root / "filled", count), _filled(root / "tiny", TINY_COUNT)
        runs = _measure(filled, tiny, repeat)
    product, bare, small = (_medians(runs[kind]) for kind in ("filled", "bare", "tiny"))
    title = f"{count:,} requests, {count * RECORDS_PER_REQUEST:,} records"
    cold, unlock = _cold_figures(product, small, bare), _unlock_figures(product, small)
    print(table(f"startup: cold start to the unlock screen (fresh process, offscreen Qt), store of {title}",
                "disclosure-desk", "bare QLabel", cold))
    print()
    print(table(f"startup: Unlock clicked to a populated main window, {title} vs {TINY_COUNT}",
                f"{count:,} requests", f"{TINY_COUNT} requests", unlock))
    print(f"\nmedians of {repeat} launch{'es' if repeat != 1 else ''} each, after one warm-up launch not counted")
    path = write_results("startup", _payload(count, repeat, options, runs), cold + unlock)
    print(f"\nresults: {path}")
    return 0


def _options(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench startup", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help=f"{QUICK_COUNT:,} requests and one launch each, instead of {DEFAULT_COUNT:,} and {REPEAT}")
    parser.add_argument("-n", type=int, help="number of requests (overrides --quick)")
    parser.add_argument("--repeat", type=int, help=f"counted launches of each kind (default {REPEAT}, 1 with --quick)")
    parser.add_argument("--dir", type=Path, help="where to build the stores (default: a temporary folder)")
    parser.add_argument("--keep", action="store_true", help="keep the stores afterwards")
    return parser.parse_args(argv)


def _filled(root: Path, count: int) -> Path:
    """A post's store as the first-run wizard makes it (default Argon2id cost), filled the way bench/store.py does."""
    progress(f"startup: filling a store with {count:,} requests and {count * RECORDS_PER_REQUEST:,} records")
    store = create_post_store(root, PASSPHRASE, post_name="Bench", bates_prefix="BEN", use_keyring=False,
                              vault=KeyVault(fail.Keyring()), kdf=KdfParams())  # type: ignore[no-untyped-call]
    attach_rules(store)
    try:
        _insert(f"{count:,}-request store", store.repo, workload.requests(count))
    finally:
        store.lock()
    return root


def _measure(filled: Path, tiny: Path, repeat: int) -> dict[str, list[dict[str, float]]]:
    """Interleaved, so a burst of load on the machine falls on product and baselines alike."""
    commands = {"bare": ([sys.executable, "-c", BARE, MARK], tiny), "tiny": (_app_command(), tiny),
                "filled": (_app_command(), filled)}
    progress("startup: warm-up launches (not counted)")
    for kind, (command, store) in commands.items():
        _launch(kind, command, store)  # also leaves the window state and log files a second start finds
    runs: dict[str, list[dict[str, float]]] = {kind: [] for kind in commands}
    for number in range(1, repeat + 1):
        for kind, (command, store) in commands.items():
            runs[kind].append(_launch(kind, command, store))
        progress(f"startup: launch {number}/{repeat}: cold start {runs['filled'][-1]['cold_start'] * 1e3:,.0f} ms, "
                 f"unlock to rows {runs['filled'][-1]['unlock_to_rows'] * 1e3:,.0f} ms")
    return runs


def _app_command() -> list[str]:
    return [sys.executable, "-m", "bench.startup_child"]


def _launch(kind: str, command: list[str], store: Path) -> dict[str, float]:
    """One fresh process; its readings turned into seconds from the launch or from the click."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
           DATA_ENV: str(store), PASSPHRASE_ENV: PASSPHRASE}
    launched = time.perf_counter()  # the same system-wide clock the child reads (see bench/startup_child.py)
    done = subprocess.run(command, cwd=CHECKOUT, env=env, capture_output=True, text=True, timeout=TIMEOUT_S)
    lines = [line for line in done.stdout.splitlines() if line.startswith(MARK)]
    if done.returncode or not lines:
        raise SystemExit(f"startup: the {kind} launch failed (exit {done.returncode}):\n{done.stderr[-3000:]}")
    report = json.loads(lines[-1][len(MARK):])
    marks, facts = report["marks"], report.get("facts", {})
    run = {"python_start": marks["started"] - launched, "cold_start": marks["unlock_screen"] - launched}
    if "click" in marks:
        click = marks["click"]
        run.update(unlock_to_open=marks["store_open"] - click, open_to_rows=marks["rows"] - marks["store_open"],
                   unlock_to_rows=marks["rows"] - click, unlock_to_painted=marks["list_painted"] - click,
                   argon2id=report["argon2id"], rows=facts["rows"], total=facts["total"],
                   peak_rss_mb=facts["peak_rss_mb"])
    return run


def _medians(runs: list[dict[str, float]]) -> dict[str, float]:
    return {key: statistics.median(run[key] for run in runs) for key in runs[0]}


def _cold_figures(product: dict[str, float], small: dict[str, float], bare: dict[str, float]) -> list[Figure]:
    return [
        Figure("cold start to the unlock screen", "ms", product["cold_start"] * 1e3, bare["cold_start"] * 1e3),
        Figure(f"  same, {TINY_COUNT}-request store", "ms", small["cold_start"] * 1e3, bare["cold_start"] * 1e3),
        Figure("  of which Python's own start (before Qt)", "ms", product["python_start"] * 1e3,
               bare["python_start"] * 1e3),
    ]


def _unlock_figures(product: dict[str, float], small: dict[str, float]) -> list[Figure]:
    def ms(key: str) -> tuple[float, float]:
        return product[key] * 1e3, small[key] * 1e3

    return [
        Figure("Unlock clicked to first rows in the request list", "ms", *ms("unlock_to_rows")),
        Figure("  click to the open store on the UI thread (worker)", "ms", *ms("unlock_to_open")),
        Figure("    Argon2id alone, timed after (key file unwrap)", "ms", *ms("argon2id")),
        Figure("  open store to first rows (window build)", "ms", *ms("open_to_rows")),
        Figure("Unlock clicked to the request list painted", "ms", *ms("unlock_to_painted")),
        Figure(f"peak memory (RSS; Argon2id alone takes {KdfParams().memory_cost_kib // 1024} MiB)", "MB",
               product["peak_rss_mb"], small["peak_rss_mb"]),
    ]


def _payload(count: int, repeat: int, options: argparse.Namespace, runs: dict[str, list[dict[str, float]]]
             ) -> dict[str, Any]:
    """Every launch's readings (seconds), besides the medians in the figures."""
    from PySide6 import __version__ as pyside_version

    kdf = KdfParams()
    return {
        "requests": count,
        "records": count * RECORDS_PER_REQUEST,
        "baseline_requests": TINY_COUNT,
        "quick": bool(options.quick),
        "repeat": repeat,
        "settle_ms": SETTLE_MS,
        "first_rows": runs["filled"][0]["rows"],
        "versions": {"pyside6": pyside_version},
        "kdf": {"time_cost": kdf.time_cost, "memory_cost_kib": kdf.memory_cost_kib, "parallelism": kdf.parallelism},
        "runs": runs,
    }
