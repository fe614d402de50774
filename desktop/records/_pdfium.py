"""The one door to pdfium. PDFium is not thread-safe, and the page view renders while a job redacts on a worker
(desktop/jobs.py), so every call goes through LOCK. Documents are opened from bytes: nothing touches the disk
(SPEC S1)."""

from __future__ import annotations

import ctypes
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, BinaryIO

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

LOCK = threading.RLock()

PdfiumError = pdfium.PdfiumError


@contextmanager
def document(pdf: bytes | BinaryIO, forms: bool = False, password: str | None = None) -> Iterator[Any]:
    """An open pdfium document, closed (with its pages) on the way out. Hold LOCK while calling into it. A file
    (opened for reading, at any position) is read on demand, from its start."""
    with LOCK:
        doc = pdfium.PdfDocument(pdf, password=password)
        if forms:
            # Filled-in form fields are part of what the page shows; they must be rendered to be burned in.
            doc.init_forms()
    try:
        yield doc
    finally:
        with LOCK:
            doc.close()


@contextmanager
def page(doc: Any, number: int) -> Iterator[Any]:
    """Page `number` (from 1) of an open document; the caller holds LOCK."""
    loaded = doc[number - 1]
    try:
        yield loaded
    finally:
        loaded.close()


def security_revision(doc: Any) -> int:
    """-1 when the document is not encrypted (owner-password-only files open, but are still encrypted)."""
    return int(pdfium_c.FPDF_GetSecurityHandlerRevision(doc.raw))


def is_xfa_only(doc: Any) -> bool:
    return int(pdfium_c.FPDF_GetFormType(doc.raw)) == int(pdfium_c.FORMTYPE_XFA_FULL)


def page_to_device(pg: Any, size: tuple[int, int], x: float, y: float) -> tuple[int, int]:
    """Page space to bitmap pixels as FPDF_RenderPageBitmap draws them (crop box and /Rotate applied)."""
    dx, dy = ctypes.c_int(), ctypes.c_int()
    pdfium_c.FPDF_PageToDevice(pg.raw, 0, 0, size[0], size[1], 0, x, y, ctypes.byref(dx), ctypes.byref(dy))
    return dx.value, dy.value
