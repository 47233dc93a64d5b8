"""What no command handler took (PRODUCT.md §4a): never silence in a private chat.

An unknown command gets a one-line hint and /help; plain text gets an offer to make it a
picture; a reply to one of the bot's questions is its answer (handlers/questions.py); a photo
without a command is asked about (called from handlers/albums.py, which sees every photo).

Registered after every other message handler, so it only sees what they left. In groups it
stays quiet unless addressed: a command naming this bot, a reply to the bot, or a mention.
Other bots live there, and people's chatter is none of ours.
"""

from __future__ import annotations

import json

from telegram import Message, Update
from telegram.ext import Application, MessageHandler, filters

from bot.defaults import reply_language
from bot.messages import choose_language, t
from bot.services import Context, services_of
from bot.texts import shortened
from handlers import questions
from handlers.common import admit, reply
from handlers.generation import images_in, pictures_under
from storage.models import InputImage
from storage.questions import Question

MAX_COMMAND_ECHO = 64  # Telegram commands are at most 32 characters, plus @bot


def addressee(command: str) -> str | None:
    """The bot `/cmd@name` names (lower case), or None for a bare `/cmd`."""
    _, at, name = command.partition("@")
    return name.lower() if at else None


def replies_to_bot(message: Message, bot_id: int) -> bool:
    """A reply to one of the bot's messages: a question the bot asked may be waiting for it."""
    target = message.reply_to_message
    return target is not None and target.from_user is not None and target.from_user.id == bot_id


def without_mention(text: str, username: str) -> str | None:
    """`text` with `@username` taken out, or None when it does not mention the bot."""
    mention = f"@{username}".lower()
    if mention not in text.lower():
        return None
    start = text.lower().index(mention)
    return (text[:start] + text[start + len(mention) :]).strip()


async def on_unknown_command(update: Update, context: Context) -> None:
    message = update.message
    if message is None or message.from_user is None or not message.text:
        return
    command = message.text.split(maxsplit=1)[0]
    named = addressee(command)
    ours = named == context.bot.username.lower()
    if not ours and (named is not None or message.chat.type != "private"):
        return  # another bot's command, or a bare one in a group where other bots may live
    services = services_of(context)
    if await admit(services, context.bot, message, message.from_user):
        echo = shortened(command, MAX_COMMAND_ECHO)
        hint = t("unknown_command", message.from_user.language_code, command=echo)
        await reply(context.bot, message, hint)


async def on_plain_text(update: Update, context: Context) -> None:
    """An answer to a question, or words to offer as a picture (in a group: if addressed)."""
    message = update.message
    user = message.from_user if message else None
    if message is None or user is None or not message.text:
        return
    services = services_of(context)
    text = message.text
    if replies_to_bot(message, context.bot.id):
        assert message.reply_to_message is not None
        asked = message.reply_to_message.message_id
        question = await services.storage.questions.asked_in(message.chat_id, asked)
        if question is not None and question.user_id != user.id:
            # Someone else's question (in a group): said once, briefly, never taken as theirs.
            if await admit(services, context.bot, message, user):
                await reply(context.bot, message, t("question_not_yours", user.language_code))
            return
        if not await admit(services, context.bot, message, user):
            return
        if question is not None:
            await questions.answer(services, context.bot, message, user, question, text)
            return
        target = message.reply_to_message
        pictures = images_in(target) or await pictures_under(services, target)
        if pictures:  # words in reply to one of the bot's pictures: offered as its edit
            caption = " ".join(text.split())
            await questions.ask_about_photo(
                services, context.bot, message, user, pictures, caption
            )
            return
    elif message.chat.type != "private":
        stripped = without_mention(text, context.bot.username)
        if not stripped or not await admit(services, context.bot, message, user):
            return
        text = stripped
    elif not await admit(services, context.bot, message, user):
        return
    await questions.offer_imagine(services, context.bot, message, user, text)


async def on_picture(
    context: Context, message: Message, images: list[InputImage], command: str | None
) -> None:
    """A photo or image file whose caption is no generation command (from handlers/albums.py);
    `command` is the unknown command its caption starts with, if any."""
    user = message.from_user
    if user is None or not _addressed(message, context):
        return
    services = services_of(context)
    if command is not None:
        if message.chat.type == "private" and await admit(services, context.bot, message, user):
            hint = t("unknown_command", user.language_code, command=f"/{command}")
            await reply(context.bot, message, hint)
        return
    caption = message.caption or ""
    stripped = without_mention(caption, context.bot.username)
    caption = " ".join((caption if stripped is None else stripped).split())
    group = message.media_group_id
    if group is None:
        if await admit(services, context.bot, message, user):
            await questions.ask_about_photo(services, context.bot, message, user, images, caption)
        return
    claim = Question(message.chat_id, user.id, message.message_id, "photo", caption, group)
    if await services.storage.questions.open(claim) is None:
        if caption:
            await services.storage.questions.album_caption(message.chat_id, group, caption)
        return
    assert context.job_queue is not None
    data = (message.chat_id, group, json.dumps(message.to_dict()))
    # Asked once the album is quiet: a command captioning a later item must win.
    context.job_queue.run_once(_ask_album, services.album_debounce, data=data)


async def on_unusable(update: Update, context: Context) -> None:
    """Neither words nor a picture (a sticker, a voice note, a video, a PDF) in a private
    chat: say what the bot can take. Album items are skipped (one hint each would spam)."""
    message = update.message
    user = message.from_user if message else None
    if message is None or user is None or message.chat.type != "private":
        return
    if message.media_group_id is not None:
        return
    if await admit(services_of(context), context.bot, message, user):
        await reply(context.bot, message, t("unusable_message", user.language_code))


def _addressed(message: Message, context: Context) -> bool:
    if message.chat.type == "private":
        return True
    if message.media_group_id:  # an album in a group: only its command caption counts
        return False
    caption = message.caption or ""
    mentioned = without_mention(caption, context.bot.username) is not None
    return mentioned or replies_to_bot(message, context.bot.id)


async def _ask_album(context: Context) -> None:
    assert context.job is not None and isinstance(context.job.data, tuple)
    chat_id, group, raw = context.job.data
    services = services_of(context)
    question = await services.storage.questions.album_waiting(chat_id, group)
    message = Message.de_json(json.loads(raw), context.bot)
    if question is None or message is None or message.from_user is None:
        return  # a command took the album, or it was asked about already
    # A timer runs in the context of whichever update armed the scheduler: set this user's.
    saved = await services.storage.preferences.of(message.from_user.id)
    choose_language(reply_language(saved))
    if not await admit(services, context.bot, message, message.from_user):
        return
    count = len(await services.storage.media.album(chat_id, group))
    lang = message.from_user.language_code
    await questions.ask_about_album(services, context.bot, question, count, lang)


def register(application: Application) -> None:
    """Call after every other message handler is registered (they take precedence)."""
    only_new = filters.UpdateType.MESSAGE
    application.add_handler(MessageHandler(only_new & filters.COMMAND, on_unknown_command))
    text = filters.TEXT & ~filters.COMMAND
    application.add_handler(MessageHandler(only_new & text, on_plain_text))
    pictures = filters.PHOTO | filters.Document.IMAGE | filters.CAPTION  # handled in albums
    other = filters.ChatType.PRIVATE & ~filters.TEXT & ~pictures & ~filters.StatusUpdate.ALL
    application.add_handler(MessageHandler(only_new & other, on_unusable))
