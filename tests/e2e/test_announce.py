"""The engine owns a job's messages (issue 8 item 3, issue 9 item 1).

A job is visible to the scheduler only once its status message exists (or posting it has
failed for good); every failure reaches the user as a new message replying to the request
(with Retry), and the status message is deleted after it.
"""

from __future__ import annotations

import sqlite3

from bot.messages import t
from tests.e2e.conftest import Harness
from tests.e2e.test_generation import Scene

DONE = "✅"


async def test_a_429_on_the_first_status_message_leaves_no_stale_status(
    harness: Harness,
) -> None:
    await harness.start()
    s = Scene(harness)
    harness.tg.fail_next(
        "sendMessage",
        error_code=429,
        description="Too Many Requests: retry after 1",
        retry_after=1,
    )
    request = s.say("/imagine a lighthouse")

    photo = await s.result(request)
    assert (await s.final_status(request)).startswith(DONE)
    assert [m for m in s.replies_to(request) if "text" in m] == []  # nothing stale
    # One status message, posted (after the 429) before the job ran, deleted at the end.
    assert len([c for c in harness.tg.calls_to("sendMessage") if c.status == 200]) == 1
    [deleted] = harness.tg.calls_to("deleteMessage")
    assert deleted.params["message_id"] < photo["message_id"]
    await s.wait(lambda: len(harness.ledger(1001)) == 2)
    assert harness.ledger(1001) == [("reserve", 100), ("charge", 100)]


async def test_without_a_status_message_the_result_still_arrives(harness: Harness) -> None:
    await harness.start()
    s = Scene(harness)
    harness.tg.fail_next("sendMessage", error_code=400, description="Bad Request: injected")
    request = s.say("/imagine a lighthouse")

    await s.result(request)
    assert [m for m in s.replies_to(request) if "text" in m] == []  # nothing stale either
    await s.wait(lambda: len(harness.ledger(1001)) == 2)  # settled after the delivery
    assert harness.ledger(1001) == [("reserve", 100), ("charge", 100)]


async def test_without_a_status_message_a_failure_is_a_new_message(harness: Harness) -> None:
    await harness.start()
    s = Scene(harness)
    harness.tg.fail_next("sendMessage", error_code=400, description="Bad Request: injected")
    harness.evo.fail_next_tasks("content_policy_violation", "Content blocked by safety filter")
    request = s.say("/imagine a lighthouse")

    failure = await s.reply(request, lambda m: m.get("text", "").startswith("❌"))
    assert "Nothing was charged" in failure["text"]
    await s.wait(lambda: len(harness.ledger(1001)) == 2)
    assert harness.ledger(1001) == [("reserve", 100), ("release", 100)]


async def test_a_failure_is_a_new_message_with_retry_and_the_status_goes(
    harness: Harness,
) -> None:
    await harness.start()
    s = Scene(harness)
    harness.evo.fail_next_tasks("content_policy_violation", "Content blocked by safety filter")
    request = s.say("/imagine a lighthouse")

    final = await s.final_status(request)
    # A new message notifies (an edit would not); it replies to the request; the status
    # message, now pointless, is deleted after it.
    [notice] = s.replies_to(request)
    assert (
        notice["text"] == final == t("status_failed", job=1, reason=t("err_content_policy_text"))
    )
    [send] = [c for c in harness.tg.calls_to("sendMessage") if "❌" in c.params["text"]]
    [deleted] = harness.tg.calls_to("deleteMessage")
    assert harness.tg.calls.index(send) < harness.tg.calls.index(deleted)
    assert deleted.params["message_id"] < notice["message_id"]
    [retry] = notice["reply_markup"]["inline_keyboard"][0]
    assert (retry["text"], retry["callback_data"]) == ("🔁 Retry", "retry:1")


async def test_a_job_accepted_but_never_announced_is_announced_after_a_restart(
    harness: Harness,
) -> None:
    tg = harness.tg
    admin = tg.user(9000, "Admin")
    admin_chat = tg.private_chat(admin)
    bot = await harness.start()
    tg.send_text(admin_chat, admin, "/pause")
    await harness.reply_in(admin_chat["id"], lambda m: "Paused" in m.get("text", ""))
    s = Scene(harness)
    request = s.say("/imagine a lighthouse")
    await s.reply(request, lambda m: "#1" in m.get("text", ""))
    await bot.shutdown()
    # As if the process had died between accepting the job and posting its status message.
    with sqlite3.connect(harness.tmp_path / "bot.sqlite3") as db:
        db.execute("UPDATE jobs SET visible = 0, status_message_id = NULL")

    await harness.start()
    await s.wait(lambda: len(s.replies_to(request)) == 2)  # announced again, once
    assert harness.evo.generation_requests() == []  # still paused: not started unannounced
    tg.send_text(admin_chat, admin, "/resume")
    await s.reply(request, lambda m: bool(m.get("photo")), timeout=20)
    # The first status message, which the restart no longer knew, is left as it was.
    texts = [m.get("text", "") for m in s.replies_to(request)]
    assert any(text.startswith("⏸ Job #1 is 1st in line") for text in texts)
