"""The one way to run work off the UI thread (STYLE.md 4, after Anki's operations).

`run_job` runs a plain core function on Qt's thread pool, shows a progress dialog with Cancel when asked to,
and delivers the result or the error on the UI thread.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from desktop.jobs import Cancelled, JobControl

# `Qt` (the namespace of Qt's enums) is imported where it is used: PySide6 builds it on first access, 40-70 ms, and
# the unlock screen imports this module before its first paint (issue 15); a job starts after that paint.


class _Signals(QObject):
    done = Signal(object)
    failed = Signal(object)
    progress = Signal(int, int, str)


class _Runnable(QRunnable):
    def __init__(self, fn: Callable[[JobControl], Any], control: JobControl, signals: _Signals) -> None:
        super().__init__()
        self._fn, self._control, self._signals = fn, control, signals
        self.setAutoDelete(True)

    def run(self) -> None:
        try:
            result = self._fn(self._control)
        except BaseException as error:  # delivered to the UI thread, never lost in a worker
            self._signals.failed.emit(error)
        else:
            self._signals.done.emit(result)


class Job(QObject):
    """A running job; keep a reference while it runs (the caller's widget owns it as Qt parent)."""

    def __init__(self, parent: QObject, control: JobControl) -> None:
        super().__init__(parent)
        self.control = control
        self.signals = _Signals(self)
        self.dialog: QProgressDialog | None = None

    def cancel(self) -> None:
        self.control.cancel()


def run_job(
    parent: QWidget,
    fn: Callable[[JobControl], Any],
    on_done: Callable[[Any], None],
    on_error: Callable[[BaseException], None],
    *,
    title: str | None = None,
    cancellable: bool = False,
    on_cancelled: Callable[[], None] | None = None,
) -> Job:
    control = JobControl()
    job = Job(parent, control)
    control.progress = job.signals.progress.emit
    if title:
        job.dialog = _progress_dialog(parent, title, cancellable, job)
        job.signals.progress.connect(lambda done, total, label: _show_progress(job.dialog, done, total, label))

    def finish(result: Any) -> None:
        _close(job)
        on_done(result)

    def fail(error: BaseException) -> None:
        _close(job)
        if isinstance(error, Cancelled):
            (on_cancelled or (lambda: None))()
        else:
            on_error(error)

    from PySide6.QtCore import Qt

    job.signals.done.connect(finish, Qt.ConnectionType.QueuedConnection)
    job.signals.failed.connect(fail, Qt.ConnectionType.QueuedConnection)
    QThreadPool.globalInstance().start(_Runnable(fn, control, job.signals))
    return job


def _progress_dialog(parent: QWidget, title: str, cancellable: bool, job: Job) -> QProgressDialog:
    from PySide6.QtCore import Qt

    dialog = QProgressDialog(title, "Cancel" if cancellable else "", 0, 0, parent)
    dialog.setWindowTitle(title)
    dialog.setAccessibleName(f"{title} progress")
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(400)  # quick jobs finish without a flash of dialog
    if cancellable:
        dialog.canceled.connect(job.cancel)
    else:
        dialog.setCancelButton(None)
    return dialog


def _show_progress(dialog: QProgressDialog | None, done: int, total: int, label: str) -> None:
    if dialog is None:
        return
    dialog.setMaximum(max(total, 0))
    dialog.setValue(min(done, total) if total else 0)
    if label:
        dialog.setLabelText(label)


def _close(job: Job) -> None:
    if job.dialog is not None:
        job.dialog.reset()
        job.dialog.deleteLater()
        job.dialog = None
    job.deleteLater()
