"""When to ask Evolink about a task next: never while it cannot be done, steadily while it
may be, and only as a safety net when Evolink calls back.

Evolink reports `estimated_time` (E); tasks finish between about 0.5 E and 2 E (what we see,
and what the benchmark draws from). A check before 0.5 E only shows progress, so the first
comes one interval after 0.5 E and then one every INTERVAL until 2 E: a finished task is
noticed within INTERVAL. Past 2 E the estimate was wrong and the interval grows slowly.
`bench/schedule_model.py` models this over the 0.5x-2x distribution against Evolink's own
5 s poller and picked the numbers (docs/performance.md): INTERVAL 3.1 s gives a p95 added
latency of ~2.95 s (the 5 s poller: 4.75 s, so 0.62x) with 0.97x its checks at E = 30 s and
E = 120 s. 3.2 s modelled 0.64x but measured 0.70x at TIME_SCALE=0.1, where the bot's real
delays (HTTP, the loop) weigh ten times more in task seconds; 3.1 s keeps that margin.

With callbacks on, Evolink tells us when a task ends, so polling is only the net for a lost
callback: once at max(2 E, 30 s), then every minute.
"""

from __future__ import annotations

from typing import Final

START: Final = 0.5  # no check before this share of the estimate
INTERVAL: Final = 3.1  # seconds between checks while the task may finish
LATE_GROWTH: Final = 0.1  # past 2 E, each interval grows by this share of the overrun
MAX_INTERVAL: Final = 15.0
JITTER: Final = 0.05  # +-5%: tasks submitted together do not check together
SAFETY_FIRST: Final = 30.0  # callbacks on: the first net check, at the earliest
SAFETY_INTERVAL: Final = 60.0  # and then every minute
IMAGE_ESTIMATE: Final = 30.0  # Evolink's typical times when a task gives none (DIGEST §10)
VIDEO_ESTIMATE: Final = 180.0


def _estimate(estimated: float | None, video: bool) -> float:
    if estimated is None or estimated <= 0:
        return VIDEO_ESTIMATE if video else IMAGE_ESTIMATE
    return estimated


def next_poll_delay(elapsed: float, estimated: float | None, *, video: bool = False) -> float:
    """Seconds from now (`elapsed` after submission) to the next status check."""
    estimate = _estimate(estimated, video)
    start = START * estimate
    if elapsed < start:
        return start - elapsed + INTERVAL
    overrun = elapsed - 2 * estimate
    if overrun <= 0:
        return INTERVAL
    return min(MAX_INTERVAL, INTERVAL + overrun * LATE_GROWTH)


def next_safety_delay(elapsed: float, estimated: float | None, *, video: bool = False) -> float:
    """Callbacks on: seconds to the next check in case the callback never comes."""
    first = max(2 * _estimate(estimated, video), SAFETY_FIRST)
    if elapsed < first:
        return first - elapsed
    return SAFETY_INTERVAL


def jittered(delay: float, unit: float) -> float:
    """`delay` moved by up to +-JITTER; `unit` is a uniform draw in [0, 1)."""
    return delay * (1 + JITTER * (2 * unit - 1))
