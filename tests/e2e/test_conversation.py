"""The conversation around the commands (PRODUCT.md §4a): what admins are shown, where
/stats goes, and what unknown commands and plain text get."""

from __future__ import annotations

import logging

import pytest

from bot.messages import t
from handlers import ADMIN_MENU, user_menu
from tests.e2e.conftest import ADMIN_ID, BOT_USERNAME, Harness
from tests.e2e.test_quota import Person, admin, text_of

OTHER_ADMIN = 9001


async def test_each_admin_gets_a_menu_with_the_admin_commands(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    tg = harness.tg
    # The first admin never wrote to the bot: Telegram answers "chat not found".
    tg.fail_next("setMyCommands", description="Bad Request: chat not found", after=2)
    with caplog.at_level(logging.INFO, logger="handlers"):
        await harness.start(admin_ids=f"{ADMIN_ID},{OTHER_ADMIN}")
    scoped = [call.params for call in tg.calls_to("setMyCommands") if "scope" in call.params]
    assert [p["scope"]["chat_id"] for p in scoped] == [ADMIN_ID, OTHER_ADMIN, OTHER_ADMIN]
    assert [p.get("language_code") for p in scoped[1:]] == [None, "zh"]
    names = [command["command"] for command in scoped[1]["commands"]]
    assert names == [*user_menu(selling=False), *ADMIN_MENU]
    assert scoped[2]["commands"][-1]["description"] == t(f"cmd_{ADMIN_MENU[-1]}", "zh")
    (note,) = [r for r in caplog.records if "no admin command menu" in r.getMessage()]
    assert note.levelno == logging.INFO and str(ADMIN_ID) in note.getMessage()
    # The bot runs on: the admin's /help lists the admin commands.
    boss = tg.user(ADMIN_ID, "Boss")
    chat = tg.private_chat(boss)
    tg.send_text(chat, boss, "/help")
    answer = await harness.reply_in(chat["id"], lambda m: "text" in m)
    assert answer["text"].endswith(t("help_admin", "en"))


async def test_stats_asked_in_a_group_are_sent_privately(harness: Harness) -> None:
    await harness.start()
    boss = admin(harness)
    alice = Person(harness, 1001, "Alice", "alice")
    await alice.generate("a secret prompt")
    team = harness.tg.group_chat(-100500, "Team")
    request = boss.in_chat(team).send("/stats 3")
    note = await boss.in_chat(team).answer_to(request)
    assert text_of(note) == t("stats_sent_privately", "en")
    private = await harness.reply_in(boss.private["id"], lambda m: "text" in m)
    assert text_of(private).startswith("Last 3 days. Jobs: 1.")
    assert "@alice" in text_of(private)
    await harness.reply_in(boss.private["id"], lambda m: bool(m.get("photo")))
    in_group = harness.tg.bot_messages(team["id"])
    assert [text_of(m) for m in in_group] == [t("stats_sent_privately", "en")]


async def test_stats_for_an_admin_the_bot_cannot_write_to_stay_out_of_the_group(
    harness: Harness,
) -> None:
    await harness.start()
    boss = admin(harness)
    team = harness.tg.group_chat(-100500, "Team")
    harness.tg.fail_next(
        "sendMessage",
        error_code=403,
        description="Forbidden: bot can't initiate conversation with a user",
    )
    answer = await boss.in_chat(team).ask("/stats")
    assert answer == t("stats_start_private", "en", bot=BOT_USERNAME)
    assert harness.tg.bot_messages(boss.private["id"]) == []
    assert len(harness.tg.bot_messages(team["id"])) == 1


async def test_unknown_commands_and_plain_text_get_a_hint_in_private(harness: Harness) -> None:
    await harness.start()
    alice = Person(harness, 1001, "Alice", "alice")
    assert await alice.ask("/draw a cat") == t("unknown_command", "en", command="/draw")
    answer = await alice.ask("a cat on the moon")
    assert answer == t("offer_imagine", "en", prompt="a cat on the moon")
    # In a group: only a command naming this bot gets the hint.
    team = harness.tg.group_chat(-100500, "Team")
    in_team = alice.in_chat(team)
    in_team.send("/roll@dice_bot")
    in_team.send("/roll")
    in_team.send("hello everyone")
    named = f"/roll@{BOT_USERNAME}"
    assert await in_team.ask(named) == t("unknown_command", "en", command=named)
    assert len(harness.tg.bot_messages(team["id"])) == 1
    assert await alice.ask("/id") == t("your_id", "en", user_id=1001)
    assert len(harness.tg.bot_messages(alice.chat["id"])) == 3


async def test_the_operators_log_follows_each_job_without_prompts(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    await harness.start()
    alice = Person(harness, 1001, "Alice", "alice")
    with caplog.at_level(logging.INFO, logger="bot.jobs"):
        await alice.generate("a private matter")
        await harness.tg.wait_for(lambda: len(harness.ledger(1001)) == 2)
        harness.evo.fail_next_tasks("content_policy_violation")
        failed = await alice.status_of("/imagine another private matter")
        await alice.wait_status(failed, lambda text: text.startswith("❌"))
    lines = [r.getMessage() for r in caplog.records]
    assert "job 1 done: 1 produced, charged 1" in lines
    states = [line.split(" state=")[1].split()[0] for line in lines if "job_state job=1 " in line]
    assert states == ["queued", "submitting", "running", "delivering", "done"]
    failed_line = next(line for line in lines if "job_state job=2 " in line and "=failed" in line)
    assert "user=1001" in failed_line and "reason=content_policy_violation" in failed_line
    accepted = [line for line in lines if "state=queued" in line and "chat=private" in line]
    assert len(accepted) == 2
    assert not [line for line in lines if "private matter" in line]
