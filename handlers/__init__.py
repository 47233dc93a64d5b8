"""Telegram handlers, one module per feature, each with `register(application)`."""

from __future__ import annotations

import logging

from telegram import Bot, BotCommand
from telegram.error import TelegramError
from telegram.ext import Application

from bot.messages import t
from bot.models import registry
from handlers import account, admin, albums, buttons, errors, generation


def register_all(application: Application) -> None:
    generation.register(application)
    albums.register(application)
    buttons.register(application)
    account.register(application)
    admin.register(application)
    buttons.register_fallback(application)  # last: only what no other handler took
    application.add_error_handler(errors.on_error)


MENU = (*registry.COMMANDS, "quota", "jobs", "cancel", "id", "help")
log = logging.getLogger(__name__)


async def announce_commands(bot: Bot) -> None:
    """The command menu Telegram clients show, in English and Chinese."""
    try:
        for lang in ("en", "zh"):
            commands = [BotCommand(name, t(f"cmd_{name}", lang)) for name in MENU]
            await bot.set_my_commands(commands, language_code=None if lang == "en" else lang)
    except TelegramError as error:  # a menu is a convenience; never fail start-up over it
        log.warning("could not set the command menu: %s", error)
