"""One user's flood never holds up another user's replies, and the flooder is told once
(PRODUCT.md §4a "Fair use"; bot/fairness.py).

The bot keeps Telegram's real pace here (one message a second per chat), which is what made
a flood hurt: each of Bob's answers waited for his chat's allowance while holding one of the
places every user shares.
"""

from __future__ import annotations

import asyncio
import dataclasses

from bot.messages import t
from bot.ratelimit import FloodLimits
from tests.e2e.conftest import FAST_TUNING, Harness

FLOOD = 100  # more than the 64 updates the bot handles at once
BACKLOG = 8
BURST = 5  # USER_COMMAND_BURST: Bob's commands answered before the bucket runs dry
ANSWERED_WITHIN = 2.0  # seconds: issue 10's bound for another user's answer during a flood


async def test_a_flood_from_one_user_does_not_hold_up_another(harness: Harness) -> None:
    tuning = dataclasses.replace(FAST_TUNING, flood=FloodLimits(), update_backlog=BACKLOG)
    await harness.start(tuning=tuning, user_command_burst=BURST, user_commands_per_minute=1)
    tg = harness.tg
    bob, alice = tg.user(7001, "Bob"), tg.user(7002, "Alice")
    bob_chat, alice_chat = tg.private_chat(bob), tg.private_chat(alice)
    for _ in range(FLOOD):
        tg.send_text(bob_chat, bob, "/help")
    loop = asyncio.get_running_loop()
    asked = loop.time()
    tg.send_text(alice_chat, alice, "/help")

    await harness.reply_in(alice_chat["id"], lambda m: "/imagine" in m.get("text", ""))
    waited = loop.time() - asked
    assert waited < ANSWERED_WITHIN, f"Alice waited {waited:.1f} s behind Bob's flood"
    sends = [c.params["chat_id"] for c in tg.calls_to("sendMessage")]
    bobs_before_alice = sends[: sends.index(alice_chat["id"])].count(bob_chat["id"])
    assert bobs_before_alice < 5, f"Alice waited behind {bobs_before_alice} of Bob's answers"

    notice = t("slow_down", None, seconds=60)
    await harness.reply_in(bob_chat["id"], lambda m: m.get("text") == notice, timeout=30)
    texts = [m.get("text", "") for m in tg.bot_messages(bob_chat)]
    assert texts.count(notice) == 1
    assert sum("/imagine" in text for text in texts) <= BURST + 1  # the bucket, at 1 a minute
