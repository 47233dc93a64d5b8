"""`/stats [days]` (PRODUCT.md §6): jobs per model and outcome, credits, failure rate, median
time to result, top users and a chart. The figures name users, so they go to the admin's
private chat only (§4a); a group is told where they went."""

from __future__ import annotations

import asyncio

from telegram import Bot, Message, User
from telegram.error import BadRequest, Forbidden
from telegram.ext import Application, CommandHandler, filters

from bot.charts import jobs_chart
from bot.clock import day_of
from bot.credits import format_credits
from bot.messages import t
from bot.services import Context, Services
from bot.texts.plurals import Count
from handlers.admin import admin_only
from handlers.common import fit_text, reply, user_name
from handlers.sales import sales_text
from storage.job_stats import Stats

DEFAULT_DAYS = 7
MAX_STATS_DAYS = 366


def parse_days(args: list[str]) -> int | None:
    """The period `/stats` was asked for, or None when that is no whole number of 1..366 days."""
    if not args:
        return DEFAULT_DAYS
    value = args[0]
    # Length first: int() of a huge digit string is slow, and no period needs 4 digits.
    if len(args) > 1 or len(value) > 3 or not (value.isascii() and value.isdigit()):
        return None
    days = int(value)
    return days if 1 <= days <= MAX_STATS_DAYS else None


def stats_text(stats: Stats, days: int, lang: str | None) -> str:
    none = t("stats_none", lang)
    per_model: dict[str, list[str]] = {}
    for (model, state), count in sorted(stats.jobs_by_model_state.items()):
        per_model.setdefault(model, []).append(f"{t(f'stats_outcome_{state}', lang)} {count}")
    models = "\n".join(f"{model}: {', '.join(parts)}" for model, parts in per_model.items())
    users = "\n".join(
        t(
            "stats_user_line",
            lang,
            name=user_name(user_id, name, lang),
            count=count,
            credits=format_credits(charged),
        )
        for user_id, name, count, charged in stats.top_users
    )
    median = stats.median_seconds
    text = t(
        "stats",
        lang,
        days=Count(days, "day"),
        total=sum(stats.jobs_by_model_state.values()),
        credits=format_credits(stats.credits_used),
        failure=f"{stats.failure_rate:.0%}" if stats.failure_rate is not None else none,
        median=t("stats_seconds", lang, seconds=f"{median:.0f}") if median is not None else none,
        models=models or none,
        users=users or none,
    )
    return fit_text(text)


@admin_only
async def on_stats(
    services: Services, message: Message, admin: User, args: list[str], context: Context
) -> None:
    lang = admin.language_code
    days = parse_days(args)
    if days is None:
        await reply(context.bot, message, t("stats_usage", lang, max=MAX_STATS_DAYS))
        return
    private = message.chat.type == "private"
    try:
        await send_stats(services, context.bot, admin, days, message if private else None)
    except (Forbidden, BadRequest):  # the admin never opened a private chat with the bot
        if private:
            raise
        username = context.bot.username
        await reply(context.bot, message, t("stats_start_private", lang, bot=username))
        return
    if not private:
        await reply(context.bot, message, t("stats_sent_privately", lang))


async def send_stats(
    services: Services, bot: Bot, admin: User, days: int, request: Message | None
) -> None:
    """The text and the chart, in the admin's private chat (as a reply to `request` there)."""
    lang = admin.language_code
    now, zone = services.clock.now(), services.zone
    stats = await services.storage.jobs.stats(now - days * 86400, lambda ts: day_of(ts, zone))
    text = stats_text(stats, days, lang)
    if sales := await sales_text(services, now - days * 86400, lang):
        text = fit_text(f"{text}\n\n{sales}")
    if request is not None:
        await reply(bot, request, text)
    else:
        await bot.send_message(admin.id, text)
    if stats.per_day:
        period = [day_of(now - back * 86400, zone) for back in range(days - 1, -1, -1)]
        # Drawing takes tens of milliseconds of CPU: keep it off the event loop.
        chart = await asyncio.to_thread(jobs_chart, period, stats.per_day, lang)
        await bot.send_photo(admin.id, chart, filename="stats.png")


def register(application: Application) -> None:
    only_new = filters.UpdateType.MESSAGE
    application.add_handler(CommandHandler("stats", on_stats, filters=only_new))
