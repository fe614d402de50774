"""What each parallel process does in the concurrency tests: open the store, wait for the others, import.

A separate module (not the test file), because multiprocessing's spawn start imports the target by name.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


def import_at_once(kind: str, db: str, bundle: str, key: str, cert: str, barrier: Any, results: Any) -> None:
    from desktop.hq import BundleRefused, import_bundle, load_recipient
    from desktop.hq.sqlite_store import SqliteHqStore

    recipient = load_recipient(Path(key).read_bytes(), Path(cert).read_bytes())
    data = Path(bundle).read_bytes()
    if kind == "postgresql":
        from desktop.hq.postgres_store import PostgresHqStore

        store: Any = PostgresHqStore.open(db)
    else:
        store = SqliteHqStore.open(Path(db))
    try:
        barrier.wait(timeout=120)  # every process has decrypted nothing yet and starts now
        try:
            report = import_bundle(store, data, recipient)
        except BundleRefused as refused:
            results.put({"bundle": bundle, "refused": str(refused)})
            return
        except Exception as error:  # reported to the test, which fails on it, rather than a silent dead process
            results.put({"bundle": bundle, "error": repr(error)})
            return
        results.put({"bundle": bundle, "post": report.post.name, "batch": report.batch, "new": report.new,
                     "held": report.already_held, "repeated": report.repeated, "missing": list(report.missing),
                     "ack": report.acknowledgement.fields()})
    finally:
        store.close()
