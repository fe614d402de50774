"""What every part of the repository shares (SPEC S6): the one connection and its lock, the actor, the rules'
assessor, and the one write transaction, which appends the audit entry before it commits. The per-concern
repositories (requests, settings, attachments and drafts, audit history; registries in registries.py) are built on
it, and `Repository` (repository.py) is all of them on one connection.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from desktop.requests.model import Request
from desktop.store import audit
from desktop.store.sqlcipher import Connection

# What the rules say of a request, cached with it for the list: (outcome, step). Supplied by the rules package.
Assessor = Callable[[Request], tuple[str | None, int | None]]


@dataclass
class Tx:
    """One open write transaction: the connection, and the audit entry's subject, settable once it exists."""

    conn: Connection
    entity_id: str | int | None
    detail: dict[str, Any]


def now_text() -> str:
    """The store's timestamp format (UTC, ISO 8601, seconds)."""
    return _now()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class RepositoryBase:
    """The shared state and the one transaction; each concern's repository subclasses it."""

    def __init__(self, conn: Connection, actor: str, assess: Assessor | None = None) -> None:
        self._conn = conn
        self._actor = actor
        self._assess = assess
        self._lock = threading.RLock()

    @property
    def actor(self) -> str:
        return self._actor

    def set_assessor(self, assess: Assessor | None) -> None:
        self._assess = assess

    @contextmanager
    def transaction(
        self, action: str, entity: str, entity_id: str | int | None = None, detail: dict[str, Any] | None = None
    ) -> Iterator[Tx]:
        """BEGIN IMMEDIATE ... audit entry ... COMMIT; any exception rolls the whole action back."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                tx = Tx(self._conn, entity_id, dict(detail or {}))
                yield tx
                audit.append(self._conn, self._actor, action, entity, tx.entity_id, tx.detail)
                self._conn.execute("COMMIT")
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        with self._lock:
            yield self._conn

    def read(self) -> Any:
        """A read-only use of the connection for the store package's other modules (registries, packets)."""
        return self._read()
