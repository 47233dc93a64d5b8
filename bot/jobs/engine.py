"""The job engine: a FIFO in SQLite, a scheduler that respects the limits, one task per job.

Every step is written to SQLite before the next begins, so `start()` can pick up whatever
a previous process left unfinished (PRODUCT.md §4): queued jobs wait, submissions that had
not reached Evolink are redone, running tasks are tracked again, finished results are
delivered. A submission whose create call may have reached Evolink ends with a full refund.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field

from telegram import Bot

from bot.clock import Clock, wait_event
from bot.credits import format_credits
from bot.evolink.client import EvolinkClient
from bot.evolink.errors import (
    AuthenticationError,
    EvolinkError,
    InsufficientCreditsError,
    NotFoundError,
    PermissionDeniedError,
)
from bot.evolink.models import GenerationRequest, Task
from bot.jobs import failures, submission
from bot.jobs.alerts import AdminAlerts
from bot.jobs.events import log_state
from bot.jobs.failures import Failure
from bot.jobs.handover import Handover
from bot.jobs.inputs import DOWNLOAD_RETRY, upload_inputs
from bot.jobs.status import StatusReporter, status_text
from bot.jobs.tracking import CHECK_CONCURRENCY, CHECK_RATE, CheckBudget, Tracker, Tracking
from bot.messages import t
from bot.models import registry
from bot.pricing import Prices
from bot.retry import RetryPolicy
from storage import Storage
from storage.models import Accepted, Job, Limits, NewJob, Refused

log = logging.getLogger(__name__)

PAUSED_FLAG = "paused"
DELIVERY_RETRY = RetryPolicy(max_retries=3, base_delay=3.0, max_delay=30.0)
SUBMIT_CONCURRENCY = 8  # create calls in flight at once
SAFETY_TICK = 5.0  # the scheduler also looks at the queue this often, in case a wake was lost
# A running job's progress is written to SQLite (for /jobs) at most this often: each write
# is a transaction with an fsync, and the status message shows every change anyway.
PROGRESS_SAVE_INTERVAL = 10.0


@dataclass(frozen=True, slots=True)
class EngineConfig:
    limits: Limits
    image_timeout: float = 600.0
    video_timeout: float = 1800.0
    callback_url: str | None = None
    poll_scale: float = 1.0  # tests shrink the poll schedule; production keeps 1.0
    check_rate: float = CHECK_RATE  # status checks a second for the whole bot
    queue_refresh: float = submission.REFRESH_INTERVAL
    place_edit_interval: float = submission.PLACE_EDIT_INTERVAL
    # Sending results: the links live 24 h, so a short outage must not cost the user them.
    delivery_retry: RetryPolicy = field(default_factory=lambda: DELIVERY_RETRY)
    # Fetching input photos from Telegram: a moment's trouble there passes.
    download_retry: RetryPolicy = field(default_factory=lambda: DOWNLOAD_RETRY)


class JobEngine:
    def __init__(
        self,
        *,
        storage: Storage,
        client: EvolinkClient,
        bot: Bot,
        prices: Prices,
        config: EngineConfig,
        status: StatusReporter,
        alerts: AdminAlerts,
        clock: Clock,
    ) -> None:
        self.storage = storage
        self.prices = prices
        self._client = client
        self._bot = bot
        self._config = config
        self.status = status
        self._alerts = alerts
        self._clock = clock
        self._handover = Handover(
            bot=bot,
            client=client,
            storage=storage,
            retry=config.delivery_retry,
            charge=self._charge_for,
            clock=clock,
        )
        self._wake = asyncio.Event()
        self._tasks: dict[int, asyncio.Task[None]] = {}
        self._scheduler: asyncio.Task[None] | None = None
        self._paused = False
        self._submits = asyncio.Semaphore(SUBMIT_CONCURRENCY)
        self._queue = submission.QueueBoard(
            storage,
            status,
            config.limits,
            clock,
            refresh_interval=config.queue_refresh,
            edit_interval=config.place_edit_interval,
        )
        self._tracker = Tracker(
            clock=clock,
            budget=CheckBudget(config.check_rate, CHECK_CONCURRENCY),
            scale=config.poll_scale,
            callbacks=bool(config.callback_url),
        )

    # --- life cycle -----------------------------------------------------------------------

    async def start(self) -> None:
        self._paused = await self.storage.flags.get(PAUSED_FLAG) == "1"
        await self._recover()
        self._queue.start()
        self._scheduler = asyncio.create_task(self._schedule_forever(), name="job-scheduler")
        self.wake()

    async def stop(self) -> None:
        """Stop working; unfinished jobs stay in SQLite and carry on at the next start."""
        tasks = [task for task in (self._scheduler, *self._tasks.values()) if task is not None]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._tasks.clear()
        self._scheduler = None
        await self._queue.stop()
        await self._handover.stop()

    def wake(self) -> None:
        self._wake.set()

    async def counts(self) -> tuple[dict[str, int], int]:
        """(jobs by state, visible queue length) for /metrics."""
        queue = self.storage.queue
        return await queue.count_by_state(), len(await queue.line())

    @property
    def paused(self) -> bool:
        return self._paused

    async def set_paused(self, paused: bool) -> None:
        self._paused = paused
        await self.storage.flags.set(PAUSED_FLAG, "1" if paused else "0")
        self.wake()

    # --- what handlers call ---------------------------------------------------------------

    async def accept(self, new: NewJob, *, is_admin: bool) -> Accepted | Refused:
        """Reserve and record the job, post its status message, then let the scheduler see it.

        The caller only answers a refusal; everything the user sees of an accepted job
        comes from here.
        """
        outcome = await self.storage.jobs.accept(
            new, is_admin=is_admin, limits=self._config.limits, visible=False
        )
        if isinstance(outcome, Accepted):
            job = outcome.job  # who, where, what and for how much; never the prompt
            reserved = format_credits(job.cost)
            log_state(job, "queued", self._clock.now(), chat=job.chat_type, reserved=reserved)
            await self._announce(outcome.job)
        else:
            log.info("job refused for user %s: %s", new.user_id, outcome.reason)
        return outcome

    async def _announce(self, job: Job) -> None:
        """Post the first status message; the job becomes visible even if that fails, since
        its result (or failure) then arrives as a new message anyway."""
        text, keyboard = await self._queue.first_status(job, paused=self._paused)
        message_id = await submission.post_reply(self._bot, job, text, keyboard)
        if message_id is not None:
            self.status.prime(job.id, text, buttons=keyboard is not None)
        await self.storage.jobs.publish(job.id, message_id)
        self.wake()

    async def cancel(self, job_id: int) -> tuple[str, Job | None]:
        """('cancelled' | 'too_late' | 'finished' | 'missing', job)."""
        job = await self.storage.jobs.get(job_id)
        if job is None:
            return "missing", None
        cancelled = await self.storage.jobs.cancel_queued(job_id)
        if cancelled is not None:
            log_state(cancelled, "cancelled", self._clock.now())
            await self.status.show(
                cancelled, status_text(cancelled, "status_cancelled"), final=True
            )
            self.wake()
            return "cancelled", cancelled
        job = await self.storage.jobs.get(job_id)
        assert job is not None
        return ("finished" if job.state in ("done", "failed", "cancelled") else "too_late"), job

    async def withdraw_queued(self, user_id: int) -> list[Job]:
        """Withdraw and refund every waiting job of a user (used when they are banned)."""
        withdrawn = []
        for job in await self.storage.jobs.queued_for_user(user_id):
            cancelled = await self.storage.jobs.cancel_queued(job.id)
            if cancelled is not None:
                withdrawn.append(cancelled)
                await self.status.show(
                    cancelled, status_text(cancelled, "status_cancelled"), final=True
                )
        return withdrawn

    def poke(self, task_id: str) -> None:
        """An Evolink callback arrived: check that task now instead of at the next poll."""
        self._tracker.poke(task_id)

    # --- scheduling -----------------------------------------------------------------------

    async def _schedule_forever(self) -> None:
        while True:
            await wait_event(self._wake, SAFETY_TICK)
            self._wake.clear()
            try:
                if not self._paused:
                    for job in await self.storage.jobs.claim_startable(self._config.limits):
                        self._spawn(job)
                self._queue.nudge(paused=self._paused)  # never waits for Telegram
            except Exception:
                log.exception("scheduler pass failed")

    def _spawn(self, job: Job) -> None:
        if job.id in self._tasks:
            return
        self._queue.forget(job.id)
        log_state(job, job.state, self._clock.now())
        self._tasks[job.id] = asyncio.create_task(self._run(job), name=f"job-{job.id}")

    async def _recover(self) -> None:
        for job in await self.storage.jobs.unannounced():  # accepted, then the process died
            await self._announce(job)
        for job in await self.storage.jobs.unfinished():
            if job.state == "submitting" and not job.create_sent:
                await self.storage.jobs.requeue(job.id)
            elif job.state in ("submitting", "running", "delivering"):
                log.info("resuming job %s in state %s", job.id, job.state)
                self._spawn(job)
        self._handover.start_showing_owed()

    # --- one job --------------------------------------------------------------------------

    async def _run(self, job: Job) -> None:
        try:
            if job.state == "submitting":
                if job.create_sent and job.task_id is None:
                    raise Failure("err_submission_unknown", "submission_unknown")
                job = await self._submit(job)
            if job.state == "running":
                job = await self._mark_delivering(job, await self._track(job))
            if job.state == "delivering":
                await self._deliver(job)
        except Failure as failure:
            await self._fail(job, failure)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("job %s failed unexpectedly", job.id)
            await self._fail(job, Failure("err_internal", "internal"))
        finally:
            self._tasks.pop(job.id, None)
            self.status.forget(job.id)
            self.wake()

    async def _submit(self, job: Job) -> Job:
        if job.inputs:
            await self.status.show(job, status_text(job, "status_preparing"))
            try:
                urls = await upload_inputs(
                    self._bot, self._client, job, self._config.download_retry
                )
            except EvolinkError as error:
                raise await self._failure_from(error) from error
            await self.storage.jobs.save_inputs(job.id, urls)
            job.input_urls = urls
        await self.status.show(job, status_text(job, "status_submitting"))
        request = self._request_for(job)
        await self.storage.jobs.mark_create_sent(job.id)
        sent_at = self._clock.now()
        try:
            async with self._submits:  # a burst of jobs must not open a connection each
                task = await self._client.create_task(request)
        except EvolinkError as error:
            raise await self._failure_from(error, creating=True) from error
        estimated = task.task_info.estimated_time
        await self.storage.jobs.mark_running(job.id, task.id, estimated, sent_at)
        job = await self.storage.jobs.reload(job)
        log_state(job, "running", self._clock.now())
        return job

    def _request_for(self, job: Job) -> GenerationRequest:
        """The strict request its model's spec builds (an unknown model raises)."""
        build = registry.by_name(job.model).build
        return build(job.prompt, job.options, job.input_urls, self._config.callback_url or None)

    async def _track(self, job: Job) -> Task:
        assert job.task_id is not None
        video = job.kind == "video"
        timeout = self._config.video_timeout if video else self._config.image_timeout
        started = job.submitted_at or self._clock.now()
        facts = Tracking(job.task_id, video, started, started + timeout, job.estimated_time)

        saved_at = started  # a job done within the interval never writes its progress

        async def progress(task: Task, estimated: float | None) -> None:
            nonlocal saved_at
            now = self._clock.now()
            if task.progress != job.progress and now - saved_at >= PROGRESS_SAVE_INTERVAL:
                saved_at = now
                job.progress = task.progress
                await self.storage.jobs.set_progress(job.id, task.progress, estimated)
            await self._show_progress(job, task, started, estimated)

        task = await self._tracker.follow(facts, self._poll, progress)
        if task is None:
            raise Failure("err_timeout", "timeout")
        if task.is_failed:
            raise failures.from_task_error(task.error.code if task.error else None)
        return task

    async def _poll(self, task_id: str) -> Task | None:
        """One status check; None when it failed in a way worth trying again later."""
        try:
            return await self._client.get_task(task_id)
        except NotFoundError as error:
            raise Failure("err_retry_later", "task_not_found") from error
        except (AuthenticationError, InsufficientCreditsError, PermissionDeniedError) as error:
            await self._failure_from(error)  # tells the admins; keep trying until the deadline
            return None
        except EvolinkError as error:
            log.warning("status check of %s failed: %s", task_id, error)
            return None

    async def _show_progress(
        self, job: Job, task: Task, started: float, estimated: float | None
    ) -> None:
        eta = ""
        if estimated:
            left = int(estimated - (self._clock.now() - started))
            if left > 0:
                eta = t("status_eta", job.language, seconds=left)
        await self.status.show(
            job, status_text(job, "status_running", progress=task.progress, eta=eta)
        )

    async def _mark_delivering(self, job: Job, task: Task) -> Job:
        if not task.results:
            raise Failure("err_no_content", "no_results")
        limit = 1 if job.kind == "video" else max(1, int(job.options.get("n", 1)))
        await self.storage.jobs.mark_delivering(
            job.id, task.results[:limit], produced_seconds=task.task_info.video_duration
        )
        job = await self.storage.jobs.reload(job)
        log_state(job, "delivering", self._clock.now())
        return job

    async def _deliver(self, job: Job) -> None:
        # No "sending the result" edit first: it would spend the chat's one message a second
        # before the result itself (the upload's chat action says the same for free).
        await self._handover.deliver(job)
        log_state(job, "done", self._clock.now())
        self._tracker.delivered(job)

    def _charge_for(self, job: Job, produced: int) -> int:
        return self.prices.settle(job.model, job.options, produced)

    async def _fail(self, job: Job, failure: Failure) -> None:
        """End the job with a full refund; the failure text is owed to the user until shown
        (a restart in between shows it then), as a new message when an edit would not notify."""
        key = failures.worded_for(failure.key, photos=bool(job.inputs))
        reason = t(key, job.language, **dict(failure.params))
        text = status_text(job, "status_failed", reason=reason)
        finished = await self.storage.jobs.finish(
            job.id, "failed", error_code=failure.code, status_text=text
        )
        if finished is None:
            return
        log_state(finished, "failed", self._clock.now(), reason=failure.code)
        await self._handover.show_final(finished)

    async def _failure_from(self, error: EvolinkError, *, creating: bool = False) -> Failure:
        failure = failures.from_exception(error, creating=creating)
        if failure.alert:
            await self._alerts.evolink_refused(failure.alert)
        return failure
