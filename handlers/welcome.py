"""/start (PRODUCT.md §4a): a greeting in the user's language with three examples, each a
button that runs it for them; and the short /help's price words.

Button data: `try:<n>` (the n-th example of the catalogue, in the presser's language).
"""

from __future__ import annotations

import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, filters

from bot.evolink import limits
from bot.messages import t
from bot.models import registry
from bot.models.spec import ModelSpec
from bot.parsing import split_command
from bot.services import Context, Services, services_of
from bot.texts import shortened
from bot.texts.plurals import credit_count
from handlers.common import admit, reply, request_at
from handlers.generation import start_generation

log = logging.getLogger(__name__)

EXAMPLES = ("example_1", "example_2", "example_3")
BUTTON_WORDS = 40  # characters of an example shown on its button


def example_keyboard(lang: str | None) -> InlineKeyboardMarkup:
    rows = []
    for number, key in enumerate(EXAMPLES, start=1):
        words = shortened(t(key, lang).split(maxsplit=1)[1], BUTTON_WORDS)
        label = t("example_button", lang, example=words)
        rows.append([InlineKeyboardButton(label, callback_data=f"try:{number}")])
    return InlineKeyboardMarkup(rows)


async def on_start(update: Update, context: Context) -> None:
    message, user = update.message, update.effective_user
    if message is None or user is None:
        return
    services = services_of(context)
    if await admit(services, context.bot, message, user):
        lang = user.language_code
        text = t("start", lang, name=shortened(user.first_name, 64))
        await reply(context.bot, message, text, example_keyboard(lang))


async def on_try(update: Update, context: Context) -> None:
    """An example's button: its command runs as if the presser had sent it."""
    query = update.callback_query
    if query is None or query.data is None:
        return
    number = query.data.removeprefix("try:")
    key = f"example_{number}"
    if key not in EXAMPLES or not isinstance(query.message, Message):
        await query.answer(t("button_unknown", query.from_user.language_code))  # forged
        return
    await query.answer()
    parsed = split_command(t(key, query.from_user.language_code), context.bot.username)
    assert parsed is not None
    # The example answers the greeting: the result comes as a reply to it.
    greeting = query.message
    request = request_at(context.bot, greeting.chat, greeting.message_id)
    services = services_of(context)
    await start_generation(services, context.bot, request, query.from_user, *parsed, [])


# --- prices in plain words, for /help -------------------------------------------------------


def cheapest(services: Services, spec: ModelSpec) -> int:
    """The least one job of `spec` can cost (one picture; the shortest, lowest video)."""
    options = dict(spec.defaults)
    if "quality" in options:
        options["quality"] = limits.VIDEO_QUALITIES[0]
    if "duration" in options:
        options["duration"] = min(limits.VIDEO_DURATIONS)
    if "n" in options:
        options["n"] = 1
    return services.prices.reserve(spec.name, options)


def price_words(services: Services, command: str, lang: str | None) -> str:
    specs = registry.for_command(command)
    prices = [cheapest(services, spec) for spec in specs]
    low = credit_count(min(prices))
    if specs[0].kind == "video":
        return t("price_video_from", lang, credits=low)
    key = "price_picture" if len(set(prices)) == 1 else "price_picture_from"
    return t(key, lang, credits=low)


def command_lines(services: Services, lang: str | None) -> str:
    return "\n".join(
        t(
            "short_help_line",
            lang,
            command=command,
            what=t(f"cmd_{command}", lang),
            price=price_words(services, command, lang),
        )
        for command in registry.COMMANDS
    )


def register(application: Application) -> None:
    only_new = filters.UpdateType.MESSAGE
    application.add_handler(CommandHandler("start", on_start, filters=only_new))
    application.add_handler(CallbackQueryHandler(on_try, pattern=r"^try:"))
