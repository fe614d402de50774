"""First run: the encrypted store and, with it, the post's signing identity.

Issue 5 asks for the post's signing key to be "created at first run, kept in the encrypted store", so that
`post-cert` can hand headquarters the certificate to register before the first DHS-191 bundle is ever sent
(SPEC A2). The command line's `init`, the first-run wizard and the demo all create a post through here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from desktop.store import Store, create_store
from desktop.sync.errors import SyncError
from desktop.sync.identity import post_identity


def create_post_store(root: Path, passphrase_text: str, **options: Any) -> Store:
    """create_store (same arguments), then the post's signing key and certificate inside it.

    A post created without a name gets its identity on first use instead (export-191, post-cert name the
    missing setting then); the store itself is committed either way."""
    store = create_store(root, passphrase_text, **options)
    try:
        post_identity(store.repo)
    except SyncError:
        pass  # no post name yet: the certificate names the post, so it is made once the name is set
    return store
