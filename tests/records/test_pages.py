"""SPEC D2 page view material, and the package's promises: no Qt, no files written, safe beside a worker thread."""

from __future__ import annotations

import builtins
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any, cast

import pytest

from desktop.records import Box, ingest, page_words, redact, render_page, suggest
from tests.records.helpers import SIZE, canary_pdf, image_bytes, secret_box, simple_pdf

ROOT = Path(__file__).resolve().parents[2]
PDF = simple_pdf([[(72, 700, "Hello  wide world")], [(100, 100, "second")]])


def test_words_with_a_box_per_character() -> None:
    words = page_words(PDF, 1)
    assert [w.text for w in words] == ["Hello", "wide", "world"]
    for word in words:
        assert len(word.char_boxes) == len(word.text) and word.page == 1
        assert word.box[0] == word.char_boxes[0][0] and word.box[2] == word.char_boxes[-1][2]
    assert words[0].box[0] == pytest.approx(72, abs=0.5)
    assert words[0].box[1] < 700 < 700 + SIZE * 0.7 < words[0].box[3]  # PDF points from the bottom-left
    assert [w.text for w in page_words(PDF, 2)] == ["second"]


def test_render_is_the_page_at_the_asked_resolution() -> None:
    image = render_page(PDF, 1, dpi=50)
    assert image.mode == "RGB" and image.size == (425, 550)
    assert render_page(PDF, 1).size == (850, 1100)
    darkest, lightest = cast(tuple[int, int], image.convert("L").getextrema())
    assert darkest < 100 and lightest == 255  # the text is drawn, on white


@pytest.mark.parametrize("page", [0, 3])
def test_a_page_that_is_not_there(page: int) -> None:
    with pytest.raises(ValueError, match="the record has 2 pages"):
        page_words(PDF, page)
    with pytest.raises(ValueError, match="the record has 2 pages"):
        render_page(PDF, page)


def test_the_core_does_not_import_qt() -> None:
    code = "import sys, desktop.records; assert 'PySide6' not in sys.modules, 'Qt was imported'"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_nothing_is_written_to_disk(monkeypatch: pytest.MonkeyPatch) -> None:
    real_open = builtins.open

    def read_only(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        assert not set(mode) & set("wax+"), f"opened {file} for writing"
        return real_open(file, mode, *args, **kwargs)

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a temporary file was made")

    monkeypatch.setattr(builtins, "open", read_only)
    for name in ("NamedTemporaryFile", "TemporaryFile", "SpooledTemporaryFile", "mkstemp", "mkdtemp"):
        monkeypatch.setattr(tempfile, name, refuse)
    pdf = canary_pdf()
    ingest("scan.tif", image_bytes("TIFF", frames=2))
    ingest("notes.txt", "Ünïcode ✓ text".encode())
    suggest(ingest("a.pdf", pdf).pdf, ["Jane Roe"])
    redact(pdf, [Box(1, *secret_box(1), "9.1.2")])


_CONCURRENT = """
import threading
from desktop.records import Box, redact, render_page
from tests.records.helpers import simple_pdf
pdf = simple_pdf([[(72, 700, f"Page {n} text")] for n in range(12)])
worker = threading.Thread(target=redact, args=(pdf, [Box(n, 70, 690, 200, 715, "9.1.7") for n in range(1, 13)]))
worker.start()
while worker.is_alive():
    render_page(pdf, 1, dpi=30)
worker.join()
"""


def test_the_view_can_render_while_a_worker_redacts() -> None:
    # pdfium is not thread-safe: without the package's lock this crashes the interpreter, hence the subprocess.
    done = subprocess.run([sys.executable, "-c", _CONCURRENT], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-2000:]
