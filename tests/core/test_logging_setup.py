"""desktop.logging_setup: where logs go, the scrubbing second line of defence, tracebacks without messages."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop.logging_setup import LOG_ENV, LOG_NAME, current_log_file, log_dir, scrub, setup_logging


@pytest.fixture
def logs(tmp_path: Path) -> Iterator[Path]:
    """setup_logging into a temp folder; the handler is taken away again afterwards."""
    path = setup_logging(tmp_path / "logs")
    try:
        yield path
    finally:
        root = logging.getLogger()
        for handler in [h for h in root.handlers if h.get_name() == "disclosure-desk-file"]:
            root.removeHandler(handler)
            handler.close()


@pytest.mark.parametrize("text, kept, gone", [
    ("subject name: Daniel R. Okafor, outcome ready", "outcome ready", "Okafor"),
    ("mail to marie-claude.fortin@cbsa-asfc.gc.ca failed", "failed", "fortin@"),
    ("ssn 219-58-4417 in box 3", "box 3", "219-58-4417"),
    ("identifier HK482913 found", "found", "HK482913"),
    ("alien A123456789 seen", "seen", "A123456789"),
    ("call (613) 555-0148 now", "now", "555-0148"),
    ("passphrase=correct-horse-battery then", "then", "correct-horse"),
    ("DOB 1980-04-02 matched", "matched", "1980-04-02"),
    ("account 5839201744 closed", "closed", "5839201744"),
])
def test_obvious_personal_data_is_scrubbed(text: str, kept: str, gone: str) -> None:
    cleaned = scrub(text)
    assert gone not in cleaned and kept in cleaned


def test_ids_counts_and_bates_numbers_stay() -> None:
    line = "demo.packet id=12 pages=4 bates=OTT000001-OTT000004 sha256=ab12cd after 0.35 s"
    assert scrub(line) == line


def test_the_file_gets_scrubbed_messages_and_tracebacks_without_their_message(logs: Path) -> None:
    log = logging.getLogger("desktop.test")
    log.info("import of %s refused", "Daniel R. Okafor <daniel@example.org>")
    name = "Kevin J. Marsh"  # not in a source line: tracebacks show those
    try:
        try:
            raise KeyError(f"the inner one names {name}")
        except KeyError as inner:
            raise ValueError(f"request for {name} is invalid") from inner
    except ValueError:
        log.exception("failed")
    text = logs.read_text("utf-8")
    assert "[email]" in text and "daniel@example.org" not in text
    assert "Traceback (most recent call last)" in text and "test_logging_setup.py" in text
    assert "ValueError (message withheld)" in text and "KeyError (message withheld)" in text
    assert "Marsh" not in text
    assert current_log_file() == logs and logs.name == LOG_NAME


def test_other_packages_log_only_warnings(logs: Path) -> None:
    logging.getLogger("pypdf").warning("odd object 7 0")
    logging.getLogger("pypdf").info("chatter")
    text = logs.read_text("utf-8")
    assert "odd object 7 0" in text and "chatter" not in text


def test_setting_up_again_moves_the_file(logs: Path, tmp_path: Path) -> None:
    moved = setup_logging(tmp_path / "elsewhere")
    logging.getLogger("desktop.test").info("after the move")
    assert current_log_file() == moved and "after the move" in moved.read_text("utf-8")
    assert not logs.exists() or "after the move" not in logs.read_text("utf-8")


def test_where_the_logs_go(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(LOG_ENV, raising=False)
    monkeypatch.delenv("DISCLOSURE_DESK_DATA", raising=False)
    assert log_dir(tmp_path / "data") == (tmp_path / "data" / "logs").resolve()
    assert "DisclosureDesk" in str(log_dir())
    monkeypatch.setenv("DISCLOSURE_DESK_DATA", str(tmp_path / "env-data"))
    assert log_dir() == (tmp_path / "env-data" / "logs").resolve()
    monkeypatch.setenv(LOG_ENV, str(tmp_path / "override"))
    assert log_dir(tmp_path / "data") == (tmp_path / "override").resolve()
