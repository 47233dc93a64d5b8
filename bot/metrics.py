"""What an operator can watch: Prometheus metrics, served at `/metrics` when METRICS_ENABLED.

The counters are module-level (one process, one bot) and cost a few hundred nanoseconds
each whether or not anyone scrapes them. Queue length and jobs by state are read from
SQLite when scraped, not kept in step by hand. The event-loop lag monitor measures how late
a 0.1 s timer fires: the one number that shows a loop too busy to answer users.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Final

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)

from bot.clock import stop_task

REGISTRY: Final = CollectorRegistry(auto_describe=True)
LAG_INTERVAL: Final = 0.1

JOB_STATES: Final = Counter(
    "bot_job_state_changes", "Jobs entering each state", ["state"], registry=REGISTRY
)
JOBS: Final = Gauge(
    "bot_jobs", "Jobs in each state (read when scraped)", ["state"], registry=REGISTRY
)
QUEUE_LENGTH: Final = Gauge(
    "bot_queue_length", "Visible jobs waiting for a slot (read when scraped)", registry=REGISTRY
)
EVOLINK_CALLS: Final = Counter(
    "bot_evolink_calls",
    "Evolink HTTP calls by kind and status",
    ["kind", "status"],
    registry=REGISTRY,
)
TELEGRAM_429: Final = Counter(
    "bot_telegram_429", "Bot API calls Telegram refused with 429", registry=REGISTRY
)
ADDED_LATENCY: Final = Histogram(
    "bot_added_latency_seconds",
    "From the last status check that saw the task unfinished to its result in the chat",
    ["kind"],
    buckets=(0.25, 0.5, 1, 2, 3, 5, 7.5, 10, 15, 30, 60),
    registry=REGISTRY,
)
LOOP_LAG: Final = Histogram(
    "bot_event_loop_lag_seconds",
    "How late a 0.1 s timer fired on the bot's event loop",
    buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5),
    registry=REGISTRY,
)

Counts = Callable[[], Awaitable[tuple[dict[str, int], int]]]


def evolink_call(path: str, status: int | str) -> None:
    EVOLINK_CALLS.labels(kind=call_kind(path), status=str(status)).inc()


def call_kind(path: str) -> str:
    if "/v1/tasks/" in path:
        return "check"
    if "/generations" in path:
        return "create"
    if "/files/upload" in path:
        return "upload"
    if "/v1/credits" in path:
        return "credits"
    return "download"


async def exposition(counts: Counts) -> tuple[bytes, str]:
    """The text format, with the gauges read from storage just now."""
    by_state, queued = await counts()
    JOBS.clear()
    for state, count in by_state.items():
        JOBS.labels(state=state).set(count)
    QUEUE_LENGTH.set(queued)
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST


class LagMonitor:
    """Samples the event loop's lag into LOOP_LAG while running."""

    def __init__(self, interval: float = LAG_INTERVAL) -> None:
        self._interval = interval
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="loop-lag")

    async def stop(self) -> None:
        await stop_task(self._task)
        self._task = None

    async def _run(self) -> None:
        while True:
            before = time.monotonic()
            await asyncio.sleep(self._interval)
            LOOP_LAG.observe(max(0.0, time.monotonic() - before - self._interval))
