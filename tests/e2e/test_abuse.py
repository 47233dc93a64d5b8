"""Issue 10's attacks against the real wiring: hostile files cost the operator nothing and
nobody else waits for them (PRODUCT.md §4a "Fair use"; bot/images.py, bot/jobs/inputs.py).

The bound on another user's answer is the issue's own (2 s). It is generous: the answer
takes a few milliseconds when nothing holds the event loop, where the bombs used to hold it
for seconds each.
"""

from __future__ import annotations

import asyncio
import io

from PIL import Image

from bot.messages import t
from tests.e2e.conftest import Harness, png

ANSWERED_WITHIN = 2.0
BOMB_SIDE = 7745  # 60 MP in ~190 KB: 2.3 s of CPU and 0.7 GB to decode, before the fix


def bomb() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (BOMB_SIDE, BOMB_SIDE), (1, 2, 3)).save(buffer, "PNG")
    return buffer.getvalue()


async def test_bomb_albums_are_refused_for_free_while_others_are_answered(
    harness: Harness,
) -> None:
    await harness.start()
    tg = harness.tg
    mallory, alice = tg.user(7101, "Mallory"), tg.user(7102, "Alice")
    bad_chat, alice_chat = tg.private_chat(mallory), tg.private_chat(alice)
    payload = bomb()
    for album in range(3):
        group = tg.world.new_media_group_id()
        # A good picture first: it must not be uploaded when the bomb after it is refused.
        for index, data in enumerate((png(900, 700), payload, payload)):
            tg.send_document(
                bad_chat,
                mallory,
                data,
                file_name=f"album{album}-{index}.png",
                mime_type="image/png",
                caption="/edit merge them" if index == 0 else None,
                media_group_id=group,
            )
    loop = asyncio.get_running_loop()
    asked = loop.time()
    tg.send_text(alice_chat, alice, "/help")
    await harness.reply_in(alice_chat["id"], lambda m: "/imagine" in m.get("text", ""))
    waited = loop.time() - asked
    assert waited < ANSWERED_WITHIN, f"Alice waited {waited:.1f} s behind the bombs"

    refusal = t(
        "photo_too_many_pixels", "en", index=2, width=BOMB_SIDE, height=BOMB_SIDE, max_mp=16
    )

    def refused() -> bool:
        texts = [m.get("text", "") for m in tg.bot_messages(bad_chat)]
        return sum(refusal in text for text in texts) == 3

    await tg.wait_for(refused, 30)
    assert harness.evo.uploads == []  # no input of a refused job reached the file quota
    assert harness.evo.generation_requests() == []
    assert harness.ledger(mallory["id"])[-1][0] == "release"  # refunded in full
