"""Telling admins when Evolink refuses the key, the balance or a model (401/402/403)."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from telegram import Bot
from telegram.error import TelegramError

from bot.clock import Clock, MonotonicClock
from bot.messages import t

log = logging.getLogger(__name__)

ALERT_INTERVAL = 600.0  # at most one message per kind per 10 minutes (issue #4)


class AdminAlerts:
    def __init__(
        self,
        bot: Bot,
        admin_ids: Iterable[int],
        *,
        interval: float = ALERT_INTERVAL,
        clock: Clock | None = None,
    ) -> None:
        self._bot = bot
        self._admins = sorted(admin_ids)
        self._interval = interval
        self._clock = clock or MonotonicClock()
        self._last: dict[str, float] = {}

    async def evolink_refused(self, kind: str) -> None:
        """`kind` is '401', '402' or '403'; repeats within the interval are dropped."""
        now = self._clock.now()
        last = self._last.get(kind)
        if last is not None and now - last < self._interval:
            return
        self._last[kind] = now
        log.warning("Evolink answered %s; alerting %d admin(s)", kind, len(self._admins))
        for admin in self._admins:
            try:
                await self._bot.send_message(admin, t(f"alert_{kind}"))
            except TelegramError as error:
                # An admin who never opened a chat with the bot can't be messaged.
                log.info("could not alert admin %s: %s", admin, error)
