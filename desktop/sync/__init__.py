"""The post's side of the DHS-191 sync with the Privacy Office (SPEC A2, A3): identity, bundles, acknowledgements.

Qt-free. `export_bundle` writes the signed and encrypted bundle of every entry not yet acknowledged;
`import_acknowledgement` marks what headquarters received. The bundle format itself is `desktop.sync.bundle`,
shared with headquarters (`desktop.hq`).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from desktop.sync.errors import SyncError, SyncInputError

if TYPE_CHECKING:
    from desktop.sync.acknowledge import AckResult, import_acknowledgement
    from desktop.sync.certificates import (
        HqCertificate,
        check_recipient,
        default_hq_certificate,
        hq_certificates,
        import_hq_certificate,
        load_certificate,
    )
    from desktop.sync.export import ExportResult, export_bundle, pending_count
    from desktop.sync.identity import PostIdentity, post_identity

_LAZY = {
    **dict.fromkeys(("AckResult", "import_acknowledgement"), "desktop.sync.acknowledge"),
    **dict.fromkeys((
        "HqCertificate", "check_recipient", "default_hq_certificate", "hq_certificates", "import_hq_certificate",
        "load_certificate"
    ), "desktop.sync.certificates"),
    **dict.fromkeys(("ExportResult", "export_bundle", "pending_count"), "desktop.sync.export"),
    **dict.fromkeys(("PostIdentity", "post_identity"), "desktop.sync.identity"),
}


def __getattr__(name: str) -> Any:
    """The heavy modules (and what they import) load when a name from them is first used (PEP 562)."""
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(_LAZY[name]), name)


__all__ = [
    "AckResult",
    "ExportResult",
    "HqCertificate",
    "PostIdentity",
    "SyncError",
    "SyncInputError",
    "check_recipient",
    "default_hq_certificate",
    "export_bundle",
    "hq_certificates",
    "import_acknowledgement",
    "import_hq_certificate",
    "load_certificate",
    "pending_count",
    "post_identity",
]
