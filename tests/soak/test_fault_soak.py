"""The fault soak, small: 60 mixed jobs through the real wiring with 20% Evolink faults and
10% Telegram 429s (issue 9, item 7)."""

from __future__ import annotations

from pathlib import Path

from tests.soak.faults import run_fault_soak


async def test_every_job_delivered_once_or_refunded_with_a_message(tmp_path: Path) -> None:
    report = await run_fault_soak(tmp_path, jobs=60, seed=3, settle=45)
    print(report.summary())
    assert report.jobs == 60
    assert report.bad_counts() == {}, f"{report.summary()}\n{report.details()}"
