"""One structured log line per job state change, and the matching metric.

`job_state job=12 user=1001 model=<name> state=running age=0.41 ran=0.02`:
key=value pairs an operator can grep or ship to a log store. Durations are seconds since
the job was accepted (`age`) and, once it reached Evolink, since submission (`ran`). Never
the prompt or anything secret: ids, the model and times only.
"""

from __future__ import annotations

import logging

from bot import metrics
from storage.models import Job

log = logging.getLogger("bot.jobs.state")


def log_state(job: Job, state: str, now: float, **extra: str) -> None:
    """The line for `job` entering `state`; `extra` adds key=value pairs (a failure's
    `reason`, what an accepted job reserved)."""
    metrics.JOB_STATES.labels(state=state).inc()
    fields = [
        f"job={job.id}",
        f"user={job.user_id}",
        f"model={job.model}",
        f"state={state}",
        f"age={now - job.created_at:.2f}",
    ]
    if job.submitted_at is not None:
        fields.append(f"ran={now - job.submitted_at:.2f}")
    fields += [f"{key}={value}" for key, value in extra.items()]
    log.info("job_state %s", " ".join(fields))
