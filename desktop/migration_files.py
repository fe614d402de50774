"""A numbered SQL migration file, `NNNN_name.sql`, as both the post's store (desktop/store/migrations.py) and
headquarters' (desktop/hq/migrations.py) read them. Only the file and its digest are shared here: which files a
folder may hold, whether numbers may leave gaps and what an error is are each loader's own policy."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

_NAME = re.compile(r"(\d{4})_([a-z0-9_]+)\.sql")


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str

    @property
    def sha256(self) -> str:
        """What the ledger records when the migration is applied; a file that later differs is refused."""
        return hashlib.sha256(self.sql.encode("utf-8")).hexdigest()

    @property
    def file_name(self) -> str:
        return f"{self.version:04d}_{self.name}.sql"


def read(path: Path) -> Migration | None:
    """The migration in `path`, or None when its name is not `NNNN_name.sql`."""
    match = _NAME.fullmatch(path.name)
    if match is None:
        return None
    return Migration(int(match.group(1)), match.group(2), path.read_text("utf-8"))
