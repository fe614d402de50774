"""The redacted pages are checked before anyone sees them (SPEC D3: "the output is checked by extracting its text
again"). Any failure raises RedactionError and the result is thrown away. Messages never quote the redacted text:
they may end up in a log (SPEC S1).

Two checks, both against the text that was under the boxes (runs of four characters or more: shorter ones such as
"a", "of", "CBP" occur anywhere and prove nothing):
- `DataCheck`: every stream that goes into the result from the record, decompressed, before it is written;
- `check_text`: the result, opened again by pdfium (with its password), page by page: a rasterized page has no text
  left, and no covered run shows on any page of the record.

Both look at the pages in batches of bounded size (memory stays flat in page count) and look for each run once in
a batch joined, then page by page or stream by stream only when the join holds it. That proves the same as searching
each page and stream one by one: each is a substring of its join, so a run absent from the join is absent from all
of them; and a match that only straddles two pages or two streams is not one. 120 runs by 200 pages one by one was
0.2 s; joined it is 0.04 s.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import BinaryIO

from desktop.records import _pdfium
from desktop.records.model import Rect, RedactionError

MIN_CHECKED = 4
_CODECS = ("latin-1", "utf-16-be")  # how a run can sit in a content stream as a literal string
BATCH_BYTES = 4 * 1024 * 1024  # streams held for one joined search
BATCH_PAGES = 50  # pages of text held for one joined search, and read from one opening of the result


def checked_runs(covered: Mapping[int, tuple[str, ...]]) -> dict[int, tuple[str, ...]]:
    """Covered runs by page, those long enough to prove anything."""
    return {number: kept for number, runs in covered.items()
            if (kept := tuple(r for r in runs if len(r.replace(" ", "")) >= MIN_CHECKED))}


class DataCheck:
    """Feed it every decompressed stream that goes into the result, then call `finish` once the file is read back
    by `check_text`: a run left as text is the user's to fix (box it there too), and `check_text` says where; one
    left only in the data is a defect."""

    def __init__(self, covered: Mapping[int, tuple[str, ...]]):
        self._needles = [(number, {run.encode(codec, "ignore") for codec in _CODECS} - {b""})
                         for number, runs in checked_runs(covered).items() for run in runs]
        self._batch: list[bytes] = []
        self._size = 0
        self._found: int | None = None  # the page whose covered text was found first

    def add(self, data: bytes) -> None:
        if not self._needles or self._found is not None:
            return
        self._batch.append(data)
        self._size += len(data)
        if self._size >= BATCH_BYTES:
            self._search()

    def finish(self) -> None:
        self._search()
        if self._found is not None:
            raise RedactionError(f"Text under a box on page {self._found} is still inside the result's data. "
                                 "Nothing was saved; report this as a defect.")

    def _search(self) -> None:
        joined, streams = b"".join(self._batch), self._batch
        self._batch, self._size = [], 0
        for number, needles in self._needles:
            if any(needle in joined and any(needle in data for data in streams) for needle in needles):
                self._found = number
                return


@dataclass(frozen=True)
class Placement:
    """Where page `number` of the record sits in the result: its page there (from 1) and the area the record's
    content fills on it (the rest is the packet's marking bands, which are not the record's text)."""

    number: int
    result_page: int
    area: Rect
    rasterized: bool


def check_text(result: bytes | BinaryIO, password: str | None, placements: Sequence[Placement],
               covered: Mapping[int, tuple[str, ...]], hidden: Mapping[int, tuple[str, ...]] | None = None,
               source_text: Callable[[int], str] | None = None) -> None:
    """`hidden`: the text that could not be seen on pages rebuilt for it, by page; found on a page of the result
    whose source page did not show it as well (`source_text`), it refuses the result."""
    runs = checked_runs(covered)
    unseen = checked_runs(hidden or {})
    for start in range(0, len(placements), BATCH_PAGES):
        batch = placements[start:start + BATCH_PAGES]
        texts = [" ".join(text.split()) for text in _texts(result, password, batch)]
        for placed, text in zip(batch, texts, strict=True):
            if placed.rasterized and text:
                raise RedactionError(f"Redaction failed its check: page {placed.number} still has text after "
                                     "rasterizing. Nothing was saved; report this as a defect.")
        _check_gone(runs, [p.number for p in batch], texts)
        _check_unseen(unseen, batch, texts, source_text)


def _check_unseen(unseen: Mapping[int, tuple[str, ...]], batch: Sequence[Placement], texts: Sequence[str],
                  source_text: Callable[[int], str] | None) -> None:
    joined = "\n".join(texts)
    for number, found in unseen.items():
        for run in (r for r in found if r in joined):
            for placed, text in zip(batch, texts, strict=True):
                if run in text and (source_text is None or run not in source_text(placed.number)):
                    raise RedactionError(f"Text that could not be seen on page {number} of the record is still in "
                                         f"the result, on page {placed.number}. Nothing was saved; report this as "
                                         "a defect.")


def _check_gone(runs: Mapping[int, tuple[str, ...]], numbers: Sequence[int], texts: Sequence[str]) -> None:
    joined = "\n".join(texts)
    for number, found in runs.items():
        for run in found:
            where = next((n for n, text in zip(numbers, texts, strict=True) if run in text), None) \
                if run in joined else None
            if where is not None:
                raise RedactionError(f"Text under a box on page {number} still appears on page {where} of the "
                                     f"result. If it must go, box it on page {where} too; if it may stay, narrow the "
                                     f"box on page {number}. Nothing was saved.")


def _texts(result: bytes | BinaryIO, password: str | None, batch: Sequence[Placement]) -> Iterator[str]:
    """The text inside each placement's area. The result is opened again for each batch: pdfium keeps what it has
    parsed (images included) until the document is closed."""
    try:
        with _pdfium.document(result, password=password) as doc, _pdfium.LOCK:
            for placed in batch:
                with _pdfium.page(doc, placed.result_page) as pg:
                    textpage = pg.get_textpage()
                    try:
                        yield str(textpage.get_text_bounded(*placed.area))
                    finally:
                        textpage.close()
    except _pdfium.PdfiumError as error:
        raise RedactionError(f"The result does not read back ({error}); nothing was saved. Report this as a "
                             "defect.") from error
