"""The consolidated store at headquarters, as an interface (SPEC A3, issues 5 and 16).

SQLite serves by default (`SqliteHqStore`, `--db HQ.db`); PostgreSQL serves when headquarters outgrows one file
(`PostgresHqStore`, `--db postgresql://…`). Both implement these two protocols and pass the same tests. The import
logic (desktop/hq/importer.py) and the reports (desktop/hq/report.py) only speak to them: every check and every
write of one bundle happens inside one `transaction()`, which commits whole or not at all.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Protocol


class HqStoreError(Exception):
    """The consolidated store cannot be opened or used; the message says which file and why."""


class HqRetry(Exception):
    """The transaction lost a race with another import (a serialization failure, a deadlock, or a unique key
    another transaction committed first); nothing of it was kept, and the importer runs it again."""


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
    received_at: str  # also the acknowledgement's time: one acknowledgement per bundle, the same when re-issued
    already_held: int = 0  # entries it carried that an earlier batch brought: the post had not imported that ack
    acknowledged_at: str | None = None  # when the acknowledgement file was written for the post (None: not yet)


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
    pdf_sha256: str | None = None  # when known already (the import hashed it for the manifest): not hashed again


@dataclass(frozen=True)
class HqCounts:
    posts: int
    batches: int
    entries: int


@dataclass(frozen=True)
class MonthCount:
    post: str
    month: str  # YYYY-MM of the disclosure
    entries: int
    b7: int


@dataclass(frozen=True)
class IndividualCount:
    name: str
    identifier: str
    disclosures: int
    b7: int
    posts: int


class EntryWriter(Protocol):
    def write(self, entry: NewEntry) -> None: ...


class HqTransaction(Protocol):
    def lock_post(self, fingerprint: str) -> None:
        """Waits until no other transaction imports for this post, and holds it until this one ends."""

    def post(self, fingerprint: str) -> RegisteredPost | None: ...

    def add_post(self, post: RegisteredPost) -> None: ...

    def batch(self, post_fingerprint: str, batch: int) -> ReceivedBatch | None: ...

    def batch_numbers(self, post_fingerprint: str) -> list[int]: ...

    def held(self, uuids: Sequence[str]) -> dict[str, HeldEntry]: ...

    def add_batch(self, batch: ReceivedBatch) -> None: ...

    def add_entries(self, post_fingerprint: str, batch: int, received_at: str, entries: Sequence[NewEntry]
                    ) -> None: ...

    def entry_writer(self, post_fingerprint: str, batch: int, received_at: str
                     ) -> AbstractContextManager[EntryWriter]:
        """Entries written one at a time as they come, until the block ends: the import writes each while the
        bundle streams, before the bundle has checked, and the transaction's rollback undoes them if it fails.
        Nothing else may be asked of the transaction inside the block (PostgreSQL: one COPY is running)."""


class HqStore(Protocol):
    def posts(self) -> list[RegisteredPost]: ...

    def counts(self) -> HqCounts: ...

    def batches(self) -> list[ReceivedBatch]:
        """Every batch received, by post and number."""

    def record_acknowledgement(self, post_fingerprint: str, batch: int, at: str) -> None:
        """Notes that the batch's acknowledgement was written for the post (the first time counts)."""

    def by_month(self, start: str, end: str) -> list[MonthCount]:
        """Entries disclosed from `start` to `end` (YYYY-MM-DD, inclusive), by post and month."""

    def individuals(self, text: str, limit: int = 50) -> list[IndividualCount]:
        """Individuals whose name or identifier holds every word of `text`, across every post."""

    def entries_of(self, name: str, identifier: str) -> list[dict[str, Any]]:
        """Every entry (the A2 columns, b7 a bool) of one individual, oldest disclosure first."""

    def export_rows(self, start: str, end: str) -> Iterator[dict[str, Any]]:
        """The entries disclosed in the period, A2 columns plus batch and received_at, without holding them all."""

    def transaction(self) -> AbstractContextManager[HqTransaction]: ...

    def close(self) -> None: ...
