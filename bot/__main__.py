"""`python -m bot`: load settings, set up logging, run until SIGINT/SIGTERM."""

from __future__ import annotations

import asyncio
import signal

from bot.app import run_bot
from bot.config import load_settings
from bot.logs import configure_logging


async def _main() -> None:
    settings = load_settings()
    configure_logging(
        settings.log_level,
        [
            settings.telegram_bot_token.get_secret_value(),
            settings.evolink_api_key.get_secret_value(),
        ],
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await run_bot(settings, stop)


def main() -> None:
    asyncio.run(_main())


if __name__ == "__main__":
    main()
