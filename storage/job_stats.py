"""What `/stats` shows for a period, worked out from the period's job records."""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from storage.models import Job

TOP_USERS = 5


@dataclass(slots=True)
class Stats:
    """What `/stats` shows for a period."""

    jobs_by_model_state: dict[tuple[str, str], int] = field(default_factory=dict)
    credits_used: int = 0
    failure_rate: float | None = None
    median_seconds: float | None = None
    top_users: list[tuple[int, str | None, int, int]] = field(default_factory=list)
    per_day: dict[str, dict[str, int]] = field(default_factory=dict)


def summarize(
    jobs: Sequence[Job], day_of: Callable[[float], str]
) -> tuple[Stats, list[tuple[int, int, int]]]:
    """The period's figures, and its top users as (user id, jobs, credits charged)."""
    stats = Stats()
    durations: list[float] = []
    per_user: dict[int, list[int]] = {}
    for job in jobs:
        key = (job.model, job.state)
        stats.jobs_by_model_state[key] = stats.jobs_by_model_state.get(key, 0) + 1
        stats.credits_used += job.charged
        day = stats.per_day.setdefault(day_of(job.created_at), {})
        day[job.state] = day.get(job.state, 0) + 1
        entry = per_user.setdefault(job.user_id, [0, 0])
        entry[0] += 1
        entry[1] += job.charged
        if job.state == "done" and job.finished_at is not None:
            durations.append(job.finished_at - job.created_at)
    finished = sum(1 for j in jobs if j.state in ("done", "failed"))
    failed = sum(1 for j in jobs if j.state == "failed")
    stats.failure_rate = failed / finished if finished else None
    stats.median_seconds = statistics.median(durations) if durations else None
    top = sorted(per_user.items(), key=lambda kv: (-kv[1][1], -kv[1][0]))[:TOP_USERS]
    return stats, [(user_id, count, charged) for user_id, (count, charged) in top]
