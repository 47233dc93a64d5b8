"""The messages a job's life begins and ends with, owned by the engine (PRODUCT.md §4, §4a).

The status message is posted before the scheduler may see the job, so a job never runs (or
fails) unannounced. How a job ends (a new message replying to the request, then the status
message deleted) is handover.py's.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Final

from telegram import Bot, InlineKeyboardMarkup, ReplyParameters
from telegram.error import TelegramError

from bot.clock import Clock, stop_task
from bot.jobs.status import StatusReporter, cancel_keyboard, status_text
from bot.texts.plurals import Ordinal
from storage import Storage
from storage.models import Job, Limits

log = logging.getLogger(__name__)

REFRESH_INTERVAL: Final = 1.0  # queue board passes at most this often
PLACE_EDIT_INTERVAL: Final = 15.0  # one job's place is edited at most this often

StatusText = tuple[str, InlineKeyboardMarkup | None]


def starting_status(job: Job) -> StatusText:
    return status_text(job, "status_submitting"), None


def waiting_status(job: Job, position: int, *, paused: bool) -> StatusText:
    """The queued (or paused) text with its place in line and a Cancel button."""
    key = "status_paused" if paused else "status_queued"
    return status_text(job, key, position=Ordinal(position)), cancel_keyboard(job)


def place_in_line(job: Job, position: int, startable: list[int]) -> int:
    """Queued jobs ahead of `job` that start on the next pass are not waiting: not counted."""
    return max(1, position - sum(1 for job_id in startable if job_id < job.id))


async def post_reply(
    bot: Bot, job: Job, text: str, keyboard: InlineKeyboardMarkup | None = None
) -> int | None:
    """Send `text` as a reply to the job's request; its message id, or None if Telegram
    would not take it (the flood limiter has already waited out any 429s)."""
    try:
        message = await bot.send_message(
            job.chat_id,
            text,
            reply_parameters=ReplyParameters(
                job.request_message_id, allow_sending_without_reply=True
            ),
            reply_markup=keyboard,
        )
    except TelegramError as error:
        log.warning("message for job %s not sent: %s", job.id, error)
        return None
    return message.message_id


class QueueBoard:
    """What waiting jobs' status messages say: their first text and their place in line.

    Places are shown by a task of their own, so the scheduler never waits for Telegram:
    `nudge` marks the line as changed and returns at once; passes are at least
    `REFRESH_INTERVAL` apart (a burst of changes becomes one pass), a job's place is edited
    at most every `PLACE_EDIT_INTERVAL`, and only when it changed. The edits are ordinary
    status edits, so they also give way when the chat or the bot's budget is short.
    """

    def __init__(
        self,
        storage: Storage,
        status: StatusReporter,
        limits: Limits,
        clock: Clock,
        *,
        refresh_interval: float = REFRESH_INTERVAL,
        edit_interval: float = PLACE_EDIT_INTERVAL,
    ) -> None:
        self._storage = storage
        self._status = status
        self._limits = limits
        self._clock = clock
        self._refresh_interval = refresh_interval
        self._edit_interval = edit_interval
        self._shown: dict[int, tuple[int, bool, float]] = {}  # job -> (place, paused, at)
        self._changed = asyncio.Event()
        self._paused = False
        self._task: asyncio.Task[None] | None = None

    async def first_status(self, job: Job, *, paused: bool) -> StatusText:
        """ "Starting" when the scheduler would take the job at once, else its place in line."""
        jobs = self._storage.jobs
        startable = [] if paused else await jobs.startable_ids(self._limits, also=job.id)
        if job.id in startable:
            return starting_status(job)
        place = place_in_line(job, await jobs.queue_position(job.id), startable)
        self._shown[job.id] = (place, paused, self._clock.now())
        return waiting_status(job, place, paused=paused)

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="queue-board")

    async def stop(self) -> None:
        await stop_task(self._task)
        self._task = None

    def nudge(self, *, paused: bool) -> None:
        """The line may have moved: show it on the next pass (never waits)."""
        self._paused = paused
        self._changed.set()

    async def _run(self) -> None:
        while True:
            await self._changed.wait()
            self._changed.clear()
            try:
                await self.refresh(paused=self._paused)
            except Exception:
                log.exception("queue board pass failed")
            await asyncio.sleep(self._refresh_interval)

    async def refresh(self, *, paused: bool) -> None:
        """Edit the places that changed and are due; the rest wait for a later pass."""
        line = await self._storage.queue.line()
        now = self._clock.now()
        for place, (job_id, chat_id) in enumerate(line, start=1):
            shown = self._shown.get(job_id)
            if shown is not None and shown[:2] == (place, paused):
                continue
            if shown is not None and shown[1] == paused and now - shown[2] < self._edit_interval:
                self._changed.set()  # due later: look again on a later pass
                continue
            if not self._status.has_room(chat_id):
                self._changed.set()  # Telegram's budget is short: places can wait
                continue
            job = await self._storage.jobs.get(job_id)
            if job is None or job.state != "queued":
                continue
            text, keyboard = waiting_status(job, place, paused=paused)
            if await self._status.show(job, text, keyboard=keyboard):
                self._shown[job_id] = (place, paused, self._clock.now())
            else:
                self._changed.set()
        for job_id in set(self._shown) - {job_id for job_id, _ in line}:
            del self._shown[job_id]

    def forget(self, job_id: int) -> None:
        self._shown.pop(job_id, None)
