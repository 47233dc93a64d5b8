"""The messages a job's life begins and ends with, owned by the engine (PRODUCT.md §4, §4a).

The status message is posted before the scheduler may see the job, so a job never runs (or
fails) unannounced. How a job ends (a new message replying to the request, then the status
message deleted) is handover.py's.
"""

from __future__ import annotations

import logging

from telegram import Bot, InlineKeyboardMarkup, ReplyParameters
from telegram.error import TelegramError

from bot.jobs.status import StatusReporter, cancel_keyboard, status_text
from bot.texts.plurals import Ordinal
from storage import Storage
from storage.models import Job, Limits

log = logging.getLogger(__name__)

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
    """What waiting jobs' status messages say: their first text and their place in line."""

    def __init__(self, storage: Storage, status: StatusReporter, limits: Limits) -> None:
        self._storage = storage
        self._status = status
        self._limits = limits
        self._shown: dict[int, tuple[int, bool]] = {}  # job -> (position, paused) shown

    async def first_status(self, job: Job, *, paused: bool) -> StatusText:
        """ "Starting" when the scheduler would take the job at once, else its place in line."""
        jobs = self._storage.jobs
        startable = [] if paused else await jobs.startable_ids(self._limits, also=job.id)
        if job.id in startable:
            return starting_status(job)
        place = place_in_line(job, await jobs.queue_position(job.id), startable)
        return waiting_status(job, place, paused=paused)

    async def refresh(self, *, paused: bool) -> None:
        """Keep each visible waiting job's status message showing its current place."""
        unfinished = await self._storage.jobs.unfinished()
        queued = [j for j in unfinished if j.state == "queued" and j.visible]
        for position, job in enumerate(queued, start=1):
            if self._shown.get(job.id) == (position, paused):
                continue
            self._shown[job.id] = (position, paused)
            text, keyboard = waiting_status(job, position, paused=paused)
            await self._status.show(job, text, keyboard=keyboard, final=True)
        for job_id in set(self._shown) - {job.id for job in queued}:
            del self._shown[job_id]

    def forget(self, job_id: int) -> None:
        self._shown.pop(job_id, None)
