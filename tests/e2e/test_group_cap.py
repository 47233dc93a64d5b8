"""A group's daily cap (/setlimit on a chat id): an extra of issue #4."""

from __future__ import annotations

from bot.messages import t
from tests.e2e.conftest import ADMIN_ID, BOT_USERNAME, Harness


async def test_group_cap_limits_what_members_spend_together(harness: Harness) -> None:
    tg, evo = harness.tg, harness.evo
    await harness.start()
    admin = tg.user(ADMIN_ID, "Admin")
    admin_chat = tg.private_chat(admin)
    group = tg.group_chat(-100500, "Team")
    alice, bob = tg.user(1001, "Alice", username="alice"), tg.user(1002, "Bob")

    tg.send_text(admin_chat, admin, "/setlimit -100500 2")
    set_cap = await harness.reply_in(admin_chat["id"], lambda m: "-100500" in m.get("text", ""))
    # The group by its title (Telegram's), not as "Group -100500".
    assert set_cap["text"] == (
        "The group “Team” (-100500) may now spend 2 credits a day in total; each member's "
        "own credits still apply."
    )
    tg.send_text(admin_chat, admin, "/setlimit -100500 lots")  # a bad amount is explained
    await harness.reply_in(admin_chat["id"], lambda m: "lots" in m.get("text", ""))

    for user in (alice, alice):
        tg.send_text(group, user, f"/imagine@{BOT_USERNAME} a fox")
    await tg.wait_for(
        lambda: len([m for m in tg.bot_messages(group["id"]) if m.get("photo")]) == 2, 20
    )
    refused = tg.send_text(group, bob, f"/imagine@{BOT_USERNAME} a fox")
    answer = await harness.reply_in(
        group["id"],
        lambda m: m.get("reply_to_message", {}).get("message_id") == refused["message_id"],
    )
    assert "used its 2 credits for today" in answer["text"]
    assert len(evo.generation_requests()) == 2

    # Bob's own credits are untouched, and in private he is not limited by the group.
    bob_chat = tg.private_chat(bob)
    tg.send_text(bob_chat, bob, "/quota")
    quota = await harness.reply_in(bob_chat["id"], lambda m: "Daily credits" in m.get("text", ""))
    assert "10 of 10" in quota["text"]

    # An admin inside the group lifts the cap with `here`.
    tg.send_text(group, admin, f"/setlimit@{BOT_USERNAME} here default")
    cleared = t("admin_group_limit_cleared", chat="“Team” (-100500)")
    await harness.reply_in(group["id"], lambda m: m.get("text") == cleared)
    tg.send_text(group, bob, f"/imagine@{BOT_USERNAME} a fox")
    await tg.wait_for(
        lambda: len([m for m in tg.bot_messages(group["id"]) if m.get("photo")]) == 3, 20
    )


async def test_group_cap_is_for_admins_only(harness: Harness) -> None:
    tg = harness.tg
    await harness.start()
    alice = tg.user(1001, "Alice")
    group = tg.group_chat(-100500, "Team")
    tg.send_text(group, alice, f"/setlimit@{BOT_USERNAME} here 0")
    await harness.reply_in(group["id"], lambda m: m.get("text") == t("admin_only"))
    tg.send_text(group, alice, f"/imagine@{BOT_USERNAME} a fox")
    await harness.reply_in(group["id"], lambda m: bool(m.get("photo")))
