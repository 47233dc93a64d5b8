"""Buttons under results, failures and status messages (requester only): Again, Retry,
Animate (asks what should move, handlers/questions.py; under an album it first asks which
picture), Original, Cancel."""

from __future__ import annotations

import logging

from telegram import Bot, CallbackQuery, Update
from telegram.error import BadRequest
from telegram.ext import Application, CallbackQueryHandler

from bot.evolink.errors import EvolinkError
from bot.jobs.delivery import Delivery
from bot.jobs.keyboards import ACTIONS, pick_keyboard, result_keyboard
from bot.messages import t
from bot.services import Context, Services, services_of
from handlers.common import cancel_text
from handlers.common import reply_to as reply_to_message
from handlers.generation import queue_job
from handlers.questions import ask_motion_for_result
from storage.models import Job, NewJob

log = logging.getLogger(__name__)

MAX_ID_DIGITS = 18  # SQLite integers stop at 2**63 - 1 (19 digits)


def again_job(job: Job) -> NewJob:
    options = {k: v for k, v in job.options.items() if k != "produced_seconds"}
    return NewJob(
        user_id=job.user_id,
        chat_id=job.chat_id,
        chat_type=job.chat_type,
        request_message_id=job.request_message_id,
        language=job.language,
        command=job.command,
        model=job.model,
        prompt=job.prompt,
        options=options,
        inputs=list(job.inputs),
        cost=job.cost,
    )


async def start_animate(
    services: Services, bot: Bot, query: CallbackQuery, job: Job, index: int
) -> None:
    """Animate the `index`-th picture of `job`: the one seam for "Animate" (a single
    picture, or a number picked under an album). It asks what should move (PRODUCT §4a);
    the picture's own prompt is never reused as the motion."""
    if not 0 <= index < len(job.pictures):
        await query.answer(t("job_not_found", job.language))
        return
    await query.answer()
    await ask_motion_for_result(services, bot, job, index, query.from_user)


async def on_button(update: Update, context: Context) -> None:
    """Every button of a job; each press is answered (the client's spinner stops)."""
    query = update.callback_query
    if query is None or not query.data:
        return
    services = services_of(context)
    lang = query.from_user.language_code
    action, _, rest = query.data.partition(":")
    job_id_text, _, extra = rest.partition(":")
    job_id = _int(job_id_text)
    job = await services.storage.jobs.get(job_id) if job_id >= 0 else None
    if job is None:
        await query.answer(t("job_not_found", lang))
        return
    if query.from_user.id != job.user_id:
        await query.answer(t("not_your_button", lang), show_alert=True)
        return
    if action == "cancel":
        outcome, _ = await services.engine.cancel(job.id)
        await query.answer(cancel_text(outcome, lang, job.id))
    elif action in ("pick", "back"):
        await _swap_buttons(query, job, picking=action == "pick")
    elif action == "orig":
        await _send_original(services, context.bot, query, job)
    elif action == "animate":
        await start_animate(services, context.bot, query, job, _int(extra))
    else:  # again, retry: the same command with the same inputs, reserving again
        await query.answer()
        await queue_job(services, context.bot, again_job(job))


async def _swap_buttons(query: CallbackQuery, job: Job, *, picking: bool) -> None:
    """Under an album: Animate becomes "which picture?" (1..N) in place, and back."""
    count = len(job.pictures)
    keyboard = pick_keyboard(job, count) if picking else result_keyboard(job, count)
    await query.answer(t("animate_which", job.language) if picking else None)
    try:
        await query.edit_message_reply_markup(keyboard)
    except BadRequest as refused:  # pressed twice: "message is not modified"
        log.info("buttons of job %s not swapped: %s", job.id, refused)


async def _send_original(services: Services, bot: Bot, query: CallbackQuery, job: Job) -> None:
    """The pictures as files, uncompressed, replying to the result (links live 24 h)."""
    pictures = job.pictures
    if not pictures or job.kind != "image":
        await query.answer(t("job_not_found", job.language))
        return
    await query.answer(t("original_sending", job.language))
    delivery = Delivery(bot, services.client)
    reply_to = min(d.message_id for d in pictures)
    try:
        items = await delivery.fetch(job.result_urls, [d.index or 0 for d in pictures])
        await delivery.send_originals(job, items, reply_to)
    except (EvolinkError, IndexError):
        await reply_to_message(bot, job.chat_id, reply_to, t("original_gone", job.language))


def _int(text: str) -> int:
    """A non-negative id or index from callback data, or -1. Length-checked first: ids past
    SQLite's integer range (and non-ASCII digits) name nothing."""
    short = text.isascii() and text.isdigit() and len(text) <= MAX_ID_DIGITS
    return int(text) if short else -1


async def on_unknown_button(update: Update, context: Context) -> None:
    """Callback data no handler knows (an old or forged button): answered, so the client
    stops its spinner, and otherwise ignored."""
    query = update.callback_query
    if query is not None:
        await query.answer(t("button_unknown", query.from_user.language_code))


def register(application: Application) -> None:
    pattern = "^(" + "|".join(ACTIONS) + "):"
    application.add_handler(CallbackQueryHandler(on_button, pattern=pattern))


def register_fallback(application: Application) -> None:
    """Registered after every other handler: catches the callback queries none took."""
    application.add_handler(CallbackQueryHandler(on_unknown_button))
