"""Issue 12 at the unit level: the flood limiter's windows and priorities, flood waits that
never exhaust a delivery, the queue board off the scheduler's path, the tracker's callback
mode and the operator's log line. (The figures themselves are `make bench`'s.)"""

from __future__ import annotations

import asyncio
import logging
import warnings
from datetime import timedelta
from typing import Any, cast

import pytest
from telegram import Bot
from telegram.error import RetryAfter

from bot.clock import MonotonicClock
from bot.evolink.models import Task
from bot.jobs.events import log_state
from bot.jobs.status import StatusReporter
from bot.jobs.submission import QueueBoard, waiting_status
from bot.jobs.tracking import CheckBudget, Tracker, Tracking
from bot.ratelimit import FloodLimiter, FloodLimits
from bot.retry import RetryPolicy
from storage import Storage
from tests.conftest import ROOMY, ManualClock, accepted, make_job, new_job

# Windows of 0.1 s instead of 1 s (a negative margin): the same logic, ten times faster.
FAST: dict[str, Any] = {"window_margin": -0.9, "start_fill": 0.0}


async def _send(limiter: FloodLimiter, log: list[Any], chat: int, method: str) -> None:
    async def call(**_: Any) -> bool:
        log.append((chat, asyncio.get_running_loop().time()))
        return True

    await limiter.process_request(call, (), {}, method, {"chat_id": chat}, None)


async def test_no_window_ever_holds_more_than_its_capacity() -> None:
    limiter = FloodLimiter(FloodLimits(overall_per_second=100, per_chat_per_second=5, **FAST))
    log: list[Any] = []
    await asyncio.gather(*(_send(limiter, log, 1, "sendMessage") for _ in range(16)))
    times = [at for _, at in log]
    span = 5 / 5 - 0.9  # the chat window: 5 messages per 0.1 s
    assert all(times[i + 5] - times[i] >= span for i in range(len(times) - 5))
    await limiter.shutdown()


async def test_edits_wait_behind_replies_when_the_budget_is_short() -> None:
    limiter = FloodLimiter(FloodLimits(overall_per_second=5, per_chat_per_second=100, **FAST))
    log: list[Any] = []
    await asyncio.gather(*(_send(limiter, log, chat, "sendMessage") for chat in (1, 2, 3)))
    assert not limiter.has_room(9)  # the overall window (3) is full: an edit would wait
    edit = asyncio.create_task(_send(limiter, log, 4, "editMessageText"))
    await asyncio.sleep(0)
    reply = asyncio.create_task(_send(limiter, log, 5, "sendMessage"))
    await asyncio.gather(edit, reply)
    assert [chat for chat, _ in log] == [1, 2, 3, 5, 4]  # asked later, went first
    await limiter.shutdown()


def test_a_fresh_limiter_starts_nearly_full() -> None:
    limiter = FloodLimiter(FloodLimits())
    assert not limiter.has_room(1)  # a previous process may have just sent its share


def _flood() -> RetryAfter:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return RetryAfter(timedelta(seconds=1))


async def _no_sleep(_: float) -> None:
    return None


async def test_flood_waits_do_not_use_up_a_deliverys_retries() -> None:
    floods = 10
    tries = 0

    async def send() -> str:
        nonlocal tries
        tries += 1
        if tries <= floods:
            raise _flood()
        return "sent"

    policy = RetryPolicy(max_retries=1, sleep=_no_sleep)

    def flood(error: Exception) -> bool:
        return isinstance(error, RetryAfter)

    result = await policy.run(send, retry_on=flood, uncounted=flood)
    assert result == "sent" and tries == floods + 1
    tries = 0
    with pytest.raises(RetryAfter):  # counted, the same floods exhaust it
        await policy.run(send, retry_on=flood)


class BlockedBot:
    """Telegram that never answers an edit: whoever awaits one waits for ever."""

    def __init__(self) -> None:
        self.edits: list[str] = []
        self.edited = asyncio.Event()

    async def edit_message_text(self, text: str, **_: Any) -> None:
        self.edits.append(text)
        self.edited.set()
        await asyncio.Event().wait()


async def test_the_scheduler_never_waits_for_queue_edits(storage: Storage) -> None:
    jobs = [await accepted(storage, new_job(user_id=n, message_id=n)) for n in (1, 2)]
    for job in jobs:
        await storage.jobs.publish(job.id, 77)
    bot = BlockedBot()
    board = QueueBoard(storage, StatusReporter(cast(Bot, bot)), ROOMY, MonotonicClock())
    board.start()
    board.nudge(paused=True)  # returns at once; the board's own task is the one stuck
    await asyncio.wait_for(bot.edited.wait(), 10)
    assert bot.edits == [waiting_status(jobs[0], 1, paused=True)[0]]
    await board.stop()


class CountingBot:
    def __init__(self) -> None:
        self.edits: list[str] = []

    async def edit_message_text(self, text: str, **_: Any) -> None:
        self.edits.append(text)


async def test_only_places_that_changed_are_edited(storage: Storage, clock: ManualClock) -> None:
    jobs = [await accepted(storage, new_job(user_id=n, message_id=n)) for n in (1, 2, 3)]
    for job in jobs:
        await storage.jobs.publish(job.id, 70 + job.id)
    bot = CountingBot()
    reporter = StatusReporter(cast(Bot, bot), clock=clock)
    board = QueueBoard(storage, reporter, ROOMY, clock)
    await board.refresh(paused=False)
    assert len(bot.edits) == 3
    await board.refresh(paused=False)
    assert len(bot.edits) == 3  # nothing moved: nothing sent
    await storage.jobs.cancel_queued(jobs[0].id)
    await board.refresh(paused=False)
    assert len(bot.edits) == 3  # moved, but edited too recently: later
    clock.advance(60)
    await board.refresh(paused=False)
    assert bot.edits[-2:] == [
        waiting_status(jobs[1], 1, paused=False)[0],
        waiting_status(jobs[2], 2, paused=False)[0],
    ]


def _task(status: str) -> Task:
    return Task.model_validate(
        {"id": "task-1", "status": status, "progress": 100 if status == "completed" else 10}
    )


async def test_with_callbacks_a_poke_is_the_check() -> None:
    checks: list[str] = []

    async def check(task_id: str) -> Task:
        checks.append(task_id)
        return _task("completed")

    async def progress(_task: Task, _estimated: float | None) -> None:
        return None

    clock = MonotonicClock()
    tracker = Tracker(clock=clock, budget=CheckBudget(100, 2), callbacks=True)
    facts = Tracking("task-1", False, clock.now(), clock.now() + 600, 30)
    following = asyncio.create_task(tracker.follow(facts, check, progress))
    await asyncio.sleep(0)  # one turn: the task registers for callbacks, then waits
    assert checks == []  # the safety net is a minute away
    tracker.poke("task-1")
    task = await following
    assert task is not None and task.is_completed and checks == ["task-1"]


async def test_a_callback_that_comes_before_the_tracking_is_not_lost() -> None:
    """A fast task can call back between the create call's answer and follow(): that
    callback still makes the first check, instead of the minute-away safety net."""
    checks: list[str] = []

    async def check(task_id: str) -> Task:
        checks.append(task_id)
        return _task("completed")

    async def progress(_task: Task, _estimated: float | None) -> None:
        return None

    clock = MonotonicClock()
    tracker = Tracker(clock=clock, budget=CheckBudget(100, 2), callbacks=True)
    for forged in range(300):  # forged ids never crowd out more than the oldest
        tracker.poke(f"forged-{forged}")
    tracker.poke("task-1")
    facts = Tracking("task-1", False, clock.now(), clock.now() + 600, 30)
    task = await asyncio.wait_for(tracker.follow(facts, check, progress), 10)
    assert task is not None and task.is_completed and checks == ["task-1"]


def test_the_state_line_names_ids_and_times_never_the_prompt(caplog) -> None:
    job = make_job(prompt="my secret birthday surprise")
    with caplog.at_level(logging.INFO, logger="bot.jobs.state"):
        log_state(job, "running", job.created_at + 5)
    line = caplog.records[-1].getMessage()
    assert f"job={job.id}" in line and "state=running" in line and "age=5.00" in line
    assert "birthday" not in line
