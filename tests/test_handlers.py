"""Handlers through python-telegram-bot's request seam (tests/ptb_fakes.py): the real
Application and handlers, one update in, the Bot API calls out, no servers and no polling.
Cheaper than the end-to-end runs for what needs neither a job nor a second service."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from telegram.ext import Application

from bot.messages import t
from bot.models import registry
from handlers.common import text_for
from handlers.stats import stats_text
from storage.job_stats import Stats
from tests.ptb_fakes import (
    RecordingRequest,
    callback_update,
    handler_app,
    message_update,
    settings,
    user,
)

App = tuple[Application, RecordingRequest]


@pytest.fixture
async def app(tmp_path: Path) -> AsyncIterator[App]:
    async with handler_app(settings(tmp_path / "bot.sqlite3")) as running:
        yield running


def said(request: RecordingRequest) -> list[str]:
    return [params["text"] for params in request.of("sendMessage")]


@pytest.mark.parametrize("lang", ["en", "zh-hans"])
async def test_help_lists_every_command_in_the_users_language(app: App, lang: str) -> None:
    application, request = app
    await application.process_update(message_update(application, "/help", sender=user(lang=lang)))
    (text,) = said(request)
    for command in registry.COMMANDS:
        assert f"/{command} - {t(f'cmd_{command}', lang)}" in text
    # Short and plain: no flags, no per-model price rules (those are in usage and /quota).
    assert "--" not in text and "wan" not in text and "1080p" not in text
    assert "/settings" in text
    assert ("额度" in text) == lang.startswith("zh")


async def test_id_answers_with_the_senders_id(app: App) -> None:
    application, request = app
    await application.process_update(message_update(application, "/id", sender=user(777)))
    assert said(request) == [t("your_id", "en", user_id=777)]
    assert request.of("sendMessage")[0]["reply_parameters"]["message_id"] > 0


async def test_id_in_a_group_adds_the_groups_id(app: App) -> None:
    application, request = app
    await application.process_update(message_update(application, "/id", chat_id=-100123))
    (text,) = said(request)
    assert text.endswith(t("chat_id_line", "en", chat_id=-100123))


async def test_an_unknown_flag_is_refused_and_nothing_is_queued(app: App) -> None:
    application, request = app
    update = message_update(application, "/imagine a cat --v 6", sender=user(lang="zh"))
    await application.process_update(update)
    allowed = ", ".join(f"--{name}" for name in registry.command_flags("imagine"))
    params = {"flag": "--v", "command": "imagine", "allowed": allowed}
    assert said(request) == [text_for("unknown_flag", "zh", params)]
    services = application.bot_data["services"]
    assert await services.storage.jobs.get(1) is None


async def test_an_unknown_model_names_the_registrys_aliases(app: App) -> None:
    application, request = app
    await application.process_update(message_update(application, "/edit red --model dalle"))
    (text,) = said(request)
    assert text.startswith("--model must be wan or qwen, not dalle")


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ("again:" + "9" * 30, "job_not_found"),
        ("cancel:-1", "job_not_found"),
        ("x" * 64, "button_unknown"),
    ],
)
async def test_a_forged_button_is_answered_and_ignored(app: App, data: str, key: str) -> None:
    application, request = app
    await application.process_update(callback_update(application, data))
    (answer,) = request.of("answerCallbackQuery")
    assert answer["text"] == t(key, "en")
    assert [call.method for call in request.calls] == ["answerCallbackQuery"]


TEXT_ONLY = [c for c in registry.COMMANDS if registry.default_for(c).inputs is None]


@pytest.mark.parametrize("command", TEXT_ONLY)
async def test_a_command_without_a_prompt_gets_its_usage(app: App, command: str) -> None:
    application, request = app
    update = message_update(application, f"/{command}", sender=user(lang="zh"))
    await application.process_update(update)
    assert said(request) == [t(f"usage_{command}", "zh")]


@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_help_shows_admins_their_commands_and_no_one_else(tmp_path: Path, lang: str) -> None:
    async with handler_app(settings(tmp_path / "bot.sqlite3", admin_ids="9000")) as (
        application,
        request,
    ):
        for sender in (user(9000, lang), user(501, lang)):
            await application.process_update(message_update(application, "/help", sender=sender))
        admin_help, user_help = said(request)
    assert admin_help.endswith(t("help_admin", lang)) and len(admin_help) <= 4096
    for command in ("/grant", "/setlimit", "/ban", "/unban", "/stats", "/balance", "/pause"):
        assert command in admin_help and command not in user_help


HINT = "I don't know {command}. Send /help to see what I can do."


@pytest.mark.parametrize(
    ("text", "chat_id", "answer"),
    [
        ("/foo", 0, HINT.format(command="/foo")),
        ("/foo bar", 0, HINT.format(command="/foo")),
        ("/foo@evolink_handler_bot", -100123, HINT.format(command="/foo@evolink_handler_bot")),
        ("/foo", -100123, None),  # bare, in a group: maybe another bot's
        ("/foo@OtherBot", -100123, None),
        ("/foo@OtherBot", 0, None),
        ("/imagine@OtherBot a cat", 0, None),
        ("/imagine@OtherBot a cat", -100123, None),
        ("a cat at sunset", -100123, None),  # people talking in a group
    ],
)
async def test_what_no_command_took(app: App, text: str, chat_id: int, answer: str | None) -> None:
    application, request = app
    await application.process_update(message_update(application, text, chat_id=chat_id))
    assert said(request) == ([answer] if answer else [])


@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_plain_text_in_private_suggests_imagine(app: App, lang: str) -> None:
    application, request = app
    update = message_update(application, "a cat  at\nsunset", sender=user(lang=lang))
    await application.process_update(update)
    assert said(request) == [t("offer_imagine", lang, prompt="a cat at sunset")]
    (sent,) = request.of("sendMessage")
    assert "ask:imagine" in str(sent["reply_markup"])
    long = message_update(application, "word " * 2000)
    await application.process_update(long)
    assert len(said(request)[-1]) < 500


async def test_known_commands_are_not_taken_for_unknown_ones(app: App) -> None:
    application, request = app
    for text in ("/quota", "/help", "/id", "/stats", "/imagine"):
        await application.process_update(message_update(application, text))
    assert not [text for text in said(request) if "I don't know" in text]
    assert len(said(request)) == 5


async def test_a_banned_user_gets_only_the_refusal(app: App) -> None:
    application, request = app
    await application.bot_data["services"].storage.users.set_banned(501, True)
    for text in ("/foo", "draw me a cat"):
        await application.process_update(message_update(application, text))
    assert said(request) == [t("banned", "en")] * 2


async def test_admin_actions_are_logged_one_line_each(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    config = settings(tmp_path / "bot.sqlite3", admin_ids="9000")
    commands = ["/grant 1001 5", "/setlimit 1001 3", "/setlimit -100123 default", "/ban 1001"]
    commands += ["/unban 1001", "/pause", "/resume"]
    async with handler_app(config) as (application, _):
        with caplog.at_level(logging.INFO, logger="handlers"):
            for text in commands:
                update = message_update(application, text, sender=user(9000))
                await application.process_update(update)
    assert [r.getMessage() for r in caplog.records if r.name == "handlers.admin"] == [
        "admin 9000 granted 1001: 5 credits",
        "admin 9000 set the daily limit of 1001: 3 credits a day",
        "admin 9000 set the daily cap of group -100123: back to the default",
        "admin 9000 banned 1001: 0 waiting jobs withdrawn",
        "admin 9000 unbanned 1001",
        "admin 9000 paused submitting to Evolink",
        "admin 9000 resumed submitting to Evolink",
    ]


async def test_an_accepted_job_is_logged_without_its_prompt(
    app: App, caplog: pytest.LogCaptureFixture
) -> None:
    application, _ = app
    with caplog.at_level(logging.INFO, logger="bot.jobs"):
        await application.process_update(message_update(application, "/imagine a secret cat"))
    lines = [r.getMessage() for r in caplog.records]
    spec = registry.default_for("imagine")
    [queued] = [line for line in lines if "state=queued" in line]
    assert queued.startswith(f"job_state job=1 user=501 model={spec.name} state=queued ")
    assert queued.endswith(" chat=private reserved=1")
    assert not [line for line in lines if "secret" in line]


def test_stats_name_users_once_by_id_and_by_username_when_known() -> None:
    stats = Stats()
    stats.top_users = [(1001, "alice", 2, 200), (1003, None, 1, 100)]
    stats.jobs_by_model_state = {("m", "done"): 1}
    text = stats_text(stats, 1, "en")
    assert "@alice (1001): jobs 2, credits 2\nuser 1003: jobs 1, credits 1" in text
    assert text.startswith("Last 1 day. Jobs: 1.")


async def test_a_huge_unknown_command_still_points_at_help(app: App) -> None:
    application, request = app
    await application.process_update(message_update(application, "/" + "x" * 5000))
    (text,) = said(request)
    assert len(text) < 200 and text.endswith("Send /help to see what I can do.")
