"""Fixtures for the sync tests: one headquarters identity per session (RSA key generation takes a moment)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from desktop.hq import SqliteHqStore, register_post
from desktop.store import Store
from desktop.sync import post_identity
from tests.hq.postgres import HqTarget
from tests.sync.helpers import Party, make_party


@pytest.fixture(scope="session")
def hq(tmp_path_factory: pytest.TempPathFactory) -> Party:
    if shutil.which("openssl") is None:
        pytest.skip("the openssl command is needed to check bundles the way headquarters opens them")
    return make_party(tmp_path_factory.mktemp("hq"), "CBP Privacy Office")


@pytest.fixture
def post_pem(store: Store, tmp_path: Path) -> Path:
    path = tmp_path / "post.pem"
    path.write_bytes(post_identity(store.repo).certificate_pem())
    return path


@pytest.fixture
def hq_db(tmp_path: Path, post_pem: Path) -> Path:
    """A consolidated store with the test post registered."""
    path = tmp_path / "hq.db"
    opened = SqliteHqStore.open(path, create=True)
    try:
        register_post(opened, post_pem.read_bytes())
    finally:
        opened.close()
    return path


@pytest.fixture
def db(hq_target: HqTarget, post_pem: Path) -> HqTarget:
    """The consolidated store on each backend in turn (SQLite, PostgreSQL as the HQ role), the test post
    registered."""
    opened = hq_target.open()
    try:
        register_post(opened, post_pem.read_bytes())
    finally:
        opened.close()
    return hq_target
