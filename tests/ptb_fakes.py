"""A Bot API in memory for handler-level tests: python-telegram-bot's own request seam.

`RecordingRequest` is a `telegram.request.BaseRequest`: PTB hands it every call it would
send over HTTP. It answers `getMe` with a bot, records every other call with its parameters
and answers it as Telegram would (a message for the send/edit methods, `true` otherwise).
`handler_app` builds the real `Application` with it and the real handlers, so a test feeds
one update through `process_update` and reads what the bot said: no servers, no polling.
"""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from telegram import Update
from telegram.ext import Application, ApplicationBuilder
from telegram.request import BaseRequest, RequestData

from bot.clock import SystemClock
from bot.config import Settings
from bot.credits import to_cents
from bot.evolink.client import EvolinkClient
from bot.jobs.alerts import AdminAlerts
from bot.jobs.engine import EngineConfig, JobEngine
from bot.jobs.status import StatusReporter
from bot.pricing import Prices
from bot.services import SERVICES_KEY, Services
from handlers import register_all
from storage import Storage
from storage.models import Limits

TOKEN = "4242:HANDLER-test-token"
BOT = {"id": 4242, "is_bot": True, "first_name": "Evolink", "username": "evolink_handler_bot"}
# Methods whose result is the message they sent or edited.
MESSAGE_METHODS = frozenset(
    {"sendMessage", "editMessageText", "sendPhoto", "sendVideo", "sendDocument"}
)


@dataclass(frozen=True, slots=True)
class Call:
    method: str
    params: dict[str, Any]


class RecordingRequest(BaseRequest):
    """Answers like the Bot API and remembers every call but `getMe`."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self._message_ids = itertools.count(1000)

    @property
    def read_timeout(self) -> float | None:
        return None

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = None,
        write_timeout: Any = None,
        connect_timeout: Any = None,
        pool_timeout: Any = None,
    ) -> tuple[int, bytes]:
        name = url.rsplit("/", 1)[-1]
        params = dict(request_data.parameters) if request_data else {}
        if name != "getMe":
            self.calls.append(Call(name, params))
        return 200, json.dumps({"ok": True, "result": self._result(name, params)}).encode()

    def _result(self, name: str, params: dict[str, Any]) -> object:
        if name == "getMe":
            return BOT
        if name in MESSAGE_METHODS:
            chat = {"id": params.get("chat_id", 0), "type": "private"}
            message_id = params.get("message_id") or next(self._message_ids)
            return {"message_id": message_id, "date": int(time.time()), "chat": chat, "text": ""}
        return True

    def of(self, method: str) -> list[dict[str, Any]]:
        """The parameters of every call of `method`, in order."""
        return [call.params for call in self.calls if call.method == method]


def settings(database: Path, **values: Any) -> Settings:
    return Settings(
        _env_file=None,
        telegram_bot_token=TOKEN,
        evolink_api_key="handler-test-key",
        evolink_api_url="http://127.0.0.1:9",  # nothing listens: no test here reaches Evolink
        evolink_files_url="http://127.0.0.1:9",
        database_path=database,
        **values,
    )


def _engine(
    config: Settings, storage: Storage, client: EvolinkClient, app: Application
) -> JobEngine:
    limits = Limits(
        config.max_active_per_user, config.max_active_total, config.max_queued_per_user
    )
    return JobEngine(
        storage=storage,
        client=client,
        bot=app.bot,
        prices=Prices.from_settings(config),
        config=EngineConfig(limits=limits, image_timeout=60, video_timeout=60),
        status=StatusReporter(app.bot),
        alerts=AdminAlerts(app.bot, config.admin_ids),
        clock=SystemClock(),
    )


@asynccontextmanager
async def handler_app(config: Settings) -> AsyncIterator[tuple[Application, RecordingRequest]]:
    """The real handlers in an initialised Application talking to a `RecordingRequest`.

    The job engine is built but not started: these tests end where a job would be queued.
    """
    request = RecordingRequest()
    app = ApplicationBuilder().token(TOKEN).request(request).get_updates_request(request).build()
    storage = await Storage.open(
        config.database_path,
        clock=SystemClock(),
        zone=config.zone,
        default_limit=to_cents(config.daily_credits),
    )
    client = EvolinkClient("handler-test-key", api_url=config.evolink_api_url)
    engine = _engine(config, storage, client, app)
    app.bot_data[SERVICES_KEY] = Services(
        settings=config,
        storage=storage,
        client=client,
        engine=engine,
        prices=engine.prices,
        album_debounce=0.0,
        clock=SystemClock(),
        zone=config.zone,
    )
    register_all(app)
    try:
        async with app:
            yield app, request
    finally:
        await client.aclose()
        await storage.close()


_update_ids = itertools.count(1)


def user(user_id: int = 501, lang: str = "en") -> dict[str, Any]:
    return {"id": user_id, "is_bot": False, "first_name": "Ann", "language_code": lang}


def message_update(
    app: Application, text: str, *, sender: dict[str, Any] | None = None, chat_id: int = 0
) -> Update:
    """A text message as Telegram delivers it (a private chat with the sender by default)."""
    sender = sender or user()
    chat = {"id": chat_id or sender["id"], "type": "private" if not chat_id else "group"}
    command = text.split()[0] if text.startswith("/") else ""
    entities = [{"type": "bot_command", "offset": 0, "length": len(command)}] if command else []
    message = {
        "message_id": next(_update_ids),
        "date": int(time.time()),
        "chat": chat,
        "from": sender,
        "text": text,
        "entities": entities,
    }
    return Update.de_json({"update_id": next(_update_ids), "message": message}, app.bot)


def callback_update(
    app: Application, data: str, *, sender: dict[str, Any] | None = None
) -> Update:
    """A button press with `data` under a message the bot sent."""
    sender = sender or user()
    chat = {"id": sender["id"], "type": "private"}
    message = {"message_id": 7, "date": int(time.time()), "chat": chat, "text": "result"}
    query = {
        "id": f"q{next(_update_ids)}",
        "from": sender,
        "chat_instance": "ci",
        "message": message,
        "data": data,
    }
    return Update.de_json({"update_id": next(_update_ids), "callback_query": query}, app.bot)
