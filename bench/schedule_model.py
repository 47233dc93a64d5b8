"""The poll schedule, modelled offline: status checks and added latency per task.

    python -m bench.schedule_model

Task times are drawn as Evolink's `estimated_time` (E) times a uniform 0.5-2 (what the
benchmark's fake draws too). For each kind (images E = 30 s, videos E = 120 s) it prints,
beside Evolink's own 5 s poller (DIGEST §10): checks per task and the added latency
(from the task's end to the check that sees it) at p50/p95, for a few intervals of
bot/jobs/schedule.py's shape. INTERVAL was picked here: the largest that keeps the p95
under 0.7x the 5 s poller's with room for HTTP and loop delays (docs/performance.md).
`naive_poller` and `bot_schedule` are also used by bench/jobs.py on the run's real timings.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass

from bot.jobs import schedule

NAIVE_INTERVAL = 5.0
KINDS = {"image": 30.0, "video": 120.0}
LOW, HIGH = 0.5, 2.0


@dataclass(frozen=True, slots=True)
class Outcome:
    checks: int
    latency: float


def naive_poller(duration: float, interval: float = NAIVE_INTERVAL) -> Outcome:
    """A check every `interval` from submission: Evolink's quickstart loop."""
    checks = max(1, math.ceil(duration / interval))
    return Outcome(checks, checks * interval - duration)


def bot_schedule(
    duration: float,
    estimated: float,
    *,
    video: bool,
    delay: Callable[..., float] = schedule.next_poll_delay,
    rand: Callable[[], float] = random.random,
) -> Outcome:
    """The bot's schedule (with its jitter) on one task that ends after `duration`."""
    now, checks = 0.0, 0
    while True:
        now += schedule.jittered(delay(now, estimated, video=video), rand())
        checks += 1
        if now >= duration:
            return Outcome(checks, now - duration)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def _interval_schedule(interval: float) -> Callable[..., float]:
    def delay(elapsed: float, estimated: float, *, video: bool) -> float:
        base = schedule.next_poll_delay(elapsed, estimated, video=video)
        return interval if base == schedule.INTERVAL else base - schedule.INTERVAL + interval

    return delay


def main() -> None:
    rng = random.Random(12)
    print("kind   E     schedule     checks/task  p50 lat  p95 lat  checks vs 5 s  p95 vs 5 s")
    for kind, estimated in KINDS.items():
        durations = [estimated * rng.uniform(LOW, HIGH) for _ in range(20_000)]
        naive = [naive_poller(d) for d in durations]
        n_checks = sum(o.checks for o in naive) / len(naive)
        n_p95 = percentile([o.latency for o in naive], 0.95)
        print(
            f"{kind:6} {estimated:4.0f}  naive 5 s    {n_checks:10.2f}  "
            f"{percentile([o.latency for o in naive], 0.5):7.2f}  {n_p95:7.2f}"
        )
        for interval in (2.5, 3.0, 3.1, 3.2, 3.5, 4.0):
            delay = _interval_schedule(interval)
            ours = [
                bot_schedule(d, estimated, video=kind == "video", delay=delay, rand=rng.random)
                for d in durations
            ]
            checks = sum(o.checks for o in ours) / len(ours)
            p95 = percentile([o.latency for o in ours], 0.95)
            print(
                f"{kind:6} {estimated:4.0f}  every {interval:3.1f} s  {checks:10.2f}  "
                f"{percentile([o.latency for o in ours], 0.5):7.2f}  {p95:7.2f}  "
                f"{checks / n_checks:13.2f}  {p95 / n_p95:10.2f}"
            )


if __name__ == "__main__":
    main()
