"""/start, /help, the menus and /settings (PRODUCT.md §4a, issue 11), in English and in
Chinese (a user whose Telegram is `zh`)."""

from __future__ import annotations

import pytest

from bot.messages import t
from bot.parsing import size_for_aspect
from handlers import ADMIN_MENU, user_menu
from tests.e2e.conftest import ADMIN_ID, Harness
from tests.e2e.test_questions import LANGS, Chatter, prompts
from tests.e2e.test_quota import callback_data, text_of


@pytest.mark.parametrize(("code", "lang"), LANGS)
async def test_start_greets_with_three_examples_that_run(
    harness: Harness, code: str, lang: str
) -> None:
    await harness.start()
    alice = Chatter(harness, 1001, code)
    request = alice.say("/start")
    greeting = await alice.answer(request)
    assert text_of(greeting) == t("start", lang, name="User1001")
    assert callback_data(greeting) == ["try:1", "try:2", "try:3"]
    alice.press(greeting, "try:1")
    await alice.answer(greeting, "photo")
    example = t("example_1", lang).removeprefix("/imagine ")
    assert prompts(harness) == [example]


@pytest.mark.parametrize(("code", "lang"), LANGS)
async def test_help_is_short_and_admins_also_see_theirs(
    harness: Harness, code: str, lang: str
) -> None:
    await harness.start()
    alice = Chatter(harness, 1001, code)
    text = text_of(await alice.answer(alice.say("/help")))
    assert "--" not in text and "wan" not in text and "(480p" not in text
    assert t("cmd_settings", lang) not in text or "/settings" in text
    assert t("help_admin", lang) not in text
    boss = Chatter(harness, ADMIN_ID, code)
    admin_text = text_of(await boss.answer(boss.say("/help")))
    assert admin_text.endswith(t("help_admin", lang))
    assert len(text) < 1000


async def test_the_menus_offer_settings_and_admins_get_their_commands(harness: Harness) -> None:
    await harness.start()
    tg = harness.tg
    await tg.wait_for(lambda: len(tg.calls_to("setMyCommands")) >= 4, 10)
    calls = [call.params for call in tg.calls_to("setMyCommands")]
    for params in calls:
        names = [c["command"] for c in params["commands"]]
        assert "settings" in names and "id" in names
        menu = user_menu(selling=False)
        expected = [*menu, *ADMIN_MENU] if "scope" in params else list(menu)
        assert names == expected
    assert [p["scope"]["chat_id"] for p in calls if "scope" in p] == [ADMIN_ID, ADMIN_ID]


@pytest.mark.parametrize(("code", "lang"), LANGS)
async def test_settings_change_in_place_and_fill_in_commands(
    harness: Harness, code: str, lang: str
) -> None:
    await harness.start()
    alice = Chatter(harness, 1001, code)
    panel = await alice.answer(alice.say("/settings"))
    assert text_of(panel).startswith(t("settings", lang, lines="").split("\n")[0])
    owner = "cfg:1001"
    assert callback_data(panel)[0] == f"{owner}:ar"
    # Unset, pictures per request and --raw show the plain values they stand for.
    for key, value in (("n", "1"), ("raw", t("value_off", lang))):
        unset = t("settings_line", lang, setting=t(f"setting_{key}", lang), value=value)
        assert unset in text_of(panel)
    alice.press(panel, f"{owner}:ar")
    chat_id, panel_id = alice.chat["id"], panel["message_id"]

    def panel_now() -> dict[str, object]:
        return next(m for m in harness.tg.bot_messages(chat_id) if m["message_id"] == panel_id)

    await harness.tg.wait_for(lambda: f"{owner}:ar:16:9" in callback_data(panel_now()))
    alice.press(panel_now(), f"{owner}:ar:16:9")
    await harness.tg.wait_for(lambda: f"{owner}:n" in callback_data(panel_now()))
    alice.press(panel_now(), f"{owner}:n")
    await harness.tg.wait_for(lambda: f"{owner}:n:2" in callback_data(panel_now()))
    alice.press(panel_now(), f"{owner}:n:2")
    await harness.tg.wait_for(
        lambda: "16:9" in text_of(panel_now()) and f"{owner}:n" in callback_data(panel_now())
    )
    line = t("settings_line", lang, setting=t("setting_n", lang), value="2")
    assert line in text_of(panel_now())
    # Only the panel was edited: no new message per tap, and every tap was answered.
    assert len(harness.tg.bot_messages(chat_id)) == 1
    assert len(harness.tg.callback_answers) == 4
    # Someone else cannot change Alice's settings.
    bob = Chatter(harness, 1002, code, chat=alice.chat)
    bob.press(panel_now(), f"{owner}:n")
    await harness.tg.wait_for(lambda: len(harness.tg.callback_answers) == 5)
    answers = list(harness.tg.callback_answers.values())
    assert answers[-1]["text"] == t("not_your_button", lang)
    # The defaults fill in what a command leaves out; typed flags win.
    first = alice.say("/imagine a fox")
    album = await alice.answer(first, "photo")
    # The caption names the options the job ran with, saved ones included.
    assert album["caption"].startswith("a fox\n--ar 16:9 --n 2")
    second = alice.say("/imagine an owl --ar 1:1 --n 1")
    await alice.answer(second, "photo")
    bodies = harness.evo.generation_requests()
    assert (bodies[0]["size"], bodies[0]["n"]) == (size_for_aspect(16, 9), 2)
    assert (bodies[1]["size"], bodies[1]["n"]) == (size_for_aspect(1, 1), 1)
    # The saved --n does not reach a video, which has none; the ratio does.
    video = alice.say("/video a paper boat")
    await alice.answer(video, "video")
    assert harness.evo.generation_requests()[-1]["aspect_ratio"] == "16:9"


@pytest.mark.parametrize(("code", "other"), [("en", "zh"), ("zh", "en")])
async def test_the_reply_language_setting_changes_every_reply(
    harness: Harness, code: str, other: str
) -> None:
    bot = await harness.start()
    alice = Chatter(harness, 1001, code)
    panel = await alice.answer(alice.say("/settings"))
    alice.press(panel, "cfg:1001:lang")
    chat_id, panel_id = alice.chat["id"], panel["message_id"]

    def panel_now() -> dict[str, object]:
        return next(m for m in harness.tg.bot_messages(chat_id) if m["message_id"] == panel_id)

    await harness.tg.wait_for(lambda: f"cfg:1001:lang:{other}" in callback_data(panel_now()))
    alice.press(panel_now(), f"cfg:1001:lang:{other}")
    await harness.tg.wait_for(
        lambda: text_of(panel_now()).startswith(t("settings", other, lines="")[:8])
    )
    assert text_of(await alice.answer(alice.say("/id"))) == t("your_id", other, user_id=1001)
    request = alice.say("/imagine a fox")
    status = await alice.answer(request)
    await alice.answer(request, "photo")
    history = harness.tg.edit_history(chat_id, status["message_id"])
    starting = t("status_submitting", other, job=1, reserved="")
    assert history[0].startswith(starting)  # the job's own messages follow it too
    # It lasts: after a restart, still the chosen language; "as my Telegram" goes back.
    await bot.shutdown()
    await harness.start()
    assert text_of(await alice.answer(alice.say("/nothing"))) == t(
        "unknown_command", other, command="/nothing"
    )
    panel = await alice.answer(alice.say("/settings"))
    panel_id = panel["message_id"]
    alice.press(panel, "cfg:1001:lang")
    await harness.tg.wait_for(lambda: "cfg:1001:lang:-" in callback_data(panel_now()))
    alice.press(panel_now(), "cfg:1001:lang:-")
    await harness.tg.wait_for(lambda: len(harness.tg.callback_answers) == 4)
    assert text_of(await alice.answer(alice.say("/id"))) == t("your_id", code, user_id=1001)


async def test_forged_settings_and_example_buttons_change_nothing(harness: Harness) -> None:
    """Callback data can be forged: a settings button on another of the bot's messages (a
    /quota answer) must not turn that message into a panel, nor an unknown example run."""
    await harness.start()
    alice = Chatter(harness, 1001, "en")
    quota = await alice.answer(alice.say("/quota"))
    before = text_of(quota)
    answers = harness.tg.callback_answers
    tg, chat = harness.tg, alice.chat
    tg.press_button(chat, alice.user, quota["message_id"], "cfg:1001:ar:16:9", forged=True)
    await harness.tg.wait_for(lambda: len(answers) == 1)
    greeting = await alice.answer(alice.say("/start"))
    tg.press_button(chat, alice.user, greeting["message_id"], "try:9", forged=True)
    await harness.tg.wait_for(lambda: len(answers) == 2)
    assert [a["text"] for a in answers.values()] == [t("button_unknown")] * 2
    messages = harness.tg.bot_messages(alice.chat["id"])
    assert text_of(next(m for m in messages if m["message_id"] == quota["message_id"])) == before
    assert prompts(harness) == []  # no example ran
    panel = await alice.answer(alice.say("/settings"))  # and nothing was saved
    assert "16:9" not in text_of(panel)
