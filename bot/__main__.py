"""`python -m bot`: load settings, set up logging, run until SIGINT/SIGTERM.

Every way out is explained without a traceback on stderr or a secret in it: a bad
configuration (an unusable DATABASE_PATH folder included) and a rejected token give one
plain line (exit 2 and 1), anything unexpected goes through the redacting logger (exit 1),
a signal ends the run normally (exit 0).
"""

from __future__ import annotations

import asyncio
import logging
import signal
import sys

from bot.app import run_bot
from bot.config import Settings, load_settings
from bot.logs import configure_logging, redact
from bot.startup import TokenRejected, database_folder_problem

log = logging.getLogger("bot")


async def _main(settings: Settings) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await run_bot(settings, stop)


def main() -> int:
    settings = load_settings()
    secrets = [
        settings.telegram_bot_token.get_secret_value(),
        settings.evolink_api_key.get_secret_value(),
    ]
    problem = database_folder_problem(settings.database_path)
    if problem is not None:
        sys.stderr.write(redact(problem, secrets) + "\n")
        return 2
    configure_logging(settings.log_level, secrets)
    try:
        asyncio.run(_main(settings))
    except TokenRejected as rejected:
        # One write, so a DEBUG line from a finishing worker thread cannot split it.
        sys.stderr.write(f"{rejected}\n")
        return 1
    except KeyboardInterrupt:  # Ctrl-C before the signal handlers were in place
        return 130
    except Exception:
        # The formatter redacts the traceback too (a PTB error may quote the token).
        log.critical("the bot stopped on an unexpected error", exc_info=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
