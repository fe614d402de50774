"""The one place that changes the store (SPEC S6, STYLE.md 5).

Every public method that writes runs one transaction that also appends the audit entry, so a change and its
record commit together or not at all; one user action is one transaction (nothing half-done after a crash).
SQL stays in this package; callers get and give domain values.
"""

from __future__ import annotations

from desktop.store.attachments_repo import Attachment, AttachmentRepository, NewDocument
from desktop.store.history_repo import AuditEntry, HistoryRepository
from desktop.store.request_rows import request_columns
from desktop.store.requests_repo import RequestQuery, RequestRepository, RequestRow, StoredRequest
from desktop.store.session import Assessor, RepositoryBase, Tx, now_text
from desktop.store.settings_repo import SETTING_DEFAULTS, SettingsRepository


class Repository(RequestRepository, SettingsRepository, AttachmentRepository, HistoryRepository):
    """Every concern's repository on one connection: one lock, one transaction, one audit writer (session.py).
    Callers that need one concern can take that class; the window and the commands take this one."""


__all__ = [
    "SETTING_DEFAULTS",
    "Assessor",
    "Attachment",
    "AttachmentRepository",
    "AuditEntry",
    "HistoryRepository",
    "NewDocument",
    "Repository",
    "RepositoryBase",
    "RequestQuery",
    "RequestRepository",
    "RequestRow",
    "SettingsRepository",
    "StoredRequest",
    "Tx",
    "now_text",
    "request_columns",
]
