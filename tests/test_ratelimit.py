"""The flood limiter obeys Telegram's retry_after and spaces messages per chat."""

from __future__ import annotations

import asyncio
import time
import warnings
from datetime import timedelta
from typing import Any

import pytest
from telegram.error import RetryAfter

from bot import ratelimit
from bot.ratelimit import FloodLimiter, FloodLimits


def _flood(seconds: float) -> RetryAfter:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return RetryAfter(timedelta(seconds=seconds))


async def test_retry_after_is_obeyed_then_the_call_repeated(monkeypatch) -> None:
    waits: list[float] = []

    async def record(seconds: float) -> None:
        waits.append(seconds)

    monkeypatch.setattr(ratelimit.asyncio, "sleep", record)
    limiter = FloodLimiter(FloodLimits(per_chat_per_second=100, max_retries=2))
    calls = 0

    async def send(**_: Any) -> bool:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise _flood(7)
        return True

    result = await limiter.process_request(send, (), {}, "sendMessage", {"chat_id": 1}, None)
    assert result is True and calls == 2
    assert waits == [pytest.approx(7.1)]


async def test_gives_up_after_its_retries(monkeypatch) -> None:
    real_sleep = asyncio.sleep
    monkeypatch.setattr(ratelimit.asyncio, "sleep", lambda _: real_sleep(0))
    limiter = FloodLimiter(FloodLimits(per_chat_per_second=100, max_retries=1))

    async def always_flooded(**_: Any) -> bool:
        raise _flood(1)

    with pytest.raises(RetryAfter):
        await limiter.process_request(
            always_flooded, (), {}, "editMessageText", {"chat_id": 1}, None
        )
    with pytest.raises(RetryAfter):  # a call may ask for no retries at all
        await limiter.process_request(always_flooded, (), {}, "sendMessage", {"chat_id": 1}, 0)


async def test_one_chat_is_spaced_other_chats_are_not() -> None:
    limiter = FloodLimiter(FloodLimits(per_chat_per_second=10, overall_per_second=1000))
    times: dict[int, list[float]] = {1: [], 2: []}

    async def send(chat: int) -> bool:
        times[chat].append(time.monotonic())
        return True

    async def message(chat: int) -> None:
        await limiter.process_request(
            send, (), {"chat": chat}, "sendMessage", {"chat_id": chat}, None
        )

    await asyncio.gather(*(message(1) for _ in range(13)), message(2))
    # 10 a second with a burst of 10: chat 1's 11th message had to wait for the bucket,
    # while chat 2's message, queued after all of chat 1's, went out before it. (Order,
    # not durations: the machine's load must not decide the outcome.)
    assert times[2][0] < times[1][10]


def test_which_calls_count() -> None:
    assert ratelimit._counts("sendMessage") and ratelimit._counts("editMessageText")
    assert not ratelimit._counts("sendChatAction")
    assert not ratelimit._counts("getFile") and not ratelimit._counts("answerCallbackQuery")
    assert ratelimit._is_group(-100123) and ratelimit._is_group("@channel")
    assert not ratelimit._is_group(42)
