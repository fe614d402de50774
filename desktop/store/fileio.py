"""Crash-safe file replacement for the small files beside the database (key file, settings), and files and folders
only their owner can read: the data folder is 0700 and every file in it 0600 (SQLite gives its journal the
database file's mode), so another account on a shared laptop cannot even copy the encrypted store away."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write, fsync, rename over, fsync the folder: after a crash the old or the new content is there, whole."""
    with atomic_writer(path) as handle:
        handle.write(data)


@contextmanager
def atomic_writer(path: Path) -> Iterator[BinaryIO]:
    """A file to write (and read back) that replaces `path` only when the `with` ends without an error, as
    atomic_write_bytes does; on an error it is removed and `path` is left as it was."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "w+b") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_directory(path.parent)


def fsync_directory(path: Path) -> None:
    if os.name != "posix":
        return  # Windows has no directory fsync; NTFS journals the rename itself.
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


PRIVATE_FILE = 0o600
PRIVATE_FOLDER = 0o700


def private_folder(path: Path) -> None:
    """Makes `path` (and its parents) if missing, and makes it the owner's alone, whatever it was before."""
    path.mkdir(parents=True, exist_ok=True, mode=PRIVATE_FOLDER)
    if os.name == "posix":
        os.chmod(path, PRIVATE_FOLDER)


def private_file(path: Path) -> BinaryIO:
    """A new, empty file (replacing none) that only its owner can read and write, open for writing."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    return os.fdopen(fd, "w+b")


def make_private(path: Path) -> None:
    """Narrows an existing file to the owner (a store made before files were created 0600)."""
    if os.name == "posix" and path.exists() and path.stat().st_mode & 0o077:
        os.chmod(path, PRIVATE_FILE)
