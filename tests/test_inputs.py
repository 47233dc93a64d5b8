"""Downloading a job's photos from Telegram: network faults are retried by `RetryPolicy`,
refusals end the job at once (bot/jobs/inputs.py).

The bot is a small stand-in (not our code) whose `get_file` fails as scripted; the policy's
sleep only records the delays, so nothing waits.
"""

from __future__ import annotations

import io
import threading
from typing import Any, cast

import pytest
from PIL import Image
from telegram import Bot
from telegram.error import BadRequest, NetworkError, TimedOut

from bot.evolink.retry import RetryPolicy
from bot.jobs import inputs
from bot.jobs.failures import Failure
from bot.jobs.inputs import DOWNLOAD_RETRY, download_from_telegram
from storage.models import InputImage

PHOTO = InputImage("file-1", file_size=1000)


class File:
    async def download_as_bytearray(self) -> bytearray:
        return bytearray(b"jpeg")


class ScriptedBot:
    """`get_file` raises the scripted errors in turn, then succeeds."""

    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.calls = 0

    async def get_file(self, file_id: str, **_: Any) -> File:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return File()


def as_bot(fake: ScriptedBot) -> Bot:
    return cast(Bot, fake)


class Sleeps(list[float]):
    async def __call__(self, seconds: float) -> None:
        self.append(seconds)


def policy(sleeps: Sleeps) -> RetryPolicy:
    return RetryPolicy(
        max_retries=DOWNLOAD_RETRY.max_retries,
        base_delay=DOWNLOAD_RETRY.base_delay,
        max_delay=DOWNLOAD_RETRY.max_delay,
        sleep=sleeps,
        rand=lambda: 0.0,
    )


async def test_network_faults_are_retried_with_the_policys_delays() -> None:
    sleeps = Sleeps()
    bot = ScriptedBot(NetworkError("reset"), TimedOut())
    data = await download_from_telegram(as_bot(bot), PHOTO, 1, policy(sleeps))
    assert data == b"jpeg"
    assert bot.calls == 3
    assert sleeps == [1.0, 2.0]


async def test_giving_up_after_the_last_retry_asks_to_try_later() -> None:
    sleeps = Sleeps()
    bot = ScriptedBot(*(NetworkError("down") for _ in range(5)))
    with pytest.raises(Failure) as failed:
        await download_from_telegram(as_bot(bot), PHOTO, 1, policy(sleeps))
    assert (failed.value.key, failed.value.code) == ("err_retry_later", "telegram_unreachable")
    assert bot.calls == DOWNLOAD_RETRY.max_retries + 1
    assert len(sleeps) == DOWNLOAD_RETRY.max_retries


@pytest.mark.parametrize(
    ("message", "key"),
    [("File is too big", "photo_too_big"), ("Wrong file_id specified", "photo_gone")],
)
async def test_a_refusal_is_not_retried(message: str, key: str) -> None:
    sleeps = Sleeps()
    bot = ScriptedBot(BadRequest(message))
    with pytest.raises(Failure) as failed:
        await download_from_telegram(as_bot(bot), PHOTO, 2, policy(sleeps))
    assert failed.value.key == key
    assert bot.calls == 1 and sleeps == []


async def test_photos_are_prepared_off_the_event_loop() -> None:
    """A large photo takes seconds of CPU: it is prepared in a worker thread, so the loop
    stays free for other chats meanwhile."""
    buffer = io.BytesIO()
    Image.new("RGB", (3000, 3000), (10, 120, 200)).save(buffer, "PNG")
    loop_thread = threading.get_ident()
    seen: list[int] = []
    original = inputs.prepare_image

    def recording(*args: Any, **kwargs: Any) -> Any:
        seen.append(threading.get_ident())
        return original(*args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(inputs, "prepare_image", recording)
        prepared = await inputs._prepare_off_loop(buffer.getvalue(), "wan2.5-image-to-image", 1)
    assert prepared.data
    assert seen and seen[0] != loop_thread
