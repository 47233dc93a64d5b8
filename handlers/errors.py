"""The one place an unexpected exception in a handler ends: logged, and the user told."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError

from bot.messages import t
from bot.services import Context

log = logging.getLogger(__name__)


async def on_error(update: object, context: Context) -> None:
    """Never silence (PRODUCT.md §7): whoever sent the update hears that something failed."""
    log.error("handler failed", exc_info=context.error)
    if not isinstance(update, Update):
        return
    user = update.effective_user
    lang = user.language_code if user else None
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(t("err_internal", lang))
        elif update.effective_message is not None:
            await update.effective_message.reply_text(t("err_internal", lang))
    except TelegramError as error:
        log.info("could not report the failure to the user: %s", error)
