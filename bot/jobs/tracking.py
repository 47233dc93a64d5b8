"""Following a task at Evolink until it ends, within one status-check budget for the bot.

Every tracked task asks `CheckBudget` before a check: at most `rate` checks a second and
`concurrency` at once for the whole bot, whatever the number of tasks (below Evolink's
per-key rate limit and well inside the HTTP client's connection pool). A thousand tasks
then cost a steady trickle of checks instead of a stampede; when the budget is short, each
check simply comes a little later. When is decided by bot/jobs/schedule.py, in "task
seconds": `scale` (tests and the benchmark shrink task times) converts to real seconds.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Final

from bot import metrics
from bot.clock import Clock, wait_event
from bot.evolink.models import Task
from bot.jobs.schedule import jittered, next_poll_delay, next_safety_delay
from storage.models import Job

CHECK_RATE: Final = 20.0  # checks a second, the whole bot
CHECK_CONCURRENCY: Final = 10  # checks in flight at once (httpx's pool holds 100)
POKE_GAP: Final = 2.0  # callbacks within this of a task's last check wait for its end
EARLY_POKES: Final = 256  # callbacks kept for tasks not followed yet (forged ids churn them)

Check = Callable[[str], Awaitable[Task | None]]
Progress = Callable[[Task, float | None], Awaitable[None]]


class CheckBudget:
    """Spaces status checks 1/rate apart (no burst) with at most `concurrency` in flight."""

    def __init__(self, rate: float = CHECK_RATE, concurrency: int = CHECK_CONCURRENCY) -> None:
        self._gap = 1.0 / rate
        self._next = 0.0
        self._slots = asyncio.Semaphore(concurrency)

    async def run(self, check: Check, task_id: str) -> Task | None:
        async with self._slots:
            now = time.monotonic()
            at = max(now, self._next)
            self._next = at + self._gap
            if at > now:
                await asyncio.sleep(at - now)
            return await check(task_id)


@dataclass(frozen=True, slots=True)
class Tracking:
    """One task's facts for the tracker."""

    task_id: str
    video: bool
    started: float  # the clock's time at submission
    deadline: float
    estimated: float | None


class Tracker:
    def __init__(
        self,
        *,
        clock: Clock,
        budget: CheckBudget,
        scale: float = 1.0,
        callbacks: bool = False,
        rand: Callable[[], float] = random.random,
    ) -> None:
        self._clock = clock
        self._budget = budget
        self._scale = scale
        self._callbacks = callbacks
        self._rand = rand
        self._pokes: dict[str, asyncio.Event] = {}
        self._checked: dict[str, float] = {}  # task -> the clock's time of its last check
        self._deferred: set[str] = set()  # tasks with a folded callback pending
        # A fast task's callback can arrive before its follow() starts; it is kept (a few
        # hundred at most, oldest dropped) so that task is checked at once instead of at
        # the slow safety net.
        self._early: dict[str, None] = {}
        self.last_check: dict[str, float] = {}  # task -> when a check last saw it unfinished

    def poke(self, task_id: str) -> None:
        """A callback for this task arrived: check it now instead of at the next turn."""
        event = self._pokes.get(task_id)
        if event is None:
            self._remember_early(task_id)
            return
        if task_id in self._deferred:
            return
        # Callbacks are unsigned: a flood of them must not multiply status checks, so one
        # arriving within POKE_GAP of the last check is folded into one check at its end.
        checked = self._checked.get(task_id)
        wait = 0.0 if checked is None else POKE_GAP - (self._clock.now() - checked)
        if wait <= 0:
            event.set()
            return
        self._deferred.add(task_id)
        asyncio.get_running_loop().call_later(wait, self._poke_deferred, task_id)

    def _remember_early(self, task_id: str) -> None:
        self._early[task_id] = None
        if len(self._early) > EARLY_POKES:
            del self._early[next(iter(self._early))]

    def _poke_deferred(self, task_id: str) -> None:
        self._deferred.discard(task_id)
        self.poke(task_id)

    async def follow(self, facts: Tracking, check: Check, progress: Progress) -> Task | None:
        """The task once finished (completed or failed), or None at the deadline."""
        poke = self._pokes.setdefault(facts.task_id, asyncio.Event())
        if facts.task_id in self._early:  # its callback came first
            del self._early[facts.task_id]
            poke.set()
        estimated = facts.estimated
        self.last_check[facts.task_id] = time.monotonic()
        done = False
        try:
            while True:
                now = self._clock.now()
                if now >= facts.deadline:
                    return None
                delay = self._delay(now - facts.started, estimated, facts.video)
                await wait_event(poke, min(delay, facts.deadline - now))
                poke.clear()
                self._checked[facts.task_id] = self._clock.now()
                task = await self._budget.run(check, facts.task_id)
                if task is None:
                    continue
                if task.is_completed:
                    done = True
                    return task
                if task.is_failed:
                    return task
                self.last_check[facts.task_id] = time.monotonic()
                estimated = task.task_info.estimated_time or estimated
                await progress(task, estimated)
        finally:
            self._pokes.pop(facts.task_id, None)
            self._checked.pop(facts.task_id, None)
            if not done:
                self.last_check.pop(facts.task_id, None)

    def delivered(self, job: Job) -> None:
        """The result is in the chat: how much later than a check could have known."""
        seen = self.last_check.pop(job.task_id, None) if job.task_id else None
        if seen is not None:
            metrics.ADDED_LATENCY.labels(kind=job.kind).observe(time.monotonic() - seen)

    def _delay(self, elapsed: float, estimated: float | None, video: bool) -> float:
        schedule = next_safety_delay if self._callbacks else next_poll_delay
        task_seconds = schedule(elapsed / self._scale, estimated, video=video)
        return jittered(task_seconds, self._rand()) * self._scale
