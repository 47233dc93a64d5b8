"""Time behind one seam, so tests can move the day boundary or an interval without sleeping.

`SystemClock` is wall time (days and timestamps); `MonotonicClock` measures intervals that a
change of the system time must not stretch or shrink.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from datetime import datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo


class Clock(Protocol):
    def now(self) -> float: ...


class SystemClock:
    def now(self) -> float:
        return time.time()


class MonotonicClock:
    def now(self) -> float:
        return time.monotonic()


def day_of(timestamp: float, zone: ZoneInfo) -> str:
    """The calendar day (ISO) in `zone`: the key of the daily allowance."""
    return datetime.fromtimestamp(timestamp, zone).date().isoformat()


def next_midnight(timestamp: float, zone: ZoneInfo) -> datetime:
    """When the daily allowance next refills (00:00 in `zone`), as an aware datetime."""
    local = datetime.fromtimestamp(timestamp, zone)
    tomorrow = (local + timedelta(days=1)).date()
    return datetime(tomorrow.year, tomorrow.month, tomorrow.day, tzinfo=zone)


async def wait_event(event: asyncio.Event, seconds: float) -> bool:
    """Wait until `event` is set or `seconds` pass; True when it was set.

    Not `asyncio.wait_for`: on Python 3.11 it can swallow a cancel that arrives just as the
    event is set, and then `engine.stop()` (SIGTERM) never returns.
    """
    try:
        async with asyncio.timeout(seconds):
            await event.wait()
    except TimeoutError:
        return False
    return True


async def stop_task(task: asyncio.Task[None] | None) -> None:
    """Cancel a background task (a loop that runs until stopped) and wait until it ended."""
    if task is None:
        return
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
