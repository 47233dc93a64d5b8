"""`wait_event`: the engine's and start-up's one way to wait for an event with a limit."""

from __future__ import annotations

import asyncio

import pytest

from bot.clock import wait_event


async def test_true_when_the_event_is_set() -> None:
    event = asyncio.Event()
    asyncio.get_running_loop().call_soon(event.set)
    assert await wait_event(event, 5) is True


async def test_false_when_time_runs_out() -> None:
    assert await wait_event(asyncio.Event(), 0) is False


async def test_a_cancel_arriving_as_the_event_is_set_still_cancels() -> None:
    """The 3.11 `wait_for` race that kept `engine.stop()` waiting: set and cancel together."""
    event = asyncio.Event()
    waiter = asyncio.create_task(wait_event(event, 5))
    await asyncio.sleep(0)  # the waiter is now inside event.wait()
    event.set()
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
