"""End-to-end harness: the real bot wiring (`run_bot`) against both fake servers.

Both sides are sped up the same way: the fake Telegram enforces looser flood limits and the
bot's own limiter is loosened to match; status edits, polls and retries are shortened.
Every test ends by asserting that neither fake saw a call a real server would refuse, that
no call went inside a retry_after window Telegram announced, and that the bot token never
reached Evolink.
"""

from __future__ import annotations

import asyncio
import io
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from bot.app import Tuning, run_bot
from bot.config import Settings
from bot.evolink.retry import RetryPolicy
from bot.ratelimit import FloodLimits as BotFloodLimits
from tests.fakes.evolink import FakeEvolink
from tests.fakes.telegram import FakeTelegram, FloodLimits, RetryAfterWindows

TOKEN = "123456:TEST-TOKEN-abcdefghijklmnop"
KEY = "test-evolink-key"
BOT_USERNAME = "evolink_test_bot"
ADMIN_ID = 9000


def png(width: int, height: int, colour: tuple[int, int, int] = (40, 120, 200)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, "PNG")
    return buffer.getvalue()


def jpeg(width: int, height: int, colour: tuple[int, int, int] = (200, 80, 40)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


async def no_sleep(_: float) -> None:
    await asyncio.sleep(0)


FAST_TUNING = Tuning(
    flood=BotFloodLimits(
        overall_per_second=200, per_chat_per_second=50, group_per_minute=3000, max_retries=3
    ),
    status_private_interval=0.2,
    status_group_interval=0.4,
    retry=RetryPolicy(base_delay=0.01, max_delay=0.05, sleep=no_sleep),
    poll_timeout=1,
    poll_scale=0.05,
    delivery_retry=RetryPolicy(max_retries=2, base_delay=0.05, max_delay=0.05),
    download_retry=RetryPolicy(max_retries=2, base_delay=0.05, max_delay=0.05),
)


@dataclass
class RunningBot:
    settings: Settings
    stop: asyncio.Event
    task: asyncio.Task[None]

    async def shutdown(self) -> None:
        self.stop.set()
        await asyncio.wait_for(self.task, 20)


@dataclass
class Harness:
    tg: FakeTelegram
    evo: FakeEvolink
    tmp_path: Path
    bots: list[RunningBot] = field(default_factory=list)

    def settings(self, **overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "telegram_bot_token": TOKEN,
            "evolink_api_key": KEY,
            "telegram_api_url": self.tg.url,
            "evolink_api_url": self.evo.url,
            "evolink_files_url": self.evo.url,
            "database_path": self.tmp_path / "bot.sqlite3",
            "admin_ids": str(ADMIN_ID),
            "album_debounce_seconds": 0.3,
            "image_timeout_seconds": 60,
            "video_timeout_seconds": 60,
            # Scripted users send bursts no person would; tests of fair use set their own.
            "user_command_burst": 1000,
        }
        values.update(overrides)
        return Settings(_env_file=None, **values)

    async def start(self, tuning: Tuning = FAST_TUNING, **overrides: Any) -> RunningBot:
        settings = self.settings(**overrides)
        stop = asyncio.Event()

        webhooks = len(self.tg.calls_to("setWebhook"))
        task = asyncio.create_task(run_bot(settings, stop, tuning))
        running = RunningBot(settings, stop, task)
        self.bots.append(running)
        # Ready once a long poll is waiting (not when it ends: that costs a poll timeout)
        # or a webhook was registered.
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 15
        while not (
            task.done()
            or self.tg.updates.polling
            or len(self.tg.calls_to("setWebhook")) > webhooks
        ):
            if loop.time() > deadline:
                raise TimeoutError("the bot did not start receiving updates within 15 s")
            await asyncio.sleep(0.01)
        if task.done():
            task.result()  # surfaces the start-up error
        return running

    async def stop_all(self) -> None:
        for running in self.bots:
            if not running.task.done():
                await running.shutdown()
        self.bots.clear()

    def ledger(self, user_id: int) -> list[tuple[str, int]]:
        """The user's ledger rows (kind, amount), without the daily resets."""
        with sqlite3.connect(self.tmp_path / "bot.sqlite3") as db:
            rows = db.execute(
                "SELECT kind, amount FROM ledger WHERE user_id = ? AND kind != 'daily_reset'"
                " ORDER BY id",
                (user_id,),
            ).fetchall()
        return [(kind, amount) for kind, amount in rows]

    async def reply_in(
        self, chat_id: int, predicate: Callable[[dict[str, Any]], bool], timeout: float = 15
    ) -> dict[str, Any]:
        """Wait for a bot message in `chat_id` (current state, edits applied) matching."""
        found: list[dict[str, Any]] = []

        def check() -> bool:
            for message in self.tg.bot_messages(chat_id):
                if predicate(message):
                    found.append(message)
                    return True
            return False

        await self.tg.wait_for(check, timeout)
        return found[0]


@pytest.fixture
async def harness(tmp_path: Path) -> AsyncIterator[Harness]:
    tg = FakeTelegram(token=TOKEN, bot_username=BOT_USERNAME)
    tg.flood = FloodLimits(
        enabled=True,
        per_chat_per_second=60,
        per_chat_burst=60,
        group_per_minute=4000,
        global_per_second=300,
    )
    # Calls already on their way when a 429 was answered could not obey it.
    tg.retry_windows = RetryAfterWindows(grace=0.2)
    evo = FakeEvolink(api_key=KEY)
    evo.forbidden_substrings.append(TOKEN)
    await tg.start()
    await evo.start()
    h = Harness(tg, evo, tmp_path)
    try:
        yield h
    finally:
        await h.stop_all()
        await evo.stop()
        await tg.stop()
    assert tg.violations == [], tg.violations
    assert evo.violations == [], evo.violations
    assert tg.calls_inside_retry_after == 0, tg.describe("calls inside retry_after windows")


Waiter = Callable[..., Awaitable[dict[str, Any]]]
