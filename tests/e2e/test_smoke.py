"""The wiring of `python -m bot` starts against both fakes and talks to them."""

from __future__ import annotations

from tests.e2e.conftest import Harness


async def test_bot_starts_and_long_polls(harness: Harness) -> None:
    await harness.start()
    tg = harness.tg
    await tg.wait_for(lambda: bool(tg.calls_to("getUpdates")), 10)
    methods = [call.method for call in tg.calls]
    assert methods[0] == "getMe"
    assert "deleteWebhook" in methods  # polling starts by clearing any webhook


async def test_help_answers_in_private_chat(harness: Harness) -> None:
    await harness.start()
    tg = harness.tg
    alice = tg.user(1001, "Alice", username="alice")
    chat = tg.private_chat(alice)
    tg.send_text(chat, alice, "/help")
    message = await harness.reply_in(chat["id"], lambda m: "/imagine" in m.get("text", ""))
    assert "10 of 10 daily credits" in message["text"]
