"""/settings (PRODUCT.md §4a): a user's saved defaults, shown and changed with inline buttons
that edit the same message in place; and the reply language chosen there, applied to every
update of that user before any other handler runs.

Button data: `cfg:<owner>:` (the overview), `cfg:<owner>:<key>` (its choices) and
`cfg:<owner>:<key>:<value>` (`-` for the default); at most ~40 bytes.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update, User
from telegram.error import BadRequest
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    TypeHandler,
    filters,
)

from bot.defaults import BY_KEY, LANGUAGE_KEY, SETTINGS, reply_language, valid
from bot.messages import choose_language, t
from bot.services import Context, Services, services_of
from handlers.common import admit, reply

DEFAULT = "-"  # the button value that forgets a setting
# Unset settings whose model default is one plain value for every model, shown as that value.
PLAIN_DEFAULTS = {"n": "1", "raw": "off"}
LANGUAGE_GROUP = -10  # before every other handler group


def shown(key: str, value: str | None, lang: str | None) -> str:
    """A setting's value as the settings message says it."""
    if value is None and key in PLAIN_DEFAULTS:  # "standard" would say nothing here
        return shown(key, PLAIN_DEFAULTS[key], lang)
    if value is None:
        return t("value_lang_default" if key == LANGUAGE_KEY else "value_default", lang)
    if key == "raw" and value == "off":
        return t("value_off", lang)
    if key == "raw":
        return t("value_on", lang)
    if key == "duration":
        return t("value_seconds", lang, value=value)
    if key == LANGUAGE_KEY:
        return t(f"value_{value}", lang)
    return value


def overview(
    owner: int, saved: dict[str, str], lang: str | None
) -> tuple[str, InlineKeyboardMarkup]:
    lines = []
    rows = []
    for setting in SETTINGS:
        name, value = (
            t(f"setting_{setting.key}", lang),
            shown(setting.key, saved.get(setting.key), lang),
        )
        lines.append(t("settings_line", lang, setting=name, value=value))
        label = t("settings_line", lang, setting=name, value=value)
        rows.append([InlineKeyboardButton(label, callback_data=f"cfg:{owner}:{setting.key}")])
    return t("settings", lang, lines="\n".join(lines)), InlineKeyboardMarkup(rows)


def choices(
    owner: int, key: str, current: str | None, lang: str | None
) -> tuple[str, InlineKeyboardMarkup]:
    values = [DEFAULT, *BY_KEY[key].choices]
    buttons = []
    for value in values:
        chosen = value == (current or DEFAULT)
        label = shown(key, None if value == DEFAULT else value, lang)
        buttons.append(
            InlineKeyboardButton(
                ("✓ " if chosen else "") + label, callback_data=f"cfg:{owner}:{key}:{value}"
            )
        )
    rows = [buttons[i : i + 3] for i in range(0, len(buttons), 3)]
    rows.append([InlineKeyboardButton(t("btn_back", lang), callback_data=f"cfg:{owner}:")])
    return t("settings_pick", lang, setting=t(f"setting_{key}", lang)), InlineKeyboardMarkup(rows)


async def on_settings(update: Update, context: Context) -> None:
    message, user = update.message, update.effective_user
    if message is None or user is None:
        return
    services = services_of(context)
    if not await admit(services, context.bot, message, user):
        return
    saved = await services.storage.preferences.of(user.id)
    text, keyboard = overview(user.id, saved, user.language_code)
    await reply(context.bot, message, text, keyboard)


async def on_settings_button(update: Update, context: Context) -> None:
    query = update.callback_query
    if query is None or query.data is None:
        return
    lang = query.from_user.language_code
    parts = query.data.split(":", 3)  # cfg, owner, key, value
    owner = parts[1] if len(parts) > 1 else ""
    if owner != str(query.from_user.id):
        await query.answer(t("not_your_button", lang), show_alert=True)
        return
    if not _is_panel(query.message, owner):  # forged data on another of the bot's messages
        await query.answer(t("button_unknown", lang))
        return
    services = services_of(context)
    key = parts[2] if len(parts) > 2 else ""
    value = parts[3] if len(parts) > 3 else None
    if value is not None and (value == DEFAULT or valid(key, value)):
        await services.storage.preferences.choose(
            query.from_user.id, key, None if value == DEFAULT else value
        )
        await _follow_language(services, query.from_user)
        lang = query.from_user.language_code
        await query.answer(t("settings_saved", lang))
        key = ""
    else:
        await query.answer()
    saved = await services.storage.preferences.of(query.from_user.id)
    if key in BY_KEY:
        text, keyboard = choices(query.from_user.id, key, saved.get(key), lang)
    else:
        text, keyboard = overview(query.from_user.id, saved, lang)
    if isinstance(query.message, Message):
        try:
            await query.edit_message_text(text, reply_markup=keyboard)
        except BadRequest as error:  # "message is not modified": a second tap on the same value
            if "not modified" not in str(error):
                raise


def _is_panel(message: object, owner: str) -> bool:
    """Only the owner's settings panel is ever edited into another panel: callback data can be
    forged, and any other text message of the bot would otherwise be overwritten."""
    if not isinstance(message, Message) or message.reply_markup is None:
        return False
    prefix = f"cfg:{owner}:"
    rows = message.reply_markup.inline_keyboard
    return any(str(b.callback_data or "").startswith(prefix) for row in rows for b in row)


async def _follow_language(services: Services, user: User) -> None:
    choose_language(reply_language(await services.storage.preferences.of(user.id)))


async def follow_reply_language(update: Update, context: Context) -> None:
    """Before every handler: this update's replies use the language the user chose."""
    user = update.effective_user if isinstance(update, Update) else None
    if user is None:
        choose_language(None)
        return
    await _follow_language(services_of(context), user)


def register(application: Application) -> None:
    application.add_handler(TypeHandler(Update, follow_reply_language), group=LANGUAGE_GROUP)
    only_new = filters.UpdateType.MESSAGE
    application.add_handler(CommandHandler("settings", on_settings, filters=only_new))
    application.add_handler(CallbackQueryHandler(on_settings_button, pattern=r"^cfg:"))
