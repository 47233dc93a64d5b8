"""Liveness for containers: the running bot touches a heartbeat file, `python -m bot.health`
checks it (the Dockerfile's HEALTHCHECK).

The file is `heartbeat` beside the database, on the volume the bot already writes. A fresh file
means the bot's event loop is turning; a stale or missing one means it hangs or is not running,
and Docker marks the container unhealthy. The check reads DATABASE_PATH the way the bot does
(environment, then `.env`) but needs none of the other settings, so it cannot fail for them.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import time
from pathlib import Path

from pydantic_settings import BaseSettings

from bot.clock import stop_task
from bot.config import Settings

log = logging.getLogger(__name__)

FILE_NAME = "heartbeat"
INTERVAL = 30.0  # seconds between touches
MAX_AGE = 120.0  # older than this: unhealthy (four missed beats, not one slow one)


def heartbeat_path(database_path: Path) -> Path:
    return database_path.parent / FILE_NAME


class Heartbeat:
    """Touches the heartbeat file every `interval` seconds between `start()` and `stop()`."""

    def __init__(self, path: Path, interval: float = INTERVAL) -> None:
        self.path = path
        self.interval = interval
        self.written = asyncio.Event()  # set after each touch (tests wait on it)
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._beat(), name="heartbeat")

    async def stop(self) -> None:
        """Stop beating and remove the file: a stopped bot is not a healthy one."""
        if self._task is None:
            return
        await stop_task(self._task)
        self._task = None
        self.path.unlink(missing_ok=True)

    async def beat(self) -> bool:
        """Touch the file once; a failure is logged, never raised (the bot runs on)."""
        try:
            await asyncio.to_thread(self.path.touch)
        except OSError as error:  # a full disk must not stop the bot, only its health
            log.warning("heartbeat not written to %s: %s", self.path, error)
            return False
        self.written.set()
        return True

    async def _beat(self) -> None:
        while True:
            await self.beat()
            await asyncio.sleep(self.interval)


class _Where(BaseSettings):
    """Only DATABASE_PATH, read from the same sources as the bot's settings."""

    model_config = Settings.model_config
    database_path: Path = Settings.model_fields["database_path"].default


def check(path: Path, now: float, max_age: float = MAX_AGE) -> tuple[bool, str]:
    """(healthy, one line saying why) for the heartbeat file at `path`."""
    try:
        age = now - path.stat().st_mtime
    except FileNotFoundError:
        # The bot writes its first beat only once Telegram answered (it may still be retrying).
        return False, (
            f"unhealthy: no heartbeat yet ({path}): the bot is not running, "
            "or has not reached Telegram yet"
        )
    if age > max_age:
        return False, f"unhealthy: heartbeat {age:.0f} s old (limit {max_age:.0f} s)"
    return True, f"healthy: heartbeat {age:.0f} s old"


def main() -> int:
    healthy, why = check(heartbeat_path(_Where().database_path), time.time())
    print(why)
    return 0 if healthy else 1


if __name__ == "__main__":
    sys.exit(main())
