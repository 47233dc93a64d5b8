"""Flood control: token buckets per chat, per group chat and global (Bot API FAQ limits).

`FloodLimits(strict=True)` reads the limits as strict sliding windows instead: at most 30
messages in any 1 s overall, 1 in any 1 s per chat and 20 in any 60 s per group (an album
counts its items, and is let in when the window has room for one), the strictest reading of
Telegram's FAQ. The benchmark runs against that.
"""

from __future__ import annotations

import math
import random
from collections import deque
from dataclasses import dataclass, field


@dataclass
class FloodLimits:
    """Configurable limits; replace ``tg.flood`` (or mutate it) to change them in a test."""

    enabled: bool = True
    per_chat_per_second: float = 1.0
    per_chat_burst: int = 5
    group_per_minute: int = 20
    global_per_second: int = 30
    strict: bool = False  # sliding windows with no burst (see the module doc)


@dataclass
class FloodHit:
    """One call refused with 429."""

    method: str
    chat_id: int | str | None
    retry_after: int
    scope: str  # "chat", "group" or "global"
    time: float


@dataclass
class _Bucket:
    tokens: float
    updated: float


@dataclass
class FloodLimiter:
    """Token buckets keyed by scope; capacities come from the current FloodLimits.

    A request for ``n`` messages (an album counts its items) is allowed when the bucket holds
    at least min(n, capacity) tokens and then takes all ``n``, possibly going into debt: that
    lets a 10-photo album through a 5-message burst, as Telegram does, and throttles after it.
    """

    buckets: dict[tuple[str, int | str | None], _Bucket] = field(default_factory=dict)
    logs: dict[tuple[str, int | str | None], deque[tuple[float, int]]] = field(
        default_factory=dict
    )

    def check(
        self, limits: FloodLimits, chat_id: int | str | None, is_group: bool, n: int, now: float
    ) -> tuple[int, str] | None:
        """Take ``n`` tokens from every relevant bucket, or return (retry_after, scope)."""
        if not limits.enabled:
            return None
        if limits.strict:
            return self._check_strict(limits, chat_id, is_group, n, now)
        scopes = self._scopes(limits, chat_id, is_group)
        waits = [
            (self._wait(key, capacity, rate, n, now), key[0]) for key, capacity, rate in scopes
        ]
        worst = max(waits, default=(0.0, ""))
        if worst[0] > 0:
            return max(1, math.ceil(worst[0])), worst[1]
        for key, _capacity, _rate in scopes:
            self.buckets[key].tokens -= n
        return None

    @staticmethod
    def _scopes(
        limits: FloodLimits, chat_id: int | str | None, is_group: bool
    ) -> list[tuple[tuple[str, int | str | None], float, float]]:
        scopes: list[tuple[tuple[str, int | str | None], float, float]] = [
            (("global", None), limits.global_per_second, float(limits.global_per_second))
        ]
        if chat_id is not None:
            scopes.append((("chat", chat_id), limits.per_chat_burst, limits.per_chat_per_second))
            if is_group:
                rate = limits.group_per_minute / 60.0
                scopes.append((("group", chat_id), limits.group_per_minute, rate))
        return scopes

    def _wait(
        self, key: tuple[str, int | str | None], capacity: float, rate: float, n: int, now: float
    ) -> float:
        bucket = self.buckets.get(key)
        if bucket is None:
            bucket = self.buckets[key] = _Bucket(capacity, now)
        # Calls are stamped on arrival, so one may be a little older than the last seen.
        bucket.tokens = min(capacity, bucket.tokens + max(0.0, now - bucket.updated) * rate)
        bucket.updated = max(bucket.updated, now)
        needed = min(n, capacity)
        if bucket.tokens >= needed:
            return 0.0
        # A zero rate never refills; an hour is "effectively never" for a test.
        return (needed - bucket.tokens) / rate if rate > 0 else 3600.0

    def _check_strict(
        self, limits: FloodLimits, chat_id: int | str | None, is_group: bool, n: int, now: float
    ) -> tuple[int, str] | None:
        windows: list[tuple[tuple[str, int | str | None], int, float]] = [
            (("global", None), limits.global_per_second, 1.0)
        ]
        if chat_id is not None:
            windows.append((("chat", chat_id), max(1, int(limits.per_chat_per_second)), 1.0))
            if is_group:
                windows.append((("group", chat_id), limits.group_per_minute, 60.0))
        worst: tuple[float, str] = (0.0, "")
        for key, capacity, span in windows:
            log = self.logs.setdefault(key, deque())
            while log and log[0][0] <= now - span:
                log.popleft()
            used = sum(weight for _, weight in log)
            if used + min(n, capacity) > capacity:
                worst = max(worst, (log[0][0] + span - now, key[0]))
        if worst[0] > 0:
            return max(1, math.ceil(worst[0])), worst[1]
        for key, _capacity, _span in windows:
            self.logs[key].append((now, n))
        return None

    def reset(self) -> None:
        self.buckets.clear()
        self.logs.clear()


@dataclass
class RandomFlood:
    """A 429 at random: each message or edit is refused with probability `rate` (seeded RNG),
    on top of the token buckets, as Telegram does when it is busy for reasons of its own."""

    rate: float
    seed: int = 0
    retry_after: int = 1

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)

    def hit(self) -> bool:
        return self._rng.random() < self.rate


@dataclass
class RetryAfterWindows:
    """The retry_after windows the fake announced, and the calls that ignored them.

    A 429 for a chat opens a window for that chat; one for a call without a chat opens a
    global window. Every message or edit that arrives for a chat while a window for it (or a
    global one) is open is counted in ``calls_inside``: a bot that obeys retry_after has 0.
    ``grace`` (seconds) spares calls arriving just after the 429, which the bot may have sent
    before the answer reached it.
    """

    grace: float = 0.0
    windows: dict[int | str | None, tuple[float, float]] = field(default_factory=dict)
    calls_inside: int = 0

    def note_call(self, chat: int | str | None, now: float) -> None:
        for key in {chat, None}:
            start, end = self.windows.get(key, (0.0, 0.0))
            if start <= now < end:
                self.calls_inside += 1
                return

    def opened(self, chat: int | str | None, retry_after: int, now: float) -> None:
        start, end = self.windows.get(chat, (0.0, 0.0))
        if end <= now:  # a new window; an open one keeps its start
            start = now + self.grace
        self.windows[chat] = (start, max(end, now + retry_after))
