"""Small helpers shared by the handlers: replies, languages, texts for refusals."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from telegram import Bot, Chat, InlineKeyboardMarkup, Message, ReplyParameters, User
from telegram.constants import MessageLimit

from bot.clock import next_midnight
from bot.credits import format_credits
from bot.messages import t
from bot.services import Services
from bot.texts import shortened
from bot.texts.plurals import credit_count
from storage.models import Balance


def text_for(key: str, lang: str | None, params: Mapping[str, object]) -> str:
    """A catalogue text whose params may name sub-texts (`reason_key`, `hint_key`)."""
    values = dict(params)
    if "reason_key" in values:
        values["reason"] = t(str(values.pop("reason_key")), lang, **values)
    values.setdefault("reason", "")
    values["hint"] = t(str(values.pop("hint_key")), lang) if "hint_key" in values else ""
    return t(key, lang, **values)


def user_name(user_id: int, username: str | None, lang: str | None) -> str:
    """How admin replies name a user: by id, and by @username when there is one (§6)."""
    if username:
        return t("user_named", lang, username=username.lstrip("@"), id=user_id)
    return t("user_label", lang, id=user_id)


def fit_text(text: str) -> str:
    """`text` cut to what one Telegram message holds (a last guard; echoes are shortened)."""
    return shortened(text, MessageLimit.MAX_TEXT_LENGTH)


async def reply(
    bot: Bot, message: Message, text: str, keyboard: InlineKeyboardMarkup | None = None
) -> Message:
    """Answer as a reply to `message` (in every chat, so groups see what it answers)."""
    return await reply_to(bot, message.chat_id, message.message_id, text, keyboard)


async def reply_to(
    bot: Bot,
    chat_id: int,
    message_id: int,
    text: str,
    keyboard: InlineKeyboardMarkup | None = None,
) -> Message:
    return await bot.send_message(
        chat_id,
        fit_text(text),
        reply_parameters=ReplyParameters(message_id, allow_sending_without_reply=True),
        reply_markup=keyboard,
    )


def refill_time(services: Services, lang: str | None) -> str:
    """'00:00 UTC (in 5 h 12 min)': when the daily credits come back."""
    now = services.clock.now()
    refill: datetime = next_midnight(now, services.zone)
    minutes = max(0, int((refill.timestamp() - now) // 60))
    hours, minutes = divmod(minutes, 60)
    return t(
        "refill_at",
        lang,
        time=f"{refill:%H:%M}",
        zone=services.settings.quota_timezone,
        hours=hours,
        minutes=minutes,
    )


def no_credits_text(services: Services, balance: Balance, cost: int, lang: str | None) -> str:
    bonus = t("bonus_part", lang, bonus=format_credits(balance.bonus)) if balance.bonus else ""
    return t(
        "no_credits",
        lang,
        cost=credit_count(cost),
        left=format_credits(balance.daily_left),
        bonus_part=bonus,
        refill=refill_time(services, lang),
    )


async def admit(services: Services, bot: Bot, message: Message, user: User) -> bool:
    """Remember who wrote (so admins can name them); a banned user gets one short line."""
    await services.storage.users.remember(
        user.id, user.username, user.first_name, user.language_code
    )
    if await services.is_barred(user.id):
        await reply(bot, message, await banned_text(services, user.id, user.language_code))
        return False
    return True


async def banned_text(services: Services, user_id: int, lang: str | None) -> str:
    """What a banned user is told: that an admin blocked them, and why when one said."""
    record = await services.storage.users.get(user_id)
    reason = record.ban_reason if record else None
    return t("banned_reason", lang, reason=reason) if reason else t("banned", lang)


# What the user is told for each outcome of JobEngine.cancel.
_CANCEL_TEXTS = {"cancelled": "cancel_done", "too_late": "cancel_too_late"}


def cancel_text(outcome: str, lang: str | None, job_id: int) -> str:
    return t(_CANCEL_TEXTS.get(outcome, "cancel_finished"), lang, job=job_id)


def request_at(bot: Bot, chat: Chat, message_id: int) -> Message:
    """A message of `chat` standing in for a request a button press makes (an example under
    the greeting, a question's job): the job's replies answer message `message_id`."""
    request = Message(message_id, datetime.now(UTC), chat)
    request.set_bot(bot)
    return request
