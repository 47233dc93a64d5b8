from __future__ import annotations

from tests.e2e.conftest import Harness


async def test_imagine_delivers_a_photo(harness: Harness) -> None:
    await harness.start()
    tg = harness.tg
    alice = tg.user(1001, "Alice", username="alice")
    chat = tg.private_chat(alice)
    request = tg.send_text(chat, alice, "/imagine a red fox in snow --ar 16:9")
    photo = await harness.reply_in(chat["id"], lambda m: bool(m.get("photo")))
    assert photo["caption"] == "a red fox in snow"
    print(tg.chat_log(chat["id"]))
    print(harness.evo.generation_requests())
    assert photo["reply_to_message"]["message_id"] == request["message_id"]
