"""Nothing is lost across a restart, nothing is charged twice (PRODUCT.md §4)."""

from __future__ import annotations

import json
import sqlite3

from bot.messages import t
from tests.e2e.conftest import Harness, jpeg
from tests.fakes.telegram import RetryAfterWindows


async def test_running_job_is_delivered_once_after_a_restart(harness: Harness) -> None:
    tg, evo = harness.tg, harness.evo
    evo.task_duration = 3.0
    bot = await harness.start()
    alice = tg.user(1001, "Alice", username="alice")
    chat = tg.private_chat(alice)
    tg.send_text(chat, alice, "/imagine a lighthouse")
    # Once the bot asks about the task, it has recorded the task id.
    await evo.wait_for(lambda: any(r.path.startswith("/v1/tasks/") for r in evo.requests))
    await bot.shutdown()  # the task keeps going at Evolink while we are down

    await harness.start()
    await harness.reply_in(chat["id"], lambda m: bool(m.get("photo")), timeout=20)
    await tg.wait_for(
        lambda: any("✅" in m.get("caption", "") for m in tg.bot_messages(chat["id"])), 10
    )
    photos = [m for m in tg.bot_messages(chat["id"]) if m.get("photo")]
    assert len(photos) == 1
    assert len(evo.generation_requests()) == 1  # tracked again, never resubmitted
    assert harness.ledger(1001) == [("reserve", 100), ("charge", 100)]


async def test_submission_cut_off_by_a_restart_is_refunded(harness: Harness) -> None:
    tg, evo = harness.tg, harness.evo
    evo.slow_next(8, endpoint="/v1/images")  # the create call is in flight when we stop
    bot = await harness.start()
    alice = tg.user(1001, "Alice", username="alice")
    chat = tg.private_chat(alice)
    tg.send_text(chat, alice, "/imagine a lighthouse")
    await evo.wait_for(lambda: any(r.path == "/v1/images/generations" for r in evo.requests))
    await bot.shutdown()

    await harness.start()
    expected = t("err_submission_unknown")
    await harness.reply_in(chat["id"], lambda m: expected in m.get("text", ""), timeout=20)
    assert harness.ledger(1001) == [("reserve", 100), ("release", 100)]
    assert not [m for m in tg.bot_messages(chat["id"]) if m.get("photo")]


async def test_queued_jobs_survive_a_restart(harness: Harness) -> None:
    tg = harness.tg
    admin = tg.user(9000, "Admin")
    admin_chat = tg.private_chat(admin)
    bot = await harness.start()
    tg.send_text(admin_chat, admin, "/pause")
    await harness.reply_in(admin_chat["id"], lambda m: "Paused" in m.get("text", ""))
    alice = tg.user(1001, "Alice", username="alice")
    chat = tg.private_chat(alice)
    tg.send_text(chat, alice, "/imagine a lighthouse")
    await harness.reply_in(chat["id"], lambda m: "#1" in m.get("text", ""))
    await bot.shutdown()

    await harness.start()
    assert harness.evo.generation_requests() == []  # still paused after the restart
    tg.send_text(admin_chat, admin, "/resume")
    await harness.reply_in(chat["id"], lambda m: bool(m.get("photo")), timeout=20)


def _job_states(harness: Harness) -> list[str]:
    with sqlite3.connect(harness.tmp_path / "bot.sqlite3") as db:
        return [state for (state,) in db.execute("SELECT state FROM jobs ORDER BY id")]


async def test_a_final_status_cut_off_by_a_restart_is_shown_after_it(harness: Harness) -> None:
    tg = harness.tg
    bot = await harness.start()
    alice = tg.user(1001, "Alice", username="alice")
    chat = tg.private_chat(alice)
    # The cost footer and the status message's removal fail until the bot is stopped.
    tg.fail_next("editMessageCaption", error_code=502, description="Bad Gateway", times=10_000)
    tg.fail_next("deleteMessage", error_code=502, description="Bad Gateway", times=10_000)
    tg.send_text(chat, alice, "/imagine a lighthouse")
    photo = await harness.reply_in(chat["id"], lambda m: bool(m.get("photo")))
    await tg.wait_for(lambda: _job_states(harness) == ["done"])
    await tg.wait_for(lambda: len(tg.calls_to("editMessageCaption")) >= 2)  # tried again
    await bot.shutdown()
    status = tg.bot_messages(chat["id"])[0]
    assert "text" in status and "✅" not in photo["caption"]  # ended, not yet said so

    tg.clear_failures()
    await harness.start()
    await tg.wait_for(lambda: "✅" in photo["caption"] and tg.bot_messages(chat["id"]) == [photo])
    assert len([m for m in tg.bot_messages(chat["id"]) if m.get("photo")]) == 1
    assert harness.ledger(1001) == [("reserve", 100), ("charge", 100)]


def _count(harness: Harness, table: str) -> int:
    with sqlite3.connect(harness.tmp_path / "bot.sqlite3") as db:
        (count,) = db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()
    return int(count)


async def test_an_album_cut_off_by_a_restart_is_started_once_after_it(harness: Harness) -> None:
    tg, evo = harness.tg, harness.evo
    bot = await harness.start(album_debounce_seconds=60)  # it can't go quiet before the stop
    alice = tg.user(1001, "Alice", username="alice")
    chat = tg.private_chat(alice)
    items = tg.send_album(chat, alice, [jpeg(800, 600), jpeg(600, 800)], caption="/edit blend")
    # Fetched (so Telegram will not send them again) and written down, nothing started.
    await tg.wait_for(
        lambda: _count(harness, "media_seen") == 2 and _count(harness, "pending_albums") == 1
    )
    await bot.shutdown()
    assert evo.generation_requests() == [] and tg.bot_messages(chat["id"]) == []

    await harness.start()
    photo = await harness.reply_in(chat["id"], lambda m: bool(m.get("photo")), timeout=20)
    assert photo["reply_to_message"]["message_id"] == items[0]["message_id"]
    assert len(evo.generation_requests()) == 1
    assert _count(harness, "jobs") == 1 and _count(harness, "pending_albums") == 0
    await tg.wait_for(lambda: len(harness.ledger(1001)) == 2)
    assert [kind for kind, _ in harness.ledger(1001)] == ["reserve", "charge"]


def _delivered_kinds(harness: Harness) -> list[str]:
    with sqlite3.connect(harness.tmp_path / "bot.sqlite3") as db:
        rows = db.execute("SELECT delivered FROM jobs").fetchall()
    return [item["kind"] for (delivered,) in rows for item in json.loads(delivered)]


async def test_a_restart_between_an_album_and_its_cost_message_sends_only_that(
    harness: Harness,
) -> None:
    tg = harness.tg
    bot = await harness.start()
    alice = tg.user(1001, "Alice", username="alice")
    chat = tg.private_chat(alice)
    # The message under the album (the second sendMessage, with the cost and the buttons)
    # is told to wait far longer than the test.
    flood = "Too Many Requests: retry after 60"
    tg.fail_next("sendMessage", error_code=429, description=flood, retry_after=60, after=1)
    tg.send_text(chat, alice, "/imagine four kittens --n 4")
    await tg.wait_for(lambda: any(c.status == 429 for c in tg.calls_to("sendMessage")))
    await bot.shutdown()
    assert _delivered_kinds(harness) == ["photo"] * 4
    assert _job_states(harness) == ["done"]  # charged; only its outcome is still owed

    # A new process can't know the window its predecessor was told about (the first one
    # must have kept every window it was told about).
    assert tg.calls_inside_retry_after == 0
    tg.retry_windows = RetryAfterWindows(grace=0.2)
    await harness.start()
    under = await harness.reply_in(chat["id"], lambda m: m.get("text", "").startswith("✅"))
    assert under["text"] == "✅ Job #1: 4 credits charged. Left: 6 of 10 daily."
    assert len([m for m in tg.bot_messages(chat["id"]) if m.get("photo")]) == 4
    assert len(tg.calls_to("sendMediaGroup")) == 1
    assert harness.ledger(1001) == [("reserve", 400), ("charge", 400)]
