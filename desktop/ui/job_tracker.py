"""The jobs one panel started (desktop/ui/operations.py runs them): stopped when the panel is cleared.

On lock (SPEC S3) the panel is emptied and the store closed right after; a job still running would read a closed
database or put a request back on screen. So clearing cancels the panel's jobs, waits for them to stop (they check
for Cancel between pages), and drops whatever they deliver afterwards.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QWidget

from desktop.jobs import JobControl
from desktop.ui.operations import Job, run_job

STOP_WAIT_S = 30.0  # a job stops at its next step; one step is at most a page or the final encryption


class JobTracker:
    def __init__(self, parent: QWidget) -> None:
        self._parent = parent
        self._generation = 0
        self._running: dict[Job, threading.Event] = {}

    @property
    def busy(self) -> bool:
        return bool(self._running)

    def run(self, fn: Callable[[JobControl], Any], on_done: Callable[[Any], None],
            on_error: Callable[[BaseException], None], *, title: str | None = None, cancellable: bool = False,
            on_cancelled: Callable[[], None] | None = None) -> Job:
        generation = self._generation
        finished = threading.Event()

        def work(control: JobControl) -> Any:
            try:
                return fn(control)
            finally:
                finished.set()

        def current(callback: Callable[..., None]) -> Callable[..., None]:
            def deliver(*args: Any) -> None:
                self._running.pop(job, None)
                if generation == self._generation:
                    callback(*args)
            return deliver

        job = run_job(self._parent, work, current(on_done), current(on_error), title=title, cancellable=cancellable,
                      on_cancelled=current(on_cancelled or (lambda: None)))
        self._running[job] = finished
        return job

    def stop_all(self, wait: bool = True) -> None:
        """Cancels every running job, ignores what they deliver from now on, and (`wait`) waits for each to stop."""
        self._generation += 1
        running = list(self._running.items())
        self._running.clear()
        for job, _finished in running:
            job.cancel()
        for _job, finished in running if wait else []:
            finished.wait(STOP_WAIT_S)
