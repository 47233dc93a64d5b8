"""The bot's own HTTP endpoint, only when WEBHOOK_URL or EVOLINK_CALLBACK_URL is set.

- Telegram webhook: POST to the path of WEBHOOK_URL. Telegram sends the secret we gave it in
  `setWebhook` as X-Telegram-Bot-Api-Secret-Token; anything without it is refused.
- Evolink callbacks: POST to `<path of EVOLINK_CALLBACK_URL>/evolink/<secret>`. Callbacks
  are not signed (DIGEST §5), so one is only a hint: it makes the engine fetch that task
  from Evolink at once. Its body is never believed.

- `/metrics` (GET, METRICS_ENABLED): Prometheus metrics (bot/metrics.py); nothing secret in it.

Both secrets are derived from the bot token, so they stay the same across restarts (tasks
already at Evolink keep a valid callback URL) without another setting to manage.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web
from telegram import Update
from telegram.ext import Application

from bot import metrics
from bot.jobs.engine import JobEngine

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_BODY = 1024 * 1024


def derived_secret(token: str, purpose: str) -> str:
    """A stable secret for `purpose`: [0-9a-f], 48 chars (Telegram allows 1-256 of A-Za-z0-9_-)."""
    return hmac.new(token.encode(), purpose.encode(), hashlib.sha256).hexdigest()[:48]


def _path_of(url: str) -> str:
    return "/" + urlsplit(url).path.strip("/")


@dataclass(frozen=True, slots=True)
class WebConfig:
    listen: str
    port: int
    webhook_url: str
    callback_url: str  # the public base, as configured
    token: str
    metrics: bool = False

    @property
    def webhook_secret(self) -> str:
        return derived_secret(self.token, "telegram-webhook")

    @property
    def callback_secret(self) -> str:
        return derived_secret(self.token, "evolink-callback")

    @property
    def task_callback_url(self) -> str | None:
        """What each Evolink task carries as `callback_url`."""
        if not self.callback_url:
            return None
        return f"{self.callback_url.rstrip('/')}/evolink/{self.callback_secret}"


class WebServer:
    def __init__(
        self,
        config: WebConfig,
        application: Application,
        engine: JobEngine,
    ) -> None:
        self._config = config
        self._application = application
        self._engine = engine
        self._runner: web.AppRunner | None = None

    def _app(self) -> web.Application:
        app = web.Application(client_max_size=MAX_BODY)
        if self._config.webhook_url:
            app.router.add_post(_path_of(self._config.webhook_url), self._telegram)
        if self._config.callback_url:
            base = _path_of(self._config.callback_url).rstrip("/")
            app.router.add_post(f"{base}/evolink/{{secret}}", self._evolink)
        if self._config.metrics:
            app.router.add_get("/metrics", self._metrics)
        return app

    async def start(self) -> None:
        self._runner = web.AppRunner(self._app(), access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self._config.listen, self._config.port)
        await site.start()
        log.info("listening on %s:%s", self._config.listen, self._config.port)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _telegram(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not _same_secret(given, self._config.webhook_secret):
            return web.Response(status=403)
        payload = await _json_object(request)
        if isinstance(payload, web.Response):
            return payload
        try:
            update = Update.de_json(payload, self._application.bot)
        except Exception:  # PTB raises what a shape mismatch gives; a stranger gets a 400
            log.info("webhook body is not an update; refused")
            return web.Response(status=400)
        await self._application.update_queue.put(update)
        return web.Response(text="ok")

    async def _evolink(self, request: web.Request) -> web.Response:
        if not _same_secret(request.match_info["secret"], self._config.callback_secret):
            return web.Response(status=404)
        payload = await _json_object(request)
        if isinstance(payload, web.Response):
            return payload
        task_id = payload.get("id")
        if isinstance(task_id, str):
            self._engine.poke(task_id)  # fetch the task now; the body itself proves nothing
        return web.Response(text="ok")

    async def _metrics(self, _request: web.Request) -> web.Response:
        body, content_type = await metrics.exposition(self._engine.counts)
        return web.Response(body=body, headers={"Content-Type": content_type})


async def _json_object(request: web.Request) -> dict[str, Any] | web.Response:
    """The body as a JSON object, or the 4xx answer: 413 past MAX_BODY, 400 for anything
    that is not UTF-8 JSON with an object at the top."""
    try:
        body = await request.read()
    except web.HTTPRequestEntityTooLarge:
        return web.Response(status=413)
    try:
        payload: Any = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        return web.Response(status=400)
    if not isinstance(payload, dict):
        return web.Response(status=400)
    return payload


def _same_secret(given: str, expected: str) -> bool:
    """Constant-time comparison of bytes: compare_digest raises TypeError on non-ASCII str
    (which answered strangers with a 500 and a logged traceback), and header bytes that are
    not UTF-8 come in as surrogates, which only `surrogateescape` can encode."""
    return hmac.compare_digest(given.encode("utf-8", "surrogateescape"), expected.encode())
