"""Getting a job's photos from Telegram to Evolink without ever handing out the bot token.

Telegram's file URLs contain the token, so the bot downloads each photo itself, prepares it
for the model (scale, flatten, re-encode) and uploads the bytes to Evolink's file service.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Final

from telegram import Bot
from telegram.constants import FileSizeLimit
from telegram.error import BadRequest, NetworkError

from bot.evolink.client import EvolinkClient
from bot.images import ImageRejected, prepare_image
from bot.jobs.failures import Failure
from bot.models import registry
from storage.models import InputImage, Job

# What Telegram lets a bot download, in bytes (decimal megabytes, as PTB states it).
TELEGRAM_DOWNLOAD_LIMIT: Final = int(FileSizeLimit.FILESIZE_DOWNLOAD)
DOWNLOAD_RETRY_DELAYS = (1.0, 3.0)
log = logging.getLogger(__name__)


async def download_from_telegram(bot: Bot, image: InputImage, index: int) -> bytes:
    if image.file_size and image.file_size > TELEGRAM_DOWNLOAD_LIMIT:
        raise too_big(image.file_size, index)
    for attempt, pause in enumerate((*DOWNLOAD_RETRY_DELAYS, None)):
        try:
            file = await bot.get_file(image.file_id)
            return bytes(await file.download_as_bytearray())
        except BadRequest as error:
            if "too big" in str(error).lower():
                raise too_big(image.file_size or TELEGRAM_DOWNLOAD_LIMIT + 1, index) from error
            raise Failure("photo_gone", "input_unavailable") from error
        except NetworkError as error:  # a moment's trouble reaching Telegram: try again
            if pause is None:
                raise Failure("err_retry_later", "telegram_unreachable") from error
            log.warning("downloading input %d failed (attempt %d): %s", index, attempt + 1, error)
            await asyncio.sleep(pause)
    raise AssertionError("unreachable")


async def upload_inputs(bot: Bot, client: EvolinkClient, job: Job) -> list[str]:
    """Download, prepare and upload every input; returns the Evolink file URLs in order."""
    urls: list[str] = []
    for index, image in enumerate(job.inputs, start=1):
        data = await download_from_telegram(bot, image, index)
        try:
            prepared = prepare_image(
                data, job.model, index=index, model_label=registry.by_name(job.model).label
            )
        except ImageRejected as rejected:
            raise Failure(
                rejected.key, "input_rejected", params=tuple(rejected.params.items())
            ) from rejected
        uploaded = await client.upload_file(
            prepared.data, filename=prepared.filename, mime_type=prepared.mime_type
        )
        urls.append(uploaded.file_url)
    return urls


def too_big(size: int, index: int) -> Failure:
    """Photo `index` is over what Telegram lets a bot download."""
    return Failure(
        "photo_too_big",
        "input_too_big",
        params=(
            ("index", index),
            ("size_mb", round(size / 1e6, 1)),
            ("max_mb", TELEGRAM_DOWNLOAD_LIMIT // 1_000_000),
        ),
    )
