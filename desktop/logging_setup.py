"""Log files that hold no personal data (SPEC S1: "no logs with names or record content"; issue 6).

What a log line may hold: an event, ids, counts, durations, versions, exception types and where they were raised.
What it never holds: request facts, names, record text, passphrases, passwords, and exception messages (ours
quote the input on purpose, so that the user sees what is wrong; a log is not the place for them). Code that
logs keeps to that; `PiiScrubFilter` is the second line of defence for what slips through, and the formatter
writes tracebacks without their messages.

Where: `<data folder>/logs` when a data folder was chosen (`--data-dir` or DISCLOSURE_DESK_DATA: a test or a
throw-away demo keeps its logs beside its store), else the platform's user log folder; DISCLOSURE_DESK_LOG_DIR
overrides both. Files rotate at 1 MB, five are kept.
"""

from __future__ import annotations

import contextlib
import logging
import logging.handlers
import os
import re
import traceback
from pathlib import Path
from types import TracebackType

import platformdirs

from desktop.paths import APP_NAME, DATA_ENV, data_dir

LOG_ENV = "DISCLOSURE_DESK_LOG_DIR"
LOG_NAME = "disclosure-desk.log"
MAX_BYTES = 1_000_000
BACKUPS = 5
FORMAT = "%(asctime)s %(levelname)s %(name)s [%(process)d] %(message)s"
_HANDLER_NAME = "disclosure-desk-file"
_OWN_LOGGER = "desktop"

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]

# Obvious personal data, in the order they are tried (labelled values first, then shapes).
_SCRUBS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(?i)\b(pass(?:word|phrase)|secret|key)\b(\s*[:=]\s*)\S+"), r"\1\2[withheld]"),
    (re.compile(r"(?i)\b(name|subject|requester|individual|official)\b(\s*[:=]\s*)[^,;\n]+"), r"\1\2[name]"),
    (re.compile(r"(?i)\b(d\.?o\.?b\.?|date of birth|born)\b\W{0,3}[\w/.,-]+"), r"\1 [date]"),
    (re.compile(r"[\w.%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"), "[email]"),
    (re.compile(r"(?<![\w-])\d{3}-\d{2}-\d{4}(?![\w-])"), "[ssn]"),
    (re.compile(r"(?<![\w-])A[-# ]?\d{8,9}(?![\w-])"), "[a-number]"),
    (re.compile(r"(?<![\w-])[A-Z]{1,2}\d{6,9}(?![\w-])"), "[document-number]"),
    (re.compile(r"(?<![\w+-])(?:\+?\d{1,3}[ .-])?(?:\(\d{3}\)\s?|\d{3}[ .-])\d{3}[ .-]\d{4}(?![\w-])"), "[phone]"),
    (re.compile(r"(?<![\w.])\d{9,}(?![\w.])"), "[number]"),
)


def scrub(text: str) -> str:
    """`text` with the obvious personal data patterns replaced by a marker."""
    for pattern, replacement in _SCRUBS:
        text = pattern.sub(replacement, text)
    return text


class PiiScrubFilter(logging.Filter):
    """Scrubs every record the file handler writes; other packages' records only from WARNING up."""

    def filter(self, record: logging.LogRecord) -> bool:
        own = record.name == _OWN_LOGGER or record.name.startswith(_OWN_LOGGER + ".")
        if not own and record.levelno < logging.WARNING:
            return False
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a bad format string: say so rather than drop the event
            message = f"(unformattable log message from {record.name})"
        record.msg, record.args = scrub(message), None
        return True


class PrivateFormatter(logging.Formatter):
    """Tracebacks as frames and exception types only: an exception's message may quote a name or a fact."""

    def format(self, record: logging.LogRecord) -> str:
        cached = record.exc_text
        record.exc_text = None  # another handler may have cached the full text, message included
        try:
            return super().format(record)
        finally:
            record.exc_text = cached

    def formatException(self, ei: ExcInfo | tuple[None, None, None]) -> str:  # noqa: N802 (logging's name)
        if ei[0] is None or ei[1] is None:
            return ""
        return "".join(_without_messages(traceback.TracebackException(ei[0], ei[1], ei[2]))).rstrip("\n")


def _without_messages(tb: traceback.TracebackException) -> list[str]:
    lines: list[str] = []
    if tb.__cause__ is not None:
        lines += [*_without_messages(tb.__cause__), "\nThe above exception was the direct cause of:\n\n"]
    elif tb.__context__ is not None and not tb.__suppress_context__:
        lines += [*_without_messages(tb.__context__), "\nDuring handling of the above exception, another occurred:\n\n"]
    kind = tb.exc_type.__qualname__ if tb.exc_type is not None else "Exception"
    return [*lines, "Traceback (most recent call last):\n", *tb.stack.format(), f"{kind} (message withheld)\n"]


class _FolderCreatingHandler(logging.handlers.RotatingFileHandler):
    """Creates the log folder (owner only) when the first line is written, not before: `--version` writes nothing."""

    def _open(self):  # type: ignore[no-untyped-def]  # typeshed gives the stream type per Python version
        path = Path(self.baseFilename)
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        stream = super()._open()
        with contextlib.suppress(OSError):
            path.chmod(0o600)  # no personal data inside, but still nobody else's business
        return stream

    def handleError(self, record: logging.LogRecord) -> None:  # noqa: N802 (logging's name)
        pass  # a full disk or a read-only folder must not stop the work; the log is not the record of it


def log_dir(explicit_data: str | os.PathLike[str] | None = None) -> Path:
    """DISCLOSURE_DESK_LOG_DIR, else `<data folder>/logs` when one was chosen, else the user log folder."""
    override = os.environ.get(LOG_ENV)
    if override:
        return Path(override).expanduser().resolve()
    if explicit_data or os.environ.get(DATA_ENV):
        return data_dir(explicit_data) / "logs"
    return Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))


def setup_logging(folder: Path, level: int = logging.INFO) -> Path:
    """Sends the `desktop` loggers (and other packages' warnings) to `folder/LOG_NAME`; calling it again moves the
    file. Returns the log file's path."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if h.get_name() == _HANDLER_NAME]:
        root.removeHandler(handler)
        handler.close()
    path = folder / LOG_NAME
    handler = _FolderCreatingHandler(path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8", delay=True)
    handler.set_name(_HANDLER_NAME)
    handler.addFilter(PiiScrubFilter())
    handler.setFormatter(PrivateFormatter(FORMAT))
    root.addHandler(handler)
    logging.getLogger(_OWN_LOGGER).setLevel(level)
    return path


def current_log_file() -> Path | None:
    """The file the log goes to now (for the About dialog), or None before setup_logging."""
    for handler in logging.getLogger().handlers:
        if handler.get_name() == _HANDLER_NAME and isinstance(handler, logging.FileHandler):
            return Path(handler.baseFilename)
    return None
