"""`/id` tells a user the number ADMIN_IDS needs (PRODUCT.md §4a), in private and in groups."""

from __future__ import annotations

from bot.messages import t
from tests.e2e.conftest import ADMIN_ID, Harness


async def test_id_in_a_private_chat_gives_the_users_number(harness: Harness) -> None:
    await harness.start()
    tg = harness.tg
    alice = tg.user(424242, "Alice")
    chat = tg.private_chat(alice)
    request = tg.send_text(chat, alice, "/id")
    answer = await harness.reply_in(chat["id"], lambda m: "424242" in m.get("text", ""))
    assert answer["reply_to_message"]["message_id"] == request["message_id"]
    assert "ADMIN_IDS" in answer["text"]
    assert "chat" not in answer["text"]  # in private the chat id is the user id: said once


async def test_id_in_a_group_also_gives_the_groups_number(harness: Harness) -> None:
    await harness.start()
    tg = harness.tg
    li = tg.user(515151, "Li", language_code="zh-hans")
    group = tg.group_chat(-100777, "Friends")
    tg.send_text(group, li, "/id@evolink_test_bot")
    answer = await harness.reply_in(group["id"], lambda m: "515151" in m.get("text", ""))
    assert "-100777" in answer["text"]
    assert "ADMIN_IDS" in answer["text"] and "你的" in answer["text"]


async def test_id_is_in_the_command_menu_and_help(harness: Harness) -> None:
    await harness.start()
    tg = harness.tg
    await tg.wait_for(lambda: len(tg.calls_to("setMyCommands")) >= 2, 10)
    for call in tg.calls_to("setMyCommands"):
        assert "id" in [command["command"] for command in call.params["commands"]]
    bob = tg.user(1002, "Bob")
    chat = tg.private_chat(bob)
    tg.send_text(chat, bob, "/help")
    answer = await harness.reply_in(chat["id"], lambda m: "/imagine" in m.get("text", ""))
    assert "/id" in answer["text"]


async def test_an_admins_id_says_they_are_an_admin(harness: Harness) -> None:
    await harness.start()
    tg = harness.tg
    boss = tg.user(ADMIN_ID, "Boss")
    chat = tg.private_chat(boss)
    tg.send_text(chat, boss, "/id")
    answer = await harness.reply_in(chat["id"], lambda m: str(ADMIN_ID) in m.get("text", ""))
    assert answer["text"] == t("your_id_admin", "en", user_id=ADMIN_ID)
    assert "ADMIN_IDS" not in answer["text"] and "admin of this bot" in answer["text"]
