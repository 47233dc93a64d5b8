"""Job records: every step of a job's life is written here before the next one begins."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict
from typing import Any

from bot.clock import Clock
from bot.credits import Split, split_reservation
from storage import chats, ledger
from storage.database import Connection, Database
from storage.job_stats import Stats, summarize
from storage.models import (
    ACTIVE_STATES,
    FINISHED_STATES,
    UNFINISHED_STATES,
    Accepted,
    Balance,
    Delivered,
    Job,
    JobState,
    Limits,
    NewJob,
    Refused,
)
from storage.users import Users


def _sql_list(states: Sequence[str]) -> str:
    return "(" + ", ".join(f"'{state}'" for state in states) + ")"


# The job states as SQL lists, derived from the tuples in storage.models.
_ACTIVE_SQL = _sql_list(ACTIVE_STATES)
_UNFINISHED_SQL = _sql_list(UNFINISHED_STATES)
_FINISHED_SQL = _sql_list(FINISHED_STATES)
_OUTSTANDING_SQL = _sql_list(("queued", *ACTIVE_STATES))  # what counts against the queue cap
_USERS_PER_STATEMENT = 500
_STARTED_SQL = _sql_list((*ACTIVE_STATES, "delivering"))  # what /quota calls running


class Jobs:
    def __init__(self, db: Database, users: Users, clock: Clock) -> None:
        self._db = db
        self._users = users
        self._clock = clock

    def _now(self) -> float:
        return self._clock.now()

    async def accept(
        self, new: NewJob, *, is_admin: bool, limits: Limits, visible: bool = True
    ) -> Accepted | Refused:
        """Check the user's queue, reserve the cost and record the job, all in one transaction.

        Admins are not limited by credits, so nothing is reserved for them. An invisible job
        waits for `publish` before the scheduler may claim it.
        """
        now = self._now()
        today = self._users.today()
        async with self._db.transaction() as conn:
            await ledger.ensure_user_row(conn, new.user_id, now)
            if await _is_banned(conn, new.user_id):
                return Refused("banned")
            outstanding = await _count(
                conn, f"user_id = ? AND state IN {_OUTSTANDING_SQL}", new.user_id
            )
            if outstanding >= limits.max_active_per_user + limits.max_queued_per_user:
                return Refused("queue_full")
            state = await ledger.roll_day(conn, new.user_id, today, self._users.default_limit, now)
            if not is_admin:
                cap = await _group_cap_reached(conn, new, today)
                if cap is not None:
                    return Refused("group_cap", group_limit=cap)
                if split_reservation(new.cost, state.daily_left, state.bonus) is None:
                    balance = Balance(state.daily_left, state.daily_limit, state.bonus, today)
                    return Refused("credits", balance)
            job_id = await _insert(conn, new, now, today, visible)
            split = Split(0, 0)
            if not is_admin:
                reserved = await ledger.reserve(conn, new.user_id, job_id, new.cost, state, now)
                assert reserved is not None  # checked just above, in the same transaction
                split = reserved
            await conn.execute(
                "UPDATE jobs SET reserved_daily = ?, reserved_bonus = ? WHERE id = ?",
                (split.daily, split.bonus, job_id),
            )
            job = await _get(conn, job_id)
            position = await _count(conn, "state = 'queued' AND id <= ?", job_id)
        assert job is not None
        return Accepted(job, position)

    async def get(self, job_id: int) -> Job | None:
        async with self._db.read() as conn:
            return await _get(conn, job_id)

    async def reload(self, job: Job) -> Job:
        """The job as stored now (jobs are never deleted, so it is always there)."""
        fresh = await self.get(job.id)
        assert fresh is not None
        return fresh

    async def claim_startable(self, limits: Limits) -> list[Job]:
        """Move the queued jobs that may start now to `submitting`, oldest first (FIFO)."""
        async with self._db.transaction() as conn:
            jobs = []
            for job_id in await _startable_ids(conn, limits):
                await _set(conn, job_id, self._now(), state="submitting")
                job = await _get(conn, job_id)
                assert job is not None
                jobs.append(job)
        return jobs

    async def startable_ids(self, limits: Limits, *, also: int = 0) -> list[int]:
        """What `claim_startable` would take now if jobs up to `also` were visible."""
        async with self._db.read() as conn:
            return await _startable_ids(conn, limits, also)

    async def queue_position(self, job_id: int) -> int:
        async with self._db.read() as conn:
            return await _count(conn, "state = 'queued' AND id <= ?", job_id)

    async def publish(self, job_id: int, status_message_id: int | None) -> None:
        """Record the job's status message (None: posting it failed) and let the scheduler
        see the job, in one step."""
        await self._update(job_id, status_message_id=status_message_id, visible=1)

    async def unannounced(self) -> list[Job]:
        """Accepted jobs whose status message was never posted (a crash in between)."""
        return await self._select("state = 'queued' AND visible = 0 ORDER BY id")

    async def save_inputs(self, job_id: int, urls: Sequence[str]) -> None:
        await self._update(job_id, input_urls=json.dumps(list(urls)))

    async def mark_create_sent(self, job_id: int) -> None:
        """Written just before the create call: after a crash past this point the outcome
        at Evolink is unknown and the job must not be submitted again."""
        await self._update(job_id, create_sent=1)

    async def requeue(self, job_id: int) -> None:
        await self._update(job_id, state="queued", create_sent=0)

    async def mark_running(
        self, job_id: int, task_id: str, estimated: float | None, sent_at: float | None = None
    ) -> None:
        """`sent_at`: when the create call went out (the task's clock starts inside it)."""
        await self._update(
            job_id,
            state="running",
            task_id=task_id,
            estimated_time=estimated,
            submitted_at=self._now() if sent_at is None else sent_at,
        )

    async def set_progress(self, job_id: int, progress: int, estimated: float | None) -> None:
        await self._update(job_id, progress=progress, estimated_time=estimated)

    async def mark_delivering(
        self, job_id: int, result_urls: Sequence[str], *, produced_seconds: float | None = None
    ) -> None:
        """Results are known: keep their links (valid 24 h) and, for video, its real length."""
        async with self._db.transaction() as conn:
            job = await _get(conn, job_id)
            assert job is not None
            options = dict(job.options)
            if produced_seconds:
                options["produced_seconds"] = produced_seconds
            await _set(
                conn,
                job_id,
                self._now(),
                state="delivering",
                result_urls=json.dumps(list(result_urls)),
                options=json.dumps(options),
            )

    async def record_delivery(self, job_id: int, items: Iterable[Delivered]) -> Job:
        """Append messages Telegram accepted (called per message, before the next is sent);
        returns the job as it now stands."""
        async with self._db.transaction() as conn:
            job = await _get(conn, job_id)
            assert job is not None
            job.delivered = [*job.delivered, *items]
            delivered = json.dumps([asdict(d) for d in job.delivered])
            await _set(conn, job_id, self._now(), delivered=delivered)
        return job

    async def finish(
        self,
        job_id: int,
        state: JobState,
        *,
        charged: int = 0,
        error_code: str | None = None,
        only_from: Sequence[JobState] = UNFINISHED_STATES,
        status_text: str | None = None,
    ) -> Job | None:
        """End a job and settle its reservation in one transaction.

        Returns None (and changes nothing) when the job is not in one of `only_from`, so a
        job is never settled twice, even when a cancel races with a completion.
        `status_text` is recorded as owed to the status message until `status_shown`.
        """
        now = self._now()
        today = self._users.today()
        async with self._db.transaction() as conn:
            job = await _get(conn, job_id)
            if job is None or job.state not in only_from:
                return None
            charged_real = charged
            if not job.settled:
                day = await ledger.roll_day(
                    conn, job.user_id, today, self._users.default_limit, now
                )
                reserved = Split(job.reserved_daily, job.reserved_bonus)
                if reserved.total:
                    charged_real = await ledger.settle(
                        conn,
                        job.user_id,
                        job.id,
                        reserved,
                        job.reserved_day,
                        charged,
                        day,
                        today,
                        now,
                    )
            await _set(
                conn,
                job_id,
                now,
                state=state,
                charged=charged_real,
                settled=1,
                error_code=error_code,
                finished_at=now,
                status_owed=status_text,
            )
            return await _get(conn, job_id)

    async def status_shown(self, job_id: int) -> None:
        """The status message shows the final text (or can never show it): nothing owed."""
        await self._update(job_id, status_owed=None)

    async def owing_status(self) -> list[Job]:
        """Finished jobs whose status message may still show an earlier text."""
        return await self._select(
            f"state IN {_FINISHED_SQL} AND status_owed IS NOT NULL ORDER BY id"
        )

    async def cancel_queued(self, job_id: int) -> Job | None:
        return await self.finish(job_id, "cancelled", only_from=("queued",))

    async def queued_for_user(self, user_id: int) -> list[Job]:
        return await self._select("user_id = ? AND state = 'queued' ORDER BY id", user_id)

    async def unfinished(self) -> list[Job]:
        return await self._select(f"state IN {_UNFINISHED_SQL} ORDER BY id")

    async def for_user(
        self, user_id: int, *, finished_limit: int = 10, chat_id: int | None = None
    ) -> list[Job]:
        """Unfinished jobs first, then the last `finished_limit` finished ones (newest first);
        with `chat_id`, only those asked for in that chat."""
        where, params = "user_id = ?", [user_id]
        if chat_id is not None:
            where, params = "user_id = ? AND chat_id = ?", [user_id, chat_id]
        open_jobs = await self._select(
            f"{where} AND state IN {_UNFINISHED_SQL} ORDER BY id", *params
        )
        done = await self._select(
            f"{where} AND state IN {_FINISHED_SQL} ORDER BY id DESC LIMIT ?",
            *params,
            finished_limit,
        )
        return open_jobs + done

    async def count_active(self, user_id: int) -> tuple[int, int]:
        """(running-at-Evolink-or-delivering, waiting) for one user."""
        async with self._db.read() as conn:
            running = await _count(conn, f"user_id = ? AND state IN {_STARTED_SQL}", user_id)
            queued = await _count(conn, "user_id = ? AND state = 'queued'", user_id)
        return running, queued

    async def stats(self, since: float, day_of: Callable[[float], str]) -> Stats:
        jobs = await self._select("created_at >= ? ORDER BY id", since, scan=True)
        stats, top = summarize(jobs, day_of)
        for user_id, count, charged in top:
            record = await self._users.get(user_id)
            stats.top_users.append((user_id, record.username if record else None, count, charged))
        return stats

    async def _select(self, where: str, *params: Any, scan: bool = False) -> list[Job]:
        async with self._db.read(scan=scan) as conn:
            cur = await conn.execute(f"SELECT * FROM jobs WHERE {where}", params)
            return [Job.from_row(row) for row in await cur.fetchall()]

    async def _update(self, job_id: int, **values: Any) -> None:
        async with self._db.transaction() as conn:
            await _set(conn, job_id, self._now(), **values)


async def _startable_ids(conn: Connection, limits: Limits, also: int = 0) -> list[int]:
    """Visible queued jobs (and those up to job `also`) that fit the limits now, oldest first.

    A user at MAX_ACTIVE_PER_USER is skipped, not allowed to block the line for others.
    """
    cur = await conn.execute(
        "SELECT id, user_id FROM jobs WHERE state = 'queued' AND (visible = 1 OR id <= ?)"
        " ORDER BY id",
        (also,),
    )
    waiting = await cur.fetchall()
    if not waiting:
        return []
    total = await _count(conn, f"state IN {_ACTIVE_SQL}")
    # Only the users who have a job waiting matter, not everyone running (a long line of
    # many users counts them all: a statement's parameters are limited).
    users = sorted({row["user_id"] for row in waiting})
    among = ""
    if len(users) <= _USERS_PER_STATEMENT:
        among = f" AND user_id IN ({', '.join('?' * len(users))})"
    cur = await conn.execute(
        f"SELECT user_id, COUNT(*) FROM jobs WHERE state IN {_ACTIVE_SQL}{among} GROUP BY user_id",
        users if among else (),
    )
    per_user: Counter[int] = Counter({row[0]: row[1] for row in await cur.fetchall()})
    chosen: list[int] = []
    for row in waiting:
        if total >= limits.max_active_total:
            break
        if per_user[row["user_id"]] >= limits.max_active_per_user:
            continue
        chosen.append(row["id"])
        per_user[row["user_id"]] += 1
        total += 1
    return chosen


async def _group_cap_reached(conn: Connection, new: NewJob, today: str) -> int | None:
    """The group's daily cap when this job would take the group past it, else None."""
    if new.chat_type not in ("group", "supergroup"):
        return None
    cap = await chats.chat_limit(conn, new.chat_id)
    if cap is None or await chats.used_today(conn, new.chat_id, today) + new.cost <= cap:
        return None
    return cap


async def _insert(conn: Connection, new: NewJob, now: float, today: str, visible: bool) -> int:
    cur = await conn.execute(
        "INSERT INTO jobs (user_id, chat_id, chat_type, request_message_id, language, command,"
        " model, prompt, options, inputs, state, cost, reserved_day, created_at, updated_at,"
        " visible) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'queued', ?, ?, ?, ?, ?)",
        (
            new.user_id,
            new.chat_id,
            new.chat_type,
            new.request_message_id,
            new.language,
            new.command,
            new.model,
            new.prompt,
            json.dumps(new.options),
            json.dumps([asdict(i) for i in new.inputs]),
            new.cost,
            today,
            now,
            now,
            int(visible),
        ),
    )
    assert cur.lastrowid is not None
    return cur.lastrowid


async def _get(conn: Connection, job_id: int) -> Job | None:
    cur = await conn.execute("SELECT * FROM jobs WHERE id = ?", (job_id,))
    row = await cur.fetchone()
    return Job.from_row(row) if row else None


async def _set(conn: Connection, job_id: int, now: float, **values: Any) -> None:
    columns = ", ".join(f"{name} = ?" for name in values)
    await conn.execute(
        f"UPDATE jobs SET {columns}, updated_at = ? WHERE id = ?",
        (*values.values(), now, job_id),
    )


async def _count(conn: Connection, where: str, *params: Any) -> int:
    cur = await conn.execute(f"SELECT COUNT(*) FROM jobs WHERE {where}", params)
    row = await cur.fetchone()
    return int(row[0]) if row else 0


async def _is_banned(conn: Connection, user_id: int) -> bool:
    cur = await conn.execute("SELECT banned FROM users WHERE user_id = ?", (user_id,))
    row = await cur.fetchone()
    return bool(row and row["banned"])


__all__ = ["Jobs", "Stats"]
