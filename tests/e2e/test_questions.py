"""Never silent (PRODUCT.md §4a, issue 11): plain text, a bare photo, a caption that is no
command, an album without one, each answered with a question whose buttons or replies start
the job; Animate asks what should move; in groups only what addresses the bot is answered.
Each in English and in Chinese (a user whose Telegram is `zh`)."""

from __future__ import annotations

from typing import Any

import pytest

from bot.messages import t
from tests.e2e.conftest import BOT_USERNAME, Harness, jpeg
from tests.e2e.test_quota import callback_data, replies_to, text_of

Message = dict[str, Any]
LANGS = [("en", "en"), ("zh", "zh")]  # Telegram's language_code -> catalogue language


class Chatter:
    """A user in a chat, with their Telegram language."""

    def __init__(self, harness: Harness, user_id: int, code: str, chat: Message | None = None):
        self.h, self.tg = harness, harness.tg
        self.user = self.tg.user(user_id, f"User{user_id}", language_code=code)
        self.chat = chat or self.tg.private_chat(self.user)

    def say(self, text: str, reply_to: int | None = None) -> Message:
        return self.tg.send_text(self.chat, self.user, text, reply_to=reply_to)

    def photo(self, caption: str | None = None) -> Message:
        return self.tg.send_photo(self.chat, self.user, jpeg(800, 600), caption=caption)

    async def answer(self, request: Message, what: str = "text") -> Message:
        return await self.h.reply_in(
            self.chat["id"], lambda m: replies_to(m, request) and bool(m.get(what)), 20
        )

    def press(self, message: Message, data: str) -> None:
        self.tg.press_button(self.chat, self.user, message["message_id"], data)

    def bot_said(self) -> list[str]:
        return [text_of(m) for m in self.tg.bot_messages(self.chat["id"])]


def force_replies(harness: Harness) -> list[dict[str, Any]]:
    return [
        call.params
        for call in harness.tg.calls_to("sendMessage")
        if "force_reply" in str(call.params.get("reply_markup", ""))
    ]


async def force_reply_message(harness: Harness, chat: Message, text: str) -> Message:
    return await harness.reply_in(chat["id"], lambda m: text_of(m) == text)


def prompts(harness: Harness) -> list[str]:
    return [str(body.get("prompt")) for body in harness.evo.generation_requests()]


@pytest.mark.parametrize(("code", "lang"), LANGS)
async def test_plain_text_is_offered_as_a_picture_and_the_button_makes_it(
    harness: Harness, code: str, lang: str
) -> None:
    await harness.start()
    alice = Chatter(harness, 1001, code)
    request = alice.say("a lighthouse  at dusk")
    offer = await alice.answer(request)
    assert text_of(offer) == t("offer_imagine", lang, prompt="a lighthouse at dusk")
    assert callback_data(offer) == ["ask:imagine"]
    stranger = Chatter(harness, 1002, code, chat=alice.chat)
    stranger.press(offer, "ask:imagine")  # another user's button press changes nothing
    alice.press(offer, "ask:imagine")
    await alice.answer(request, "photo")  # the picture answers the words it was made of
    assert prompts(harness) == ["a lighthouse at dusk"]
    answers = harness.tg.callback_answers.values()
    assert [a.get("text") for a in answers] == [t("not_your_button", lang), None]


@pytest.mark.parametrize(("code", "lang"), LANGS)
async def test_a_bare_photo_is_asked_about_and_the_reply_edits_it(
    harness: Harness, code: str, lang: str
) -> None:
    await harness.start()
    alice = Chatter(harness, 1001, code)
    photo = alice.photo()
    question = await alice.answer(photo)
    assert text_of(question) == t("photo_question", lang)
    assert callback_data(question) == ["ask:edit", "ask:animate"]
    answer = alice.say("make it night", reply_to=question["message_id"])
    result = await alice.answer(answer, "photo")
    assert result
    (body,) = harness.evo.generation_requests()
    assert body["prompt"] == "make it night" and len(body["image_urls"]) == 1
    # Edit asks with a force-reply, whose answer edits the same photo.
    alice.press(question, "ask:edit")
    ask = await force_reply_message(harness, alice.chat, t("ask_edit", lang))
    assert force_replies(harness)[-1]["reply_parameters"]["message_id"] == photo["message_id"]
    again = alice.say("add snow", reply_to=ask["message_id"])
    await alice.answer(again, "photo")
    assert prompts(harness) == ["make it night", "add snow"]


@pytest.mark.parametrize(("code", "lang"), LANGS)
async def test_animate_on_a_bare_photo_asks_for_the_motion_then_makes_the_video(
    harness: Harness, code: str, lang: str
) -> None:
    await harness.start()
    alice = Chatter(harness, 1001, code)
    photo = alice.photo()
    question = await alice.answer(photo)
    alice.press(question, "ask:animate")
    # The question becomes the motion question (edited in place) with a one-tap default...
    edited = await harness.reply_in(
        alice.chat["id"],
        lambda m: m["message_id"] == question["message_id"] and "ask:motion" in callback_data(m),
    )
    assert text_of(edited) == t("ask_motion", lang)
    # ...and a force-reply takes the words.
    ask = await force_reply_message(harness, alice.chat, t("ask_motion_reply", lang))
    (force,) = force_replies(harness)
    assert force["reply_markup"]["input_field_placeholder"] == t("ask_motion_placeholder", lang)
    answer = alice.say("the waves roll in", reply_to=ask["message_id"])
    await alice.answer(answer, "video")
    # The default motion, one tap away.
    alice.press(edited, "ask:motion")
    await alice.answer(photo, "video")
    assert prompts(harness) == ["the waves roll in", t("default_motion", lang)]
    assert all(len(body["image_urls"]) == 1 for body in harness.evo.generation_requests())


@pytest.mark.parametrize(("code", "lang"), LANGS)
async def test_a_caption_that_is_no_command_is_offered_as_the_edit(
    harness: Harness, code: str, lang: str
) -> None:
    await harness.start()
    alice = Chatter(harness, 1001, code)
    photo = alice.photo("make it   night")
    question = await alice.answer(photo)
    assert text_of(question) == t("caption_question", lang, prompt="make it night")
    alice.press(question, "ask:edit")
    await alice.answer(photo, "photo")
    assert prompts(harness) == ["make it night"]
    unknown = alice.photo("/describe this")
    hint = await alice.answer(unknown)
    assert text_of(hint) == t("unknown_command", lang, command="/describe")
    assert not force_replies(harness)


@pytest.mark.parametrize(("code", "lang"), LANGS)
async def test_an_album_without_a_command_is_asked_about_once(
    harness: Harness, code: str, lang: str
) -> None:
    await harness.start()
    alice = Chatter(harness, 1001, code)
    items = harness.tg.send_album(alice.chat, alice.user, [jpeg(800, 600), jpeg(640, 480)])
    question = await harness.reply_in(alice.chat["id"], lambda m: "ask:edit" in callback_data(m))
    assert text_of(question) == t("photos_question", lang, count=2)
    assert replies_to(question, items[0])
    # An album captioned with a command is not asked about.
    harness.tg.send_album(
        alice.chat,
        alice.user,
        [jpeg(800, 600), jpeg(640, 480)],
        caption="/edit merge them",
        caption_index=1,
    )
    answer = alice.say("put both on a beach", reply_to=question["message_id"])
    await alice.answer(answer, "photo")
    await harness.tg.wait_for(lambda: len(harness.evo.generation_requests()) == 2, 20)
    bodies = harness.evo.generation_requests()
    assert sorted(b["prompt"] for b in bodies) == ["merge them", "put both on a beach"]
    assert all(len(b["image_urls"]) == 2 for b in bodies)
    questions = [
        m for m in harness.tg.bot_messages(alice.chat["id"]) if "ask:edit" in callback_data(m)
    ]
    assert len(questions) == 1


@pytest.mark.parametrize(("code", "lang"), LANGS)
async def test_in_a_group_only_what_addresses_the_bot_is_answered(
    harness: Harness, code: str, lang: str
) -> None:
    await harness.start()
    team = harness.tg.group_chat(-100500, "Team")
    alice = Chatter(harness, 1001, code, chat=team)
    alice.say("hello everyone")
    alice.photo()
    alice.photo("look at this")
    alice.say("/roll")
    mention = alice.say(f"@{BOT_USERNAME} a cat in a hat")
    offer = await alice.answer(mention)
    assert text_of(offer) == t("offer_imagine", lang, prompt="a cat in a hat")
    photo = alice.photo(f"@{BOT_USERNAME}")
    question = await alice.answer(photo)
    assert text_of(question) == t("photo_question", lang)
    # Someone else's answer to Alice's question is not taken for hers.
    bob = Chatter(harness, 1002, code, chat=team)
    intrusion = bob.say("make it pink", reply_to=question["message_id"])
    assert text_of(await bob.answer(intrusion)) == t("question_not_yours", lang)
    answer = alice.say("make it night", reply_to=question["message_id"])
    await alice.answer(answer, "photo")
    assert prompts(harness) == ["make it night"]
    assert len(alice.bot_said()) == 5  # offer, question, "not yours", status, result


@pytest.mark.parametrize(("code", "lang"), LANGS)
async def test_animate_under_a_result_asks_what_should_move(
    harness: Harness, code: str, lang: str
) -> None:
    await harness.start()
    alice = Chatter(harness, 1001, code)
    request = alice.say("/edit make it glow")  # no photo: refused, then a real one
    await alice.answer(request)
    photo = alice.photo("/edit make it glow")
    result = await alice.answer(photo, "photo")
    (animate,) = [d for d in callback_data(result) if d.startswith("animate:")]
    alice.press(result, animate)
    ask = await force_reply_message(harness, alice.chat, t("ask_motion_reply", lang))
    motion = await harness.reply_in(
        alice.chat["id"], lambda m: text_of(m) == t("ask_motion", lang)
    )
    assert replies_to(motion, result) and replies_to(ask, result)
    assert prompts(harness) == ["make it glow"]  # nothing runs before the motion is known
    answer = alice.say("the light pulses slowly", reply_to=ask["message_id"])
    video = await alice.answer(answer, "video")
    assert video
    assert prompts(harness) == ["make it glow", "the light pulses slowly"]
    # `/animate` replying to the result still works as before.
    direct = alice.say("/animate sparks fly --quality 480p", reply_to=result["message_id"])
    await alice.answer(direct, "video")
    assert prompts(harness)[-1] == "sparks fly"


async def test_a_question_still_works_after_a_restart(harness: Harness) -> None:
    bot = await harness.start()
    alice = Chatter(harness, 1001, "en")
    photo = alice.photo()
    question = await alice.answer(photo)
    await bot.shutdown()
    await harness.start()
    alice.press(question, "ask:animate")
    await harness.reply_in(alice.chat["id"], lambda m: text_of(m) == t("ask_motion_reply", "en"))
    alice.press(question, "ask:motion")
    await alice.answer(photo, "video")
    assert prompts(harness) == [t("default_motion", "en")]


@pytest.mark.parametrize(("code", "lang"), LANGS)
async def test_what_is_neither_words_nor_a_picture_gets_a_hint_in_private_only(
    harness: Harness, code: str, lang: str
) -> None:
    await harness.start()
    alice = Chatter(harness, 1001, code)
    team = harness.tg.group_chat(-100500, "Team")
    for chat in (team, alice.chat):
        for caption in (None, "my notes"):
            harness.tg.send_document(
                chat,
                alice.user,
                b"%PDF-1.4",
                file_name="a.pdf",
                mime_type="application/pdf",
                caption=caption,
            )
    await harness.tg.wait_for(lambda: len(alice.bot_said()) == 2)
    assert alice.bot_said() == [t("unusable_message", lang)] * 2
    assert harness.tg.bot_messages(team["id"]) == []


@pytest.mark.parametrize(("code", "lang"), LANGS)
async def test_words_in_reply_to_a_result_are_offered_as_its_edit(
    harness: Harness, code: str, lang: str
) -> None:
    await harness.start()
    alice = Chatter(harness, 1001, code)
    request = alice.say("/imagine a quiet harbour")
    result = await alice.answer(request, "photo")
    words = alice.say("make it  stormy", reply_to=result["message_id"])
    question = await alice.answer(words)
    assert text_of(question) == t("caption_question", lang, prompt="make it stormy")
    alice.press(question, "ask:edit")
    await alice.answer(words, "photo")
    assert prompts(harness) == ["a quiet harbour", "make it stormy"]
    assert len(harness.evo.generation_requests()[-1]["image_urls"]) == 1
