"""Telegram handlers, one module per feature, each with `register(application)`."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence

from telegram import Bot, BotCommand, BotCommandScopeChat
from telegram.error import BadRequest, TelegramError
from telegram.ext import Application

from bot.messages import t
from bot.models import registry
from handlers import (
    account,
    admin,
    albums,
    buttons,
    conversation,
    errors,
    generation,
    payments,
    questions,
    settings,
    stats,
    welcome,
)


def register_all(application: Application) -> None:
    generation.register(application)
    albums.register(application)
    buttons.register(application)
    account.register(application)
    admin.register(application)
    stats.register(application)
    payments.register(application)
    welcome.register(application)
    settings.register(application)
    questions.register(application)
    conversation.register(application)  # after every command: only what none took
    buttons.register_fallback(application)  # last: only what no other handler took
    application.add_error_handler(errors.on_error)


MENU = (*registry.COMMANDS, "quota", "jobs", "cancel", "settings", "buy", "id", "help")
ADMIN_MENU = ("grant", "setlimit", "ban", "unban", "stats", "balance", "pause", "resume", "refund")
MENU_LANGUAGES = ("en", "zh")
FOR_SALE = ("buy",)  # in the menu only while the operator sells credits (CREDIT_PACKS)
log = logging.getLogger(__name__)


def menu(names: Sequence[str], lang: str) -> list[BotCommand]:
    return [BotCommand(name, t(f"cmd_{name}", lang)) for name in names]


def user_menu(selling: bool) -> tuple[str, ...]:
    """Every user's commands; /buy only when there is something to buy."""
    return MENU if selling else tuple(name for name in MENU if name not in FOR_SALE)


async def announce_commands(
    bot: Bot, admin_ids: Iterable[int] = (), *, selling: bool = False
) -> None:
    """The command menu Telegram clients show, in English and Chinese; in each admin's
    private chat also the admin commands (PRODUCT §4a)."""
    names = user_menu(selling)
    try:
        for lang in MENU_LANGUAGES:
            await bot.set_my_commands(menu(names, lang), language_code=_code(lang))
    except TelegramError as error:  # a menu is a convenience; never fail start-up over it
        log.warning("could not set the command menu: %s", error)
    for admin_id in sorted(admin_ids):
        await _announce_admin_commands(bot, admin_id, names)


async def _announce_admin_commands(bot: Bot, admin_id: int, names: Sequence[str]) -> None:
    # A chat-scoped menu outranks the default one in every language, so both are set.
    try:
        for lang in MENU_LANGUAGES:
            commands = menu((*names, *ADMIN_MENU), lang)
            scope = BotCommandScopeChat(admin_id)
            await bot.set_my_commands(commands, scope=scope, language_code=_code(lang))
    except BadRequest as error:  # "chat not found": this admin never wrote to the bot
        log.info("no admin command menu for %s: %s", admin_id, error)
    except TelegramError as error:
        log.warning("could not set the admin command menu for %s: %s", admin_id, error)


def _code(lang: str) -> str | None:
    return None if lang == "en" else lang
