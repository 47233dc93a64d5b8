"""End-to-end: /imagine, /edit and /animate from a Telegram message to the delivered result.

Issue #3. Each test runs the real wiring (`run_bot`) against the fake Telegram and the fake
Evolink and looks only at what a user (or Evolink) would see. Refusals, task failures and
Evolink HTTP errors are in `test_generation_errors.py`.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from PIL import Image

from bot.messages import t
from bot.texts.plurals import credit_count
from tests.e2e.conftest import (
    BOT_USERNAME,
    Harness,
    jpeg,
    png,
)
from tests.e2e.outcomes import body, footer, wait_outcome

Json = dict[str, Any]

ALICE = 1001
BOB = 1002
GROUP_ID = -100123
IMAGE_TO_IMAGE = "wan2.5-image-to-image"
QWEN_EDIT = "qwen-image-edit"
IMAGE_TO_VIDEO = "wan2.5-image-to-video"
TEXT_TO_IMAGE = "wan2.5-text-to-image"
CREATE_PATHS = ("/v1/images/generations", "/v1/videos/generations")
STATUS_PREFIXES = ("⏳", "⏸", "📤", "🚀", "🎨", "📬", "✅", "❌", "🚫")


# --- helpers ----------------------------------------------------------------------------------


class Scene:
    """Alice (and Bob, a stranger) in a private chat or in a group with the bot."""

    def __init__(self, h: Harness, where: str = "private") -> None:
        self.h = h
        self.tg = h.tg
        self.evo = h.evo
        self.alice = self.tg.user(ALICE, "Alice", username="alice")
        self.bob = self.tg.user(BOB, "Bob", username="bob")
        self.group = where == "group"
        self.chat = (
            self.tg.group_chat(GROUP_ID, "Group")
            if self.group
            else self.tg.private_chat(self.alice)
        )
        self.chat_id: int = self.chat["id"]

    def cmd(self, text: str) -> str:
        """`/imagine x` as typed in this chat (`/imagine@bot x` in a group)."""
        if not self.group:
            return text
        command, _, rest = text.partition(" ")
        return f"{command}@{BOT_USERNAME} {rest}".rstrip()

    def say(self, text: str, *, reply_to: int | None = None, user: Json | None = None) -> Json:
        return self.tg.send_text(self.chat, user or self.alice, text, reply_to=reply_to)

    def photo(
        self, image: bytes, caption: str | None = None, *, reply_to: int | None = None
    ) -> Json:
        return self.tg.send_photo(
            self.chat,
            self.alice,
            image,
            caption=self.cmd(caption) if caption else None,
            reply_to=reply_to,
        )

    def album(self, images: list[bytes], caption: str | None = None, index: int = 0) -> list[Json]:
        return self.tg.send_album(
            self.chat,
            self.alice,
            images,
            caption=self.cmd(caption) if caption else None,
            caption_index=index,
        )

    def replies_to(self, request: Json) -> list[Json]:
        return [
            m
            for m in self.tg.bot_messages(self.chat_id)
            if (m.get("reply_to_message") or {}).get("message_id") == request["message_id"]
        ]

    async def wait(self, predicate: Callable[[], bool], timeout: float = 15) -> None:
        await self.tg.wait_for(predicate, timeout)

    async def reply(
        self, request: Json, predicate: Callable[[Json], bool], timeout: float = 15
    ) -> Json:
        """The first bot message answering `request` that matches `predicate`."""
        found: list[Json] = []

        def check() -> bool:
            found[:] = [m for m in self.replies_to(request) if predicate(m)]
            return bool(found)

        await self.wait(check, timeout)
        return found[0]

    async def result(self, request: Json, kind: str = "photo", timeout: float = 15) -> Json:
        """The result as the job left it (its footer added, the status message gone)."""
        await self.final_status(request, timeout)
        return await self.reply(request, lambda m: bool(m.get(kind)), timeout)

    def status(self, request: Json) -> Json | None:
        """The job's status message: the text reply to the request that shows a job state."""
        for message in self.replies_to(request):
            if str(message.get("text", "")).startswith(STATUS_PREFIXES):
                return message
        return None

    async def final_status(self, request: Json, timeout: float = 15) -> str:
        """Wait for the job's outcome (the status message gone, the outcome in the chat)."""
        return await wait_outcome(self.tg, self.chat_id, request, timeout)

    def caption(self, prompt: str, flags: str = "") -> str:
        """The result caption (without its cost footer): the prompt and the flags it was
        given, plus in a group who asked for it."""
        mention = "\n\n" + t("result_for", mention="@alice") if self.group else ""
        return prompt + (f"\n{flags}" if flags else "") + mention

    def creates(self) -> list[Json]:
        """Generation requests Evolink received (accepted or not)."""
        return self.evo.generation_requests()


def buttons(message: Json) -> list[str]:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    return [str(b.get("callback_data")) for row in rows for b in row]


def job_id_of(message: Json) -> int:
    """The job id behind a result, from its Again button (`again:<id>`)."""
    again = [d for d in buttons(message) if d.startswith("again:")]
    assert again, buttons(message)
    return int(again[0].split(":")[1])


def image_urls(request: Json) -> list[str]:
    urls = request.get("image_urls")
    assert isinstance(urls, list)
    return [str(u) for u in urls]


def upload_sizes(h: Harness) -> list[tuple[int, int]]:
    sizes = []
    for upload in h.evo.uploads:
        with Image.open(io.BytesIO(upload.data)) as img:
            sizes.append(img.size)
    return sizes


WHERE = pytest.mark.parametrize("where", ["private", "group"])


# --- 1. each command, in a private chat and in a group ----------------------------------------


@WHERE
async def test_imagine_delivers_a_photo_with_buttons(harness: Harness, where: str) -> None:
    await harness.start()
    s = Scene(harness, where)
    request = s.say(s.cmd("/imagine a red fox --ar 16:9 in snow"))

    photo = await s.result(request)
    assert body(photo) == s.caption("a red fox in snow", "--ar 16:9")
    assert photo["reply_to_message"]["message_id"] == request["message_id"]
    job = job_id_of(photo)
    assert buttons(photo) == [f"again:{job}", f"animate:{job}:0", f"orig:{job}"]
    assert (await s.final_status(request)).startswith("✅")
    [create] = s.creates()
    assert create["model"] == TEXT_TO_IMAGE
    assert create["prompt"] == "a red fox in snow"
    assert create["n"] == 1  # always sent for wan image models
    assert create["size"] == "1712x960"


@WHERE
async def test_edit_photo_caption_delivers_a_photo(harness: Harness, where: str) -> None:
    await harness.start()
    s = Scene(harness, where)
    request = s.photo(jpeg(800, 600), "/edit make it night")

    photo = await s.result(request)
    assert body(photo) == s.caption("make it night")
    assert photo["reply_to_message"]["message_id"] == request["message_id"]
    assert buttons(photo)[0].startswith("again:")
    [create] = s.creates()
    assert create["model"] == IMAGE_TO_IMAGE
    assert create["n"] == 1
    assert len(image_urls(create)) == 1
    assert upload_sizes(harness) == [(800, 600)]


@WHERE
async def test_animate_photo_caption_delivers_a_video(harness: Harness, where: str) -> None:
    await harness.start()
    s = Scene(harness, where)
    request = s.photo(jpeg(640, 480), "/animate the waves roll in")

    video = await s.result(request, "video")
    assert body(video) == s.caption("the waves roll in")
    assert video["reply_to_message"]["message_id"] == request["message_id"]
    assert buttons(video) == [f"again:{job_id_of(video)}"]  # no Animate on a video
    [create] = s.creates()
    assert create["model"] == IMAGE_TO_VIDEO
    assert (create["duration"], create["quality"]) == (5, "720p")  # defaults, always sent
    assert len(image_urls(create)) == 1


async def test_plain_command_works_in_a_group(harness: Harness) -> None:
    await harness.start()
    s = Scene(harness, "group")
    request = s.say("/imagine a plain request")  # no @evolink_test_bot
    photo = await s.result(request)
    assert body(photo) == s.caption("a plain request")


async def test_group_caption_names_a_user_without_username(harness: Harness) -> None:
    await harness.start()
    s = Scene(harness, "group")
    carol = s.tg.user(1003, "Carol")
    request = s.tg.send_text(s.chat, carol, f"/imagine@{BOT_USERNAME} a green door")
    photo = await s.result(request)
    mention = t("result_for", mention="Carol")
    assert body(photo) == "a green door\n\n" + mention
    [entity] = photo["caption_entities"]
    assert entity["type"] == "text_mention"
    assert entity["user"]["id"] == 1003
    assert photo["caption"][entity["offset"] : entity["offset"] + entity["length"]] == "Carol"


async def test_a_long_prompt_is_cut_to_fit_the_caption(harness: Harness) -> None:
    await harness.start()
    s = Scene(harness, "group")
    prompt = " ".join(["word"] * 399)  # 1995 characters: fine for Evolink, not for a caption
    request = s.say(s.cmd(f"/imagine {prompt}"))
    photo = await s.result(request)
    assert s.creates()[0]["prompt"] == prompt  # Evolink gets all of it
    caption = body(photo)
    assert len(photo["caption"]) <= 1024
    assert caption.endswith("…" + s.caption("")) and caption.startswith("word word")


# --- 2. commands for another bot ----------------------------------------------------------------


async def test_command_for_another_bot_is_ignored_in_a_group(harness: Harness) -> None:
    await harness.start()
    s = Scene(harness, "group")
    ignored = s.say("/imagine@other_bot cat")
    other_photo = s.tg.send_photo(
        s.chat, s.alice, jpeg(800, 600), caption="/edit@other_bot make it night"
    )
    # A command for us after them: once it is answered, the earlier updates were handled.
    marker = s.say(s.cmd("/imagine"))
    await s.reply(marker, lambda m: m.get("text") == t("usage_imagine"))

    assert s.replies_to(ignored) == [] and s.replies_to(other_photo) == []
    assert [m["message_id"] for m in s.tg.bot_messages(s.chat_id)] == [
        s.replies_to(marker)[0]["message_id"]
    ]
    assert harness.evo.requests == []


# --- 3. every way a photo reaches a command (PRODUCT §3) ---------------------------------------


async def test_image_sent_as_a_file_with_a_caption(harness: Harness) -> None:
    await harness.start()
    s = Scene(harness)
    request = s.tg.send_document(
        s.chat,
        s.alice,
        png(900, 700),
        file_name="picture.png",
        mime_type="image/png",
        caption="/edit add a rainbow",
    )
    photo = await s.result(request)
    assert body(photo) == "add a rainbow"
    [create] = s.creates()
    assert create["model"] == IMAGE_TO_IMAGE
    assert len(image_urls(create)) == 1
    assert upload_sizes(harness) == [(900, 700)]


@WHERE
async def test_album_of_two_with_caption_is_one_wan_job(harness: Harness, where: str) -> None:
    await harness.start()
    s = Scene(harness, where)
    items = s.album([jpeg(800, 600), jpeg(600, 800, (10, 200, 10))], "/edit blend these")

    photo = await s.result(items[0])
    assert body(photo) == s.caption("blend these")
    [create] = s.creates()  # one job for the whole album
    assert create["model"] == IMAGE_TO_IMAGE
    assert len(image_urls(create)) == 2
    assert upload_sizes(harness) == [(800, 600), (600, 800)]  # album order kept
    assert [m for m in s.tg.bot_messages(s.chat_id) if m.get("photo")] == [photo]


async def test_album_of_three_picks_qwen_by_itself(harness: Harness) -> None:
    await harness.start()
    s = Scene(harness)
    items = s.album([jpeg(800, 600), jpeg(700, 700), jpeg(600, 800)], "/edit put them together")

    await s.result(items[0])
    [create] = s.creates()
    assert create["model"] == QWEN_EDIT
    assert len(image_urls(create)) == 3


async def test_album_with_the_caption_on_the_second_item(harness: Harness) -> None:
    await harness.start()
    s = Scene(harness)
    items = s.album([jpeg(800, 600), jpeg(640, 640)], "/edit swap the colours", index=1)

    photo = await s.result(items[1])
    assert body(photo) == "swap the colours"
    [create] = s.creates()
    assert create["model"] == IMAGE_TO_IMAGE
    assert len(image_urls(create)) == 2


@WHERE
async def test_edit_as_a_reply_to_a_photo(harness: Harness, where: str) -> None:
    await harness.start()
    s = Scene(harness, where)
    original = s.photo(jpeg(800, 600))
    request = s.say(s.cmd("/edit make it snow"), reply_to=original["message_id"])

    photo = await s.result(request)
    assert body(photo) == s.caption("make it snow")
    [create] = s.creates()
    assert create["model"] == IMAGE_TO_IMAGE
    assert upload_sizes(harness) == [(800, 600)]


async def test_edit_as_a_reply_to_an_image_file(harness: Harness) -> None:
    await harness.start()
    s = Scene(harness)
    original = s.tg.send_document(
        s.chat, s.alice, png(700, 500), file_name="scan.png", mime_type="image/png"
    )
    request = s.say("/edit clean it up", reply_to=original["message_id"])

    await s.result(request)
    [create] = s.creates()
    assert create["model"] == IMAGE_TO_IMAGE
    assert upload_sizes(harness) == [(700, 500)]


async def test_edit_as_a_reply_to_an_album_item_uses_the_whole_album(harness: Harness) -> None:
    await harness.start()
    s = Scene(harness)
    items = s.album([jpeg(800, 600), jpeg(640, 640)])  # no caption: only remembered
    request = s.say("/edit one scene from both", reply_to=items[1]["message_id"])

    await s.result(request)
    [create] = s.creates()
    assert create["model"] == IMAGE_TO_IMAGE
    assert len(image_urls(create)) == 2
    assert sorted(upload_sizes(harness)) == [(640, 640), (800, 600)]


async def test_animate_as_a_reply_to_the_bots_own_result(harness: Harness) -> None:
    await harness.start()
    s = Scene(harness)
    first = s.say("/imagine a lighthouse at dusk --ar 1:1")
    photo = await s.result(first)
    await s.final_status(first)

    request = s.say("/animate the light turns", reply_to=photo["message_id"])
    video = await s.result(request, "video")
    assert body(video) == "the light turns"
    create = s.creates()[-1]
    assert create["model"] == IMAGE_TO_VIDEO
    assert len(image_urls(create)) == 1
    largest = photo["photo"][-1]
    assert upload_sizes(harness) == [(largest["width"], largest["height"])]


# --- 4. options reach Evolink -------------------------------------------------------------------


async def test_n_4_makes_an_album_and_a_buttons_message(harness: Harness) -> None:
    await harness.start()
    s = Scene(harness)
    request = s.say("/imagine four kittens --n 4")

    final = await s.final_status(request)
    photos = [m for m in s.tg.bot_messages(s.chat_id) if m.get("photo")]
    assert len(photos) == 4
    assert all(m["reply_to_message"]["message_id"] == request["message_id"] for m in photos)
    [buttons_message] = [m for m in s.tg.bot_messages(s.chat_id) if m.get("text") == final]
    assert buttons_message["reply_to_message"]["message_id"] == photos[0]["message_id"]
    assert len({m["media_group_id"] for m in photos}) == 1
    assert body(photos[0]) == "four kittens\n--n 4"
    assert len(s.tg.calls_to("sendMediaGroup")) == 1
    job = job_id_of(buttons_message)
    # One row that fits a phone: Again, Animate (asks which picture), Original.
    assert buttons(buttons_message) == [f"again:{job}", f"pick:{job}", f"orig:{job}"]
    [create] = s.creates()
    assert create["n"] == 4

    # Animate asks which picture, in place; "3" asks what should move in the third picture
    # and the default motion animates it.
    s.tg.press_button(s.chat, s.alice, buttons_message["message_id"], f"pick:{job}")
    picks = [f"animate:{job}:{i}" for i in range(4)] + [f"back:{job}"]
    await s.wait(lambda: buttons(buttons_message) == picks)
    s.tg.press_button(s.chat, s.alice, buttons_message["message_id"], f"animate:{job}:2")
    question = await harness.reply_in(s.chat_id, lambda m: "ask:motion" in buttons(m))
    assert question["text"] == t("ask_motion_numbered", index=3)
    assert question["reply_to_message"]["message_id"] == photos[2]["message_id"]
    s.tg.press_button(s.chat, s.alice, question["message_id"], "ask:motion")
    await s.result(photos[2], "video")
    assert s.creates()[-1]["model"] == IMAGE_TO_VIDEO
    fetched = [c.params.get("file_id") for c in s.tg.calls_to("getFile")]
    assert fetched == [photos[2]["photo"][-1]["file_id"]]


async def test_animate_duration_and_quality_reach_evolink(harness: Harness) -> None:
    await harness.start(daily_credits=100)  # 10 s at 1080p costs 20 credits
    s = Scene(harness)
    request = s.photo(jpeg(640, 480), "/animate --duration 10 slow zoom --quality 1080p --raw")

    video = await s.result(request, "video")
    assert body(video) == "slow zoom\n--duration 10 --quality 1080p --raw"
    [create] = s.creates()
    assert create["model"] == IMAGE_TO_VIDEO
    assert (create["duration"], create["quality"]) == (10, "1080p")
    assert create["prompt"] == "slow zoom"
    assert create["prompt_extend"] is False


async def test_an_oversized_document_is_scaled_down_and_accepted(harness: Harness) -> None:
    await harness.start()
    s = Scene(harness)
    request = s.tg.send_document(
        s.chat,
        s.alice,
        jpeg(6000, 4000),
        file_name="huge.jpg",
        mime_type="image/jpeg",
        caption="/edit make it a watercolour",
    )
    await s.result(request)
    [(width, height)] = upload_sizes(harness)
    assert max(width, height) <= 5000
    assert abs(width / height - 1.5) < 0.01  # aspect kept


async def test_a_photo_too_large_for_video_is_scaled_down(harness: Harness) -> None:
    await harness.start()
    s = Scene(harness)
    request = s.photo(jpeg(3000, 2000), "/animate the flag waves")  # Telegram keeps 2560x1707
    await s.result(request, "video")
    [(width, height)] = upload_sizes(harness)
    assert max(width, height) == 2000  # image-to-video takes at most 2000 px per side
    assert abs(width / height - 1.5) < 0.01


async def test_a_transparent_image_file_is_flattened(harness: Harness) -> None:
    await harness.start()
    s = Scene(harness)
    buffer = io.BytesIO()
    Image.new("RGBA", (600, 600), (255, 0, 0, 80)).save(buffer, "PNG")
    request = s.tg.send_document(
        s.chat,
        s.alice,
        buffer.getvalue(),
        file_name="logo.png",
        mime_type="image/png",
        caption="/edit make it gold",
    )
    await s.result(request)
    [upload] = harness.evo.uploads
    with Image.open(io.BytesIO(upload.data)) as img:
        assert img.mode not in ("RGBA", "LA", "PA")
        assert "transparency" not in img.info


# --- 7. buttons -------------------------------------------------------------------------------


async def test_again_button_repeats_the_job_and_strangers_get_a_popup(harness: Harness) -> None:
    await harness.start()
    s = Scene(harness, "group")
    request = s.say(s.cmd("/imagine a blue whale --size 1024x768 --raw"))
    photo = await s.result(request)
    await s.final_status(request)
    again = next(d for d in buttons(photo) if d.startswith("again:"))

    query = s.tg.press_button(s.chat, s.bob, photo["message_id"], again)
    await s.wait(lambda: query in s.tg.callback_answers)
    answer = s.tg.callback_answers[query]
    assert answer.get("text") == t("not_your_button")
    assert answer.get("show_alert") is True

    query = s.tg.press_button(s.chat, s.alice, photo["message_id"], again)
    await s.wait(lambda: len([m for m in s.replies_to(request) if m.get("photo")]) == 2)
    assert query in s.tg.callback_answers
    first, second = s.creates()  # Bob's press made nothing
    assert second == first
    assert second["size"] == "1024x768"
    assert second["prompt_extend"] is False


async def test_again_on_an_edit_uses_the_same_photo_again(harness: Harness) -> None:
    await harness.start()
    s = Scene(harness)
    request = s.photo(jpeg(800, 600), "/edit make it autumn --n 2")
    final = await s.final_status(request)
    buttons_message = await harness.reply_in(s.chat_id, lambda m: m.get("text") == final)

    s.tg.press_button(s.chat, s.alice, buttons_message["message_id"], buttons(buttons_message)[0])
    await s.wait(lambda: len(s.tg.calls_to("sendMediaGroup")) == 2)
    first, second = s.creates()
    assert {k: v for k, v in second.items() if k != "image_urls"} == {
        k: v for k, v in first.items() if k != "image_urls"
    }
    assert second["n"] == 2 and second["model"] == IMAGE_TO_IMAGE
    assert upload_sizes(harness) == [(800, 600), (800, 600)]


async def test_animate_button_makes_a_video_from_the_result(harness: Harness) -> None:
    await harness.start()
    s = Scene(harness)
    request = s.say("/imagine a paper boat --ar 4:3")
    photo = await s.result(request)
    animate = next(d for d in buttons(photo) if d.startswith("animate:"))

    s.tg.press_button(s.chat, s.alice, photo["message_id"], animate)
    question = await harness.reply_in(s.chat_id, lambda m: "ask:motion" in buttons(m))
    assert question["text"] == t("ask_motion")  # the picture's prompt is no motion (issue 11)
    s.tg.press_button(s.chat, s.alice, question["message_id"], "ask:motion")
    video = await s.result(photo, "video")
    assert body(video) == t("default_motion")
    create = s.creates()[-1]
    assert create["model"] == IMAGE_TO_VIDEO
    assert (create["duration"], create["quality"]) == (5, "720p")
    largest = photo["photo"][-1]
    assert upload_sizes(harness) == [(largest["width"], largest["height"])]


# --- 8. delivery limits -----------------------------------------------------------------------


async def test_a_result_too_big_for_a_photo_comes_as_a_document(harness: Harness) -> None:
    await harness.start()
    s = Scene(harness)
    harness.evo.result_padding = 11 * 1024 * 1024
    request = s.say("/imagine a tiny square --size 768x768")

    document = await s.result(request, "document")
    assert body(document) == "a tiny square\n--size 768x768"
    assert document["document"]["file_size"] > 10 * 1024 * 1024
    assert buttons(document)[0].startswith("again:")
    assert not any(m.get("photo") for m in s.tg.bot_messages(s.chat_id))


async def test_a_result_past_50_mb_comes_as_a_link(harness: Harness) -> None:
    await harness.start()
    s = Scene(harness)
    harness.evo.result_padding = 51 * 1024 * 1024
    request = s.say("/imagine a tiny square --size 768x768")

    await harness.evo.wait_for(lambda: len(harness.evo.tasks) == 1)
    [task_id] = harness.evo.tasks
    link = await s.reply(request, lambda m: f"/results/{task_id}/" in m.get("text", ""))
    assert "24 hours" in link["text"]
    assert link["text"].split("\n")[-1].startswith(harness.evo.url)
    assert not any(m.get("photo") or m.get("document") for m in s.tg.bot_messages(s.chat_id))
    final = await s.final_status(request)
    assert final.startswith("✅")
    # The cost and the Again button come in a message under the link.
    under = await harness.reply_in(s.chat_id, lambda m: m.get("text") == final)
    assert under["reply_to_message"]["message_id"] == link["message_id"]
    assert [b.split(":")[0] for b in buttons(under)] == ["again"] and not buttons(link)


# --- 9. the status message ----------------------------------------------------------------------


async def test_one_status_message_per_job_removed_once_the_result_is_in(
    harness: Harness,
) -> None:
    await harness.start()
    s = Scene(harness)
    request = s.say("/imagine a quiet harbour")
    photo = await s.result(request)
    final = await s.final_status(request)

    # One message per outcome: the result (its footer saying what it cost); the status
    # message, deleted after the result arrived.
    assert final == footer(photo) == "✅ Job #1: 1 credit charged. Left: 9 of 10 daily."
    assert [m for m in s.replies_to(request) if "text" in m] == []
    [deleted] = s.tg.calls_to("deleteMessage")
    history = s.tg.edit_history(s.chat, deleted.params["message_id"])
    # It could start at once: no queue shown; it named the job and what it held.
    assert history[0] == "🚀 Job #1: starting… · 1 credit reserved"
    assert len(history) == len(set(history))  # no edit repeats the text it already shows
    sends = [c.method for c in s.tg.calls if c.method in ("sendPhoto", "deleteMessage")]
    assert sends == ["sendPhoto", "deleteMessage"]  # deliver first, then tidy


async def test_second_job_waits_in_the_queue(harness: Harness) -> None:
    await harness.start(max_active_per_user=1)
    s = Scene(harness)
    harness.evo.task_duration = 0.6
    requests = [s.say("/imagine the first picture"), s.say("/imagine the second picture")]
    waiting: list[Json] = []

    def queued(text: str) -> bool:
        return text.startswith("⏳ Job #") and " is 1st in line · 1 credit reserved." in text

    def one_waits_while_one_runs() -> bool:
        # Updates are handled concurrently: either command may be the one that waits.
        waiting[:] = [r for r in requests if queued((s.status(r) or {}).get("text", ""))]
        return len(waiting) == 1 and len(s.creates()) == 1

    await s.wait(one_waits_while_one_runs)
    status = s.status(waiting[0])
    assert status is not None
    [cancel] = buttons(status)
    assert cancel.startswith("cancel:")  # a waiting job can still be withdrawn
    for request in requests:
        await s.result(request)
    assert len(s.creates()) == 2
    history = s.tg.edit_history(s.chat, status["message_id"])
    assert queued(history[0])  # the job ahead is running, not waiting: 1st, never 2nd
    assert len([text for text in history if queued(text)]) == 1
    await s.final_status(waiting[0])
    assert s.status(waiting[0]) is None  # gone once the result arrived


async def test_refused_status_edits_do_not_fail_the_job(harness: Harness) -> None:
    await harness.start()
    s = Scene(harness)
    s.tg.fail_next(
        "editMessageText", description="Bad Request: message to edit not found", times=1000
    )
    # The status message can't be removed either, so its final text is tried as an edit
    # (and refused too: the status message stays as it was, the result is delivered).
    s.tg.fail_next(
        "deleteMessage", description="Bad Request: message can't be deleted", times=1000
    )
    request = s.say("/imagine a stubborn goat")

    photo = await s.reply(request, lambda m: bool(m.get("photo")) and footer(m) != "")
    assert body(photo) == "a stubborn goat"
    assert buttons(photo)[0].startswith("again:")
    # Edits were tried and refused.
    await s.tg.wait_for(lambda: bool(s.tg.calls_to("editMessageText")))
    assert all(c.status == 400 for c in s.tg.calls_to("editMessageText"))
    jobs = s.say("/jobs")
    listing = await s.reply(jobs, lambda m: t("jobs_header") in m.get("text", ""))
    assert t("state_done") in listing["text"]


async def test_a_result_in_a_group_says_the_cost_but_not_the_balance(harness: Harness) -> None:
    """Issue 10/11: a group is no window into a member's credits; /quota in private is."""
    await harness.start()
    s = Scene(harness, "group")
    request = s.say(s.cmd("/imagine a lighthouse"))
    photo = await s.result(request)
    assert footer(photo) == t("result_summary_group", job=1, charged=credit_count(100))


@pytest.mark.parametrize("where", ["private", "group"])
async def test_edit_in_reply_to_an_albums_buttons_message_takes_its_pictures(
    harness: Harness, where: str
) -> None:
    """The message under an album (cost and buttons) stands for the album (issue 11 trial)."""
    await harness.start(daily_credits=100)
    s = Scene(harness, where)
    final = await s.final_status(s.say(s.cmd("/imagine two owls --n 2")))
    [under] = [m for m in s.tg.bot_messages(s.chat_id) if m.get("text") == final]
    photos = [m for m in s.tg.bot_messages(s.chat_id) if m.get("photo")]
    request = s.say(s.cmd("/edit make it night"), reply_to=under["message_id"])
    await s.result(request)
    [edit] = s.creates()[1:]
    assert edit["model"] == "wan2.5-image-to-image" and len(edit["image_urls"]) == 2
    fetched = [c.params.get("file_id") for c in s.tg.calls_to("getFile")]
    assert fetched == [p["photo"][-1]["file_id"] for p in photos]
