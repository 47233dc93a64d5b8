"""One status message per job, edited as the job moves, never faster than chats allow.

An edit that Telegram refuses (flood, message deleted, "not modified") is logged and
forgotten: the status message is a courtesy and must never fail the job itself. For the same
reason an intermediate edit yields when the flood budget is short (`room` says so): results
and replies to commands go first, and the next step's text replaces the skipped one anyway.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import TelegramError

from bot.clock import Clock, MonotonicClock
from bot.messages import t
from bot.texts.plurals import credit_count
from storage.models import Job

log = logging.getLogger(__name__)

PRIVATE_INTERVAL = 3.0
GROUP_INTERVAL = 10.0


def reserved_part(job: Job) -> str:
    """ " · 2 credits reserved" while a job holds credits; "" for an admin's (nothing held)."""
    if job.reserved_daily + job.reserved_bonus <= 0:
        return ""
    return t("status_reserved", job.language, cost=credit_count(job.cost))


def status_text(job: Job, key: str, **params: object) -> str:
    """A status text naming the job by the number /cancel takes, with what it holds."""
    return t(key, job.language, job=job.id, reserved=reserved_part(job), **params)


def cancel_keyboard(job: Job) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(t("btn_cancel", job.language), callback_data=f"cancel:{job.id}")]]
    )


@dataclass(slots=True)
class _Shown:
    at: float
    text: str
    buttons: bool


class StatusReporter:
    def __init__(
        self,
        bot: Bot,
        *,
        private_interval: float = PRIVATE_INTERVAL,
        group_interval: float = GROUP_INTERVAL,
        clock: Clock | None = None,
        room: Callable[[int], bool] | None = None,
    ) -> None:
        self._bot = bot
        self._room = room or _always
        self._clock = clock or MonotonicClock()
        self._private_interval = private_interval
        self._group_interval = group_interval
        self._shown: dict[int, _Shown] = {}

    def prime(self, job_id: int, text: str, *, buttons: bool) -> None:
        """Record what the status message says right after it was posted."""
        self._shown[job_id] = _Shown(self._clock.now(), text, buttons)

    async def show(
        self,
        job: Job,
        text: str,
        *,
        final: bool = False,
        keyboard: InlineKeyboardMarkup | None = None,
    ) -> bool:
        """Edit the job's status message to `text` unless that would be too soon; whether
        the message now shows it (False: skipped, or refused).

        Intermediate texts are skipped when the last edit was too recent or the budget is
        short: in a busy chat the result itself matters more than "starting…". Final texts
        are always sent, and so is any edit that must take a Cancel button away from a job
        that started.
        """
        if job.status_message_id is None:
            return False
        now = self._clock.now()
        shown = self._shown.get(job.id)
        buttons = keyboard is not None
        if shown is not None and shown.text == text and shown.buttons == buttons:
            return True
        must = final or (shown is not None and shown.buttons and not buttons)
        interval = self._group_interval if job.is_group else self._private_interval
        if not must and shown is not None and now - shown.at < interval:
            return False
        if not must and not self._room(job.chat_id):
            return False
        self._shown[job.id] = _Shown(now, text, buttons)
        try:
            await self._bot.edit_message_text(
                text,
                chat_id=job.chat_id,
                message_id=job.status_message_id,
                reply_markup=keyboard,
            )
        except TelegramError as error:
            log.info("status edit for job %s refused: %s", job.id, error)
            return False
        return True

    def has_room(self, chat_id: int) -> bool:
        """Whether an intermediate edit in this chat would go now (not wait or be skipped)."""
        return self._room(chat_id)

    def forget(self, job_id: int) -> None:
        self._shown.pop(job_id, None)


def _always(_chat_id: int) -> bool:
    return True
