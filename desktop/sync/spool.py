"""Where headquarters keeps a bundle's PDFs between checking the bundle and merging it (SPEC A3, issue 15), when
they come before entries.jsonl (older writers' order): today's bundles list their entries first, and their PDFs go
straight into the store's open transaction instead (desktop/hq/importer.py).

The merge may only begin once the whole bundle has checked, and the signature that proves it comes at the very end
of the stream, after every PDF; holding the PDFs in memory until then is what made imports grow with the bundle.
So each PDF goes, as it streams past, into an anonymous temporary file (unlinked from the start where the system
allows), encrypted with AES-256-GCM under a key made for this import that exists only in this process's memory:
nothing readable reaches headquarters' disk either, and the copy is worthless once the import ends. Reading one back
checks its GCM tag, so a copy changed on disk in the meantime is refused, not stored.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Iterator
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM


class SpoolError(ValueError):
    """A spooled copy no longer reads back as it was written."""


class SealedSpool:
    """PDFs by name, written once in order and read back by name; `close()` discards them all."""

    def __init__(self) -> None:
        self._file: BinaryIO = tempfile.TemporaryFile(prefix="dd-hq-import-")  # noqa: SIM115  # closed by close()
        self._key = AESGCM.generate_key(256)
        self._places: dict[str, tuple[int, int, bytes]] = {}  # name -> offset, length with tag, nonce
        self._end = 0

    def put(self, name: str, chunks: Iterable[bytes | memoryview]) -> None:
        """Encrypts and appends the chunks as one item; the nonce is its number, unique under this key."""
        nonce = len(self._places).to_bytes(12, "big")
        encryptor = Cipher(algorithms.AES256(self._key), modes.GCM(nonce)).encryptor()
        start = self._file.seek(self._end)
        for chunk in chunks:
            self._end += self._file.write(encryptor.update(chunk))
        self._end += self._file.write(encryptor.finalize() + encryptor.tag)
        self._places[name] = (start, self._end - start, nonce)

    def names(self) -> Iterator[str]:
        """The names in the order they were put."""
        return iter(self._places)

    def get(self, name: str) -> bytes:
        start, length, nonce = self._places[name]
        self._file.seek(start)
        sealed = self._file.read(length)
        try:
            return AESGCM(self._key).decrypt(nonce, sealed, None)
        except InvalidTag:
            raise SpoolError(f"the temporary copy of {name} changed on disk during the import; import again") from None

    def close(self) -> None:
        self._file.close()
        self._key = b""
