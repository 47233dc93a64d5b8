"""Keeping the bot inside Telegram's flood limits (PRODUCT.md §9).

PTB's AIORateLimiter has no per-chat bucket for private chats, and progress edits count
against the same limits as messages, so this limiter keeps three kinds of window: overall
(~30/s), per chat (~1/s) and per group (20/min). Each is a sliding log ("at most N in any
W seconds"), the strictest reading of Telegram's limits, with a safety margin: a little
longer windows and two fewer messages a second overall. A leaky bucket that starts full let
~60 messages through in the first second of a burst; a sliding log never lets more than N
into any window, and the overall and group windows start nearly full, in case a previous
process sent just before this one started.

One dispatcher hands out the sends in three classes: replies first (a command's answer or
status message: it is what tells a user in a burst that they were heard), then results,
then edits of status messages, which only go while a third of the overall budget is left
for the others (`has_room` lets the status reporter skip an edit that would have to wait).

A 429 is a promise we keep for every call, not only the refused one: `retry_after` closes a
hold on that chat (or on everything, when the refused call named no chat) and no call goes
to the held chat until it has passed; the overall window counts as full for one window
too. The refused call then retries through `RetryPolicy`.
"""

from __future__ import annotations

import asyncio
import logging
import time
import warnings
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from telegram.constants import FloodLimit
from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

from bot import metrics
from bot.clock import stop_task, wait_event
from bot.retry import RetryPolicy
from bot.turns import outside_place

log = logging.getLogger(__name__)

JSONDict = dict[str, Any]
Sleep = Callable[[float], Awaitable[None]]
RETRY_AFTER_MARGIN = 0.1  # Telegram rounds retry_after; land safely past the window
_EVERYTHING = "*"  # the hold key of a 429 that named no chat
REPLY, RESULT, EDIT = 0, 1, 2  # the dispatcher's classes, first served first


@dataclass(frozen=True, slots=True)
class FloodLimits:
    overall_per_second: float = float(FloodLimit.MESSAGES_PER_SECOND)
    per_chat_per_second: float = float(FloodLimit.MESSAGES_PER_SECOND_PER_CHAT)
    group_per_minute: float = float(FloodLimit.MESSAGES_PER_MINUTE_PER_GROUP)
    max_retries: int = 3
    overall_margin: int = 3  # messages a second kept unused overall
    # Seconds added to every window: calls granted 1 s apart may arrive closer together
    # (network and server jitter); the benchmark's strict fake counted 429s at 0.15.
    window_margin: float = 0.3
    edit_share: float = 2 / 3  # edits may use this share of the overall window
    start_fill: float = 0.9  # how full the overall and group windows start


class _Window:
    """At most `capacity` messages inside any `span` seconds. An album may take more than
    is free (Telegram lets it through and then makes the chat wait), but only when the
    window has room for at least one message."""

    def __init__(self, capacity: int, span: float) -> None:
        self.capacity = max(1, capacity)
        self.span = span
        self._log: deque[tuple[float, int]] = deque()
        self._used = 0

    def fill(self, amount: int, now: float) -> None:
        if amount > 0:
            self.take(amount, now)

    def free(self, now: float) -> int:
        while self._log and self._log[0][0] <= now - self.span:
            self._used -= self._log.popleft()[1]
        return self.capacity - self._used

    def fits(self, weight: int, now: float, reserve: int = 0) -> bool:
        return self.free(now) - reserve >= min(weight, self.capacity)

    def take(self, weight: int, now: float) -> None:
        self._log.append((now, weight))
        self._used += weight

    def next_change(self, now: float) -> float:
        return self._log[0][0] + self.span if self._log else now


@dataclass(slots=True)
class _Waiter:
    chat_id: object
    weight: int
    rank: int  # REPLY, RESULT or EDIT
    granted: asyncio.Future[None]


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

    def is_open(self, chat_id: object) -> bool:
        keys = [_EVERYTHING] if chat_id is None else [_EVERYTHING, chat_id]
        return all(self._gate(key).is_set() for key in keys)

    async def wait(self, chat_id: object) -> None:
        """Until neither the chat nor everything is held."""
        keys = [_EVERYTHING] if chat_id is None else [_EVERYTHING, chat_id]
        while closed := [self._gates[k] for k in keys if not self._gate(k).is_set()]:
            await closed[0].wait()

    async def close(self) -> None:
        for task in list(self._tasks):
            await stop_task(task)

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
        self._started = time.monotonic()
        self._overall = _Window(
            max(1, int(limits.overall_per_second) - limits.overall_margin),
            1.0 + limits.window_margin,
        )
        self._overall.fill(int(self._overall.capacity * limits.start_fill), self._started)
        self._reserve = self._overall.capacity - int(self._overall.capacity * limits.edit_share)
        # Sends are also spread evenly over the window: a window's worth granted at once would
        # reach Telegram as a clump, and any delay on the way then crowds the next window.
        self._gap = self._overall.span / self._overall.capacity
        self._paced_until = 0.0
        self._chats: dict[object, _Window] = {}
        self._groups: dict[object, _Window] = {}
        self._holds = _Holds(sleep or _asyncio_sleep)
        self._waiting: list[list[_Waiter]] = [[], [], []]  # by rank, oldest first
        self._kick = asyncio.Event()
        self._dispatcher: asyncio.Task[None] | None = None

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        await stop_task(self._dispatcher)
        self._dispatcher = None
        await self._holds.close()

    def has_room(self, chat_id: object) -> bool:
        """Whether an edit for `chat_id` would go now without taking a reply's or a
        result's place (the status reporter skips intermediate edits otherwise)."""
        now = time.monotonic()
        return (
            not any(self._waiting)
            and self._holds.is_open(chat_id)
            and self._overall.fits(1, now, self._reserve)
            and all(window.fits(1, now) for window in self._windows(chat_id))
        )

    def _windows(self, chat_id: object) -> list[_Window]:
        chat = self._chats.get(chat_id)
        if chat is None:
            rate = self._limits.per_chat_per_second
            capacity = max(1, int(rate))
            chat = self._chats[chat_id] = _Window(
                capacity, capacity / rate + self._limits.window_margin
            )
        if not _is_group(chat_id):
            return [chat]
        group = self._groups.get(chat_id)
        if group is None:
            span = 60.0 + self._limits.window_margin
            group = self._groups[chat_id] = _Window(int(self._limits.group_per_minute), span)
            if time.monotonic() - self._started < span:
                group.fill(int(group.capacity * self._limits.start_fill / 2), self._started)
        return [chat, group]

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
        rank = _rank(endpoint)

        async def attempt() -> bool | JSONDict | list[JSONDict]:
            # Waiting for an allowance holds no update-processing place (bot/turns.py), and
            # the call leaves the moment it is granted: taking the place back in between let
            # granted calls pile up behind busy places and reach Telegram bunched, past its
            # window (128 429s in the 500-user burst).
            async with outside_place():
                if _counts(endpoint) and chat_id is not None:
                    await self._acquire(chat_id, weight, rank)
                await self._holds.wait(chat_id)  # last, so no call leaves inside a window
                return await self._send(callback, args, kwargs, endpoint, chat_id)

        policy = RetryPolicy(max_retries=retries, sleep=_no_pause)
        return await policy.run(attempt, retry_on=_is_flood)

    async def _send(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        chat_id: object,
    ) -> bool | JSONDict | list[JSONDict]:
        try:
            return await callback(*args, **kwargs)
        except RetryAfter as error:
            wait = retry_after_seconds(error) + RETRY_AFTER_MARGIN
            log.warning("Telegram asked to wait %.1f s (%s)", wait, endpoint)
            metrics.TELEGRAM_429.inc()
            self._holds.hold(_EVERYTHING if chat_id is None else chat_id, wait)
            # Our own pacing keeps each chat's window, so a refusal most likely came from
            # the overall one: count it as full, pausing every new send for one window
            # instead of sending more into a window Telegram sees as full.
            self._overall.fill(self._overall.capacity, time.monotonic())
            raise

    async def _acquire(self, chat_id: object, weight: int, rank: int) -> None:
        """Wait out any hold on the chat, then for the dispatcher to grant this send."""
        while True:
            await self._holds.wait(chat_id)
            waiter = _Waiter(chat_id, weight, rank, asyncio.get_running_loop().create_future())
            self._waiting[rank].append(waiter)
            if self._dispatcher is None or self._dispatcher.done():
                self._dispatcher = asyncio.create_task(self._dispatch(), name="flood-dispatch")
            self._kick.set()
            await waiter.granted
            if self._holds.is_open(chat_id):  # a 429 meanwhile: its window first
                return

    async def _dispatch(self) -> None:
        while True:
            self._kick.clear()
            now = time.monotonic()
            self._grant(now)
            if not any(self._waiting):
                await self._kick.wait()
                continue
            await wait_event(self._kick, max(0.001, self._wake(now) - now))

    def _wake(self, now: float) -> float:
        """When to look again. While the pace or the overall window holds every send, that
        moment is the answer for all of them: looking at each waiter's own windows then (as
        many as are waiting, ~20 times a second in a burst) was the bot's largest CPU cost."""
        shared = self._paced_until if self._paced_until > now else now
        if not self._overall.fits(1, now):
            shared = max(shared, self._overall.next_change(now))
        if shared > now:
            return shared  # not later than any waiter's own change: they all wait for this
        return min(self._next_change(w, now) for rank in self._waiting for w in rank)

    def _grant(self, now: float) -> None:
        """Grant, class by class and in order within one, every send that fits now; stop
        looking once the overall window is full (the usual case in a burst)."""
        for rank, waiters in enumerate(self._waiting):
            still: list[_Waiter] = []
            for position, waiter in enumerate(waiters):
                if now < self._paced_until or not self._overall.fits(1, now):
                    still.extend(waiters[position:])
                    break
                if waiter.granted.done():
                    continue  # its caller gave up
                windows = self._windows(waiter.chat_id)
                reserve = self._reserve if rank == EDIT else 0
                if self._overall.fits(waiter.weight, now, reserve) and all(
                    window.fits(waiter.weight, now) for window in windows
                ):
                    for window in (self._overall, *windows):
                        window.take(waiter.weight, now)
                    self._paced_until = max(now, self._paced_until) + self._gap * waiter.weight
                    waiter.granted.set_result(None)
                else:
                    still.append(waiter)
            self._waiting[rank] = still

    def _next_change(self, waiter: _Waiter, now: float) -> float:
        """When something that blocks `waiter` may have freed up (not later)."""
        blocked = [
            window.next_change(now)
            for window in self._windows(waiter.chat_id)
            if not window.fits(waiter.weight, now)
        ]
        reserve = self._reserve if waiter.rank == EDIT else 0
        if not self._overall.fits(waiter.weight, now, reserve):
            blocked.append(self._overall.next_change(now))
        if self._paced_until > now:
            blocked.append(self._paced_until)
        return max(blocked, default=now + 0.05)


def _rank(endpoint: str) -> int:
    lowered = endpoint.lower()
    if lowered.startswith("edit"):
        return EDIT
    if lowered.startswith(("sendphoto", "sendvideo", "senddocument", "sendmediagroup")):
        return RESULT
    return REPLY
