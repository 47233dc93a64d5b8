"""The questions the bot asks when a message names no command (PRODUCT.md §4a).

Plain text gets "shall I make a picture of that?" with a button; a photo (or an album, or
an image file) gets "what should I do with it?" with Edit and Animate; Animate, under that
question or under a result, asks what should move (a force-reply, and a one-tap default).
Each question is a row of storage/questions.py keyed by the bot's message, so the button
under it, or a reply to it, finds the prompt and the photos after a restart too.
"""

from __future__ import annotations

import logging

from telegram import (
    Bot,
    Chat,
    ForceReply,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    ReplyParameters,
    Update,
    User,
)
from telegram.error import TelegramError
from telegram.ext import Application, CallbackQueryHandler

from bot.messages import t
from bot.services import Context, Services, services_of
from bot.texts import shortened
from handlers.common import fit_text, request_at
from handlers.generation import start_generation
from storage.models import InputImage, Job
from storage.questions import Question

log = logging.getLogger(__name__)

MAX_ECHO = 300  # characters of the user's own words repeated in a question
# What the answer to each kind of question starts.
ANSWER_COMMAND = {"imagine": "imagine", "photo": "edit", "edit": "edit", "animate": "animate"}


Markup = InlineKeyboardMarkup | ForceReply | None


def buttons(*row: tuple[str, str]) -> InlineKeyboardMarkup:
    """One row: two short buttons fit a phone side by side."""
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(text, callback_data=data) for text, data in row]]
    )


async def post(
    services: Services, bot: Bot, question: Question, text: str, markup: Markup, reply_to: int
) -> Message | None:
    """Record `question`, post it as a reply to `reply_to`, tie the two together."""
    question_id = await services.storage.questions.open(question)
    if question_id is None:
        return None
    sent = await send(bot, question.chat_id, reply_to, text, markup)
    await services.storage.questions.posted(question_id, sent.message_id)
    return sent


async def send(bot: Bot, chat_id: int, reply_to: int, text: str, markup: Markup) -> Message:
    return await bot.send_message(
        chat_id,
        fit_text(text),
        reply_parameters=ReplyParameters(reply_to, allow_sending_without_reply=True),
        reply_markup=markup,
    )


# --- asking -------------------------------------------------------------------------------


async def offer_imagine(
    services: Services, bot: Bot, message: Message, user: User, text: str
) -> None:
    lang = user.language_code
    prompt = " ".join(text.split())
    question = Question(message.chat_id, user.id, message.message_id, "imagine", prompt)
    markup = buttons((t("btn_imagine_it", lang), "ask:imagine"))
    shown = shortened(prompt, MAX_ECHO)
    await post(
        services, bot, question, t("offer_imagine", lang, prompt=shown), markup, message.message_id
    )


async def ask_about_photo(
    services: Services,
    bot: Bot,
    message: Message,
    user: User,
    images: list[InputImage],
    caption: str,
) -> None:
    """What should I do with this photo? (A caption that is no command is the offered prompt.)"""
    lang = user.language_code
    question = Question(
        message.chat_id, user.id, message.message_id, "photo", caption, inputs=tuple(images)
    )
    text = (
        t("caption_question", lang, prompt=shortened(caption, MAX_ECHO))
        if caption
        else t("photo_question", lang)
    )
    markup = buttons((t("btn_edit", lang), "ask:edit"), (t("btn_animate", lang), "ask:animate"))
    await post(services, bot, question, text, markup, message.message_id)


async def ask_about_album(
    services: Services, bot: Bot, question: Question, count: int, lang: str | None
) -> None:
    """The album went quiet without a command: one question for all its photos."""
    if question.prompt:
        text = t("caption_question", lang, prompt=shortened(question.prompt, MAX_ECHO))
    else:
        text = t("photos_question", lang, count=count)
    markup = buttons((t("btn_edit", lang), "ask:edit"))
    sent = await send(bot, question.chat_id, question.request_message_id, text, markup)
    await services.storage.questions.posted(question.id, sent.message_id)


async def ask_motion(
    services: Services,
    bot: Bot,
    base: Question,
    lang: str | None,
    *,
    index: int | None = None,
    replace: Message | None = None,
) -> None:
    """What should move: the default motion one tap away, and a force-reply for words.

    `replace` is the "what should I do?" question, which becomes the motion question.
    """
    inputs = await inputs_of(services, base)
    text = t("ask_motion_numbered", lang, index=index) if index else t("ask_motion", lang)
    markup = buttons((t("btn_default_motion", lang), "ask:motion"))
    if replace is not None:
        await bot.edit_message_text(text, replace.chat_id, replace.message_id, reply_markup=markup)
        await services.storage.questions.becomes(base.id, "animate", inputs[:1])
    else:
        motion = Question(
            base.chat_id, base.user_id, base.request_message_id, "animate", inputs=inputs[:1]
        )
        await post(services, bot, motion, text, markup, base.request_message_id)
    await force_reply(services, bot, base, "animate", inputs[:1], lang)


async def force_reply(
    services: Services,
    bot: Bot,
    base: Question,
    kind: str,
    inputs: tuple[InputImage, ...],
    lang: str | None,
) -> None:
    """The question the client answers by itself: the user's next message replies to it."""
    key, hint = (
        ("ask_motion_reply", "ask_motion_placeholder")
        if kind == "animate"
        else ("ask_edit", "ask_edit_placeholder")
    )
    markup = ForceReply(selective=True, input_field_placeholder=t(hint, lang)[:64])
    question = Question(base.chat_id, base.user_id, base.request_message_id, kind, inputs=inputs)
    await post(services, bot, question, t(key, lang), markup, base.request_message_id)


async def ask_motion_for_result(
    services: Services, bot: Bot, job: Job, index: int, user: User
) -> None:
    """Animate under a result: ask what should move in its `index`-th picture (0-based,
    checked against `job.pictures` by the caller). Usable for any picture of an album."""
    pictures = job.pictures
    picture = pictures[index]
    image = picture.as_input()
    base = Question(job.chat_id, user.id, picture.message_id, "animate", inputs=(image,))
    number = index + 1 if len(pictures) > 1 else None
    await ask_motion(services, bot, base, user.language_code, index=number)


# --- answering ------------------------------------------------------------------------------


async def inputs_of(services: Services, question: Question) -> tuple[InputImage, ...]:
    """The photos a question is about: its own, or every photo of its album seen so far."""
    if question.media_group_id and not question.inputs:
        return tuple(await services.storage.media.album(question.chat_id, question.media_group_id))
    return question.inputs


async def answer(
    services: Services, bot: Bot, message: Message, user: User, question: Question, text: str
) -> None:
    """A reply to a question: the words are the prompt of the job the question offered."""
    command = ANSWER_COMMAND.get(question.kind)
    if command is None:
        return
    images = list(await inputs_of(services, question))
    await start_generation(services, bot, message, user, command, text, images)


async def run(
    services: Services,
    bot: Bot,
    chat: Chat,
    user: User,
    question: Question,
    command: str,
    prompt: str,
) -> None:
    """A button ran the question's job: it answers the message the question was about."""
    request = request_at(bot, chat, question.request_message_id)
    images = list(await inputs_of(services, question))
    await start_generation(services, bot, request, user, command, prompt, images)


async def on_question_button(update: Update, context: Context) -> None:
    query = update.callback_query
    if query is None or query.data is None:
        return
    services = services_of(context)
    lang = query.from_user.language_code
    message = query.message
    question = None
    if isinstance(message, Message):
        question = await services.storage.questions.asked_in(message.chat_id, message.message_id)
    if question is None or not isinstance(message, Message):
        await query.answer(t("question_gone", lang), show_alert=True)
        return
    if query.from_user.id != question.user_id:
        await query.answer(t("not_your_button", lang), show_alert=True)
        return
    await query.answer()
    action = query.data.removeprefix("ask:")
    try:
        await act(services, context.bot, message, query.from_user, question, action)
    except TelegramError as error:  # e.g. the question was deleted meanwhile
        log.warning("question button %s: %s", action, error)


async def act(
    services: Services, bot: Bot, message: Message, user: User, question: Question, action: str
) -> None:
    lang = user.language_code
    if action == "imagine":
        await run(services, bot, message.chat, user, question, "imagine", question.prompt)
    elif action == "edit" and question.prompt:
        await run(services, bot, message.chat, user, question, "edit", question.prompt)
    elif action == "edit":
        await force_reply(
            services, bot, question, "edit", await inputs_of(services, question), lang
        )
    elif action == "animate":
        await ask_motion(services, bot, question, lang, replace=message)
    elif action == "motion":
        await run(
            services, bot, message.chat, user, question, "animate", t("default_motion", lang)
        )


def register(application: Application) -> None:
    application.add_handler(CallbackQueryHandler(on_question_button, pattern=r"^ask:"))
