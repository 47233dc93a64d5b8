"""One status message per job, edited as the job moves, never faster than chats allow.

An edit that Telegram refuses (flood, message deleted, "not modified") is logged and
forgotten: the status message is a courtesy and must never fail the job itself.
"""

from __future__ import annotations

import logging
import time

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import TelegramError

from bot.messages import t
from storage.models import Job

log = logging.getLogger(__name__)

PRIVATE_INTERVAL = 3.0
GROUP_INTERVAL = 10.0


def cancel_keyboard(job: Job) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(t("btn_cancel", job.language), callback_data=f"cancel:{job.id}")]]
    )


class StatusReporter:
    def __init__(
        self,
        bot: Bot,
        *,
        private_interval: float = PRIVATE_INTERVAL,
        group_interval: float = GROUP_INTERVAL,
    ) -> None:
        self._bot = bot
        self._private_interval = private_interval
        self._group_interval = group_interval
        self._last: dict[int, tuple[float, str]] = {}

    async def show(
        self,
        job: Job,
        text: str,
        *,
        final: bool = False,
        keyboard: InlineKeyboardMarkup | None = None,
    ) -> None:
        """Edit the job's status message to `text` unless that would be too soon.

        Progress updates (`final=False`) are simply skipped when too soon; the next one
        carries newer numbers anyway. Final texts are always sent.
        """
        if job.status_message_id is None:
            return
        now = time.monotonic()
        last_at, last_text = self._last.get(job.id, (0.0, ""))
        if text == last_text:
            return
        interval = self._group_interval if job.is_group else self._private_interval
        if not final and now - last_at < interval:
            return
        self._last[job.id] = (now, text)
        try:
            await self._bot.edit_message_text(
                text,
                chat_id=job.chat_id,
                message_id=job.status_message_id,
                reply_markup=keyboard,
            )
        except TelegramError as error:
            log.info("status edit for job %s refused: %s", job.id, error)
        if final:
            self._last.pop(job.id, None)

    def forget(self, job_id: int) -> None:
        self._last.pop(job_id, None)
