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


class HeldSleep:
    """A sleep that lasts until the test says it is over (no real time passes)."""

    def __init__(self) -> None:
        self.asked: list[float] = []
        self.started = asyncio.Event()
        self._over = asyncio.Event()

    async def __call__(self, seconds: float) -> None:
        self.asked.append(seconds)
        self.started.set()
        await self._over.wait()

    def end(self) -> None:
        self._over.set()


class Recorder:
    """Telegram's side: records (chat, phase) per call; the first `floods` calls get a 429."""

    def __init__(self, floods: int = 1) -> None:
        self.calls: list[object] = []
        self.floods = floods

    def endpoint(self, chat: object) -> Any:
        async def call(**_: Any) -> bool:
            self.calls.append(chat)
            if self.floods > 0:
                self.floods -= 1
                raise _flood(5)
            return True

        return call


async def _send(limiter: FloodLimiter, recorder: Recorder, chat: object, method: str) -> object:
    data = {} if chat is None else {"chat_id": chat}
    return await limiter.process_request(recorder.endpoint(chat), (), {}, method, data, None)


async def test_a_429_for_a_chat_holds_every_send_to_that_chat() -> None:
    sleep = HeldSleep()
    limiter = FloodLimiter(FloodLimits(per_chat_per_second=100), sleep=sleep)
    telegram = Recorder(floods=1)
    refused = asyncio.create_task(_send(limiter, telegram, 1, "sendMessage"))
    await sleep.started.wait()
    assert sleep.asked == [pytest.approx(5.1)]
    held = asyncio.create_task(_send(limiter, telegram, 1, "editMessageText"))
    assert await _send(limiter, telegram, 2, "sendMessage") is True  # other chats go on
    assert telegram.calls == [1, 2] and not held.done()
    sleep.end()
    assert await refused is True and await held is True
    assert telegram.calls == [1, 2, 1, 1]


async def test_a_429_that_names_no_chat_holds_everything() -> None:
    sleep = HeldSleep()
    limiter = FloodLimiter(FloodLimits(per_chat_per_second=100), sleep=sleep)
    telegram = Recorder(floods=1)
    refused = asyncio.create_task(_send(limiter, telegram, None, "getFile"))
    await sleep.started.wait()
    held = [asyncio.create_task(_send(limiter, telegram, c, "sendMessage")) for c in (1, 2)]
    await asyncio.wait(held, timeout=0.05)  # bounded: they must still be waiting
    assert telegram.calls == [None] and not any(task.done() for task in held)
    sleep.end()
    assert await refused is True and all([await task for task in held])
    assert sorted(map(str, telegram.calls)) == ["1", "2", "None", "None"]


async def test_the_window_of_a_last_429_is_kept_by_the_next_call() -> None:
    sleep = HeldSleep()
    limiter = FloodLimiter(FloodLimits(per_chat_per_second=100, max_retries=0), sleep=sleep)
    telegram = Recorder(floods=1)
    with pytest.raises(RetryAfter):  # no retries left: the caller hears of the 429 ...
        await _send(limiter, telegram, 1, "sendMessage")
    later = asyncio.create_task(_send(limiter, telegram, 1, "sendMessage"))
    await sleep.started.wait()
    await asyncio.wait([later], timeout=0.05)
    assert telegram.calls == [1] and not later.done()  # ... and the window still holds
    sleep.end()
    assert await later is True and telegram.calls == [1, 1]
    await limiter.shutdown()
