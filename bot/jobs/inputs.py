"""Getting a job's photos from Telegram to Evolink without ever handing out the bot token.

Telegram's file URLs contain the token, so the bot downloads each photo itself, prepares it
for the model (scale, flatten, re-encode) and uploads the bytes to Evolink's file service.
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Final

from telegram import Bot
from telegram.constants import FileSizeLimit
from telegram.error import BadRequest, NetworkError

from bot.evolink.client import EvolinkClient
from bot.images import ImageRejected, PreparedImage, prepare_image
from bot.jobs.failures import Failure
from bot.models import registry
from bot.retry import RetryPolicy
from storage.models import InputImage, Job

# What Telegram lets a bot download, in bytes (decimal megabytes, as PTB states it).
TELEGRAM_DOWNLOAD_LIMIT: Final = int(FileSizeLimit.FILESIZE_DOWNLOAD)
# Two more tries, about 1 s and 2 s apart: a moment's trouble reaching Telegram passes.
DOWNLOAD_RETRY = RetryPolicy(max_retries=2, base_delay=1.0, max_delay=3.0)
log = logging.getLogger(__name__)
# Photos are prepared two at a time, whatever the job count: it bounds CPU and memory.
_PREPARING = ThreadPoolExecutor(max_workers=2, thread_name_prefix="prepare-image")


async def download_from_telegram(
    bot: Bot, image: InputImage, index: int, retry: RetryPolicy = DOWNLOAD_RETRY
) -> bytes:
    """Photo `index` (1-based, for messages) as bytes; network faults are tried again."""
    if image.file_size and image.file_size > TELEGRAM_DOWNLOAD_LIMIT:
        raise too_big(image.file_size, index)

    def note(error: Exception, attempt: int, delay: float) -> None:
        log.warning(
            "downloading input %d failed (retry %d in %.1f s): %s", index, attempt, delay, error
        )

    try:
        return await retry.run(
            partial(_download_once, bot, image, index),
            retry_on=lambda error: isinstance(error, NetworkError),
            on_retry=note,
        )
    except NetworkError as error:
        raise Failure("err_retry_later", "telegram_unreachable") from error


async def _download_once(bot: Bot, image: InputImage, index: int) -> bytes:
    """One attempt; a refusal (not a network fault) ends the job at once."""
    try:
        file = await bot.get_file(image.file_id)
        return bytes(await file.download_as_bytearray())
    except BadRequest as error:
        if "too big" in str(error).lower():
            raise too_big(image.file_size or TELEGRAM_DOWNLOAD_LIMIT + 1, index) from error
        raise Failure("photo_gone", "input_unavailable") from error


async def upload_inputs(
    bot: Bot, client: EvolinkClient, job: Job, retry: RetryPolicy = DOWNLOAD_RETRY
) -> list[str]:
    """Download, prepare and upload every input; returns the Evolink file URLs in order.

    Every input is checked before the first upload: a job refused for its third photo must
    not have spent the operator's Evolink file quota on the first two."""
    prepared: list[PreparedImage] = []
    for index, image in enumerate(job.inputs, start=1):
        data = await download_from_telegram(bot, image, index, retry)
        try:
            prepared.append(await _prepare_off_loop(data, job.model, index))
        except ImageRejected as rejected:
            raise Failure(
                rejected.key, "input_rejected", params=tuple(rejected.params.items())
            ) from rejected
    urls: list[str] = []
    for ready in prepared:
        uploaded = await client.upload_file(
            ready.data, filename=ready.filename, mime_type=ready.mime_type
        )
        urls.append(uploaded.file_url)
    return urls


async def _prepare_off_loop(data: bytes, model: str, index: int) -> PreparedImage:
    """Decode, scale and re-encode in a worker thread: a large photo takes seconds of CPU,
    which on the event loop would hold up every other chat."""
    work = partial(
        prepare_image, data, model, index=index, model_label=registry.by_name(model).label
    )
    return await asyncio.get_running_loop().run_in_executor(_PREPARING, work)


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
