"""What handlers need, built once at start-up and kept in `application.bot_data`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from telegram.ext import CallbackContext, ContextTypes

from bot.clock import Clock
from bot.config import Settings
from bot.evolink.client import EvolinkClient
from bot.jobs.engine import JobEngine
from bot.pricing import Prices
from storage import Storage

SERVICES_KEY = "services"


@dataclass(slots=True)
class Services:
    settings: Settings
    storage: Storage
    client: EvolinkClient
    engine: JobEngine
    prices: Prices
    album_debounce: float
    clock: Clock
    zone: ZoneInfo  # the quota time zone: where a day starts and ends

    def is_admin(self, user_id: int | None) -> bool:
        return user_id is not None and user_id in self.settings.admin_ids

    async def is_barred(self, user_id: int) -> bool:
        """Banned, and so refused everything (admins can't be banned)."""
        return not self.is_admin(user_id) and await self.storage.users.is_banned(user_id)


def services_of(context: CallbackContext[Any, Any, Any, Any]) -> Services:
    services = context.bot_data[SERVICES_KEY]
    assert isinstance(services, Services)
    return services


Context = ContextTypes.DEFAULT_TYPE
