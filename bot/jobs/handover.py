"""Handing a finished job's results to the chat, message by message, and ending the job.

Each message Telegram accepts is recorded before the next is sent, so a retry or a restart
sends only what is missing (never the album again). The user pays for the results that
arrived: a job that delivered something is never fully refunded, whatever stops the rest (a
403 from a bot that was blocked included). The outcome (PRODUCT.md §4a, one message per
outcome) is written together with the job's end and shown after it: a result's footer says
what it cost and what is left (its caption, or a message with the buttons under an album or
a link), a failure is a new reply with Retry; then the status message is deleted. What a
crash left owed is shown at the next start (`start_showing_owed`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from functools import partial

from telegram import Bot, ReplyParameters
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from bot.clock import Clock
from bot.credits import format_credits
from bot.evolink.client import EvolinkClient
from bot.evolink.errors import EvolinkError
from bot.jobs.delivery import (
    Delivery,
    Fetched,
    Requester,
    caption_for,
    envelope_for,
    worth_a_notice,
)
from bot.jobs.failures import Failure
from bot.jobs.keyboards import result_keyboard, retry_keyboard
from bot.jobs.status import status_text
from bot.messages import t
from bot.ratelimit import retry_after_seconds
from bot.retry import RetryPolicy
from bot.texts.plurals import credit_count
from storage import Storage
from storage.models import Delivered, Job

log = logging.getLogger(__name__)

Step = Callable[[], Awaitable[list[Delivered]]]
Charge = Callable[[Job, int], int]
_MEDIA = ("photo", "document", "video")  # results that carry a caption
LINK_LIFETIME = 23 * 3600.0  # result links live 24 h; flood waits are retried within that


def results_of(job: Job) -> list[Delivered]:
    return [d for d in job.delivered if d.is_result]


def missing_indices(job: Job) -> list[int]:
    """Results not yet in the chat. Records from before indices were kept are in order."""
    results = results_of(job)
    if any(d.index is None for d in results):
        done = set(range(len(results)))
    else:
        done = {d.index for d in results if d.index is not None}
    return [index for index in range(len(job.result_urls)) if index not in done]


def transient(error: Exception) -> bool:
    """Worth sending again: Telegram unreachable for a moment, or a flood wait.

    A refusal (bad request, blocked bot, no right to send) would only be refused again.
    """
    if isinstance(error, RetryAfter):
        return True
    return isinstance(error, NetworkError) and not isinstance(error, BadRequest)


def _flood_wait(error: Exception) -> float | None:
    return retry_after_seconds(error) if isinstance(error, RetryAfter) else None


class Handover:
    def __init__(
        self,
        *,
        bot: Bot,
        client: EvolinkClient,
        storage: Storage,
        retry: RetryPolicy,
        charge: Charge,
        clock: Clock,
    ) -> None:
        self._bot = bot
        self._delivery = Delivery(bot, client)
        self._storage = storage
        self._retry = retry
        self._charge = charge
        self._clock = clock
        self._owed: asyncio.Task[None] | None = None

    async def deliver(self, job: Job) -> None:
        """Send what is missing, then end the job: done and charged for what arrived."""
        try:
            job = await self._send_missing(job, await self._requester(job.user_id))
        except Exception as error:  # Failure, refusals, anything: what arrived still counts
            job = await self._storage.jobs.reload(job)
            if results_of(job):
                log.warning("job %s: delivery stopped (%r); charging what arrived", job.id, error)
            elif isinstance(error, TelegramError):
                raise _failure_of(error) from error
            else:
                raise
        produced = len(results_of(job))
        if produced == 0:
            raise Failure("err_result_missing", "delivery_failed")
        await self._finish(job, produced)

    def start_showing_owed(self) -> None:
        """At start-up, in the background (Telegram may be slow to reach): show every final
        status a crash left unshown."""
        self._owed = asyncio.create_task(self._show_owed(), name="owed-statuses")

    async def stop(self) -> None:
        if self._owed is not None:
            self._owed.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._owed
            self._owed = None

    async def _show_owed(self) -> None:
        for job in await self._storage.jobs.owing_status():
            await self.show_final(job)

    async def show_final(self, job: Job) -> None:
        """Show the owed outcome, then tidy the status message away (PRODUCT.md §4a: one
        message per outcome). A result gets a footer saying what it cost (its caption, or the
        buttons message under an album); a failure arrives as a new reply to the request,
        which notifies, with Retry. The debt ends once Telegram took it or refused it for
        good (message deleted, bot blocked); a blip leaves it owed for the next start."""
        if job.status_owed is None:
            return
        try:
            if job.state == "done":
                await self._summarise(job)
            elif job.state == "failed":
                await self._tell(job, self._reply_final(job))
            await self._tidy(job)
        except TelegramError as error:
            log.warning("final status of job %s not shown yet: %s", job.id, error)
            return
        await self._storage.jobs.status_shown(job.id)

    async def _summarise(self, job: Job) -> None:
        """What the result cost and what is left, on the message that carries its buttons."""
        footer = await self._summary(job)
        results = results_of(job)
        files = [d for d in results if d.kind in _MEDIA]
        if len(files) > 1 or (results and not files):  # an album, or links: a message under
            first = results[0].message_id
            await self._tell(
                job, partial(self._delivery.send_buttons, job, first, len(files), footer)
            )
        elif files:
            caption, entities = caption_for(job, await self._requester(job.user_id), footer)
            edit = partial(
                self._bot.edit_message_caption,
                chat_id=job.chat_id,
                message_id=files[0].message_id,
                caption=caption,
                caption_entities=entities,
                reply_markup=result_keyboard(job, 0 if job.kind == "video" else 1),
            )
            await self._tell(job, edit)

    async def _summary(self, job: Job) -> str:
        lang = job.language
        if job.reserved_daily + job.reserved_bonus <= 0:  # an admin's job holds nothing
            return t("result_summary_free", lang, job=job.id)
        charged = credit_count(job.charged)
        if job.is_group:  # a balance is nobody else's business (PRODUCT §4a, groups)
            return t("result_summary_group", lang, job=job.id, charged=charged)
        balance = await self._storage.users.balance(job.user_id)
        bonus = t("bonus_part", lang, bonus=format_credits(balance.bonus)) if balance.bonus else ""
        return t(
            "result_summary",
            lang,
            job=job.id,
            charged=charged,
            left=format_credits(balance.daily_left),
            limit=format_credits(balance.daily_limit),
            bonus_part=bonus,
        )

    async def _tidy(self, job: Job) -> None:
        """Delete the status message once the outcome is in the chat; where Telegram won't
        (too old, no right), leave it showing the final text instead of a stale one."""
        if job.status_message_id is None:
            return
        delete = partial(self._bot.delete_message, job.chat_id, job.status_message_id)
        try:
            await self._retry.run(delete, retry_on=transient, retry_after=_flood_wait)
        except BadRequest as refused:
            log.info("status message of job %s not deleted (%s); editing it", job.id, refused)
            await self._tell(job, self._edit_final(job))
        except Forbidden as refused:
            log.info("status message of job %s left: %s", job.id, refused)

    def _edit_final(self, job: Job) -> Callable[[], Awaitable[object]]:
        return partial(
            self._bot.edit_message_text,
            job.status_owed or "",
            chat_id=job.chat_id,
            message_id=job.status_message_id,
        )

    def _reply_final(self, job: Job) -> Callable[[], Awaitable[object]]:
        return partial(
            self._bot.send_message,
            job.chat_id,
            job.status_owed or "",
            reply_parameters=ReplyParameters(
                job.request_message_id, allow_sending_without_reply=True
            ),
            reply_markup=retry_keyboard(job),
        )

    async def _tell(self, job: Job, call: Callable[[], Awaitable[object]]) -> None:
        """One final-status call, retried after blips; a refusal is final and is let go."""
        try:
            await self._retry.run(call, retry_on=transient, retry_after=_flood_wait)
        except (BadRequest, Forbidden) as refused:
            log.info("final status of job %s refused: %s", job.id, refused)

    async def _send_missing(self, job: Job, requester: Requester | None) -> Job:
        """Returns the job with every message that went out recorded."""
        indices = missing_indices(job)
        if indices:
            try:
                items = await self._delivery.fetch(job.result_urls, indices)
            except EvolinkError as error:
                raise Failure("err_result_missing", "result_download") from error
            if worth_a_notice(items):
                await self._delivery.show_uploading(job)
            for step in self._plan(job, items, requester):
                job = await self._send(job, step)
        return job

    def _plan(self, job: Job, items: list[Fetched], requester: Requester | None) -> list[Step]:
        """One step per message (an album is one), in the order they are sent."""
        envelope = envelope_for(job, requester)
        delivery = self._delivery
        files = [item for item in items if item.data is not None]
        links = [item for item in items if item.data is None]
        steps: list[Step] = []
        if job.kind == "video":
            steps = [partial(delivery.send_video, job, item, envelope) for item in files]
        elif len(files) == 1:
            steps = [partial(delivery.send_image, job, files[0], envelope)]
        elif files:
            steps = [partial(delivery.send_album, job, files, envelope)]
        # Links carry no buttons: the message with the cost under them does (show_final).
        steps += [partial(delivery.send_link, job, item, envelope) for item in links]
        return steps

    async def _send(self, job: Job, step: Step) -> Job:
        """One message, tried again after a blip or a flood wait, recorded at once.

        A send that timed out after Telegram took it may arrive twice; PRODUCT.md §4
        prefers that to losing it.
        """
        valid_until = self._clock.now() + LINK_LIFETIME

        def flood_while_valid(error: Exception) -> bool:
            return isinstance(error, RetryAfter) and self._clock.now() < valid_until

        sent = await self._retry.run(
            step,
            retry_on=transient,
            retry_after=_flood_wait,
            on_retry=_note_retry(job),
            uncounted=flood_while_valid,  # Telegram's "wait" is never a reason to give up
        )
        return await self._storage.jobs.record_delivery(job.id, sent)

    async def _finish(self, job: Job, produced: int) -> None:
        seconds = round(self._clock.now() - job.created_at)
        text = status_text(job, "status_done", seconds=seconds)
        charged = self._charge(job, produced)
        finished = await self._storage.jobs.finish(
            job.id, "done", charged=charged, status_text=text
        )
        if finished is not None:
            log.info(
                "job %s done: %s produced, charged %s", job.id, produced, format_credits(charged)
            )
            await self.show_final(finished)

    async def _requester(self, user_id: int) -> Requester | None:
        record = await self._storage.users.get(user_id)
        if record is None:
            return None
        return Requester(user_id, record.first_name or str(user_id), record.username)


def _failure_of(error: TelegramError) -> Failure:
    """How a delivery that got nothing into the chat ends (with a full refund)."""
    code = "telegram_unreachable" if transient(error) else "telegram_refused"
    return Failure("err_delivery", code)


def _note_retry(job: Job) -> Callable[[Exception, int, float], None]:
    def note(error: Exception, retry: int, delay: float) -> None:
        log.warning(
            "delivering job %s failed (%s); retry %d in %.1f s",
            job.id,
            error,
            retry,
            delay,
        )

    return note
