"""The audit log as the window and the commands read it: one entity's history, the chain check, and events that
change nothing else (SPEC S6). Entries are written by the one transaction in session.py."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from desktop.store import audit
from desktop.store.session import RepositoryBase


@dataclass(frozen=True)
class AuditEntry:
    seq: int
    at: str
    actor: str
    action: str
    detail: str


class HistoryRepository(RepositoryBase):
    def history(self, entity: str, entity_id: int | str) -> list[AuditEntry]:
        """What the audit log holds about one request (or other entity), oldest first."""
        with self._read() as conn:
            rows = conn.execute(
                "SELECT seq, at, actor, action, detail FROM audit_log WHERE entity = ? AND entity_id = ? ORDER BY seq",
                (entity, str(entity_id)),
            ).fetchall()
        return [AuditEntry(*row) for row in rows]

    def verify_audit(self) -> audit.AuditReport:
        with self._read() as conn:
            return audit.verify(conn)

    def record_event(self, action: str, entity: str, entity_id: str | int | None = None,
                     detail: dict[str, Any] | None = None) -> None:
        """An audit entry for an action that changes nothing else in the store (e.g. a backup written)."""
        with self.transaction(action, entity, entity_id, detail):
            pass  # the audit entry is the whole change
