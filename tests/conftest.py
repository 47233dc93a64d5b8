"""What the unit tests share: a hand-set clock, a real SQLite storage, job factories and
the ledger checks (one copy, used by test_storage, test_ledger and the status tests).

Fixtures here (`clock`, `storage`) are found by pytest; the rest is imported by name.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from storage import Storage
from storage.models import Accepted, InputImage, Job, Limits, NewJob

UTC_ZONE = ZoneInfo("UTC")
START = datetime(2025, 3, 1, 10, 0, tzinfo=UTC).timestamp()
ROOMY = Limits(max_active_per_user=2, max_active_total=20, max_queued_per_user=100)


class ManualClock:
    """A clock tests set and advance by hand."""

    def __init__(self, start: float) -> None:
        self.value = start

    def now(self) -> float:
        return self.value

    def advance(self, seconds: float) -> None:
        self.value += seconds


# --- storage on a real file -----------------------------------------------------------------


async def open_storage(
    path: Path, clock: ManualClock, zone: ZoneInfo = UTC_ZONE, default_limit: int = 1000
) -> Storage:
    return await Storage.open(path, clock=clock, zone=zone, default_limit=default_limit)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
async def storage(tmp_path: Path, clock: ManualClock) -> AsyncIterator[Storage]:
    opened = await open_storage(tmp_path / "bot.db", clock)
    yield opened
    await opened.close()


# --- jobs -------------------------------------------------------------------------------------


def new_job(
    user_id: int = 1,
    cost: int = 100,
    *,
    model: str = "text-to-image",
    command: str = "imagine",
    message_id: int = 1,
    options: dict[str, Any] | None = None,
    inputs: list[InputImage] | None = None,
) -> NewJob:
    """What a handler would hand over for a private-chat command."""
    return NewJob(
        user_id=user_id,
        chat_id=user_id,
        chat_type="private",
        request_message_id=message_id,
        language="en",
        command=command,
        model=model,
        prompt="a red fox in the snow",
        options=options if options is not None else {"n": 1},
        inputs=inputs or [],
        cost=cost,
    )


def make_job(chat_type: str = "private", **fields: Any) -> Job:
    """A running job as storage would return it; `fields` override any of its 30 fields."""
    job = Job(
        id=1,
        user_id=5,
        chat_id=5 if chat_type == "private" else -100,
        chat_type=chat_type,
        request_message_id=1,
        status_message_id=2,
        language="en",
        command="imagine",
        model="wan2.5-text-to-image",
        prompt="p",
        options={},
        inputs=[InputImage("f")],
        input_urls=[],
        state="running",
        create_sent=True,
        task_id="t",
        progress=0,
        estimated_time=None,
        result_urls=[],
        delivered=[],
        error_code=None,
        cost=100,
        reserved_daily=100,
        reserved_bonus=0,
        reserved_day="2026-11-21",
        charged=0,
        settled=False,
        created_at=0.0,
        submitted_at=0.0,
        finished_at=None,
    )
    return dataclasses.replace(job, **fields)


async def accepted(
    storage: Storage, new: NewJob, *, is_admin: bool = False, limits: Limits = ROOMY
) -> Job:
    outcome = await storage.jobs.accept(new, is_admin=is_admin, limits=limits)
    assert isinstance(outcome, Accepted), outcome
    return outcome.job


# --- users and the ledger -----------------------------------------------------------------------


async def ledger_sums(storage: Storage, user_id: int) -> tuple[int, int]:
    """(SUM daily_delta, SUM bonus_delta): what the user's balances must equal."""
    async with storage.db.read() as conn:
        cur = await conn.execute(
            "SELECT COALESCE(SUM(daily_delta), 0), COALESCE(SUM(bonus_delta), 0)"
            " FROM ledger WHERE user_id = ?",
            (user_id,),
        )
        row = await cur.fetchone()
    assert row is not None
    return int(row[0]), int(row[1])


async def assert_ledger_explains(storage: Storage, user_id: int) -> None:
    record = await storage.users.get(user_id)
    assert record is not None
    assert record.daily_left >= 0 and record.bonus >= 0
    assert (record.daily_left, record.bonus) == await ledger_sums(storage, user_id)
