"""The crash soak, small: 40 mixed jobs, 5 SIGKILLs of the real bot process plus one during
an album's debounce, each followed by a restart on the same database (issue 9, item 7)."""

from __future__ import annotations

from pathlib import Path

from tests.soak.crash import MOMENTS, run_crash


async def test_every_job_has_one_outcome_across_kills(tmp_path: Path) -> None:
    report = await run_crash(tmp_path, jobs=40, kills=5, seed=7, settle=30)
    print(report.summary())  # duplicates delivered are counted here (tolerated after a kill)
    assert report.kills == [*MOMENTS, "album"]
    assert report.jobs == 41
    assert report.bad_counts() == {}, f"{report.summary()}\n{report.details()}"
