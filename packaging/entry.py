"""The bundle's entry point: the same `main` as the installed `disclosure-desk` script (desktop.cli).

A separate file rather than desktop/cli.py itself, so that `desktop.cli` is imported as a module and not run as
`__main__` (which would make two copies of it in one process).
"""

import sys

from desktop.cli import main

if __name__ == "__main__":
    sys.exit(main())
