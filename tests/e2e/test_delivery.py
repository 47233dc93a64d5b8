"""Delivery survives Telegram's bad moments: no lost result, no silent failure."""

from __future__ import annotations

from bot.messages import t
from tests.e2e.conftest import Harness, jpeg
from tests.e2e.outcomes import body


async def _imagine(harness: Harness) -> int:
    tg = harness.tg
    alice = tg.user(1001, "Alice")
    chat = tg.private_chat(alice)
    tg.send_text(chat, alice, "/imagine a lighthouse")
    return int(chat["id"])


async def test_a_short_telegram_outage_does_not_lose_the_result(harness: Harness) -> None:
    tg = harness.tg
    await harness.start()
    tg.fail_next("sendPhoto", error_code=502, description="Bad Gateway", times=2)
    chat_id = await _imagine(harness)
    await harness.reply_in(chat_id, lambda m: bool(m.get("photo")))
    assert len([m for m in tg.bot_messages(chat_id) if m.get("photo")]) == 1
    await tg.wait_for(lambda: len(harness.ledger(1001)) == 2)
    assert harness.ledger(1001) == [("reserve", 100), ("charge", 100)]


async def test_a_result_refused_as_a_photo_arrives_as_a_document(harness: Harness) -> None:
    tg = harness.tg
    await harness.start()
    tg.fail_next("sendPhoto", description="Bad Request: PHOTO_INVALID_DIMENSIONS")
    chat_id = await _imagine(harness)
    document = await harness.reply_in(chat_id, lambda m: bool(m.get("document")))
    assert body(document) == "a lighthouse"
    assert document["reply_markup"]["inline_keyboard"][0][0]["callback_data"].startswith("again")


async def test_telegram_gone_for_good_ends_in_words_and_a_refund(harness: Harness) -> None:
    tg = harness.tg
    await harness.start()
    tg.fail_next("sendPhoto", error_code=502, description="Bad Gateway", times=10)
    chat_id = await _imagine(harness)
    expected = t("err_delivery")
    await harness.reply_in(chat_id, lambda m: expected in m.get("text", ""))
    assert harness.ledger(1001) == [("reserve", 100), ("release", 100)]


async def test_the_command_menu_is_set_in_english_and_chinese(harness: Harness) -> None:
    tg = harness.tg
    await harness.start()
    menus = {
        call.params.get("language_code"): call.params
        for call in tg.calls_to("setMyCommands")
        if "scope" not in call.params  # the admins' own menus: tests/e2e/test_conversation.py
    }
    assert set(menus) == {None, "zh"}
    names = [command["command"] for command in menus[None]["commands"]]
    assert names == [
        "imagine",
        "edit",
        "animate",
        "video",
        "quota",
        "jobs",
        "cancel",
        "settings",
        "id",
        "help",
    ]
    chat_id = await _imagine(harness)
    await harness.reply_in(chat_id, lambda m: bool(m.get("photo")))
    # A small picture uploads in a blink: no "sending a photo…" header for it.
    assert tg.calls_to("sendChatAction") == []


async def test_a_telegram_blip_while_fetching_the_photo_is_retried(harness: Harness) -> None:
    tg = harness.tg
    await harness.start()
    tg.fail_next("getFile", error_code=502, description="Bad Gateway")
    alice = tg.user(1001, "Alice")
    chat = tg.private_chat(alice)
    tg.send_photo(chat, alice, jpeg(800, 600), caption="/edit make it night")
    photo = await harness.reply_in(chat["id"], lambda m: bool(m.get("photo")), timeout=20)
    assert body(photo) == "make it night"
    assert len(tg.calls_to("getFile")) == 2


# --- an album and the buttons message under it (issue 9: each message recorded at once) ---


async def _album_of_four(harness: Harness) -> int:
    tg = harness.tg
    alice = tg.user(1001, "Alice")
    chat = tg.private_chat(alice)
    tg.send_text(chat, alice, "/imagine four kittens --n 4")
    return int(chat["id"])


async def _done(harness: Harness, chat_id: int, rows: int = 2) -> None:
    """Wait for the charge in the ledger and the status message's removal (the last step:
    the outcome is shown before it)."""
    tg = harness.tg
    await tg.wait_for(lambda: len(harness.ledger(1001)) == rows)
    await tg.wait_for(lambda: any(c.status == 200 for c in tg.calls_to("deleteMessage")))


def _summary(message: dict[str, object]) -> bool:
    """The message under an album: what it cost, with its buttons."""
    return str(message.get("text", "")).startswith("✅ Job #1: 4 credits charged.")


def _photos(harness: Harness, chat_id: int) -> int:
    return len([m for m in harness.tg.bot_messages(chat_id) if m.get("photo")])


def _told_nothing_was_charged(harness: Harness, chat_id: int) -> bool:
    texts = [m.get("text", "") for m in harness.tg.bot_messages(chat_id)]
    return any("Nothing was charged" in text for text in texts)


async def test_a_blip_on_the_buttons_message_does_not_send_the_album_again(
    harness: Harness,
) -> None:
    tg = harness.tg
    await harness.start()
    # The first sendMessage is the status message; the second, the cost and the buttons
    # under the album (sent once the job is settled).
    tg.fail_next("sendMessage", error_code=502, description="Bad Gateway", after=1)
    chat_id = await _album_of_four(harness)
    await harness.reply_in(chat_id, _summary)
    await _done(harness, chat_id)
    assert _photos(harness, chat_id) == 4
    assert len(tg.calls_to("sendMediaGroup")) == 1
    assert harness.ledger(1001) == [("reserve", 400), ("charge", 400)]


async def test_floods_on_the_buttons_message_never_refund_the_pictures(harness: Harness) -> None:
    tg = harness.tg
    await harness.start()
    tg.fail_next(
        "sendMessage",
        error_code=429,
        description="Too Many Requests: retry after 1",
        retry_after=1,
        times=4,
        after=1,
    )
    chat_id = await _album_of_four(harness)
    await _done(harness, chat_id)
    assert _photos(harness, chat_id) == 4 and len(tg.calls_to("sendMediaGroup")) == 1
    assert harness.ledger(1001) == [("reserve", 400), ("charge", 400)]
    assert not _told_nothing_was_charged(harness, chat_id)
    assert tg.calls_inside_retry_after == 0


async def test_a_bot_blocked_right_after_the_album_still_charges_for_it(harness: Harness) -> None:
    tg = harness.tg
    await harness.start()
    forbidden = "Forbidden: bot was blocked by the user"
    tg.fail_next("sendMessage", error_code=403, description=forbidden, after=1, times=10)
    chat_id = await _album_of_four(harness)
    await _done(harness, chat_id)
    assert _photos(harness, chat_id) == 4
    assert harness.ledger(1001) == [("reserve", 400), ("charge", 400)]
    refused = [c for c in tg.calls_to("sendMessage") if c.status == 403]
    assert len(refused) == 1  # a refusal is not retried
    assert not [m for m in tg.bot_messages(chat_id) if "text" in m]  # no stale status


async def test_a_blip_on_the_album_itself_delivers_it_once(harness: Harness) -> None:
    tg = harness.tg
    await harness.start()
    tg.fail_next("sendMediaGroup", error_code=502, description="Bad Gateway")
    chat_id = await _album_of_four(harness)
    await harness.reply_in(chat_id, _summary)
    await _done(harness, chat_id)
    assert _photos(harness, chat_id) == 4
    assert [c.status for c in tg.calls_to("sendMediaGroup")] == [502, 200]
    assert harness.ledger(1001) == [("reserve", 400), ("charge", 400)]


async def test_floods_on_the_result_itself_are_waited_out_not_failed(harness: Harness) -> None:
    tg = harness.tg
    await harness.start()
    # More 429s than the flood limiter retries by itself: delivery waits them out too.
    flood = "Too Many Requests: retry after 1"
    tg.fail_next("sendPhoto", error_code=429, description=flood, retry_after=1, times=5)
    chat_id = await _imagine(harness)
    await _done(harness, chat_id)
    assert len([m for m in tg.bot_messages(chat_id) if m.get("photo")]) == 1
    assert harness.ledger(1001) == [("reserve", 100), ("charge", 100)]
    assert tg.calls_inside_retry_after == 0


async def test_a_bot_blocked_halfway_charges_only_for_what_arrived(harness: Harness) -> None:
    tg = harness.tg
    harness.evo.result_padding = 51 * 1024 * 1024  # too large to upload: each goes as a link
    await harness.start()
    forbidden = "Forbidden: bot was blocked by the user"
    # Through: the status message and the first link; refused: the second link.
    tg.fail_next("sendMessage", error_code=403, description=forbidden, after=2, times=10)
    alice = tg.user(1001, "Alice")
    chat = tg.private_chat(alice)
    tg.send_text(chat, alice, "/imagine two foxes --n 2")
    await _done(harness, chat["id"], rows=3)
    links = [m for m in tg.bot_messages(chat["id"]) if "http" in m.get("text", "")]
    assert len(links) == 1
    assert harness.ledger(1001) == [("reserve", 200), ("charge", 100), ("release", 100)]
