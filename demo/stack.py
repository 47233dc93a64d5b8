"""The three pieces of a demo, started together on free loopback ports and stopped together."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from pydantic_settings import BaseSettings, PydanticBaseSettingsSource

from bot.app import Tuning, run_bot
from bot.config import Settings
from bot.logs import RedactingFormatter
from tests.fakes.evolink import FakeEvolink
from tests.fakes.telegram import FakeTelegram

# Fake credentials: the fakes accept exactly these, nothing real is ever needed.
TOKEN = "123456:DEMO-TOKEN-not-a-real-one"
KEY = "demo-evolink-key"
BOT_USERNAME = "evolink_demo_bot"
ADMIN_ID = 9000
TASK_SECONDS = 1.0  # how long the fake Evolink takes per task
# Production settings (flood limits included), except that task polls keep pace with the
# fake's one-second tasks.
DEMO_TUNING = Tuning(poll_scale=0.5)


@dataclass
class Stack:
    tg: FakeTelegram
    evo: FakeEvolink
    bot_task: asyncio.Task[None]


class _OnlyGiven(Settings):
    """Settings from the arguments alone: the caller's environment and `.env` (say
    `DAILY_CREDITS=3`, or real tokens) must not change what the demo shows."""

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings,)


def demo_settings(telegram_url: str, evolink_url: str, database: Path) -> Settings:
    """The demo's settings: these values, every other one at its default."""
    return _OnlyGiven(
        telegram_bot_token=TOKEN,
        evolink_api_key=KEY,
        telegram_api_url=telegram_url,
        evolink_api_url=evolink_url,
        evolink_files_url=evolink_url,
        database_path=database,
        admin_ids=str(ADMIN_ID),
        album_debounce_seconds=0.5,
        credit_packs="100:50,500:200",  # so the demo can buy credits with Telegram Stars
    )


def log_to(path: Path) -> None:
    """The bot's log goes to a file, so the terminal shows only the chat."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(path, mode="w", encoding="utf-8")
    handler.setFormatter(
        RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s", [TOKEN, KEY])
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)
    for noisy in ("httpx", "httpcore", "apscheduler", "aiohttp.access"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


async def _until_polling(tg: FakeTelegram, bot_task: asyncio.Task[None]) -> None:
    """Ready once the bot's first long poll waits (or it died trying: surface why)."""
    await tg.wait_for(lambda: tg.updates.polling or bot_task.done(), 30)
    if bot_task.done():
        bot_task.result()


@asynccontextmanager
async def running_stack(
    workdir: Path, tuning: Tuning = DEMO_TUNING, task_seconds: float = TASK_SECONDS
) -> AsyncIterator[Stack]:
    """Both fakes and the bot; the database lives in `workdir` (a temporary folder)."""
    tg = FakeTelegram(token=TOKEN, bot_username=BOT_USERNAME)
    evo = FakeEvolink(api_key=KEY)
    evo.task_duration = task_seconds
    await tg.start()
    await evo.start()
    stop = asyncio.Event()
    settings = demo_settings(tg.url, evo.url, workdir / "demo.sqlite3")
    bot_task = asyncio.create_task(run_bot(settings, stop, tuning))
    try:
        await _until_polling(tg, bot_task)
        yield Stack(tg, evo, bot_task)
    finally:
        stop.set()
        # A bot that does not stop in time is cancelled: the demo must always end.
        with contextlib.suppress(TimeoutError, asyncio.CancelledError):
            await asyncio.wait_for(bot_task, 20)
        await evo.stop()
        await tg.stop()
