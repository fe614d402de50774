"""The contract of a long job, Qt-free (STYLE.md 4): a plain function that reports progress and can be cancelled.

The window runs such a function on a worker (desktop/ui/operations.py); the command line runs it directly.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

ProgressFn = Callable[[int, int, str], None]  # (done, total, what is happening now)


class Cancelled(Exception):
    """Raised inside a job when the user pressed Cancel; the job has undone its partial work."""


@dataclass
class JobControl:
    progress: ProgressFn = lambda done, total, label: None
    _cancel: threading.Event = field(default_factory=threading.Event)

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def check(self) -> None:
        """Call between steps: raises Cancelled once the user has asked to stop."""
        if self._cancel.is_set():
            raise Cancelled()

    def step(self, done: int, total: int, label: str) -> None:
        self.check()
        self.progress(done, total, label)

    def part(self, start: float, span: float, total: float) -> JobControl:
        """A step's own control: its progress is the share [start, start + span) of this job's `total`, shown
        on a 0-1000 scale, and this job's Cancel stops it (one Cancel for the whole job)."""

        def progress(done: int, of: int, label: str) -> None:
            share = start + (span * done / of if of else 0)
            self.step(round(1000 * share / total) if total else 0, 1000, label)

        return JobControl(progress=progress, _cancel=self._cancel)
