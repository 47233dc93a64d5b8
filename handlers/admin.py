"""Admin commands (PRODUCT.md §6). A user is named by id, by a known @username, or by
replying to one of their messages. Everyone else is told the command is for admins."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from telegram import Bot, Message, Update, User
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import Application, CommandHandler, filters

from bot.credits import format_credits, to_cents
from bot.evolink.errors import EvolinkError
from bot.messages import t
from bot.services import Context, Services, services_of
from bot.texts import shortened
from bot.texts.plurals import credit_count
from handlers.common import banned_text, reply, user_name

log = logging.getLogger(__name__)

# Balances are hundredths in SQLite integers (max 2**63 - 1): far past this is a typo.
MAX_CREDITS = Decimal(10**10)
MAX_USER_ID = 2**53  # Telegram user ids fit in 52 bits
REASON_MAX = 300  # a ban reason is repeated to the user and the admin: keep it a sentence
TITLE_MAX = 64

Handler = Callable[[Services, Message, User, list[str], Context], Awaitable[None]]


def admin_only(handler: Handler) -> Callable[[Update, Context], Coroutine[Any, Any, None]]:
    async def wrapper(update: Update, context: Context) -> None:
        message, user = update.message, update.effective_user
        if message is None or user is None:
            return
        services = services_of(context)
        if not services.is_admin(user.id):
            await reply(context.bot, message, t("admin_only", user.language_code))
            return
        await handler(services, message, user, list(context.args or []), context)

    return wrapper


async def target_user(
    services: Services, message: Message, args: list[str], needed: int
) -> tuple[int, str, list[str]] | str:
    """(user id, how to name them, remaining args), or the text to answer with.

    With at least `needed` args the first names the user; otherwise the replied-to
    message's author does. As a reply, a first arg that is no id or @username starts the
    rest (`/ban spamming` in reply to someone bans them with that reason).
    """
    lang = message.from_user.language_code if message.from_user else None
    replied = message.reply_to_message.from_user if message.reply_to_message else None
    if replied is not None and replied.is_bot:
        replied = None
    names_user = bool(args) and (args[0].startswith("@") or args[0].isdigit())
    if len(args) >= needed and args and (replied is None or names_user):
        who = args[0]
        if who.isascii() and who.isdigit() and int(who) < MAX_USER_ID:
            return int(who), await name_of(services, int(who), lang), args[1:]
        if who.startswith("@"):
            user_id = await services.storage.users.find_by_username(who)
            if user_id is None:
                return t("admin_user_unknown", lang, who=who)
            return user_id, await name_of(services, user_id, lang), args[1:]
        return t("admin_user_unknown", lang, who=who)
    if replied is not None:
        await services.storage.users.remember(
            replied.id, replied.username, replied.first_name, replied.language_code
        )
        return replied.id, user_name(replied.id, replied.username, lang), args
    return ""


async def name_of(services: Services, user_id: int, lang: str | None) -> str:
    """'@alice (1001)' for a user the bot has seen with a username, else 'user 1001'."""
    record = await services.storage.users.get(user_id)
    return user_name(user_id, record.username if record else None, lang)


async def target_or_answer(
    services: Services,
    message: Message,
    args: list[str],
    context: Context,
    *,
    needed: int,
    usage: str,
) -> tuple[int, str, list[str]] | None:
    """`target_user`, answering the admin (unknown user, or how to use the command) on failure."""
    found = await target_user(services, message, args, needed)
    if isinstance(found, str):
        lang = message.from_user.language_code if message.from_user else None
        await reply(context.bot, message, found or t("admin_usage", lang, usage=usage))
        return None
    return found


def log_action(admin: User, action: str, target: int, detail: str = "") -> None:
    """One line per admin action for the operator: who did what to whom (ids, no names)."""
    log.info("admin %s %s %s%s", admin.id, action, target, f": {detail}" if detail else "")


def limit_words(limit: int | None) -> str:
    return "back to the default" if limit is None else f"{format_credits(limit)} credits a day"


def parse_credits(value: str) -> int | None:
    try:
        amount = Decimal(value)
    except InvalidOperation:
        return None
    if not amount.is_finite() or amount.copy_abs() > MAX_CREDITS:
        return None
    return to_cents(amount)


@dataclass(frozen=True, slots=True)
class DailyLimit:
    limit: int | None  # None: back to the default


def parse_limit(rest: list[str]) -> DailyLimit | str:
    """`<credits>` or `default` as /setlimit takes it; otherwise the text that was wrong."""
    value = rest[0].lower() if rest else ""
    if value == "default":
        return DailyLimit(None)
    limit = parse_credits(value)
    return value if limit is None or limit < 0 else DailyLimit(limit)


@admin_only
async def on_grant(
    services: Services, message: Message, admin: User, args: list[str], context: Context
) -> None:
    lang = admin.language_code
    found = await target_or_answer(
        services,
        message,
        args,
        context,
        needed=2,
        usage=t("usage_grant", lang),
    )
    if found is None:
        return
    user_id, who, rest = found
    amount = parse_credits(rest[0]) if rest else None
    if amount is None:
        await reply(context.bot, message, t("admin_bad_amount", lang, value=" ".join(rest)))
        return
    balance = await services.storage.users.grant(user_id, amount, note=f"by admin {admin.id}")
    log_action(admin, "granted", user_id, f"{format_credits(amount)} credits")
    text = t(
        "admin_granted",
        lang,
        amount=credit_count(amount),
        who=who,
        bonus=format_credits(balance.bonus),
    )
    await reply(context.bot, message, text)


@admin_only
async def on_setlimit(
    services: Services, message: Message, admin: User, args: list[str], context: Context
) -> None:
    lang = admin.language_code
    chat_id = group_named(message, args)
    if chat_id is not None:
        await set_group_limit(services, message, lang, chat_id, args[1:], context)
        return
    found = await target_or_answer(
        services,
        message,
        args,
        context,
        needed=2,
        usage=t("usage_setlimit", lang),
    )
    if found is None:
        return
    user_id, who, rest = found
    parsed = parse_limit(rest)
    if isinstance(parsed, str):
        await reply(context.bot, message, t("admin_bad_amount", lang, value=parsed))
        return
    balance = await services.storage.users.set_daily_limit(user_id, parsed.limit)
    log_action(admin, "set the daily limit of", user_id, limit_words(parsed.limit))
    text = t(
        "admin_limit_set",
        lang,
        who=who,
        limit=credit_count(balance.daily_limit),
        left=format_credits(balance.daily_left),
    )
    await reply(context.bot, message, text)


def group_named(message: Message, args: list[str]) -> int | None:
    """A group chat as `/setlimit` names it: its (negative) id, or `here` inside a group."""
    if len(args) < 2:
        return None
    if args[0].lower() == "here" and message.chat.type in ("group", "supergroup"):
        return message.chat_id
    digits = args[0][1:]
    if args[0].startswith("-") and digits.isascii() and digits.isdigit() and len(digits) < 16:
        return -int(digits)
    return None


async def set_group_limit(
    services: Services,
    message: Message,
    lang: str | None,
    chat_id: int,
    rest: list[str],
    context: Context,
) -> None:
    parsed = parse_limit(rest)
    if isinstance(parsed, str):
        await reply(context.bot, message, t("admin_bad_amount", lang, value=parsed))
        return
    limit = parsed.limit
    await services.storage.chats.set_daily_limit(chat_id, limit)
    if message.from_user is not None:
        log_action(message.from_user, "set the daily cap of group", chat_id, limit_words(limit))
    chat = await group_title(context.bot, message, chat_id, lang)
    if limit is None:
        text = t("admin_group_limit_cleared", lang, chat=chat)
    else:
        amount = credit_count(limit)
        text = t("admin_group_limit_set", lang, chat=chat, limit=amount)
    await reply(context.bot, message, text)


async def group_title(bot: Bot, message: Message, chat_id: int, lang: str | None) -> str:
    """'“Cat lovers” (-100123)': a group by its title (Telegram's, when the bot is in it),
    always with the id the cap is stored under."""
    title = message.chat.title if message.chat_id == chat_id else None
    if title is None:
        try:
            title = (await bot.get_chat(chat_id)).title
        except TelegramError as error:  # not a member, or no such chat: the id alone
            log.info("title of chat %s unknown: %s", chat_id, error)
    if not title:
        return t("group_untitled", lang, id=chat_id)
    return t("group_titled", lang, title=shortened(title, TITLE_MAX), id=chat_id)


@admin_only
async def on_ban(
    services: Services, message: Message, admin: User, args: list[str], context: Context
) -> None:
    lang = admin.language_code
    found = await target_or_answer(
        services, message, args, context, needed=1, usage=t("usage_ban", lang)
    )
    if found is None:
        return
    user_id, who, rest = found
    if services.is_admin(user_id):  # PRODUCT §6: admins cannot be banned
        await reply(context.bot, message, t("admin_not_bannable", lang, who=who))
        return
    reason = shortened(" ".join(rest), REASON_MAX) or None
    await services.storage.users.set_banned(user_id, True, reason)
    withdrawn = await services.engine.withdraw_queued(user_id)
    log_action(admin, "banned", user_id, f"{len(withdrawn)} waiting jobs withdrawn")
    told = await tell_banned(services, context.bot, user_id)
    text = t(
        "admin_banned",
        lang,
        who=who,
        count=len(withdrawn),
        reason_part=t("admin_ban_reason_part", lang, reason=reason) if reason else "",
        told=t("admin_ban_told" if told else "admin_ban_not_told", lang),
    )
    await reply(context.bot, message, text)


async def tell_banned(services: Services, bot: Bot, user_id: int) -> bool:
    """Tell the banned user in their private chat, in their language; False when the bot
    can't write to them (they never started it, or blocked it)."""
    record = await services.storage.users.get(user_id)
    lang = record.language if record else None
    try:
        await bot.send_message(user_id, await banned_text(services, user_id, lang))
    except (Forbidden, BadRequest) as error:
        log.info("banned user %s not told: %s", user_id, error)
        return False
    return True


@admin_only
async def on_unban(
    services: Services, message: Message, admin: User, args: list[str], context: Context
) -> None:
    lang = admin.language_code
    found = await target_or_answer(
        services, message, args, context, needed=1, usage=t("usage_unban", lang)
    )
    if found is None:
        return
    user_id, who, _ = found
    await services.storage.users.set_banned(user_id, False)
    log_action(admin, "unbanned", user_id)
    await reply(context.bot, message, t("admin_unbanned", lang, who=who))


@admin_only
async def on_balance(
    services: Services, message: Message, admin: User, args: list[str], context: Context
) -> None:
    lang = admin.language_code
    try:
        credits = await services.client.get_credits()
    except EvolinkError as error:
        await reply(context.bot, message, t("admin_balance_failed", lang, reason=str(error)))
        return
    remaining = credits.user_remaining
    key_part = ""
    if not credits.token_unlimited and credits.token_remaining is not None:
        key_part = t("admin_balance_key", lang, remaining=f"{credits.token_remaining:.2f}")
    text = t(
        "admin_balance",
        lang,
        remaining=f"{remaining:.2f}" if remaining is not None else "?",
        key_part=key_part,
    )
    await reply(context.bot, message, text)


@admin_only
async def on_pause(
    services: Services, message: Message, admin: User, args: list[str], context: Context
) -> None:
    await services.engine.set_paused(True)
    log.info("admin %s paused submitting to Evolink", admin.id)
    await reply(context.bot, message, t("admin_paused", admin.language_code))


@admin_only
async def on_resume(
    services: Services, message: Message, admin: User, args: list[str], context: Context
) -> None:
    await services.engine.set_paused(False)
    log.info("admin %s resumed submitting to Evolink", admin.id)
    await reply(context.bot, message, t("admin_resumed", admin.language_code))


COMMANDS = {
    "grant": on_grant,
    "setlimit": on_setlimit,
    "ban": on_ban,
    "unban": on_unban,
    "balance": on_balance,
    "pause": on_pause,
    "resume": on_resume,
}


def register(application: Application) -> None:
    for name, callback in COMMANDS.items():
        application.add_handler(CommandHandler(name, callback, filters=filters.UpdateType.MESSAGE))
