"""/help, /quota, /jobs, /cancel and /id: what every user can ask about themselves."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from telegram import Message, Update, User
from telegram.ext import Application, CommandHandler, filters

from bot.credits import format_credits
from bot.messages import t
from bot.models import registry
from bot.services import Context, Services, services_of
from bot.texts import shortened
from handlers.common import admit, cancel_text, refill_time, reply
from handlers.sales import bought_line
from handlers.welcome import command_lines
from storage.models import Job


def price_list(services: Services, lang: str | None) -> str:
    """One part per command, each listing its models' prices (from the registry)."""
    return t("price_join", lang).join(
        _command_prices(services, command, lang) for command in registry.COMMANDS
    )


def _command_prices(services: Services, command: str, lang: str | None) -> str:
    parts = [
        t(f"price_{spec.label}", lang, price=format_credits(services.prices.rate(spec.name)))
        for spec in registry.for_command(command)
    ]
    return t(
        "price_command", lang, command=command, prices=t("price_models_join", lang).join(parts)
    )


def help_text(services: Services, lang: str | None, balance: str, *, admin: bool = False) -> str:
    """Short and plain (PRODUCT §4a): what each command does and costs at least; the flags
    are in each command's usage text, the full prices in /quota."""
    commands = command_lines(services, lang)
    if services.settings.credit_packs:  # only when the operator sells credits
        commands += "\n" + t("help_buy", lang)
    text = t("short_help", lang, commands=commands, balance=balance)
    return text + "\n\n" + t("help_admin", lang) if admin else text


async def balance_line(services: Services, user: User) -> str:
    lang = user.language_code
    if services.is_admin(user.id):
        return t("admin_unlimited", lang)
    balance = await services.storage.users.balance(user.id)
    bonus = t("bonus_part", lang, bonus=format_credits(balance.bonus)) if balance.bonus else ""
    return t(
        "balance_line",
        lang,
        left=format_credits(balance.daily_left),
        limit=format_credits(balance.daily_limit),
        bonus_part=bonus,
    )


AccountHandler = Callable[[Services, Message, User, Context], Awaitable[None]]


def account_command(
    handler: AccountHandler,
) -> Callable[[Update, Context], Coroutine[Any, Any, None]]:
    """Every user command starts the same way: who wrote, and are they allowed."""

    async def wrapper(update: Update, context: Context) -> None:
        message, user = update.message, update.effective_user
        if message is None or user is None:
            return
        services = services_of(context)
        if await admit(services, context.bot, message, user):
            await handler(services, message, user, context)

    return wrapper


@account_command
async def on_help(services: Services, message: Message, user: User, context: Context) -> None:
    lang = user.language_code
    admin = services.is_admin(user.id)
    text = help_text(services, lang, await balance_line(services, user), admin=admin)
    await reply(context.bot, message, text)


@account_command
async def on_quota(services: Services, message: Message, user: User, context: Context) -> None:
    lang = user.language_code
    running, queued = await services.storage.jobs.count_active(user.id)
    if services.is_admin(user.id):
        text = t("admin_unlimited", lang) + "\n\n" + price_list(services, lang)
    else:
        balance = await services.storage.users.balance(user.id)
        text = t(
            "quota",
            lang,
            left=format_credits(balance.daily_left),
            limit=format_credits(balance.daily_limit),
            refill=refill_time(services, lang),
            bonus=format_credits(balance.bonus),
            running=running,
            queued=queued,
            prices=price_list(services, lang),
        )
        if bought := await bought_line(services, user.id, lang):
            text += "\n" + bought
    await reply(context.bot, message, text)


def job_line(job: Job, lang: str | None) -> str:
    state = t(f"state_{job.state}", lang, progress=job.progress)
    if job.settled:
        cost = t("job_cost_charged", lang, amount=format_credits(job.charged))
    else:
        cost = t("job_cost_reserved", lang, amount=format_credits(job.cost))
    prompt = job.prompt if len(job.prompt) <= 60 else job.prompt[:59] + "…"
    return t(
        "jobs_line", lang, id=job.id, command=job.command, state=state, cost=cost, prompt=prompt
    )


@account_command
async def on_jobs(services: Services, message: Message, user: User, context: Context) -> None:
    lang = user.language_code
    # In a group only that group's jobs: a group is not a window into private chats.
    in_group = message.chat.type != "private"
    jobs = await services.storage.jobs.for_user(
        user.id, finished_limit=10, chat_id=message.chat_id if in_group else None
    )
    if not jobs:
        await reply(context.bot, message, t("jobs_empty", lang))
        return
    lines = [t("jobs_header", lang), *(job_line(job, lang) for job in jobs)]
    await reply(context.bot, message, "\n".join(lines))  # reply() fits it to one message


@account_command
async def on_cancel(services: Services, message: Message, user: User, context: Context) -> None:
    """`/cancel` withdraws the oldest waiting job; `/cancel N` that job (if it is yours)."""
    lang = user.language_code
    args = context.args or []
    number = args[0].lstrip("#") if args else ""
    if args and not (number.isascii() and number.isdigit()):
        await reply(context.bot, message, t("cancel_usage", lang))
        return
    if args:
        # Past SQLite's integer range no job can exist (and the driver would raise).
        job = await services.storage.jobs.get(int(number)) if len(number) < 19 else None
        if job is None or (job.user_id != user.id and not services.is_admin(user.id)):
            # Someone else's job is "no job of yours" too: numbers are not a way to probe.
            await reply(
                context.bot, message, t("cancel_no_such_job", lang, job=shortened(number, 24))
            )
            return
    else:
        queued = await services.storage.jobs.queued_for_user(user.id)
        if not queued:
            await reply(context.bot, message, t("cancel_nothing", lang))
            return
        job = queued[0]
    outcome, _ = await services.engine.cancel(job.id)
    await reply(context.bot, message, cancel_text(outcome, lang, job.id))


@account_command
async def on_id(services: Services, message: Message, user: User, context: Context) -> None:
    """The number ADMIN_IDS needs; in a group also the group's id (for the operator's notes)."""
    lang = user.language_code
    key = "your_id_admin" if services.is_admin(user.id) else "your_id"
    text = t(key, lang, user_id=user.id)
    if message.chat.type != "private":
        text += "\n" + t("chat_id_line", lang, chat_id=message.chat_id)
    await reply(context.bot, message, text)


def register(application: Application) -> None:
    only_new = filters.UpdateType.MESSAGE
    application.add_handler(CommandHandler("help", on_help, filters=only_new))
    application.add_handler(CommandHandler("quota", on_quota, filters=only_new))
    application.add_handler(CommandHandler("jobs", on_jobs, filters=only_new))
    application.add_handler(CommandHandler("cancel", on_cancel, filters=only_new))
    application.add_handler(CommandHandler("id", on_id, filters=only_new))
