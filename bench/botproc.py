"""The bot process the benchmark starts: `python -m bot` with task times shrunk.

Settings come from the environment like `python -m bot`; BENCH_TIME_SCALE (default 1)
shrinks the poll schedule and widens the status-check budget by the same factor, so a run
at TIME_SCALE=0.1 behaves like a real one ten times faster on Evolink's side. Telegram's
limits are never scaled. BENCH_CHECK_RATE overrides the check budget (the load phase keeps
production's: Evolink's rate limit does not shrink with task times).
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys

from bot.app import Tuning, run_bot
from bot.config import load_settings
from bot.jobs.tracking import CHECK_RATE
from bot.logs import configure_logging


async def _main() -> None:
    settings = load_settings()
    configure_logging(settings.log_level, [settings.telegram_bot_token.get_secret_value()])
    scale = float(os.environ.get("BENCH_TIME_SCALE", "1"))
    check_rate = float(os.environ.get("BENCH_CHECK_RATE", str(CHECK_RATE / scale)))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await run_bot(settings, stop, Tuning(poll_scale=scale, check_rate=check_rate))


def _profiled(path: str) -> None:
    """BENCH_PROFILE=<file>: the whole run under cProfile (for finding where CPU goes)."""
    import cProfile

    cProfile.run("asyncio.run(_main())", path)


if __name__ == "__main__":
    if os.environ.get("BENCH_PROFILE"):
        _profiled(os.environ["BENCH_PROFILE"])
    else:
        asyncio.run(_main())
    sys.exit(0)
