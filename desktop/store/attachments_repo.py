"""The original request documents (§8.1.1) and the drafts of typed input kept across lock, crash and restart."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from desktop.store.errors import NotFoundError
from desktop.store.session import RepositoryBase, _now
from desktop.store.sqlcipher import Connection


@dataclass(frozen=True)
class Attachment:
    id: int
    kind: str
    filename: str
    media_type: str
    size: int
    sha256: str
    added_at: str


@dataclass(frozen=True)
class NewDocument:
    """A file to keep with a request as it is added (e-mail intake: the message and its attachments, §8.1.1)."""

    kind: str
    filename: str
    media_type: str
    content: bytes = field(repr=False)


def insert_document(conn: Connection, request_id: int, document: NewDocument) -> tuple[int, dict[str, Any]]:
    """(its id, its audit detail: kind, digest and size, never the name or the content)."""
    digest = hashlib.sha256(document.content).hexdigest()
    cursor = conn.execute(
        "INSERT INTO attachments (request_id, kind, filename, media_type, size, sha256, content, added_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (request_id, document.kind, document.filename, document.media_type, len(document.content), digest,
         document.content, _now()),
    )
    return int(cursor.lastrowid or 0), {"kind": document.kind, "sha256": digest, "size": len(document.content)}


class AttachmentRepository(RepositoryBase):
    def add_attachment(self, request_id: int, kind: str, filename: str, media_type: str, content: bytes) -> int:
        with self.transaction("attachment.add", "request", request_id) as tx:
            attachment_id, tx.detail = insert_document(tx.conn, request_id,
                                                       NewDocument(kind, filename, media_type, content))
            return attachment_id

    def list_attachments(self, request_id: int) -> list[Attachment]:
        with self._read() as conn:
            rows = conn.execute(
                "SELECT id, kind, filename, media_type, size, sha256, added_at FROM attachments WHERE request_id = ? "
                "ORDER BY id", (request_id,),
            ).fetchall()
        return [Attachment(*row) for row in rows]

    def attachment_content(self, attachment_id: int) -> bytes:
        with self._read() as conn:
            found = conn.execute("SELECT content FROM attachments WHERE id = ?", (attachment_id,)).fetchone()
        if found is None:
            raise NotFoundError("That attachment is no longer in the store.")
        return bytes(found[0])

    # Drafts: typed input kept across lock, crash and restart ------------------------------------------------

    def save_draft(self, key: str, payload: dict[str, Any]) -> None:
        text = json.dumps(payload, ensure_ascii=False, sort_keys=True)
        with self._read() as conn:
            found = conn.execute("SELECT payload FROM drafts WHERE key = ?", (key,)).fetchone()
        if found and found[0] == text:
            return  # unchanged: no write, no audit entry
        with self.transaction("draft.save", "draft", key) as tx:
            conn = tx.conn
            conn.execute(
                "INSERT INTO drafts (key, payload, updated_at) VALUES (?, ?, ?) "
                "ON CONFLICT(key) DO UPDATE SET payload = excluded.payload, updated_at = excluded.updated_at",
                (key, text, _now()),
            )

    def load_draft(self, key: str) -> dict[str, Any] | None:
        with self._read() as conn:
            found = conn.execute("SELECT payload FROM drafts WHERE key = ?", (key,)).fetchone()
        return json.loads(found[0]) if found else None

    def discard_draft(self, key: str) -> None:
        if self.load_draft(key) is None:
            return
        with self.transaction("draft.discard", "draft", key) as tx:
            conn = tx.conn
            conn.execute("DELETE FROM drafts WHERE key = ?", (key,))
