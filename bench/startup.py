"""Cold start to the unlock screen, and unlock to a populated main window (SPEC section 9).

Cold start: from launching a fresh process that runs the `disclosure-desk` entry point's `desktop.cli.main`
(bench/startup_child.py; offscreen Qt, the failing keyring backend, DISCLOSURE_DESK_DATA on the filled store) to the
first paint of the unlock screen's passphrase field. Baseline: a bare PySide6 script that shows one QLabel, timed to
its first paint the same way. `--version` and `check FILE` are timed from launch to exit against `python -c pass`.
Unlock: in the same process, from the Unlock button's click (Argon2id on a worker, then the window builds the
workspace) to the request list's first rows and its first paint, then to the facts tab the workspace builds after
them (editor and checklist), at each store size (10, 2,000 and 20,000 requests
by default): against Argon2id alone (the floor of an unlock), and the window build against the smallest store, so
the ratio is what a bigger store costs (issue 15: it should cost nothing).

Every launch is a fresh process; the figures are medians. One warm-up launch of each kind comes first and is not
counted, so every counted run finds Python, Qt and the store in the OS file cache, and every module compiled to
bytecode (in a cache folder of the run's own, PYTHONPYCACHEPREFIX, even where PYTHONDONTWRITEBYTECODE is set, as it
is in the project's sessions): a second start of the day of an installed program, not the first after a reboot.
`--source-only` keeps PYTHONDONTWRITEBYTECODE, so that every launch compiles every module it imports from source
(the app imports far more of them than the bare label does).
`python -m bench startup [--quick] [--sizes 10,2000,20000] [--repeat R] [--reuse DIR] [--dir DIR] [--keep]
[--source-only]`
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from keyring.backends import fail

from bench import workload
from bench.report import Figure, progress, table, workdir, write_results
from bench.startup_child import CLICK_ENV, MARK, PASSPHRASE_ENV, SETTLE_MS
from bench.store import RECORDS_PER_REQUEST, _insert
from desktop.assessment import attach_rules
from desktop.paths import DATA_ENV
from desktop.setup import create_post_store
from desktop.store import KdfParams, KeyVault

PASSPHRASE = "bench startup passphrase 4320 lantern"
DEFAULT_SIZES = (10, 2_000, 20_000)  # issue 15: the cost after unlock must not grow with the store; SPEC section 9
QUICK_COUNT = 500
TINY_COUNT = 10
REPEAT = 3
TIMEOUT_S = 600
CHECKOUT = Path(__file__).resolve().parent.parent
CHECK_SAMPLE = CHECKOUT / "resources" / "samples" / "requests" / "01-cmaa-ready.request.json"

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
    sizes = options.sizes or ([TINY_COUNT, QUICK_COUNT] if options.quick else list(DEFAULT_SIZES))
    repeat = options.repeat or (1 if options.quick else REPEAT)
    with workdir("dd-bench-startup-", options.dir, options.keep) as root:
        stores = {count: _filled(_store_dir(root, options.reuse, count), count) for count in sorted(set(sizes))}
        bytecode = None if options.source_only else root / "pycache"
        runs = _measure(stores, repeat, bytecode)
    medians = {kind: _medians(kind_runs) for kind, kind_runs in runs.items()}
    cold = _cold_figures(medians, sorted(stores))
    unlock = _unlock_figures(medians, sorted(stores))
    print(table("startup: fresh processes to the unlock screen and to a command's exit", "disclosure-desk",
                "baseline", cold))
    print()
    print(table(f"startup: Unlock clicked to a populated main window, at {', '.join(f'{n:,}' for n in stores)} "
                f"requests ({RECORDS_PER_REQUEST} records each)", "product", "baseline", unlock))
    print(f"\nmedians of {repeat} launch{'es' if repeat != 1 else ''} each, after one warm-up launch not counted")
    path = write_results("startup", _payload(sorted(stores), repeat, options, runs), cold + unlock)
    print(f"\nresults: {path}")
    return 0


def _options(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench startup", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help=f"{TINY_COUNT} and {QUICK_COUNT:,} requests and one launch each, instead of "
                             f"{', '.join(f'{n:,}' for n in DEFAULT_SIZES)} and {REPEAT}")
    parser.add_argument("--sizes", type=lambda text: [int(n) for n in text.split(",")],
                        help="store sizes in requests, comma-separated (overrides --quick)")
    parser.add_argument("--repeat", type=int, help=f"counted launches of each kind (default {REPEAT}, 1 with --quick)")
    parser.add_argument("--dir", type=Path, help="where to build the stores (default: a temporary folder)")
    parser.add_argument("--keep", action="store_true", help="keep the stores afterwards")
    parser.add_argument("--source-only", action="store_true",
                        help="no bytecode cache when PYTHONDONTWRITEBYTECODE is set: every launch compiles from source")
    parser.add_argument("--reuse", type=Path, metavar="DIR",
                        help="keep the filled stores in DIR and reuse those already there (filling 20,000 "
                             "requests takes minutes)")
    return parser.parse_args(argv)


def _store_dir(root: Path, reuse: Path | None, count: int) -> Path:
    return (reuse or root) / f"store-{count}"


def _filled(root: Path, count: int) -> Path:
    """A post's store as the first-run wizard makes it (default Argon2id cost), filled the way bench/store.py does.
    A folder already holding a complete store of that size (--reuse) is taken as it is."""
    done = root / "bench-filled"
    if done.exists():
        return root
    if root.exists():
        shutil.rmtree(root)
    progress(f"startup: filling a store with {count:,} requests and {count * RECORDS_PER_REQUEST:,} records")
    store = create_post_store(root, PASSPHRASE, post_name="Bench", bates_prefix="BEN", use_keyring=False,
                              vault=KeyVault(fail.Keyring()), kdf=KdfParams())  # type: ignore[no-untyped-call]
    attach_rules(store)
    try:
        _insert(f"{count:,}-request store", store.repo, workload.requests(count))
    finally:
        store.lock()
    done.write_text(f"{count}\n", "utf-8")
    return root


def _measure(stores: dict[int, Path], repeat: int, bytecode: Path | None) -> dict[str, list[dict[str, float]]]:
    """Interleaved, so a burst of load on the machine falls on product and baselines alike. With `bytecode`, every
    process compiles into and reads from that folder (the warm-up launches fill it)."""
    extra = {} if bytecode is None else {"PYTHONPYCACHEPREFIX": str(bytecode), "PYTHONDONTWRITEBYTECODE": ""}
    smallest = stores[min(stores)]
    commands: dict[str, tuple[list[str], Path, str]] = {
        "python": ([sys.executable, "-c", "pass", MARK], smallest, "early"),
        "bare": ([sys.executable, "-c", BARE, MARK], smallest, "early"),
        "version": (_cli_command("--version"), smallest, "early"),
        "check": (_cli_command("check", str(CHECK_SAMPLE)), smallest, "early"),
        # Each store twice: Unlock clicked SETTLE_MS after the screen, and once the imports behind it are done.
        **{f"app-{count}": (_app_command(), store, "early") for count, store in stores.items()},
        **{f"app-{count}-typed": (_app_command(), store, "typed") for count, store in stores.items()},
    }
    progress("startup: warm-up launches (not counted)")
    for kind, (command, store, click) in commands.items():
        _launch(kind, command, store, click, extra)  # also leaves the window state and log files a second start finds
    runs: dict[str, list[dict[str, float]]] = {kind: [] for kind in commands}
    for number in range(1, repeat + 1):
        for kind, (command, store, click) in commands.items():
            runs[kind].append(_launch(kind, command, store, click, extra))
        largest, typed = runs[f"app-{max(stores)}"][-1], runs[f"app-{max(stores)}-typed"][-1]
        progress(f"startup: launch {number}/{repeat}: cold start {largest['cold_start'] * 1e3:,.0f} ms, "
                 f"unlock to rows {largest['unlock_to_rows'] * 1e3:,.0f} ms (after the warm-up "
                 f"{typed['unlock_to_rows'] * 1e3:,.0f} ms) at {max(stores):,} requests")
    return runs


def _cli_command(*args: str) -> list[str]:
    """The installed entry point's own start: `desktop.cli.main` from a fresh interpreter, timed to its exit."""
    return [sys.executable, "-c", "import sys; from desktop.cli import main; sys.exit(main(sys.argv[1:]))", *args]


def _app_command() -> list[str]:
    return [sys.executable, "-m", "bench.startup_child"]


def _launch(kind: str, command: list[str], store: Path, click: str, extra: dict[str, str]) -> dict[str, float]:
    """One fresh process; its readings turned into seconds from the launch or from the click. A command without
    the marker (python, --version, check) is timed from launch to exit."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
           DATA_ENV: str(store), PASSPHRASE_ENV: PASSPHRASE, CLICK_ENV: click, **extra}
    env = {name: value for name, value in env.items() if value}  # an empty PYTHONDONTWRITEBYTECODE would still count
    launched = time.perf_counter()  # the same system-wide clock the child reads (see bench/startup_child.py)
    done = subprocess.run(command, cwd=CHECKOUT, env=env, capture_output=True, text=True, timeout=TIMEOUT_S)
    exited = time.perf_counter()
    if done.returncode:
        raise SystemExit(f"startup: the {kind} launch failed (exit {done.returncode}):\n{done.stderr[-3000:]}")
    lines = [line for line in done.stdout.splitlines() if line.startswith(MARK)]
    if not lines:
        return {"exit": exited - launched}
    report = json.loads(lines[-1][len(MARK):])
    marks, facts = report["marks"], report.get("facts", {})
    run = {"python_start": marks["started"] - launched, "cold_start": marks["unlock_screen"] - launched}
    if "click" in marks:
        click = marks["click"]
        run.update(unlock_to_open=marks["store_open"] - click, open_to_rows=marks["rows"] - marks["store_open"],
                   unlock_to_rows=marks["rows"] - click, unlock_to_painted=marks["list_painted"] - click,
                   argon2id=report["argon2id"], rows=facts["rows"], total=facts["total"],
                   peak_rss_mb=facts["peak_rss_mb"])
        if "facts" in marks:  # the editor and checklist, built after the first rows (issue 15)
            run["unlock_to_facts"] = marks["facts"] - click
        if "warmed_up" in marks:
            run["warm_up"] = marks["warmed_up"] - marks["unlock_screen"]
            run["background_loaded"] = marks["loaded"] - marks["unlock_screen"]
    return run


def _medians(runs: list[dict[str, float]]) -> dict[str, float]:
    return {key: statistics.median(run[key] for run in runs) for key in runs[0]}


def _cold_figures(medians: dict[str, dict[str, float]], sizes: list[int]) -> list[Figure]:
    bare, python = medians["bare"], medians["python"]["exit"] * 1e3
    figures = [Figure(f"cold start to the unlock screen, {count:,} requests (baseline: bare QLabel)", "ms",
                      medians[f"app-{count}"]["cold_start"] * 1e3, bare["cold_start"] * 1e3) for count in sizes]
    typed = medians[f"app-{sizes[-1]}-typed"]
    figures += [
        Figure("  the warm-up imports behind the unlock screen, screen to done (baseline: the click's delay)", "ms",
               typed["warm_up"] * 1e3, float(SETTLE_MS)),
        Figure("  and the workspace's modules too: the 'typed' click (baseline: the click's delay)", "ms",
               typed["background_loaded"] * 1e3, float(SETTLE_MS)),
        Figure("  of which Python's own start (before Qt)", "ms", medians[f"app-{sizes[-1]}"]["python_start"] * 1e3,
               bare["python_start"] * 1e3),
        Figure("`disclosure-desk --version`, launch to exit (baseline: python -c pass)", "ms",
               medians["version"]["exit"] * 1e3, python),
        Figure("`disclosure-desk check FILE`, launch to exit (baseline: python -c pass)", "ms",
               medians["check"]["exit"] * 1e3, python),
    ]
    return figures


def _unlock_figures(medians: dict[str, dict[str, float]], sizes: list[int]) -> list[Figure]:
    """Each size against Argon2id alone (the unlock's floor) and the window build against the smallest store."""
    smallest = medians[f"app-{sizes[0]}"]
    figures = []
    for count in sizes:
        run, typed = medians[f"app-{count}"], medians[f"app-{count}-typed"]
        figures += [
            Figure(f"{count:,}: Unlock clicked {SETTLE_MS} ms after the screen to first rows (baseline: Argon2id "
                   "alone)", "ms", run["unlock_to_rows"] * 1e3, run["argon2id"] * 1e3),
            Figure(f"{count:,}: Unlock clicked after the background imports (typed) to first rows (baseline: Argon2id "
                   "alone)", "ms", typed["unlock_to_rows"] * 1e3, typed["argon2id"] * 1e3),
            Figure(f"{count:,}:   typed: click to the store open (baseline: Argon2id alone)", "ms",
                   typed["unlock_to_open"] * 1e3, typed["argon2id"] * 1e3),
            Figure(f"{count:,}:   open store to first rows, the window build (baseline: {sizes[0]:,} requests)",
                   "ms", run["open_to_rows"] * 1e3, smallest["open_to_rows"] * 1e3),
            Figure(f"{count:,}:   Unlock clicked to the list painted (baseline: {sizes[0]:,} requests)", "ms",
                   run["unlock_to_painted"] * 1e3, smallest["unlock_to_painted"] * 1e3),
            *([Figure(f"{count:,}:   Unlock clicked to the facts tab built after the rows (baseline: the list "
                      "painted)", "ms", run["unlock_to_facts"] * 1e3, run["unlock_to_painted"] * 1e3)]
              if "unlock_to_facts" in run else []),
            Figure(f"{count:,}:   peak memory (RSS; Argon2id alone takes "
                   f"{KdfParams().memory_cost_kib // 1024} MiB; baseline: {sizes[0]:,} requests)", "MB",
                   run["peak_rss_mb"], smallest["peak_rss_mb"]),
        ]
    return figures


def _payload(sizes: list[int], repeat: int, options: argparse.Namespace, runs: dict[str, list[dict[str, float]]]
             ) -> dict[str, Any]:
    """Every launch's readings (seconds), besides the medians in the figures."""
    from PySide6 import __version__ as pyside_version

    kdf = KdfParams()
    return {
        "sizes": sizes,
        "records_per_request": RECORDS_PER_REQUEST,
        "quick": bool(options.quick),
        "repeat": repeat,
        "settle_ms": SETTLE_MS,
        "bytecode_cached": not options.source_only,
        "first_rows": {count: runs[f"app-{count}"][0]["rows"] for count in sizes},
        "versions": {"pyside6": pyside_version},
        "kdf": {"time_cost": kdf.time_cost, "memory_cost_kib": kdf.memory_cost_kib, "parallelism": kdf.parallelism},
        "runs": runs,
    }
