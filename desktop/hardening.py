"""Process-level protections applied at start (issue 2): no core dumps that could hold keys or request text."""

from __future__ import annotations


def harden_process() -> None:
    try:
        import resource
    except ImportError:  # Windows: no core dumps to switch off this way
        return
    try:
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    except (ValueError, OSError):
        pass  # not permitted here; nothing else to do
