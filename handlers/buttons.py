"""Buttons under results and status messages: Again, Animate (asks what should move, in
handlers/questions.py), Cancel; each for the requester only."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler

from bot.messages import t
from bot.services import Context, services_of
from handlers.common import cancel_text
from handlers.generation import queue_job
from handlers.questions import ask_motion_for_result, pictures_of
from storage.models import Job, NewJob

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


async def on_button(update: Update, context: Context) -> None:
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
        return
    if action == "animate":  # ask what should move (PRODUCT §4a), never reuse the prompt
        index = _int(extra)
        if not 0 <= index < len(pictures_of(job)):
            await query.answer(t("job_not_found", lang))
            return
        await query.answer()
        await ask_motion_for_result(services, context.bot, job, index, query.from_user)
        return
    await query.answer()
    await queue_job(services, context.bot, again_job(job))


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
    application.add_handler(CallbackQueryHandler(on_button, pattern=r"^(again|animate|cancel):"))


def register_fallback(application: Application) -> None:
    """Registered after every other handler: catches the callback queries none took."""
    application.add_handler(CallbackQueryHandler(on_unknown_button))
