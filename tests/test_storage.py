"""storage/: migrations, connection settings, job records, media and flags (PRODUCT.md §4)."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.clock import day_of
from storage import Storage
from storage.chats import chat_limit
from storage.models import Accepted, Delivered, InputImage, Limits, NewJob, Refused
from storage.schema import MIGRATIONS
from tests.conftest import (
    ROOMY,
    START,
    UTC_ZONE,
    ManualClock,
    accepted,
    assert_ledger_explains,
    ledger_sums,
    new_job,
    open_storage,
)

TODAY = "2025-03-01"


async def pragma(storage: Storage, name: str) -> Any:
    async with storage.db.read() as conn:
        row = await (await conn.execute(f"PRAGMA {name}")).fetchone()
    assert row is not None
    return row[0]


async def ledger_rows(
    storage: Storage, user_id: int
) -> list[tuple[str, int | None, int, int, int]]:
    async with storage.db.read() as conn:
        cur = await conn.execute(
            "SELECT kind, job_id, amount, daily_delta, bonus_delta FROM ledger"
            " WHERE user_id = ? ORDER BY id",
            (user_id,),
        )
        return [tuple(row) for row in await cur.fetchall()]


# --- database file ------------------------------------------------------------------------


async def test_fresh_file_is_migrated_and_reopening_is_idempotent(tmp_path, clock):
    path = tmp_path / "nested" / "bot.db"
    first = await open_storage(path, clock)
    assert await pragma(first, "user_version") == len(MIGRATIONS)
    job = await accepted(first, new_job())
    await first.flags.set("paused", "1")
    await first.close()

    for _ in range(2):
        again = await open_storage(path, clock)
        assert await pragma(again, "user_version") == len(MIGRATIONS)
        reopened = await again.jobs.get(job.id)
        assert reopened is not None and reopened.state == "queued"
        assert await again.flags.get("paused") == "1"
        assert (await again.users.balance(1)).daily_left == 900
        await assert_ledger_explains(again, 1)
        await again.close()


async def test_connection_settings(storage):
    assert str(await pragma(storage, "journal_mode")).lower() == "wal"
    # Nothing waits on the event loop's thread; a busy statement waits on the worker
    # (tests below: another process holding the write lock).
    assert await pragma(storage, "busy_timeout") == 0
    assert await pragma(storage, "foreign_keys") == 1


def _seed_old_file(path: Path, applied: int) -> None:
    """A file as an older release left it: the first `applied` migrations, with rows."""
    conn = sqlite3.connect(path)
    try:
        for script in MIGRATIONS[:applied]:
            for statement in script:
                conn.execute(statement)
        conn.execute(f"PRAGMA user_version={applied}")
        if applied:
            # Rows in the first migration's tables, written with the first migration's columns.
            conn.execute(
                "INSERT INTO users (user_id, username, daily_limit, bonus, daily_left, daily_day,"
                " created_at, updated_at) VALUES (7, 'old_timer', NULL, 500, 300, ?, ?, ?)",
                (TODAY, START, START),
            )
            conn.executemany(
                "INSERT INTO ledger (at, user_id, job_id, kind, amount, daily_delta, bonus_delta)"
                " VALUES (?, 7, ?, ?, ?, ?, ?)",
                [
                    (START, None, "daily_reset", 1000, 1000, 0),
                    (START, None, "grant", 500, 0, 500),
                    (START, 1, "reserve", 700, -700, 0),
                ],
            )
            conn.execute(
                "INSERT INTO jobs (id, user_id, chat_id, chat_type, request_message_id, command,"
                " model, prompt, options, inputs, state, cost, reserved_daily, reserved_day,"
                " created_at, updated_at) VALUES (1, 7, 7, 'private', 3, 'imagine',"
                " 'text-to-image', 'old prompt', '{}', '[]', 'queued', 700, 700, ?, ?, ?)",
                (TODAY, START, START),
            )
            conn.execute(
                "INSERT INTO media_seen (chat_id, message_id, media_group_id, file_id, kind,"
                " seen_at) VALUES (7, 3, 'album', 'file-a', 'photo', ?)",
                (START,),
            )
            conn.execute("INSERT INTO settings (key, value) VALUES ('paused', '1')")
        conn.commit()
    finally:
        conn.close()


@pytest.mark.parametrize("applied", range(len(MIGRATIONS) + 1))
async def test_older_file_is_upgraded_in_place(tmp_path, clock, applied):
    path = tmp_path / "bot.db"
    _seed_old_file(path, applied)

    storage = await open_storage(path, clock)
    try:
        assert await pragma(storage, "user_version") == len(MIGRATIONS)
        if not applied:
            assert await storage.users.get(7) is None
            return
        record = await storage.users.get(7)
        assert record is not None
        assert (record.username, record.bonus, record.daily_left) == ("old_timer", 500, 300)
        assert await ledger_sums(storage, 7) == (300, 500)
        job = await storage.jobs.get(1)
        assert job is not None
        assert (job.state, job.prompt, job.reserved_daily) == ("queued", "old prompt", 700)
        assert [i.file_id for i in await storage.media.album(7, "album")] == ["file-a"]
        assert await storage.flags.get("paused") == "1"
        # The upgraded file keeps working: settle the old job.
        finished = await storage.jobs.finish(1, "failed")
        assert finished is not None
        assert (await storage.users.balance(7)).daily_left == 1000
        await assert_ledger_explains(storage, 7)
    finally:
        await storage.close()


async def test_a_failed_transaction_leaves_nothing_behind(storage):
    with pytest.raises(RuntimeError):
        async with storage.db.transaction() as conn:
            await conn.execute("INSERT INTO settings (key, value) VALUES ('half', 'done')")
            raise RuntimeError("boom")
    assert await storage.flags.get("half") is None
    await storage.flags.set("half", "whole")
    assert await storage.flags.get("half") == "whole"


@pytest.mark.parametrize("steps", range(8))
async def test_a_cancelled_write_is_all_or_nothing_and_the_database_stays_usable(storage, steps):
    """A task cancelled at any await of a transaction (BEGIN, a statement, COMMIT)."""
    await storage.users.grant(1, 100, "before")
    task = asyncio.create_task(storage.users.grant(1, 250, "cancelled"))
    for _ in range(steps):
        await asyncio.sleep(0)
    task.cancel()
    try:
        await task
    except asyncio.CancelledError:
        pass
    bonus = (await storage.users.balance(1)).bonus
    assert bonus in (100, 350)
    await storage.users.grant(1, 1, "after")
    assert (await storage.users.balance(1)).bonus == bonus + 1
    record = await storage.users.get(1)
    assert record is not None
    assert (record.daily_left, record.bonus) == await ledger_sums(storage, 1)


async def test_a_writer_in_another_process_holds_up_writes_but_not_the_event_loop(
    storage, tmp_path
):
    """BEGIN IMMEDIATE waits (busy_timeout) on the worker thread, so the loop goes on with
    work that needs no database. A write cancelled while it waits still ends cleanly, and
    the next one goes through."""
    await storage.flags.set("k", "v")
    other = sqlite3.connect(tmp_path / "bot.db", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # e.g. an operator's sqlite3 shell mid-edit
    try:
        waiting = asyncio.create_task(storage.flags.set("k", "blocked"))
        await asyncio.sleep(0.2)
        # Still waiting, on the worker: a wait on the loop's thread would have held the loop
        # for the whole busy_timeout and let the write fail before this line ran.
        assert not waiting.done()
        waiting.cancel()
    finally:
        other.execute("ROLLBACK")
        other.close()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    await storage.flags.set("k", "after")
    assert await storage.flags.get("k") == "after"


# --- accepting jobs -----------------------------------------------------------------------


async def test_accept_queues_the_job_and_records_the_reservation(storage):
    await storage.users.grant(1, 500, "welcome")
    first = await storage.jobs.accept(new_job(cost=800), is_admin=False, limits=ROOMY)
    assert isinstance(first, Accepted)
    job = first.job
    assert job.state == "queued"
    assert (job.cost, job.reserved_daily, job.reserved_bonus) == (800, 800, 0)
    assert job.reserved_day == TODAY
    assert not job.settled and job.charged == 0
    assert first.position == 1

    second = await storage.jobs.accept(new_job(cost=500), is_admin=False, limits=ROOMY)
    assert isinstance(second, Accepted)
    assert (second.job.reserved_daily, second.job.reserved_bonus) == (200, 300)
    assert second.position == 2

    rows = await ledger_rows(storage, 1)
    assert ("reserve", job.id, 800, -800, 0) in rows
    assert ("reserve", second.job.id, 500, -200, -300) in rows
    balance = await storage.users.balance(1)
    assert (balance.daily_left, balance.bonus) == (0, 200)
    await assert_ledger_explains(storage, 1)


async def test_accept_keeps_what_the_job_needs(storage):
    photo = InputImage("file-1", width=800, height=600, file_size=12345, mime_type="image/jpeg")
    new = new_job(command="edit", model="qwen", options={"size": "1:1", "n": 2}, inputs=[photo])
    job = await accepted(storage, new)
    again = await storage.jobs.get(job.id)
    assert again is not None
    assert again.inputs == [photo]
    assert again.options == {"size": "1:1", "n": 2}
    assert (again.command, again.model, again.request_message_id) == ("edit", "qwen", 1)


async def test_queue_full_is_refused_without_reserving(storage):
    limits = Limits(max_active_per_user=2, max_active_total=20, max_queued_per_user=3)
    for _ in range(5):
        assert isinstance(
            await storage.jobs.accept(new_job(cost=10), is_admin=False, limits=limits), Accepted
        )
    # Jobs already at Evolink count too.
    assert len(await storage.jobs.claim_startable(limits)) == 2
    refused = await storage.jobs.accept(new_job(cost=10), is_admin=False, limits=limits)
    assert refused == Refused("queue_full")
    assert (await storage.users.balance(1)).daily_left == 1000 - 5 * 10
    # Another user is not affected.
    assert isinstance(
        await storage.jobs.accept(new_job(user_id=2), is_admin=False, limits=limits), Accepted
    )
    # A finished job frees a place.
    queued = await storage.jobs.queued_for_user(1)
    assert await storage.jobs.cancel_queued(queued[0].id) is not None
    assert isinstance(
        await storage.jobs.accept(new_job(cost=10), is_admin=False, limits=limits), Accepted
    )
    await assert_ledger_explains(storage, 1)


async def test_banned_user_is_refused_and_nothing_changes(storage):
    await storage.users.set_banned(1, True, "spam")
    before = await ledger_rows(storage, 1)
    assert await storage.jobs.accept(new_job(), is_admin=False, limits=ROOMY) == Refused("banned")
    assert await ledger_rows(storage, 1) == before
    assert await storage.jobs.for_user(1) == []
    record = await storage.users.get(1)
    assert record is not None and record.banned and record.ban_reason == "spam"

    await storage.users.set_banned(1, False)
    assert not await storage.users.is_banned(1)
    await accepted(storage, new_job())


async def test_not_enough_credits_is_refused_with_the_balance(storage):
    await accepted(storage, new_job(cost=950))
    refused = await storage.jobs.accept(new_job(cost=51), is_admin=False, limits=ROOMY)
    assert isinstance(refused, Refused) and refused.reason == "credits"
    assert refused.balance is not None
    assert (refused.balance.daily_left, refused.balance.bonus) == (50, 0)
    assert refused.balance.day == TODAY
    assert len(await storage.jobs.for_user(1)) == 1
    await accepted(storage, new_job(cost=50))
    await assert_ledger_explains(storage, 1)


async def test_admin_jobs_reserve_nothing(storage):
    await storage.users.set_daily_limit(9, 0)
    job = await accepted(storage, new_job(user_id=9, cost=5000), is_admin=True)
    assert (job.reserved_daily, job.reserved_bonus) == (0, 0)
    finished = await storage.jobs.finish(job.id, "done", charged=5000)
    assert finished is not None and finished.charged == 5000
    assert not [row for row in await ledger_rows(storage, 9) if row[1] == job.id]
    await assert_ledger_explains(storage, 9)


async def test_concurrent_accepts_never_overspend(storage):
    """50 requests at once for 10 credits of daily allowance: exactly 10 get through."""
    outcomes = await asyncio.gather(
        *(
            storage.jobs.accept(new_job(cost=100, message_id=i), is_admin=False, limits=ROOMY)
            for i in range(50)
        )
    )
    assert sum(isinstance(o, Accepted) for o in outcomes) == 10
    refusals = [o for o in outcomes if isinstance(o, Refused)]
    assert len(refusals) == 40
    assert {r.reason for r in refusals} == {"credits"}
    balance = await storage.users.balance(1)
    assert (balance.daily_left, balance.bonus) == (0, 0)
    assert await ledger_sums(storage, 1) == (0, 0)
    await assert_ledger_explains(storage, 1)
    assert len(await storage.jobs.queued_for_user(1)) == 10


# --- the waiting line ---------------------------------------------------------------------


@pytest.mark.parametrize("users_per_statement", [500, 1])  # 1: a line of many users
async def test_claim_startable_is_fifo_and_skips_users_at_their_cap(
    storage, monkeypatch, users_per_statement
):
    monkeypatch.setattr("storage.jobs._USERS_PER_STATEMENT", users_per_statement)
    a1, a2, a3 = [await accepted(storage, new_job(user_id=1, message_id=i)) for i in range(3)]
    b1 = await accepted(storage, new_job(user_id=2))
    c1 = await accepted(storage, new_job(user_id=3))
    limits = Limits(max_active_per_user=2, max_active_total=4, max_queued_per_user=5)

    expected = [a1.id, a2.id, b1.id, c1.id]
    assert await storage.jobs.startable_ids(limits) == expected  # a look, no change
    assert await storage.jobs.queue_position(c1.id) == 5
    claimed = await storage.jobs.claim_startable(limits)
    assert [j.id for j in claimed] == expected
    assert all(j.state == "submitting" for j in claimed)
    assert await storage.jobs.claim_startable(limits) == []
    assert await storage.jobs.queue_position(a3.id) == 1

    # A free slot goes to the oldest job whose owner is below the cap.
    await storage.jobs.finish(a1.id, "done", charged=100)
    assert [j.id for j in await storage.jobs.claim_startable(limits)] == [a3.id]


async def test_claim_startable_respects_the_total(storage):
    a1, a2 = [await accepted(storage, new_job(user_id=1, message_id=i)) for i in range(2)]
    b1 = await accepted(storage, new_job(user_id=2))
    c1 = await accepted(storage, new_job(user_id=3))
    limits = Limits(max_active_per_user=2, max_active_total=3, max_queued_per_user=5)
    assert [j.id for j in await storage.jobs.claim_startable(limits)] == [a1.id, a2.id, b1.id]
    assert await storage.jobs.queue_position(c1.id) == 1
    await storage.jobs.mark_running(b1.id, "task-b1", 30.0)
    assert await storage.jobs.claim_startable(limits) == []  # running counts as active
    await storage.jobs.finish(b1.id, "failed", error_code="boom")
    assert [j.id for j in await storage.jobs.claim_startable(limits)] == [c1.id]


async def test_queue_position_counts_only_waiting_jobs_ahead(storage):
    jobs = [await accepted(storage, new_job(user_id=u, message_id=u)) for u in (1, 2, 3, 4)]
    assert [await storage.jobs.queue_position(j.id) for j in jobs] == [1, 2, 3, 4]
    await storage.jobs.cancel_queued(jobs[1].id)
    assert [await storage.jobs.queue_position(j.id) for j in (jobs[0], jobs[2], jobs[3])] == [
        1,
        2,
        3,
    ]
    await storage.jobs.claim_startable(Limits(1, 1, 5))
    assert [await storage.jobs.queue_position(j.id) for j in (jobs[2], jobs[3])] == [1, 2]


# --- ending jobs --------------------------------------------------------------------------


async def test_cancel_queued_refunds_everything(storage):
    await storage.users.grant(1, 300, "gift")
    job = await accepted(storage, new_job(cost=1200))
    cancelled = await storage.jobs.cancel_queued(job.id)
    assert cancelled is not None
    assert (cancelled.state, cancelled.charged, cancelled.settled) == ("cancelled", 0, True)
    balance = await storage.users.balance(1)
    assert (balance.daily_left, balance.bonus) == (1000, 300)
    assert await storage.jobs.cancel_queued(job.id) is None
    await assert_ledger_explains(storage, 1)


async def test_cancel_queued_refuses_jobs_already_started(storage):
    running = await accepted(storage, new_job(message_id=1))
    submitting = await accepted(storage, new_job(message_id=2))
    await storage.jobs.claim_startable(ROOMY)
    await storage.jobs.mark_running(running.id, "task-1", None)
    before = await ledger_rows(storage, 1)

    assert await storage.jobs.cancel_queued(running.id) is None
    assert await storage.jobs.cancel_queued(submitting.id) is None
    assert await ledger_rows(storage, 1) == before
    job = await storage.jobs.get(running.id)
    assert job is not None and job.state == "running" and job.task_id == "task-1"
    job = await storage.jobs.get(submitting.id)
    assert job is not None and job.state == "submitting"
    assert (await storage.users.balance(1)).daily_left == 800


async def test_finish_settles_once(storage):
    job = await accepted(storage, new_job(cost=300))
    done = await storage.jobs.finish(job.id, "done", charged=200)
    assert done is not None
    assert (done.state, done.charged, done.settled) == ("done", 200, True)
    assert done.finished_at == START
    rows = await ledger_rows(storage, 1)

    assert await storage.jobs.finish(job.id, "done", charged=300) is None
    assert await storage.jobs.finish(job.id, "failed", error_code="late") is None
    assert await storage.jobs.cancel_queued(job.id) is None
    assert await ledger_rows(storage, 1) == rows
    again = await storage.jobs.get(job.id)
    assert again is not None
    assert (again.state, again.charged, again.error_code) == ("done", 200, None)
    assert (await storage.users.balance(1)).daily_left == 800


async def test_finish_only_from_given_states(storage):
    job = await accepted(storage, new_job())
    assert await storage.jobs.finish(job.id, "failed", only_from=("running",)) is None
    assert (await storage.jobs.get(job.id)).state == "queued"
    assert await storage.jobs.finish(12345, "failed") is None


async def test_for_user_lists_unfinished_first_then_ten_newest_finished(storage, clock):
    finished_ids = []
    for i in range(12):
        job = await accepted(storage, new_job(cost=10, message_id=i))
        clock.advance(60)
        await storage.jobs.finish(job.id, "done" if i % 2 else "failed", charged=10)
        finished_ids.append(job.id)
    open_ids = [
        (await accepted(storage, new_job(cost=10, message_id=20 + i))).id for i in range(3)
    ]
    await accepted(storage, new_job(user_id=2))
    await storage.jobs.claim_startable(Limits(1, 20, 5))

    listed = await storage.jobs.for_user(1)
    assert [j.id for j in listed] == open_ids + finished_ids[::-1][:10]
    assert all(j.user_id == 1 for j in listed)
    assert [j.id for j in await storage.jobs.for_user(1, finished_limit=2)] == (
        open_ids + finished_ids[::-1][:2]
    )
    assert await storage.jobs.count_active(1) == (1, 2)


async def test_record_delivery_appends(storage):
    job = await accepted(storage, new_job())
    await storage.jobs.record_delivery(job.id, [Delivered(11, "photo", "f-11")])
    await storage.jobs.record_delivery(
        job.id, [Delivered(12, "document", "f-12"), Delivered(13, "link")]
    )
    again = await storage.jobs.get(job.id)
    assert again is not None
    assert again.delivered == [
        Delivered(11, "photo", "f-11"),
        Delivered(12, "document", "f-12"),
        Delivered(13, "link", None),
    ]


async def test_mark_delivering_keeps_results_and_produced_seconds(storage):
    video = await accepted(storage, new_job(command="animate", options={"duration": 10}))
    await storage.jobs.claim_startable(ROOMY)
    await storage.jobs.mark_running(video.id, "task-v", 120.0)
    await storage.jobs.set_progress(video.id, 40, 60.0)
    await storage.jobs.mark_delivering(video.id, ["https://r/1.mp4"], produced_seconds=5.0)
    again = await storage.jobs.get(video.id)
    assert again is not None
    assert again.state == "delivering"
    assert again.result_urls == ["https://r/1.mp4"]
    assert again.options == {"duration": 10, "produced_seconds": 5.0}
    assert (again.progress, again.estimated_time, again.task_id) == (40, 60.0, "task-v")

    image = await accepted(storage, new_job(options={"n": 2}))
    await storage.jobs.mark_delivering(image.id, ["https://r/a.png", "https://r/b.png"])
    again = await storage.jobs.get(image.id)
    assert again is not None
    assert again.options == {"n": 2}
    assert again.result_urls == ["https://r/a.png", "https://r/b.png"]


async def test_unfinished_survives_a_restart(tmp_path, clock):
    path = tmp_path / "bot.db"
    storage = await open_storage(path, clock)
    queued = await accepted(storage, new_job(message_id=1))
    running = await accepted(storage, new_job(message_id=2))
    done = await accepted(storage, new_job(message_id=3))
    await storage.jobs.finish(done.id, "done", charged=100)
    await storage.jobs.claim_startable(Limits(2, 20, 5))
    await storage.jobs.mark_create_sent(queued.id)
    await storage.jobs.requeue(queued.id)
    await storage.jobs.mark_create_sent(running.id)
    await storage.jobs.mark_running(running.id, "task-r", None)
    await storage.jobs.publish(running.id, 99)
    await storage.jobs.save_inputs(running.id, ["https://in/1.png"])
    await storage.close()

    storage = await open_storage(path, clock)
    try:
        unfinished = await storage.jobs.unfinished()
        assert [(j.id, j.state, j.create_sent) for j in unfinished] == [
            (queued.id, "queued", False),
            (running.id, "running", True),
        ]
        assert unfinished[1].status_message_id == 99
        assert unfinished[1].input_urls == ["https://in/1.png"]
        assert unfinished[1].submitted_at == START
    finally:
        await storage.close()


# --- stats --------------------------------------------------------------------------------


async def test_stats(storage, clock):
    await storage.users.remember(1, "Alice", "Alice", "en")
    await storage.users.remember(2, None, "Bob", None)

    old = await accepted(storage, new_job(user_id=1, cost=100))
    await storage.jobs.finish(old.id, "done", charged=100)
    clock.advance(86400)
    since = clock.now()

    async def run(user_id: int, model: str, state: str, seconds: float, charged: int = 0):
        job = await accepted(storage, new_job(user_id=user_id, model=model, cost=charged or 100))
        clock.advance(seconds)
        finished = await storage.jobs.finish(job.id, state, charged=charged)
        assert finished is not None

    await run(1, "m1", "done", 30, 100)
    await run(1, "m1", "done", 50, 100)
    await run(1, "m1", "failed", 5)
    await run(2, "m2", "done", 100, 250)
    await run(2, "m2", "cancelled", 1)
    await accepted(storage, new_job(user_id=3, model="m2"))

    stats = await storage.jobs.stats(since, lambda ts: day_of(ts, UTC_ZONE))
    assert stats.jobs_by_model_state == {
        ("m1", "done"): 2,
        ("m1", "failed"): 1,
        ("m2", "done"): 1,
        ("m2", "cancelled"): 1,
        ("m2", "queued"): 1,
    }
    assert stats.credits_used == 450
    assert stats.failure_rate == pytest.approx(1 / 4)
    assert stats.median_seconds == pytest.approx(50)
    assert stats.top_users[:2] == [(2, None, 2, 250), (1, "alice", 3, 200)]
    assert stats.top_users[2] == (3, None, 1, 0)
    assert stats.per_day == {
        "2025-03-02": {"done": 3, "failed": 1, "cancelled": 1, "queued": 1},
    }


async def test_stats_of_an_empty_period(storage, clock):
    stats = await storage.jobs.stats(clock.now(), lambda ts: day_of(ts, UTC_ZONE))
    assert stats.jobs_by_model_state == {}
    assert (stats.credits_used, stats.failure_rate, stats.median_seconds) == (0, None, None)
    assert stats.top_users == []


# --- users, media and flags ---------------------------------------------------------------


async def test_remember_and_find_by_username(storage):
    await storage.users.remember(5, "SomeOne", "Some", "zh")
    assert await storage.users.find_by_username("@someone") == 5
    assert await storage.users.find_by_username("SOMEONE") == 5
    assert await storage.users.find_by_username("nobody") is None
    await storage.users.remember(5, "renamed", "Some", None)
    record = await storage.users.get(5)
    assert record is not None
    assert (record.username, record.language) == ("renamed", "zh")


async def test_album_items_come_in_message_order(storage):
    def image(name: str) -> InputImage:
        return InputImage(name, width=10, height=20, file_size=300, mime_type="image/jpeg")

    await storage.media.remember(100, 12, "g1", image("third"))
    await storage.media.remember(100, 10, "g1", image("first"))
    await storage.media.remember(100, 11, "g1", image("second"))
    await storage.media.remember(100, 13, "g2", image("other album"))
    await storage.media.remember(200, 9, "g1", image("other chat"))
    await storage.media.remember(100, 14, None, InputImage("single", kind="document"))

    album = await storage.media.album(100, "g1")
    assert [i.file_id for i in album] == ["first", "second", "third"]
    assert album[0] == image("first")
    assert await storage.media.album(100, "missing") == []

    # Seeing the same message again (an edit) replaces it.
    await storage.media.remember(100, 11, "g1", image("second, edited"))
    assert [i.file_id for i in await storage.media.album(100, "g1")] == [
        "first",
        "second, edited",
        "third",
    ]


async def test_flags(storage):
    assert await storage.flags.get("paused") is None
    await storage.flags.set("paused", "1")
    assert await storage.flags.get("paused") == "1"
    await storage.flags.set("paused", "0")
    assert await storage.flags.get("paused") == "0"
    assert await storage.flags.get("other") is None


async def test_upgrade_to_v2_derives_todays_use_from_the_ledger(tmp_path: Path) -> None:
    """A database from before `daily_used` existed: today's use comes from its ledger."""
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as db:
        for statement in MIGRATIONS[0]:
            db.execute(statement)
        db.execute("PRAGMA user_version=1")
        db.execute(
            "INSERT INTO users (user_id, daily_left, daily_day, bonus, created_at, updated_at)"
            " VALUES (7, 700, '2026-11-21', 0, 0, 0)"
        )
        rows = [
            ("daily_reset", 1000, 0, "2026-11-20"),  # yesterday's use must not count
            ("reserve", 200, -200, None),
            ("release", 200, 200, None),
            ("daily_reset", 1000, 0, "2026-11-21"),
            ("reserve", 500, -500, None),
            ("release", 200, 200, None),
            ("limit", 1000, 0, None),
        ]
        for kind, amount, delta, note in rows:
            db.execute(
                "INSERT INTO ledger (at, user_id, kind, amount, daily_delta, note)"
                " VALUES (0, 7, ?, ?, ?, ?)",
                (kind, amount, delta, note),
            )
    clock = ManualClock(datetime(2026, 11, 21, 12, tzinfo=UTC).timestamp())
    storage = await Storage.open(path, clock=clock, zone=ZoneInfo("UTC"), default_limit=1000)
    try:
        async with storage.db.read() as conn:
            cur = await conn.execute("SELECT daily_used FROM users WHERE user_id = 7")
            row = await cur.fetchone()
        assert row is not None and row[0] == 300
        # Going through a zero limit and back keeps those 300 as spent.
        await storage.users.set_daily_limit(7, 0)
        balance = await storage.users.set_daily_limit(7, None)
        assert balance.daily_left == 700
    finally:
        await storage.close()


async def test_group_cap_counts_reservations_and_charges_but_not_refunds(storage) -> None:
    def in_group(user_id: int, message_id: int) -> NewJob:
        job = new_job(user_id, 100, message_id=message_id)
        job.chat_id, job.chat_type = -100500, "supergroup"
        return job

    await storage.chats.set_daily_limit(-100500, 200)
    first = await accepted(storage, in_group(1, 1))
    await accepted(storage, in_group(2, 2))
    refused = await storage.jobs.accept(in_group(3, 3), is_admin=False, limits=ROOMY)
    assert isinstance(refused, Refused) and refused.reason == "group_cap"
    assert refused.group_limit == 200
    # Admins are not limited, by the group or otherwise.
    assert isinstance(
        await storage.jobs.accept(in_group(4, 4), is_admin=True, limits=ROOMY), Accepted
    )
    # A refunded job gives its share of the cap back.
    await storage.jobs.finish(first.id, "failed")
    await accepted(storage, in_group(3, 5))
    # The same users in private chats are not affected by the group's cap.
    await accepted(storage, new_job(3, 100, message_id=6))
    await storage.chats.set_daily_limit(-100500, None)
    async with storage.db.read() as conn:
        assert await chat_limit(conn, -100500) is None
    await accepted(storage, in_group(5, 7))


async def test_old_media_is_forgotten(storage, clock) -> None:
    await storage.media.remember(1, 10, "g", InputImage("old"))
    clock.advance(31 * 86400)
    await storage.media.remember(1, 11, "g", InputImage("new"))
    assert await storage.media.forget_older_than(30 * 86400) == 1
    assert [image.file_id for image in await storage.media.album(1, "g")] == ["new"]


async def test_an_unpublished_job_is_invisible_to_the_scheduler(storage):
    outcome = await storage.jobs.accept(new_job(), is_admin=False, limits=ROOMY, visible=False)
    assert isinstance(outcome, Accepted)
    job = outcome.job
    assert not job.visible
    assert await storage.jobs.startable_ids(ROOMY) == []
    assert await storage.jobs.startable_ids(ROOMY, also=job.id) == [job.id]
    assert await storage.jobs.claim_startable(ROOMY) == []
    assert [j.id for j in await storage.jobs.unannounced()] == [job.id]

    await storage.jobs.publish(job.id, 77)
    assert await storage.jobs.unannounced() == []
    [claimed] = await storage.jobs.claim_startable(ROOMY)
    assert (claimed.id, claimed.status_message_id, claimed.visible) == (job.id, 77, True)
