"""Keeping the bot inside Telegram's flood limits (PRODUCT.md §9).

PTB's AIORateLimiter has no per-chat bucket for private chats, and progress edits count
against the same limits as messages, so this limiter keeps three buckets: overall (~30/s),
per chat (~1/s) and per group (20/min). A 429 is obeyed: wait `retry_after`, then retry.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import warnings
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from aiolimiter import AsyncLimiter
from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

log = logging.getLogger(__name__)

JSONDict = dict[str, Any]


@dataclass(frozen=True, slots=True)
class FloodLimits:
    overall_per_second: float = 30.0
    per_chat_per_second: float = 1.0
    group_per_minute: float = 20.0
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


class FloodLimiter(BaseRateLimiter[int]):
    """`rate_limit_args` on a call (an int) overrides how many 429s it may retry."""

    def __init__(self, limits: FloodLimits = FloodLimits()) -> None:
        self._limits = limits
        self._overall = AsyncLimiter(max(1.0, limits.overall_per_second), 1)
        self._chats: dict[object, AsyncLimiter] = {}
        self._groups: dict[object, AsyncLimiter] = {}

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

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
        for attempt in range(retries + 1):
            if _counts(endpoint) and chat_id is not None:
                await self._acquire(chat_id, weight)
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as error:
                if attempt >= retries:
                    raise
                wait = retry_after_seconds(error) + 0.1
                log.warning("Telegram asked to wait %.1f s (%s)", wait, endpoint)
                await asyncio.sleep(wait)
        raise AssertionError("unreachable")

    async def _acquire(self, chat_id: object, weight: int) -> None:
        limiters = [self._overall, self._chat(chat_id)]
        if _is_group(chat_id):
            limiters.append(self._group(chat_id))
        for limiter in limiters:
            amount = min(weight, int(limiter.max_rate))
            with contextlib.suppress(ValueError):
                await limiter.acquire(amount)
