"""`python -m bench [NAME] [options]` (`make bench`): runs every benchmark, or the one named, and prints its table.

Options after the name go to that benchmark (e.g. `python -m bench store --quick`); `--quick` alone applies to all.
"""

from __future__ import annotations

import importlib
import sys

# name -> module with `main(argv) -> int`: the measured targets of SPEC section 9.
BENCHMARKS = {
    "startup": "bench.startup",
    "store": "bench.store",
    "packet": "bench.packet",
    "sync": "bench.sync",
    "ocr": "bench.ocr",
    "hq": "bench.hq",
}


def main(argv: list[str]) -> int:
    if argv and argv[0] in ("-h", "--help"):
        print(__doc__)
        print("benchmarks: " + ", ".join(BENCHMARKS))
        return 0
    if argv and not argv[0].startswith("-"):
        name, rest = argv[0], argv[1:]
        if name not in BENCHMARKS:
            print(f"python -m bench: no benchmark {name!r}; choose one of {', '.join(BENCHMARKS)}", file=sys.stderr)
            return 2
        return _run(name, rest)
    status = 0
    for name in BENCHMARKS:
        status = _run(name, argv) or status
        print()
    return status


def _run(name: str, argv: list[str]) -> int:
    module = importlib.import_module(BENCHMARKS[name])
    return int(module.main(argv) or 0)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
