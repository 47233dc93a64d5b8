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


async def test_a_chinese_speaking_user_is_answered_in_chinese(harness: Harness) -> None:
    await harness.start()
    tg = harness.tg
    li = tg.user(1003, "Li", language_code="zh-hans")
    chat = tg.private_chat(li)
    tg.send_text(chat, li, "/imagine 一只狐狸 --n 9")
    answer = await harness.reply_in(chat["id"], lambda m: "--n" in m.get("text", ""))
    assert answer["text"] == "--n 必须是 1 到 4 之间的整数，而不是 9。"
    assert harness.evo.generation_requests() == []
