"""Pictures with a command caption: one photo starts a job at once, an album when it is quiet.

Album items arrive as separate updates, the command's caption on one of them, and Telegram
counts each update delivered once fetched. So every item is remembered in SQLite, the
command waits there too (storage/albums.py), and each item re-arms a short timer. When the
album has been quiet for `album_debounce` it is claimed once and its job started with every
item seen; after a restart, every album still waiting is finished the same way.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from telegram import Bot, Message, Update
from telegram.ext import Application, JobQueue, MessageHandler, filters

from bot.messages import t
from bot.parsing import split_command
from bot.services import Context, Services, services_of
from handlers import conversation
from handlers.common import reply_to
from handlers.generation import GENERATION_COMMANDS, images_in, start_generation
from storage.albums import AlbumCommand, PendingAlbum

log = logging.getLogger(__name__)


async def on_media(update: Update, context: Context) -> None:
    """Every photo/image file: remembered (for later replies); a command caption starts a job."""
    message = update.message
    if message is None or message.from_user is None:
        return
    services = services_of(context)
    images = images_in(message)
    if not images:
        return
    await services.storage.media.remember(
        message.chat_id, message.message_id, message.media_group_id, images[0]
    )
    parsed = split_command(message.caption or "", context.bot.username)
    is_generation = parsed is not None and parsed[0] in GENERATION_COMMANDS
    if message.media_group_id and is_generation:
        await services.storage.questions.album_has_command(message.chat_id, message.media_group_id)
    if message.media_group_id:
        await collect_album(context, message, parsed if is_generation else None)
    elif parsed is not None and is_generation:
        await start_generation(
            services, context.bot, message, message.from_user, parsed[0], parsed[1], images
        )
    if not is_generation:  # no command of ours: never silent in private (§4a)
        await conversation.on_picture(context, message, images, parsed[0] if parsed else None)


async def on_other_caption(update: Update, context: Context) -> None:
    """A command captioning something that is not a picture (a PDF, a video).

    Answered like the command without a photo, never with silence (PRODUCT §7); in an album,
    the album's pictures are used as if the caption were on one of them.
    """
    message = update.message
    if message is None or message.from_user is None:
        return
    parsed = split_command(message.caption or "", context.bot.username)
    if parsed is None or parsed[0] not in GENERATION_COMMANDS:
        await conversation.on_unusable(update, context)  # never silent in private (§4a)
        return
    if message.media_group_id:
        await collect_album(context, message, parsed)
        return
    await start_generation(
        services_of(context), context.bot, message, message.from_user, parsed[0], parsed[1], []
    )


async def collect_album(
    context: Context, message: Message, parsed: tuple[str, str] | None
) -> None:
    """Write the command (if this item has it) and re-arm the album's quiet timer."""
    services = services_of(context)
    group = message.media_group_id
    assert group is not None and message.from_user is not None
    quiet_for = services.album_debounce
    if parsed is not None:
        command = AlbumCommand(
            chat_id=message.chat_id,
            media_group_id=group,
            user_id=message.from_user.id,
            request_message_id=message.message_id,
            language=message.from_user.language_code,
            command=parsed[0],
            args=parsed[1],
            message=json.dumps(message.to_dict()),
        )
        if not await services.storage.albums.expect(command, quiet_for):
            # Never silence (PRODUCT §7): a second command in one album is answered too.
            lang = message.from_user.language_code
            await reply_to(
                context.bot, message.chat_id, message.message_id, t("album_one_command", lang)
            )
    elif not await services.storage.albums.item_arrived(message.chat_id, group, quiet_for):
        return  # an album without a command: remembered for replies, nothing to do now
    _arm(context.job_queue, message.chat_id, group, quiet_for)


def _arm(job_queue: JobQueue[Any] | None, chat_id: int, group: str, delay: float) -> None:
    assert job_queue is not None
    name = f"album:{chat_id}:{group}"
    for scheduled in job_queue.get_jobs_by_name(name):
        scheduled.schedule_removal()
    job_queue.run_once(_album_quiet, delay, data=(chat_id, group), name=name)


async def _album_quiet(context: Context) -> None:
    assert context.job is not None and isinstance(context.job.data, tuple)
    chat_id, group = context.job.data
    services = services_of(context)
    album = await services.storage.albums.claim(chat_id, group)
    if album is not None:  # else taken already: by an earlier timer, or before a restart
        await _start(services, context.bot, album)


async def _start(services: Services, bot: Bot, album: PendingAlbum) -> None:
    request = album.request
    try:
        message = Message.de_json(json.loads(request.message), bot)
        assert message is not None and message.from_user is not None
        images = await services.storage.media.album(request.chat_id, request.media_group_id)
        await start_generation(
            services, bot, message, message.from_user, request.command, request.args, images
        )
    except Exception:
        log.exception("album %s could not be started", request.media_group_id)
        if not await services.storage.albums.job_started(request):
            await _apologise(bot, request)
    await services.storage.albums.handed_over(request.chat_id, request.media_group_id)


async def _apologise(bot: Bot, request: AlbumCommand) -> None:
    """The request is answered even when its job could not be started (PRODUCT §7)."""
    text = t("err_internal", request.language)
    try:
        await reply_to(bot, request.chat_id, request.request_message_id, text)
    except Exception:
        log.exception("could not answer album %s either", request.media_group_id)


async def _resume(context: Context) -> None:
    """After a restart: every album still waiting goes quiet within one debounce."""
    services = services_of(context)
    for request, seconds_left in await services.storage.albums.reopen_after_restart():
        delay = min(seconds_left, services.album_debounce)
        _arm(context.job_queue, request.chat_id, request.media_group_id, delay)


def register(application: Application) -> None:
    only_new = filters.UpdateType.MESSAGE  # an edited caption must not start a second job
    pictures = filters.PHOTO | filters.Document.IMAGE
    application.add_handler(MessageHandler(only_new & pictures, on_media))
    application.add_handler(
        MessageHandler(only_new & filters.CAPTION & ~pictures, on_other_caption)
    )
    assert application.job_queue is not None
    application.job_queue.run_once(_resume, 0, name="albums:resume")
