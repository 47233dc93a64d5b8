"""Issue 11 (part B) end to end, in English and in Chinese (a user whose Telegram is `zh`):
cost in sight, one message per outcome with Retry, job numbers /cancel takes, captions with
the options and an Original button, and precise texts (PRODUCT.md §4a)."""

from __future__ import annotations

from typing import Any

import pytest

from bot.messages import t
from bot.texts.plurals import Count, Ordinal
from tests.e2e.conftest import ADMIN_ID, BOT_USERNAME, Harness, jpeg
from tests.e2e.outcomes import body, failed_job, failure_reason, footer, wait_outcome
from tests.e2e.test_quota import posted_messages

Json = dict[str, Any]
LANGS = pytest.mark.parametrize("lang", ["en", "zh"])


class Chat:
    """One user (Alice, 1001) in her private chat, in `lang`; the admin beside her."""

    def __init__(self, h: Harness, lang: str) -> None:
        self.h, self.tg, self.lang = h, h.tg, lang
        self.user = self.tg.user(1001, "Alice", username="alice", language_code=lang)
        self.chat = self.tg.private_chat(self.user)
        self.id: int = self.chat["id"]
        self.boss = self.tg.user(ADMIN_ID, "Boss", username="boss", language_code=lang)
        self.boss_chat = self.tg.private_chat(self.boss)
        self.posted = posted_messages(self.tg)

    def say(self, text: str, **kwargs: Any) -> Json:
        return self.tg.send_text(self.chat, self.user, text, **kwargs)

    def replies(self, request: Json, chat_id: int | None = None) -> list[Json]:
        return [
            m
            for m in self.tg.bot_messages(chat_id or self.id)
            if (m.get("reply_to_message") or {}).get("message_id") == request["message_id"]
        ]

    async def answer(self, request: Json, chat_id: int | None = None) -> str:
        found: list[Json] = []

        def check() -> bool:
            found[:] = self.replies(request, chat_id)
            return bool(found)

        await self.tg.wait_for(check, 15)
        return str(found[0].get("text", found[0].get("caption", "")))

    async def ask(self, text: str) -> str:
        return await self.answer(self.say(text))

    async def boss_asks(self, text: str) -> str:
        request = self.tg.send_text(self.boss_chat, self.boss, text)
        return await self.answer(request, self.boss_chat["id"])

    def first_posted(self, request: Json) -> str:
        """The first answer to `request` as it was posted (the status message, before edits)."""
        chat_id = request["chat"]["id"]
        answers = sorted(
            (
                m
                for (chat, _), m in self.posted.items()
                if chat == chat_id
                and (m.get("reply_to_message") or {}).get("message_id") == request["message_id"]
            ),
            key=lambda m: m["message_id"],
        )
        return str(answers[0].get("text", ""))

    async def outcome(self, request: Json) -> str:
        return await wait_outcome(self.tg, self.id, request, 20)


def buttons(message: Json) -> list[tuple[str, str]]:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    return [(str(b["text"]), str(b["callback_data"])) for row in rows for b in row]


async def answered(tg: Any, query: str) -> Json:
    await tg.wait_for(lambda: query in tg.callback_answers)
    return dict(tg.callback_answers[query])


# --- cost in sight ---------------------------------------------------------------------------


@LANGS
async def test_the_status_shows_the_reservation_and_the_result_what_it_cost(
    harness: Harness, lang: str
) -> None:
    await harness.start()
    c = Chat(harness, lang)
    await c.boss_asks("/grant 1001 5")
    request = c.say("/imagine two foxes --n 2")

    final = await c.outcome(request)
    status = c.first_posted(request)
    expected_status = {
        "en": "🚀 Job #1: starting… · 2 credits reserved",
        "zh": "🚀 任务 #1：正在开始…（已预留 2 点）",
    }
    assert status == expected_status[lang]
    # Charged and left (daily and bonus), on the message under the album.
    expected_final = {
        "en": "✅ Job #1: 2 credits charged. Left: 8 of 10 daily and 5 bonus.",
        "zh": "✅ 任务 #1：扣除 2 点。剩余每日额度 8/10，奖励额度 5。",
    }
    assert final == expected_final[lang]
    # /quota keeps the full picture.
    quota = await c.ask("/quota")
    assert quota.startswith(
        {"en": "Daily credits: 8 of 10 left", "zh": "每日额度：剩余 8/10"}[lang]
    )
    assert ("Bonus credits: 5." in quota) or ("奖励额度：5。" in quota)


@LANGS
async def test_an_admins_job_says_nothing_was_charged(harness: Harness, lang: str) -> None:
    await harness.start()
    c = Chat(harness, lang)
    request = c.tg.send_text(c.boss_chat, c.boss, "/imagine a free lunch")
    final = await wait_outcome(c.tg, c.boss_chat["id"], request)
    assert final == t("result_summary_free", lang, job=1)
    assert c.first_posted(request) == t("status_submitting", lang, job=1, reserved="")


# --- one message per outcome, Retry ------------------------------------------------------------


@LANGS
async def test_a_failure_notifies_with_retry_which_runs_it_again(
    harness: Harness, lang: str
) -> None:
    await harness.start()
    c = Chat(harness, lang)
    bob = c.tg.user(1002, "Bob")
    harness.evo.fail_next_tasks("invalid_parameters")
    request = c.say("/imagine a red kite --ar 16:9")

    final = await c.outcome(request)
    # Made from words alone: the reason never talks about "this photo".
    assert failure_reason(final) == t("err_bad_input_text", lang)
    assert "photo" not in final and "照片" not in final
    [notice] = c.replies(request)  # the status message is gone; the failure replies
    [(label, data)] = buttons(notice)
    assert (label, data) == (t("btn_retry", lang), f"retry:{failed_job(final)}")

    stranger = c.tg.press_button(c.chat, bob, notice["message_id"], data)
    assert (await answered(c.tg, stranger))["show_alert"] is True
    c.tg.press_button(c.chat, c.user, notice["message_id"], data)
    await c.tg.wait_for(lambda: any(m.get("photo") for m in c.replies(request)), 20)
    first, second = harness.evo.generation_requests()
    assert first == second  # the same command with the same inputs
    await c.tg.wait_for(lambda: len(harness.ledger(1001)) == 4)
    assert harness.ledger(1001) == [
        ("reserve", 100),
        ("release", 100),
        ("reserve", 100),  # reserved again
        ("charge", 100),
    ]


@LANGS
async def test_retry_on_an_edit_uses_the_same_photo(harness: Harness, lang: str) -> None:
    await harness.start()
    c = Chat(harness, lang)
    harness.evo.fail_next_tasks("service_error")
    request = c.tg.send_photo(c.chat, c.user, jpeg(800, 600), caption="/edit make it night")
    final = await c.outcome(request)
    assert failure_reason(final) == t("err_retry_later", lang)
    [notice] = c.replies(request)
    c.tg.press_button(c.chat, c.user, notice["message_id"], f"retry:{failed_job(final)}")
    await c.tg.wait_for(lambda: any(m.get("photo") for m in c.replies(request)), 20)
    assert len(harness.evo.uploads) == 2  # the photo, fetched and sent again


# --- job numbers and places in line --------------------------------------------------------------


@LANGS
async def test_job_numbers_people_can_name_and_places_in_line(harness: Harness, lang: str) -> None:
    await harness.start()
    c = Chat(harness, lang)
    await c.boss_asks("/pause")
    first, second = c.say("/imagine one"), c.say("/imagine two")
    await c.answer(first)
    await c.answer(second)
    places = {c.first_posted(first), c.first_posted(second)}
    expected = {
        "en": "⏸ Job #{job} is {place} in line · 1 credit reserved. Generation is paused by "
        "the operator; your job will start when it resumes.",
        "zh": "⏸ 任务 #{job} 排第 {place} 位（已预留 1 点）。管理员已暂停生成，恢复后开始。",
    }[lang]
    ordinal = {"en": ("1st", "2nd"), "zh": ("1", "2")}[lang]
    assert places == {expected.format(job=n, place=ordinal[n - 1]) for n in (1, 2)}
    assert t("status_paused", lang, job=2, position=Ordinal(2), reserved="").count("2") == 2

    jobs = await c.ask("/jobs")
    assert jobs.splitlines()[0] == t("jobs_header", lang)
    assert sorted(line.split()[0] for line in jobs.splitlines()[1:]) == ["#1", "#2"]
    assert await c.ask("/cancel 2") == t("cancel_done", lang, job=2)
    never = {
        "en": "You have no job #999. /jobs lists your jobs and their numbers.",
        "zh": "你没有编号为 #999 的任务。/jobs 可查看你的任务及编号。",
    }
    assert await c.ask("/cancel 999") == never[lang]


# --- captions and Original -------------------------------------------------------------------


@LANGS
async def test_captions_carry_the_options_and_original_sends_the_file(
    harness: Harness, lang: str
) -> None:
    await harness.start()
    c = Chat(harness, lang)
    request = c.say("/imagine a lighthouse at dusk --ar 16:9 --raw")
    await c.outcome(request)
    [photo] = [m for m in c.replies(request) if m.get("photo")]
    assert body(photo) == "a lighthouse at dusk\n--ar 16:9 --raw"
    assert footer(photo).startswith(
        {"en": "✅ Job #1: 1 credit charged.", "zh": "✅ 任务 #1：扣除 1 点。"}[lang]
    )
    labels = [label for label, _ in buttons(photo)]
    assert labels == [t("btn_again", lang), t("btn_animate", lang), t("btn_original", lang)]

    query = c.tg.press_button(c.chat, c.user, photo["message_id"], "orig:1")
    assert (await answered(c.tg, query))["text"] == t("original_sending", lang)
    await c.tg.wait_for(lambda: any(m.get("document") for m in c.tg.bot_messages(c.id)))
    [document] = [m for m in c.tg.bot_messages(c.id) if m.get("document")]
    assert document["reply_to_message"]["message_id"] == photo["message_id"]
    assert document["document"]["file_name"] == "result-1-1.png"

    # An album's Original sends every picture, as one album of files.
    album = c.say("/imagine two boats --n 2")
    final = await c.outcome(album)
    under = next(m for m in c.tg.bot_messages(c.id) if m.get("text") == final)
    c.tg.press_button(c.chat, c.user, under["message_id"], "orig:2")
    await c.tg.wait_for(
        lambda: len([m for m in c.tg.bot_messages(c.id) if m.get("document")]) == 3
    )


async def test_a_caption_never_passes_1024_characters(harness: Harness) -> None:
    await harness.start(daily_credits=100)
    c = Chat(harness, "en")
    prompt = " ".join(["word"] * 399)
    request = c.say(f"/imagine {prompt} --ar 16:9 --n 2")
    await c.outcome(request)
    first = next(m for m in c.replies(request) if m.get("photo"))
    assert len(first["caption"]) <= 1024 and first["caption"].endswith("…\n--ar 16:9 --n 2")


# --- precise texts ---------------------------------------------------------------------------


@LANGS
async def test_four_photos_for_wan_name_qwen_and_its_three(harness: Harness, lang: str) -> None:
    await harness.start()
    c = Chat(harness, lang)
    album = c.tg.send_album(c.chat, c.user, [jpeg(800, 600)] * 4, caption="/edit blend them")
    expected = {
        "en": "4 photos is too many for wan: it takes at most 2. Use --model qwen for up to "
        "3 photos.",
        "zh": "wan 最多接受 2 张照片，你给了 4 张照片。使用 --model qwen 最多可用 3 张。",
    }
    assert await c.answer(album[0]) == expected[lang]


@LANGS
async def test_imagine_with_a_photo_says_the_photo_is_not_used(
    harness: Harness, lang: str
) -> None:
    await harness.start()
    c = Chat(harness, lang)
    request = c.tg.send_photo(c.chat, c.user, jpeg(800, 600), caption="/imagine a cat in a hat")
    note = await c.answer(request)
    assert note == t("imagine_photo_ignored", lang, command="imagine")
    assert "/edit" in note
    await c.outcome(request)  # the picture is still made, from the words
    assert harness.evo.uploads == []


@LANGS
async def test_stats_refuses_a_bad_day_count_with_the_rule(harness: Harness, lang: str) -> None:
    await harness.start()
    c = Chat(harness, lang)
    rule = t("stats_usage", lang, max=366)
    for days in ("abc", "0", "400", "-3", "7.5"):
        assert await c.boss_asks(f"/stats {days}") == rule, days
    assert (await c.boss_asks("/stats 1")).startswith(
        {"en": "Last 1 day.", "zh": "最近 1 天："}[lang]
    )


@LANGS
async def test_plural_forms_and_a_ban_that_explains_itself(harness: Harness, lang: str) -> None:
    await harness.start()
    c = Chat(harness, lang)
    await c.ask("/quota")  # the bot knows her (and her language)
    limit = {
        "en": "@alice (1001) now gets 1 credit a day (1 left today).",
        "zh": "@alice（1001） 的每日额度现为 1 点（今天剩余 1）。",
    }
    assert await c.boss_asks("/setlimit 1001 1") == limit[lang]
    granted = {"en": "Granted 1 credit to", "zh": "已给 @alice（1001） 发放 1 点。"}
    assert granted[lang] in await c.boss_asks("/grant 1001 1")
    banned = await c.boss_asks("/ban 1001 spam")
    assert banned.endswith(t("admin_ban_told", lang))
    told = t("banned_reason", lang, reason="spam")
    assert (
        told
        == {
            "en": "An admin has blocked you from using this bot. Reason: spam",
            "zh": "管理员已禁止你使用此机器人。原因：spam",
        }[lang]
    )
    assert told in [m.get("text") for m in c.tg.bot_messages(c.id)]
    assert await c.ask("/imagine let me in") == told


async def test_a_group_is_named_by_its_title(harness: Harness) -> None:
    await harness.start()
    c = Chat(harness, "zh")
    group = c.tg.group_chat(-100777, "猫咪俱乐部")
    c.tg.send_text(group, c.boss, f"/setlimit@{BOT_USERNAME} here 3")
    text = await c.answer(
        next(m for m in c.tg.messages(group["id"]) if "/setlimit" in m.get("text", "")),
        group["id"],
    )
    assert text == "群 “猫咪俱乐部”（-100777） 现在每天总共可用 3 点；每位成员自己的额度仍然适用。"
    assert t("admin_group_limit_set", "en", chat="x", limit=Count("1", "credit")).startswith(
        "The group x may now spend 1 credit a day"
    )


@LANGS
async def test_album_buttons_fit_a_phone_and_animate_asks_which(
    harness: Harness, lang: str
) -> None:
    await harness.start()
    c = Chat(harness, lang)
    request = c.say("/imagine three owls --n 3")
    final = await c.outcome(request)
    under = next(m for m in c.tg.bot_messages(c.id) if m.get("text") == final)
    row = [t("btn_again", lang), t("btn_animate", lang), t("btn_original", lang)]
    assert [label for label, _ in buttons(under)] == row

    query = c.tg.press_button(c.chat, c.user, under["message_id"], "pick:1")
    assert (await answered(c.tg, query))["text"] == t("animate_which", lang)
    await c.tg.wait_for(lambda: len(buttons(under)) == 4)
    assert [label for label, _ in buttons(under)] == ["🎬 1", "🎬 2", "🎬 3", t("btn_back", lang)]
    back = c.tg.press_button(c.chat, c.user, under["message_id"], "back:1")
    await answered(c.tg, back)
    await c.tg.wait_for(lambda: [label for label, _ in buttons(under)] == row)
    assert harness.evo.generation_requests()[1:] == []  # choosing is free; nothing started
