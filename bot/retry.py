"""The one retry helper: how long to wait between attempts, and the loop that waits.

Evolink calls, Telegram sends of results and the flood limiter all retry through
`RetryPolicy.run`; each says which failures deserve another attempt and what wait a
server asked for. `sleep` and `rand` are injected so tests record delays without waiting.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TypeVar

T = TypeVar("T")
RetryHook = Callable[[Exception, int, float], None]


def _never(_: Exception) -> float | None:
    return None


def _no(_: Exception) -> bool:
    return False


def _quiet(_error: Exception, _retry: int, _delay: float) -> None:
    return None


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Exponential backoff with jitter; a server's Retry-After wins, capped."""

    max_retries: int = 4
    base_delay: float = 0.5
    max_delay: float = 8.0
    jitter: float = 0.25
    max_retry_after: float = 60.0
    sleep: Callable[[float], Awaitable[None]] = field(default=asyncio.sleep, repr=False)
    rand: Callable[[], float] = field(default=random.random, repr=False)

    def delay(self, attempt: int, retry_after: float | None) -> float:
        """Seconds to wait before retry number `attempt` (1 for the first retry)."""
        if retry_after is not None:
            return min(max(retry_after, 0.0), self.max_retry_after)
        exponent = min(max(attempt - 1, 0), 32)  # 2.0**1100 would overflow, not cap
        backoff = min(self.base_delay * 2.0**exponent, self.max_delay)
        # Jitter only shortens the wait, so max_delay stays a true ceiling.
        return backoff * (1.0 - self.jitter * self.rand())

    async def run(
        self,
        attempt: Callable[[], Awaitable[T]],
        *,
        retry_on: Callable[[Exception], bool],
        retry_after: Callable[[Exception], float | None] = _never,
        on_retry: RetryHook = _quiet,
        uncounted: Callable[[Exception], bool] = _no,
    ) -> T:
        """Call `attempt` until it succeeds, fails for good, or the retries run out.

        A failure `retry_on` rejects, or the last one, is raised unchanged. A failure
        `uncounted` accepts is retried without using up a retry (a flood wait: the server
        said when to come back, and coming back then works).
        """
        retries = 0
        while True:
            try:
                return await attempt()
            except Exception as error:
                free = uncounted(error)
                if not retry_on(error) or (retries >= self.max_retries and not free):
                    raise
                if not free:
                    retries += 1
                delay = self.delay(max(retries, 1), retry_after(error))
                on_retry(error, retries, delay)
            await self.sleep(delay)
