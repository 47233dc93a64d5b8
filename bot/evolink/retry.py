"""Which Evolink failures deserve another attempt (PRODUCT §7); the waiting is `RetryPolicy`'s."""

from __future__ import annotations

from bot.evolink.errors import (
    EvolinkConnectionError,
    EvolinkError,
    EvolinkStatusError,
    RateLimitError,
    ServerError,
)
from bot.retry import RetryPolicy

_GATEWAY_TIMEOUT = 504


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


__all__ = ["RetryPolicy", "retry_after_of", "should_retry"]
