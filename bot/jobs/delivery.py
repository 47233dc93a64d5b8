"""Sending finished results to the chat: photo, album, video, document or link.

Result links expire after 24 h, so results are downloaded and uploaded to Telegram at once.
Anything over Telegram's photo limits goes as a document; past 50 MB, as a link. Each send
is one message (or one album) so the caller can record it before the next (handover.py).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Final

from telegram import (
    Bot,
    InputMediaDocument,
    InputMediaPhoto,
    Message,
    MessageEntity,
    ReplyParameters,
    User,
)
from telegram.constants import ChatAction, FileSizeLimit, MessageLimit
from telegram.error import BadRequest, TelegramError

from bot.evolink.client import EvolinkClient
from bot.evolink.errors import EvolinkError, ResultTooLargeError
from bot.images import image_size
from bot.jobs.keyboards import result_keyboard
from bot.messages import t
from bot.mp4 import probe
from bot.parsing import TYPED_OPTION
from bot.texts import shortened
from storage.models import Delivered, Job

log = logging.getLogger(__name__)

UPLOAD_LIMIT: Final = int(FileSizeLimit.FILESIZE_UPLOAD)  # past it, a result goes as a link
PHOTO_LIMIT: Final = int(FileSizeLimit.PHOTOSIZE_UPLOAD)  # past it, a picture goes as a file
PHOTO_MAX_SIDES = 10000
PHOTO_MAX_RATIO = 20
CAPTION_LIMIT: Final = int(MessageLimit.CAPTION_LENGTH)
# An upload smaller than this takes well under a second: a "sending a photo…" header would
# cost a Bot API call and be gone before anyone saw it.
UPLOAD_NOTICE_BYTES: Final = 1024 * 1024
FLAGS_ROOM: Final = 300  # the flags a caption repeats: a few, each value at most 64 chars


@dataclass(frozen=True, slots=True)
class Requester:
    user_id: int
    first_name: str
    username: str | None


@dataclass(slots=True)
class Fetched:
    index: int
    url: str
    data: bytes | None  # None: too large for Telegram, send the link
    size: int


def worth_a_notice(items: list[Fetched]) -> bool:
    """Whether uploading these takes long enough to show the chat action."""
    return sum(len(item.data) for item in items if item.data is not None) >= UPLOAD_NOTICE_BYTES


def photo_ok(data: bytes) -> bool:
    """Whether Telegram accepts these bytes as a photo (sendPhoto rules)."""
    if len(data) > PHOTO_LIMIT:
        return False
    size = image_size(data)
    if size is None:
        return False
    width, height = size
    return width + height <= PHOTO_MAX_SIDES and max(width, height) <= PHOTO_MAX_RATIO * min(
        width, height
    )


def caption_for(
    job: Job, requester: Requester | None, footer: str = ""
) -> tuple[str, list[MessageEntity]]:
    """The prompt (cut to fit) and the flags it was given, a footer (what it cost, once
    known), and in groups a mention of who asked."""
    mention = ""
    entities: list[MessageEntity] = []
    if job.is_group and requester is not None:
        name = f"@{requester.username}" if requester.username else requester.first_name
        mention = "\n\n" + t("result_for", job.language, mention=name)
    flags = str(job.options.get(TYPED_OPTION) or "")
    tail = (f"\n{shortened(flags, FLAGS_ROOM)}" if flags else "") + (
        f"\n\n{footer}" if footer else ""
    )
    room = CAPTION_LIMIT - len(tail) - len(mention)
    caption = shortened(job.prompt, room) + tail + mention
    if mention and requester is not None and not requester.username:
        offset = _utf16_len(caption) - _utf16_len(requester.first_name)
        entities.append(
            MessageEntity(
                MessageEntity.TEXT_MENTION,
                offset,
                _utf16_len(requester.first_name),
                user=User(requester.user_id, requester.first_name, is_bot=False),
            )
        )
    return caption, entities


@dataclass(frozen=True, slots=True)
class Envelope:
    """What every result message of a job carries: caption, mention and reply target."""

    caption: str
    entities: list[MessageEntity]
    reply: ReplyParameters


def envelope_for(job: Job, requester: Requester | None) -> Envelope:
    caption, entities = caption_for(job, requester)
    reply = ReplyParameters(job.request_message_id, allow_sending_without_reply=True)
    return Envelope(caption, entities, reply)


class Delivery:
    """One Telegram message (or one album) per method; each returns what Telegram took."""

    def __init__(self, bot: Bot, client: EvolinkClient) -> None:
        self._bot = bot
        self._client = client

    async def fetch(self, urls: list[str], indices: Iterable[int]) -> list[Fetched]:
        fetched: list[Fetched] = []
        for index in indices:
            url = urls[index]
            try:
                data = await self._client.download(url, max_bytes=UPLOAD_LIMIT)
                fetched.append(Fetched(index, url, data, len(data)))
            except ResultTooLargeError as too_large:
                fetched.append(Fetched(index, url, None, too_large.size or UPLOAD_LIMIT + 1))
        return fetched

    async def show_uploading(self, job: Job) -> None:
        """'sending a photo…' in the chat header while the upload runs (a courtesy only)."""
        action = ChatAction.UPLOAD_VIDEO if job.kind == "video" else ChatAction.UPLOAD_PHOTO
        try:
            await self._bot.send_chat_action(job.chat_id, action)
        except TelegramError as error:
            log.info("chat action for job %s refused: %s", job.id, error)

    async def send_video(self, job: Job, item: Fetched, envelope: Envelope) -> list[Delivered]:
        assert item.data is not None
        seconds, width, height = video_facts(item.data) or (None, None, None)
        message = await self._bot.send_video(
            job.chat_id,
            item.data,
            filename=f"result-{job.id}.mp4",
            caption=envelope.caption,
            caption_entities=envelope.entities,
            supports_streaming=True,
            reply_parameters=envelope.reply,
            reply_markup=result_keyboard(job, 0),
            duration=seconds,
            width=width,
            height=height,
        )
        return [_delivered(message, item.index)]

    async def send_image(self, job: Job, item: Fetched, envelope: Envelope) -> list[Delivered]:
        assert item.data is not None
        options: dict[str, Any] = {
            "filename": f"result-{job.id}.png",
            "caption": envelope.caption,
            "caption_entities": envelope.entities,
            "reply_parameters": envelope.reply,
            "reply_markup": result_keyboard(job, 1),
        }
        # Over Telegram's photo limits the same bytes go as a document, uncompressed; and
        # if Telegram refuses them as a photo anyway, they go as a document too.
        if photo_ok(item.data):
            try:
                message = await self._bot.send_photo(job.chat_id, item.data, **options)
                return [_delivered(message, item.index)]
            except BadRequest as refused:
                log.info("result of job %s refused as a photo (%s)", job.id, refused)
        message = await self._bot.send_document(job.chat_id, item.data, **options)
        return [_delivered(message, item.index)]

    async def send_album(
        self, job: Job, items: list[Fetched], envelope: Envelope
    ) -> list[Delivered]:
        """Albums can't carry buttons: `send_buttons` follows with them."""
        as_photos = all(item.data is not None and photo_ok(item.data) for item in items)
        messages: tuple[Message, ...] = ()
        if as_photos:
            try:
                media = _album(job, items, envelope, InputMediaPhoto)
                messages = await self._bot.send_media_group(
                    job.chat_id, media, reply_parameters=envelope.reply
                )
            except BadRequest as refused:
                log.info("results of job %s refused as photos (%s)", job.id, refused)
        if not messages:
            media = _album(job, items, envelope, InputMediaDocument)
            messages = await self._bot.send_media_group(
                job.chat_id, media, reply_parameters=envelope.reply
            )
        return [
            _delivered(message, item.index) for message, item in zip(messages, items, strict=True)
        ]

    async def send_buttons(
        self, job: Job, album_message_id: int, images: int, text: str
    ) -> list[Delivered]:
        """The message under an album (albums can't carry buttons) or a link, saying what it
        cost."""
        message = await self._bot.send_message(
            job.chat_id,
            text,
            reply_parameters=ReplyParameters(album_message_id, allow_sending_without_reply=True),
            reply_markup=result_keyboard(job, images),
        )
        return [Delivered(message.message_id, "buttons")]

    async def send_originals(self, job: Job, items: list[Fetched], reply_to: int) -> None:
        """The pictures as files, uncompressed (the Original button), replying to the result."""
        reply = ReplyParameters(reply_to, allow_sending_without_reply=True)
        files = [(item, item.data) for item in items if item.data is not None]
        if len(files) == 1:
            item, data = files[0]
            await self._bot.send_document(
                job.chat_id, data, filename=_file_name(job, item), reply_parameters=reply
            )
        elif files:
            media = [
                InputMediaDocument(data, filename=_file_name(job, item)) for item, data in files
            ]
            await self._bot.send_media_group(job.chat_id, media, reply_parameters=reply)

    async def send_link(self, job: Job, item: Fetched, envelope: Envelope) -> list[Delivered]:
        """A result too large for Telegram: its link (valid 24 h)."""
        message = await self._bot.send_message(
            job.chat_id,
            t("result_link", job.language, size_mb=round(item.size / 1e6, 1), url=item.url),
            reply_parameters=envelope.reply,
        )
        return [Delivered(message.message_id, "link", index=item.index)]


def _album(
    job: Job,
    items: list[Fetched],
    envelope: Envelope,
    kind: type[InputMediaPhoto] | type[InputMediaDocument],
) -> list[InputMediaPhoto | InputMediaDocument]:
    """One album item per result; the caption goes on the first (Telegram shows it there)."""
    media: list[InputMediaPhoto | InputMediaDocument] = []
    for position, item in enumerate(items):
        assert item.data is not None
        name = _file_name(job, item)
        if position == 0:
            media.append(
                kind(
                    item.data,
                    filename=name,
                    caption=envelope.caption,
                    caption_entities=envelope.entities,
                )
            )
        else:
            media.append(kind(item.data, filename=name))
    return media


def _file_name(job: Job, item: Fetched) -> str:
    return f"result-{job.id}-{item.index + 1}.png"


def video_facts(data: bytes) -> tuple[int, int, int] | None:
    """(duration, width, height) for send_video when the MP4 states them, else None
    (clients then show 0x0 until played; the video is still delivered)."""
    try:
        return probe(data)
    except Exception:  # the file is Evolink's, not ours: never fail a delivery over it
        log.warning("could not read the video's size and duration", exc_info=True)
        return None


def _delivered(message: Message, index: int) -> Delivered:
    if message.photo:
        return Delivered(message.message_id, "photo", message.photo[-1].file_id, index)
    if message.video:
        return Delivered(message.message_id, "video", message.video.file_id, index)
    if message.document:
        return Delivered(message.message_id, "document", message.document.file_id, index)
    return Delivered(message.message_id, "text", index=index)


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


__all__ = [
    "Delivery",
    "Envelope",
    "EvolinkError",
    "Fetched",
    "Requester",
    "caption_for",
    "envelope_for",
    "photo_ok",
]
