"""A group is not a window into private chats (PRODUCT.md §4a): `/jobs` in a group lists only
the jobs asked for in that group."""

from __future__ import annotations

from tests.e2e.conftest import Harness


async def test_jobs_in_a_group_leaves_out_private_prompts(harness: Harness) -> None:
    await harness.start()
    tg = harness.tg
    alice = tg.user(8101, "Alice")
    private, group = tg.private_chat(alice), tg.group_chat(-100810, "Friends")
    tg.send_text(private, alice, "/imagine my secret private prompt")
    await harness.reply_in(private["id"], lambda m: bool(m.get("photo")))
    tg.send_text(group, alice, "/imagine@evolink_test_bot a public lighthouse")
    await harness.reply_in(group["id"], lambda m: bool(m.get("photo")))

    tg.send_text(group, alice, "/jobs@evolink_test_bot")
    listing = await harness.reply_in(group["id"], lambda m: "lighthouse" in m.get("text", ""))
    assert "secret" not in listing["text"]

    tg.send_text(private, alice, "/jobs")
    mine = await harness.reply_in(private["id"], lambda m: "secret" in m.get("text", ""))
    assert "lighthouse" in mine["text"]  # in private, every job of hers
