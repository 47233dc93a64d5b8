"""When to ask Evolink about a task next: little while it works, promptly near the end."""

from __future__ import annotations

FIRST_POLL = 2.0
MIN_INTERVAL = 1.5
MAX_INTERVAL = 15.0


def next_poll_delay(elapsed: float, estimated: float | None, *, video: bool = False) -> float:
    """Seconds to wait before the next status check.

    `elapsed` is the time since submission, `estimated` Evolink's `task_info.estimated_time`.
    Early on we check rarely (a quarter of what is left, so progress still moves in the status
    message); once the estimate is nearly used up, every couple of seconds; past it, we back
    off slowly because the estimate was wrong and the task may take a while.
    """
    if estimated is None or estimated <= 0:
        estimated = 180.0 if video else 30.0
    if elapsed < FIRST_POLL:
        return FIRST_POLL - elapsed if elapsed > 0 else FIRST_POLL
    remaining = estimated - elapsed
    if remaining > 0:
        return _clamp(remaining / 4)
    overdue = -remaining
    return _clamp(MIN_INTERVAL + overdue / 10)


def _clamp(value: float) -> float:
    return max(MIN_INTERVAL, min(MAX_INTERVAL, value))
