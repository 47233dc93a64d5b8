"""Reaching Telegram at start-up (PRODUCT.md §8).

A token Telegram rejects stops the bot with one plain line that never contains the token
(python-telegram-bot's own `InvalidToken` message does). An unreachable Telegram - a wrong
`TELEGRAM_API_URL`, a proxy that is down, no network yet - is retried with capped backoff,
one log line per attempt, until it answers or the bot is told to stop. A database folder
that cannot be made or written is a configuration error, found before anything starts.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from telegram import Bot
from telegram.error import BadRequest, InvalidToken, NetworkError, RetryAfter

from bot.clock import wait_event

log = logging.getLogger(__name__)

PTB_REQUEST_LOGGER = "telegram.request.BaseRequest"


class TokenRejected(Exception):
    """Telegram answered getMe with 401 or 404. The message is safe to print."""

    def __init__(self, api_url: str) -> None:
        super().__init__(
            f"Telegram rejected TELEGRAM_BOT_TOKEN (getMe at {api_url} refused it): "
            "copy the token @BotFather gave you into .env, and check TELEGRAM_API_URL "
            "if you changed it."
        )


@dataclass(frozen=True, slots=True)
class Backoff:
    """Delays between attempts: first, first*factor, ... never more than `cap` seconds."""

    first: float = 1.0
    factor: float = 2.0
    cap: float = 30.0

    def delays(self) -> Iterator[float]:
        delay = self.first
        while True:
            yield delay
            delay = min(delay * self.factor, self.cap)


async def connect(bot: Bot, api_url: str, stop: asyncio.Event, backoff: Backoff) -> bool:
    """Initialise `bot` (its getMe); False when `stop` was set before Telegram answered."""
    for attempt, delay in enumerate(backoff.delays(), start=1):
        try:
            with _quiet_request_errors():
                await bot.initialize()
            return True
        except InvalidToken:
            # `from None`: the original message carries the token in clear.
            raise TokenRejected(api_url) from None
        except BadRequest:
            raise  # Telegram answered; retrying the same request cannot help
        except (NetworkError, RetryAfter) as error:
            log.warning(
                "Telegram at %s is unreachable (attempt %d: %s); retrying in %.0f s",
                api_url,
                attempt,
                error.message,
                delay,
            )
        if await wait_event(stop, delay):  # a stop while waiting ends the run
            return False
    return False  # unreachable: delays() never ends


class _NoErrors(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno < logging.ERROR


@contextlib.contextmanager
def _quiet_request_errors() -> Iterator[None]:
    """PTB logs a traceback when an answer is not JSON (a wrong URL's 404 page, a proxy's
    error page); the exception that follows gets our own one line, so the traceback goes."""
    logger = logging.getLogger(PTB_REQUEST_LOGGER)
    quiet = _NoErrors()
    logger.addFilter(quiet)
    try:
        yield
    finally:
        logger.removeFilter(quiet)


def database_folder_problem(database: Path) -> str | None:
    """None when the folder of `database` exists (or can be made) and can be written to,
    else one line naming DATABASE_PATH (SQLite also writes its journal files beside it)."""
    folder = database.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as error:
        reason = error.strerror or type(error).__name__
        return (
            f"configuration error: DATABASE_PATH={database} cannot be used: its folder "
            f"{folder} cannot be created or written ({reason}). Point DATABASE_PATH at a "
            "file in a writable folder (in Docker: /data/bot.sqlite3)."
        )
    return None
