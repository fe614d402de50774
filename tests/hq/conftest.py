"""Fixtures for the headquarters tests: headquarters' identity, and posts that sign their own bundles."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop.hq import Recipient, load_recipient, register_post
from tests.hq.postgres import HqTarget
from tests.sync.helpers import Party, make_party


@pytest.fixture(scope="session")
def hq(tmp_path_factory: pytest.TempPathFactory) -> Party:
    return make_party(tmp_path_factory.mktemp("hq"), "CBP Privacy Office")


@pytest.fixture(scope="session")
def posts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Party]:
    """Four posts' signing identities (EC keys, as a post's own), by name."""
    folder = tmp_path_factory.mktemp("posts")
    return {name: make_party(folder / name.lower().replace(" ", "-"), name, rsa_bits=None)
            for name in ("Ottawa", "Mexico City", "Toronto", "Monterrey")}


@pytest.fixture
def recipient(hq: Party) -> Recipient:
    return load_recipient(hq.key_path.read_bytes(), hq.cert_path.read_bytes())


@pytest.fixture
def db(hq_target: HqTarget, posts: dict[str, Party]) -> HqTarget:
    """The consolidated store on each backend, every post registered."""
    opened = hq_target.open()
    try:
        for party in posts.values():
            register_post(opened, party.cert_path.read_bytes())
    finally:
        opened.close()
    return hq_target


def bundle_file(folder: Path, name: str, data: bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(data)
    return path
