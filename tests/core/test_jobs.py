"""A long job split into steps: one progress bar from 0 to the end, and one Cancel for every step."""

from __future__ import annotations

import pytest

from desktop.jobs import Cancelled, JobControl


def test_steps_share_one_progress_bar_that_only_moves_forward() -> None:
    seen: list[int] = []
    whole = JobControl(progress=lambda done, total, label: seen.append(done))
    for index in range(2):  # two records of 4 pages each
        part = whole.part(index, 1, 2)
        for page in range(5):
            part.step(page, 4, f"page {page}")
    assert seen == sorted(seen) and seen[0] == 0 and seen[-1] == 1000
    assert 490 <= seen[4] <= 510  # the end of the first record is half the job


def test_cancel_of_the_whole_job_stops_a_step_already_running() -> None:
    whole = JobControl()
    part = whole.part(0, 1, 3)
    part.step(0, 10, "first page")
    whole.cancel()
    with pytest.raises(Cancelled):
        part.step(1, 10, "second page")
    assert part.cancelled
