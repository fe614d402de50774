"""The consolidated store at headquarters, as an interface (SPEC A3, issue 5).

SQLite serves by default (`SqliteHqStore`); PostgreSQL can serve when headquarters outgrows one file by
implementing these two protocols. The import logic (desktop/hq/importer.py) only speaks to them: every check and
every write of one bundle happens inside one `transaction()`, which commits whole or not at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Protocol


class HqStoreError(Exception):
    """The consolidated store cannot be opened or used; the message says which file and why."""


@dataclass(frozen=True)
class RegisteredPost:
    fingerprint: str  # SHA-256 of the post certificate's DER
    name: str
    certificate_pem: str
    registered_at: str


@dataclass(frozen=True)
class ReceivedBatch:
    post_fingerprint: str
    batch: int
    manifest_sha256: str
    post_name: str
    created: str
    entry_count: int
    received_at: str


@dataclass(frozen=True)
class HeldEntry:
    uuid: str
    post_fingerprint: str
    batch: int  # the batch it first arrived in
    line: str  # its entries.jsonl line: compared byte for byte when it arrives again


@dataclass(frozen=True)
class NewEntry:
    row: dict[str, Any]  # the SPEC A2 columns
    line: str
    pdf: bytes


@dataclass(frozen=True)
class HqCounts:
    posts: int
    batches: int
    entries: int


class HqTransaction(Protocol):
    def post(self, fingerprint: str) -> RegisteredPost | None: ...

    def add_post(self, post: RegisteredPost) -> None: ...

    def batch(self, post_fingerprint: str, batch: int) -> ReceivedBatch | None: ...

    def batch_numbers(self, post_fingerprint: str) -> list[int]: ...

    def held(self, uuids: Sequence[str]) -> dict[str, HeldEntry]: ...

    def add_batch(self, batch: ReceivedBatch) -> None: ...

    def add_entries(self, post_fingerprint: str, batch: int, received_at: str, entries: Sequence[NewEntry]
                    ) -> None: ...


class HqStore(Protocol):
    def posts(self) -> list[RegisteredPost]: ...

    def counts(self) -> HqCounts: ...

    def transaction(self) -> AbstractContextManager[HqTransaction]: ...

    def close(self) -> None: ...
