"""Generation commands (/imagine, /edit, /animate, ... as the model registry lists them):
from a message (text, caption, album or reply) to a job.

Captions on pictures and albums come in through handlers/albums.py.

Handlers only check and queue: the update is answered at once, the engine does the rest.
"""

from __future__ import annotations

import logging

from telegram import Bot, Message, Update, User
from telegram.ext import Application, CommandHandler, filters

from bot.defaults import apply_defaults, reply_language
from bot.jobs.failures import Failure
from bot.jobs.inputs import TELEGRAM_DOWNLOAD_LIMIT, too_big
from bot.messages import choose_language, language_of, t
from bot.models import registry
from bot.models.spec import ModelSpec
from bot.parsing import (
    TYPED_OPTION,
    CommandError,
    parse_command,
    resolve_spec,
    split_command,
)
from bot.services import Context, Services, services_of
from bot.texts.plurals import Count, credit_count
from handlers.common import admit, no_credits_text, refill_time, reply, reply_to, text_for
from storage.models import InputImage, NewJob, Refused

log = logging.getLogger(__name__)
MAX_JOB_DIGITS = 18  # SQLite integers stop at 2**63 - 1

GENERATION_COMMANDS = registry.COMMANDS


def images_in(message: Message | None) -> list[InputImage]:
    """The photo (largest size) or image file a message carries, if any."""
    if message is None:
        return []
    if message.photo:
        size = message.photo[-1]
        return [
            InputImage(
                size.file_id, size.width, size.height, size.file_size, "image/jpeg", "photo"
            )
        ]
    document = message.document
    if document and (document.mime_type or "").startswith("image/"):
        return [
            InputImage(
                document.file_id, None, None, document.file_size, document.mime_type, "document"
            )
        ]
    return []


async def images_for_reply(services: Services, bot: Bot, message: Message) -> list[InputImage]:
    """A command sent as a reply: the replied photo, or every photo of the replied album."""
    target = message.reply_to_message
    if target is None:
        return []
    from_bot = target.from_user is not None and target.from_user.id == bot.id
    if target.media_group_id and not from_bot:
        album = await services.storage.media.album(message.chat_id, target.media_group_id)
        if album:
            return album
    images = images_in(target)
    if from_bot and not images:  # a command answering one of the bot's questions
        question = await services.storage.questions.asked_in(message.chat_id, target.message_id)
        if question is None:  # or replying to the message under an album result
            return await pictures_under(services, target)
        if question.media_group_id and not question.inputs:
            return await services.storage.media.album(message.chat_id, question.media_group_id)
        return list(question.inputs)
    return images


async def pictures_under(services: Services, target: Message) -> list[InputImage]:
    """The pictures of the result whose buttons `target` (one of the bot's messages) carries:
    the message under an album (its cost and buttons) stands for the whole album."""
    job_id = _job_of_buttons(target)
    job = await services.storage.jobs.get(job_id) if job_id is not None else None
    if job is None or job.chat_id != target.chat_id:
        return []
    return [picture.as_input() for picture in job.pictures]


def _job_of_buttons(message: Message) -> int | None:
    """The job id in a result's Again button (`again:<id>`), if the message has one."""
    markup = message.reply_markup
    for row in markup.inline_keyboard if markup is not None else ():
        for button in row:
            action, _, number = str(button.callback_data or "").partition(":")
            digits = number.isascii() and number.isdigit() and len(number) <= MAX_JOB_DIGITS
            if action == "again" and digits:
                return int(number)
    return None


def input_problem(spec: ModelSpec, images: list[InputImage]) -> Failure | None:
    """What we can tell from Telegram's metadata alone (before downloading anything)."""
    rules = spec.inputs
    if rules is None:
        return None
    for index, image in enumerate(images, start=1):
        if image.file_size and image.file_size > TELEGRAM_DOWNLOAD_LIMIT:
            return too_big(image.file_size, index)
        if image.width and image.height and min(image.width, image.height) < rules.min_side:
            params = {
                "index": index,
                "width": image.width,
                "height": image.height,
                "model": spec.label,
                "min": rules.min_side,
            }
            return Failure("photo_too_small", "input_too_small", params=tuple(params.items()))
    return None


async def start_generation(
    services: Services,
    bot: Bot,
    message: Message,
    user: User,
    command: str,
    args: str,
    images: list[InputImage],
) -> None:
    """Check everything that can be checked for free, then reserve and queue the job."""
    saved = await services.storage.preferences.of(user.id)
    choose_language(reply_language(saved))  # also reached from timers and buttons
    lang = user.language_code
    if message.sender_chat is not None:
        # Posted as the group (an anonymous admin) or as a linked channel: `from` is one
        # shared placeholder account, so nobody's credits can pay. Ask them to post as
        # themselves instead.
        await reply(bot, message, t("anonymous_admin", lang))
        return
    if not await admit(services, bot, message, user):
        return
    try:
        parsed = parse_command(command, args)
        spec = resolve_spec(parsed, len(images))
    except CommandError as error:
        await reply(bot, message, text_for(error.key, lang, error.params))
        return
    if spec.inputs is None:
        images = []
    problem = input_problem(spec, images)
    if problem is not None:
        await reply(bot, message, text_for(problem.key, lang, dict(problem.params)))
        return
    options, from_saved = apply_defaults(spec, parsed, saved)  # typed flags win
    if shown := (*parsed.typed, *from_saved):  # the caption names every option used
        options[TYPED_OPTION] = " ".join(shown)
    if spec.inputs is None and (images_in(message) or message.media_group_id):
        await reply(bot, message, t("imagine_photo_ignored", lang, command=command))
    new = NewJob(
        user_id=user.id,
        chat_id=message.chat_id,
        chat_type=message.chat.type,
        request_message_id=message.message_id,
        language=language_of(lang),
        command=command,
        model=spec.name,
        prompt=parsed.prompt,
        options=options,
        inputs=images,
        cost=services.prices.reserve(spec.name, options),
    )
    await queue_job(services, bot, new)


async def queue_job(services: Services, bot: Bot, new: NewJob) -> None:
    """Hand `new` to the engine (which posts its status message); answer a refusal."""
    outcome = await services.engine.accept(new, is_admin=services.is_admin(new.user_id))
    if isinstance(outcome, Refused):
        await reply_to(
            bot, new.chat_id, new.request_message_id, refusal_text(services, outcome, new)
        )


def refusal_text(services: Services, refused: Refused, new: NewJob) -> str:
    lang = new.language
    if refused.reason == "credits" and refused.balance is not None:
        return no_credits_text(services, refused.balance, new.cost, lang)
    if refused.reason == "group_cap":
        limit = credit_count(refused.group_limit or 0)
        return t("group_cap", lang, limit=limit, refill=refill_time(services, lang))
    if refused.reason == "queue_full":
        settings = services.settings
        count = settings.max_active_per_user + settings.max_queued_per_user
        return t("queue_full", lang, count=Count(count, "job"))
    return t("banned", lang)


# --- Telegram entry points ------------------------------------------------------------------


async def on_command(update: Update, context: Context) -> None:
    """`/imagine ...` as text, possibly a reply to a photo, album item or result."""
    message = update.message
    if message is None or message.from_user is None or not message.text:
        return
    parsed = split_command(message.text, context.bot.username)
    if parsed is None or parsed[0] not in GENERATION_COMMANDS:
        return
    services = services_of(context)
    images = await images_for_reply(services, context.bot, message)
    await start_generation(
        services, context.bot, message, message.from_user, parsed[0], parsed[1], images
    )


def register(application: Application) -> None:
    only_new = filters.UpdateType.MESSAGE  # an edited caption must not start a second job
    application.add_handler(
        CommandHandler(list(GENERATION_COMMANDS), on_command, filters=only_new)
    )
