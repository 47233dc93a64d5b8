"""Delivery records and the owed final status, on a real SQLite file (issue 9 items 3, 5)."""

from __future__ import annotations

from pathlib import Path

from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.jobs.delivery import UPLOAD_NOTICE_BYTES, Fetched, worth_a_notice
from bot.jobs.handover import missing_indices, transient
from storage import Storage
from storage.models import Delivered, Job
from tests.conftest import ROOMY, ManualClock, accepted, new_job, open_storage


async def accepted_job(storage: Storage, n: int = 1) -> Job:
    return await accepted(storage, new_job(cost=100 * n, model="m", options={"n": n}))


async def test_each_record_is_kept_with_its_result_index_across_a_reopen(
    tmp_path: Path, clock: ManualClock
) -> None:
    storage = await open_storage(tmp_path / "bot.db", clock)
    job = await accepted_job(storage, n=3)
    await storage.jobs.mark_delivering(job.id, ["u0", "u1", "u2"])
    album = [Delivered(11, "photo", "f0", 0), Delivered(12, "photo", "f2", 2)]
    after = await storage.jobs.record_delivery(job.id, album)
    assert after.delivered == album  # what the caller goes on with, no second read
    await storage.close()

    storage = await open_storage(tmp_path / "bot.db", clock)
    again = await storage.jobs.get(job.id)
    assert again is not None and again.delivered == album
    assert missing_indices(again) == [1]  # a retry sends only the one that is missing
    await storage.close()


async def test_records_from_before_indices_count_in_order(storage: Storage) -> None:
    job = await accepted_job(storage, n=3)
    await storage.jobs.mark_delivering(job.id, ["u0", "u1", "u2"])
    legacy = [Delivered(11, "photo", "f0"), Delivered(12, "buttons")]
    assert missing_indices(await storage.jobs.record_delivery(job.id, legacy)) == [1, 2]


async def test_the_final_status_is_owed_from_the_end_until_shown(storage: Storage) -> None:
    job = await accepted_job(storage)
    await storage.jobs.claim_startable(ROOMY)
    finished = await storage.jobs.finish(job.id, "done", charged=100, status_text="✅ Done")
    assert finished is not None and finished.status_owed == "✅ Done"
    # A second end (a cancel racing with the completion) changes nothing, the text included.
    assert await storage.jobs.finish(job.id, "failed", status_text="❌ no") is None
    assert [j.status_owed for j in await storage.jobs.owing_status()] == ["✅ Done"]
    await storage.jobs.status_shown(job.id)
    assert await storage.jobs.owing_status() == []


async def test_unfinished_jobs_owe_no_final_status(storage: Storage) -> None:
    await accepted_job(storage)
    assert await storage.jobs.owing_status() == []


def test_which_send_failures_are_worth_another_try() -> None:
    assert transient(RetryAfter(3)) and transient(NetworkError("Bad Gateway"))
    assert transient(TimedOut())
    assert not transient(BadRequest("message is too long"))
    assert not transient(Forbidden("bot was blocked by the user"))
    assert not transient(ValueError("ours"))


def test_only_an_upload_that_takes_a_while_shows_the_chat_action() -> None:
    def item(size: int | None) -> Fetched:
        return Fetched(0, "https://x/r", None if size is None else b"x" * size, size or 0)

    assert not worth_a_notice([item(200_000)])
    assert not worth_a_notice([item(None)])  # a link: nothing to upload
    assert worth_a_notice([item(UPLOAD_NOTICE_BYTES)])
    assert worth_a_notice([item(UPLOAD_NOTICE_BYTES // 2), item(UPLOAD_NOTICE_BYTES // 2)])
