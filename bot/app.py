"""Wiring: build storage, the Evolink client, the Telegram application and the job engine,
run them until `stop` is set, then shut down in reverse order.

`python -m bot` calls `run_bot`; end-to-end tests call the same function with their own
`Tuning`, so what they test is the real wiring.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from functools import partial

from telegram import Update
from telegram.ext import Application, ApplicationBuilder
from telegram.request import HTTPXRequest

from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.credits import to_cents
from bot.evolink.client import EvolinkClient
from bot.fairness import BACKLOG, FairUpdateProcessor, UserRate, slow_down_notice
from bot.health import Heartbeat, heartbeat_path
from bot.jobs.alerts import ALERT_INTERVAL, AdminAlerts
from bot.jobs.engine import DELIVERY_RETRY, EngineConfig, JobEngine
from bot.jobs.inputs import DOWNLOAD_RETRY
from bot.jobs.status import GROUP_INTERVAL, PRIVATE_INTERVAL, StatusReporter
from bot.jobs.tracking import CHECK_RATE
from bot.metrics import LagMonitor
from bot.pricing import Prices
from bot.ratelimit import FloodLimiter, FloodLimits
from bot.retry import RetryPolicy
from bot.services import SERVICES_KEY, Services
from bot.startup import Backoff, connect
from bot.telegram_http import telegram_request
from bot.web import WebConfig, WebServer
from handlers import announce_commands, register_all
from storage import Storage
from storage.models import Limits

log = logging.getLogger(__name__)

MEDIA_MEMORY_SECONDS = 30 * 86400


@dataclass(frozen=True, slots=True)
class Tuning:
    """Knobs that are not operator settings; tests turn them to make runs fast."""

    clock: Clock = field(default_factory=SystemClock)
    flood: FloodLimits = field(default_factory=FloodLimits)
    status_private_interval: float = PRIVATE_INTERVAL
    status_group_interval: float = GROUP_INTERVAL
    alert_interval: float = ALERT_INTERVAL
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    poll_timeout: int = 10
    poll_scale: float = 1.0
    check_rate: float = CHECK_RATE  # Evolink status checks a second, the whole bot
    delivery_retry: RetryPolicy = field(default_factory=lambda: DELIVERY_RETRY)
    download_retry: RetryPolicy = field(default_factory=lambda: DOWNLOAD_RETRY)
    connect_backoff: Backoff = field(default_factory=Backoff)
    update_backlog: int = BACKLOG  # one user's new messages waiting before more are dropped


@dataclass(frozen=True, slots=True)
class TelegramRequests:
    """PTB's two request objects (calls, and getUpdates' long poll), kept so that a run
    that stops before the application starts can still close their connections."""

    calls: HTTPXRequest = field(default_factory=lambda: telegram_request(256))
    updates: HTTPXRequest = field(default_factory=lambda: telegram_request(1))

    async def close(self) -> None:
        await self.calls.shutdown()  # both are no-ops when already closed
        await self.updates.shutdown()


def build_application(
    settings: Settings,
    tuning: Tuning,
    limiter: FloodLimiter,
    requests: TelegramRequests,
) -> Application:
    token = settings.telegram_bot_token.get_secret_value()
    # Handlers only check and queue, but many users may write at once: a few updates per
    # user at a time, so one user's flood never delays another's replies.
    updates = FairUpdateProcessor(
        backlog=tuning.update_backlog,
        rate=UserRate(settings.user_commands_per_minute, settings.user_command_burst),
        exempt=settings.admin_ids,
    )
    application = (
        ApplicationBuilder()
        .token(token)
        .base_url(f"{settings.telegram_api_url}/bot")
        .base_file_url(f"{settings.telegram_api_url}/file/bot")
        .request(requests.calls)
        .get_updates_request(requests.updates)
        .rate_limiter(limiter)
        .concurrent_updates(updates)
        .build()
    )
    updates.notify = partial(slow_down_notice, application.bot)
    return application


async def run_bot(settings: Settings, stop: asyncio.Event, tuning: Tuning | None = None) -> None:
    tuning = tuning or Tuning()
    storage = await Storage.open(
        settings.database_path,
        clock=tuning.clock,
        zone=settings.zone,
        default_limit=to_cents(settings.daily_credits),
    )
    # Photos are remembered so a later reply to an album item finds the whole album; after
    # a month nobody replies to them any more.
    await storage.media.forget_older_than(MEDIA_MEMORY_SECONDS)
    await storage.questions.forget_older_than()
    client = EvolinkClient(
        settings.evolink_api_key.get_secret_value(),
        api_url=settings.evolink_api_url,
        files_url=settings.evolink_files_url,
        retry=tuning.retry,
    )
    token = settings.telegram_bot_token.get_secret_value()
    web_config = WebConfig(
        settings.web_listen,
        settings.web_port,
        settings.webhook_url,
        settings.evolink_callback_url,
        token,
        metrics=settings.metrics_enabled,
    )
    limiter = FloodLimiter(tuning.flood)
    requests = TelegramRequests()
    application = build_application(settings, tuning, limiter, requests)
    bot = application.bot
    engine = JobEngine(
        storage=storage,
        client=client,
        bot=bot,
        prices=Prices.from_settings(settings),
        config=EngineConfig(
            limits=Limits(
                settings.max_active_per_user,
                settings.max_active_total,
                settings.max_queued_per_user,
            ),
            image_timeout=settings.image_timeout_seconds,
            video_timeout=settings.video_timeout_seconds,
            callback_url=web_config.task_callback_url,
            poll_scale=tuning.poll_scale,
            check_rate=tuning.check_rate,
            # The queue board follows the status interval: tests shrink both together.
            queue_refresh=tuning.status_private_interval / 3,
            place_edit_interval=tuning.status_private_interval * 5,
            delivery_retry=tuning.delivery_retry,
            download_retry=tuning.download_retry,
        ),
        status=StatusReporter(
            bot,
            private_interval=tuning.status_private_interval,
            group_interval=tuning.status_group_interval,
            room=limiter.has_room,
        ),
        alerts=AdminAlerts(bot, settings.admin_ids, interval=tuning.alert_interval),
        clock=tuning.clock,
    )
    application.bot_data[SERVICES_KEY] = Services(
        settings=settings,
        storage=storage,
        client=client,
        engine=engine,
        prices=engine.prices,
        album_debounce=settings.album_debounce_seconds,
        clock=tuning.clock,
        zone=settings.zone,
    )
    register_all(application)
    web = WebServer(web_config, application, engine)
    serve_web = bool(
        settings.webhook_url or settings.evolink_callback_url or settings.metrics_enabled
    )
    lag = LagMonitor()
    heartbeat = Heartbeat(heartbeat_path(settings.database_path))
    try:
        # Before anything else talks to Telegram: a rejected token stops here with one line,
        # an unreachable Telegram is waited for (and a stop meanwhile ends the run cleanly).
        if not await connect(bot, settings.telegram_api_url, stop, tuning.connect_backoff):
            return
        async with application:
            # The engine's state (paused or not, unfinished jobs) is loaded before any
            # update or timer can reach a handler that asks it.
            await engine.start()
            await application.start()
            if serve_web:
                await web.start()
            await announce_commands(bot, settings.admin_ids, selling=bool(settings.credit_packs))
            await _receive_updates(application, settings, web_config, tuning)
            heartbeat.start()
            if settings.metrics_enabled:
                lag.start()
            log.info("bot @%s is running", bot.username)
            await stop.wait()
            log.info("stopping")
            await engine.stop()
            if application.updater is not None and application.updater.running:
                await application.updater.stop()
            await web.stop()
            await application.stop()
    finally:
        await lag.stop()
        await heartbeat.stop()
        await engine.stop()  # a no-op after a clean stop; after a failed start, it ends jobs
        await client.aclose()
        await requests.close()
        await storage.close()


async def _receive_updates(
    application: Application,
    settings: Settings,
    web_config: WebConfig,
    tuning: Tuning,
) -> None:
    """Webhook when WEBHOOK_URL is set (Telegram posts to our web server), else polling."""
    if settings.webhook_url:
        await application.bot.set_webhook(
            settings.webhook_url,
            secret_token=web_config.webhook_secret,
            allowed_updates=Update.ALL_TYPES,
        )
        return
    assert application.updater is not None
    await application.updater.start_polling(
        timeout=tuning.poll_timeout, allowed_updates=Update.ALL_TYPES
    )
