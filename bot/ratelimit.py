"""Keeping the bot inside Telegram's flood limits (PRODUCT.md §9).

PTB's AIORateLimiter has no per-chat bucket for private chats, and progress edits count
against the same limits as messages, so this limiter keeps three buckets: overall (~30/s),
per chat (~1/s) and per group (20/min).

A 429 is a promise we keep for every call, not only the refused one: `retry_after` closes a
hold on that chat (or on everything, when the refused call named no chat) and no call goes
to the held chat until it has passed. The refused call then retries through `RetryPolicy`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import warnings
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from aiolimiter import AsyncLimiter
from telegram.constants import FloodLimit
from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

from bot.retry import RetryPolicy
from bot.turns import outside_place

log = logging.getLogger(__name__)

JSONDict = dict[str, Any]
Sleep = Callable[[float], Awaitable[None]]
RETRY_AFTER_MARGIN = 0.1  # Telegram rounds retry_after; land safely past the window
_EVERYTHING = "*"  # the hold key of a 429 that named no chat


@dataclass(frozen=True, slots=True)
class FloodLimits:
    overall_per_second: float = float(FloodLimit.MESSAGES_PER_SECOND)
    per_chat_per_second: float = float(FloodLimit.MESSAGES_PER_SECOND_PER_CHAT)
    group_per_minute: float = float(FloodLimit.MESSAGES_PER_MINUTE_PER_GROUP)
    max_retries: int = 3


def _counts(endpoint: str) -> bool:
    """Messages and edits count; chat actions, callbacks and reads don't."""
    lowered = endpoint.lower()
    if lowered == "sendchataction":
        return False
    return lowered.startswith(("send", "edit", "copy", "forward"))


def _is_group(chat_id: object) -> bool:
    if isinstance(chat_id, int):
        return chat_id < 0
    return isinstance(chat_id, str) and chat_id.startswith(("-", "@"))


def retry_after_seconds(error: RetryAfter) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PTB warns about the int/timedelta transition
        value: int | float | timedelta = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


async def _asyncio_sleep(seconds: float) -> None:
    await asyncio.sleep(seconds)  # looked up per call, so a patched asyncio.sleep is used


async def _no_pause(_: float) -> None:
    """The retry policy's pause: the hold already made the retry wait."""


def _is_flood(error: Exception) -> bool:
    return isinstance(error, RetryAfter)


class _Holds:
    """Open/closed gates per chat (and one for everything), closed while any hold runs."""

    def __init__(self, sleep: Sleep) -> None:
        self._sleep = sleep
        self._gates: dict[object, asyncio.Event] = {}
        self._holders: dict[object, int] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    def hold(self, key: object, seconds: float) -> None:
        self._holders[key] = self._holders.get(key, 0) + 1
        self._gate(key).clear()
        task = asyncio.create_task(self._release_after(key, seconds), name=f"flood-hold-{key}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def wait(self, chat_id: object) -> None:
        """Until neither the chat nor everything is held."""
        keys = [_EVERYTHING] if chat_id is None else [_EVERYTHING, chat_id]
        while closed := [self._gates[k] for k in keys if not self._gate(k).is_set()]:
            await closed[0].wait()

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def _gate(self, key: object) -> asyncio.Event:
        gate = self._gates.get(key)
        if gate is None:
            gate = self._gates[key] = asyncio.Event()
            gate.set()
        return gate

    async def _release_after(self, key: object, seconds: float) -> None:
        try:
            await self._sleep(seconds)
        finally:
            self._holders[key] -= 1
            if self._holders[key] == 0:
                del self._holders[key]
                self._gate(key).set()


class FloodLimiter(BaseRateLimiter[int]):
    """`rate_limit_args` on a call (an int) overrides how many 429s it may retry."""

    def __init__(self, limits: FloodLimits = FloodLimits(), sleep: Sleep | None = None) -> None:
        self._limits = limits
        self._overall = AsyncLimiter(max(1.0, limits.overall_per_second), 1)
        self._chats: dict[object, AsyncLimiter] = {}
        self._groups: dict[object, AsyncLimiter] = {}
        self._holds = _Holds(sleep or _asyncio_sleep)

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        await self._holds.close()

    def _chat(self, chat_id: object) -> AsyncLimiter:
        limiter = self._chats.get(chat_id)
        if limiter is None:
            rate = self._limits.per_chat_per_second
            limiter = AsyncLimiter(max(1.0, rate), max(1.0, rate) / rate)
            self._chats[chat_id] = limiter
        return limiter

    def _group(self, chat_id: object) -> AsyncLimiter:
        limiter = self._groups.get(chat_id)
        if limiter is None:
            limiter = AsyncLimiter(self._limits.group_per_minute, 60)
            self._groups[chat_id] = limiter
        return limiter

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | JSONDict | list[JSONDict]:
        retries = self._limits.max_retries if rate_limit_args is None else rate_limit_args
        chat_id = data.get("chat_id")
        weight = len(data["media"]) if endpoint.lower() == "sendmediagroup" else 1

        async def attempt() -> bool | JSONDict | list[JSONDict]:
            # Waiting for an allowance holds no update-processing place (bot/turns.py).
            async with outside_place():
                if _counts(endpoint) and chat_id is not None:
                    await self._acquire(chat_id, weight)
                await self._holds.wait(chat_id)
            await self._holds.wait(chat_id)  # last (again), so no call leaves inside a window
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as error:
                wait = retry_after_seconds(error) + RETRY_AFTER_MARGIN
                log.warning("Telegram asked to wait %.1f s (%s)", wait, endpoint)
                self._holds.hold(_EVERYTHING if chat_id is None else chat_id, wait)
                raise

        policy = RetryPolicy(max_retries=retries, sleep=_no_pause)
        return await policy.run(attempt, retry_on=_is_flood)

    async def _acquire(self, chat_id: object, weight: int) -> None:
        limiters = [self._overall, self._chat(chat_id)]
        if _is_group(chat_id):
            limiters.append(self._group(chat_id))
        for limiter in limiters:
            amount = min(weight, int(limiter.max_rate))
            with contextlib.suppress(ValueError):
                await limiter.acquire(amount)
