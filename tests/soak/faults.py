"""The fault soak: the real wiring (`run_bot`, in this process, sped up like the end-to-end
tests) under random Evolink faults and random Telegram 429s, both from seeded RNGs.

Evolink: 20% of API and file-service calls get a 500, 502, 503, a 429, a timeout (held past
the client's read timeout, shortened here so a soak stays short) or a dropped connection,
before or after the work. Telegram: 10% of messages and edits get a 429 with retry_after 1,
and the fake counts every call that arrives inside a window it announced.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

import bot.evolink.client as evolink_client
from tests.e2e.conftest import KEY, TOKEN, Harness
from tests.fakes.evolink import RandomFaults
from tests.fakes.telegram import RandomFlood, RetryAfterWindows
from tests.soak.report import Report, judge
from tests.soak.scenario import all_settled, answered, fakes, plan, send

DAILY_CREDITS = 1000
IN_FLIGHT_GRACE = 0.5  # s after a 429 in which a call may already have been on its way
# (0.2 s was seen too short on a loaded 2-core machine; a bot that ignored the 1 s windows
# would still land calls in their second half: it edits status messages every 0.2 s here)
READ_TIMEOUT = 1.0  # the bot's Evolink read timeout during a soak (production: 60 s)


@contextlib.contextmanager
def short_evolink_timeout(seconds: float = READ_TIMEOUT) -> Iterator[None]:
    """A "timeout" fault must outlast the client's read timeout; 60 s would make a soak an
    hour long, so the client is built with a short one (restored afterwards)."""
    names = vars(evolink_client)  # the constant is Final to the product, not to a test
    saved = names["DEFAULT_TIMEOUT"]
    names["DEFAULT_TIMEOUT"] = httpx.Timeout(connect=5.0, read=seconds, write=10.0, pool=5.0)
    try:
        yield
    finally:
        names["DEFAULT_TIMEOUT"] = saved


async def run_fault_soak(
    workdir: Path,
    *,
    jobs: int = 60,
    seed: int = 1,
    evolink_rate: float = 0.2,
    telegram_rate: float = 0.1,
    settle: float = 60.0,
) -> Report:
    started = time.monotonic()
    tg, evo = fakes(TOKEN, KEY)
    tg.random_flood = RandomFlood(telegram_rate, seed=seed, retry_after=1)
    # A call that left the bot before the 429 reached it is not disobedience.
    tg.retry_windows = RetryAfterWindows(grace=IN_FLIGHT_GRACE)
    evo.random_faults = RandomFaults(evolink_rate, seed=seed, timeout_seconds=READ_TIMEOUT + 0.3)
    await tg.start()
    await evo.start()
    harness = Harness(tg, evo, workdir)
    specs = plan(jobs, max(4, jobs // 3), seed)
    db_path = workdir / "bot.sqlite3"
    try:
        with short_evolink_timeout():
            await harness.start(
                daily_credits=DAILY_CREDITS,
                max_active_per_user=3,
                max_active_total=100,
                max_queued_per_user=100,
            )
            for spec in specs:
                send(tg, spec)
            with contextlib.suppress(TimeoutError):
                await tg.wait_for(lambda: answered(tg, specs), settle)
                await tg.wait_for(lambda: all_settled(tg, db_path, specs), settle)
            await harness.stop_all()
    finally:
        await evo.stop()
        await tg.stop()
    # No kill here: no duplicate is excused.
    report = judge(tg, evo, db_path, specs, DAILY_CREDITS * 100, interrupted=set())
    report.seconds = time.monotonic() - started
    report.notes.append(f"Evolink faults injected: {dict(evo.random_faults.counts)}")
    report.notes.append(f"Telegram 429s: {len(tg.flood_hits)}")
    return report
