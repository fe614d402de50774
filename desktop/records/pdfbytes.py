"""pypdf readers over a PDF already in memory, without a second copy of it.

pypdf sizes a BytesIO with getbuffer(), and a BytesIO that shares its bytes with the caller (as BytesIO(data) does)
copies them all the moment a buffer is asked for: every reader over a 10 MB packet held 10 MB more for as long as it
lived. A buffered reader over the same BytesIO has no getbuffer, so pypdf finds the size by seeking and reads only
what it parses (measured: no copy, and no slower).
"""

from __future__ import annotations

import io

from pypdf import PdfReader


def pdf_reader(data: bytes, strict: bool = False) -> PdfReader:
    """Close it (or use it in a `with`) when done: that drops its parsed objects, which refer back to it."""
    return PdfReader(io.BufferedReader(io.BytesIO(data)), strict=strict)
