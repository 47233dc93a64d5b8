"""How long to wait between attempts, and which failures deserve another attempt (PRODUCT §7)."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from bot.evolink.errors import (
    EvolinkConnectionError,
    EvolinkError,
    EvolinkStatusError,
    RateLimitError,
    ServerError,
)

_GATEWAY_TIMEOUT = 504


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Exponential backoff with jitter; a server's Retry-After wins, capped.

    `sleep` and `rand` are injectable so tests can record delays without waiting.
    """

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


def should_retry(error: EvolinkError, *, idempotent: bool) -> bool:
    """Whether `error` is worth another attempt of the same call.

    A non-idempotent call (creating a paid task; Evolink has no idempotency key) is only
    repeated when we know the first attempt did not create anything: a 429, a 5xx, or a
    connection that failed before the request left. After a timeout or a dropped
    connection the task may exist, so repeating could charge twice. A 504 is the gateway's
    own timeout, with the same doubt, so it is not repeated either.
    """
    if isinstance(error, EvolinkConnectionError):
        return idempotent or not error.maybe_sent
    if isinstance(error, RateLimitError):
        return True
    if isinstance(error, ServerError):
        return idempotent or error.status_code != _GATEWAY_TIMEOUT
    return False


def retry_after_of(error: EvolinkError) -> float | None:
    """The server's requested wait, if the error carries one."""
    return error.retry_after if isinstance(error, EvolinkStatusError) else None
