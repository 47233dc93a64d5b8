"""Groups in public (issue 10): anonymous admins are not charged to one shared account, and
/quota in a group shows no prompts (handlers/generation.py, handlers/account.py)."""

from __future__ import annotations

import itertools
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from telegram import Update
from telegram.ext import Application

from bot.messages import t
from tests.ptb_fakes import RecordingRequest, handler_app, message_update, settings, user

App = tuple[Application, RecordingRequest]
GROUP = {"id": -100555, "type": "supergroup", "title": "Friends"}
ANONYMOUS_BOT = {"id": 1087968824, "is_bot": True, "first_name": "Group"}
_ids = itertools.count(50_000)


@pytest.fixture
async def app(tmp_path: Path) -> AsyncIterator[App]:
    async with handler_app(settings(tmp_path / "bot.sqlite3")) as running:
        yield running


def group_message(app: Application, text: str, **sender: Any) -> Update:
    command = text.split()[0]
    message = {
        "message_id": next(_ids),
        "date": int(time.time()),
        "chat": GROUP,
        "text": text,
        "entities": [{"type": "bot_command", "offset": 0, "length": len(command)}],
        **sender,
    }
    return Update.de_json({"update_id": next(_ids), "message": message}, app.bot)


@pytest.mark.parametrize(
    "sender",
    [
        {"from": ANONYMOUS_BOT, "sender_chat": GROUP},  # an anonymous admin of the group
        {
            "from": {"id": 136817688, "is_bot": True, "first_name": "Channel"},
            "sender_chat": {"id": -100777, "type": "channel", "title": "News"},
        },
    ],
    ids=["anonymous-admin", "linked-channel"],
)
async def test_a_command_posted_as_a_chat_is_refused_with_a_hint(
    app: App, sender: dict[str, Any]
) -> None:
    application, request = app
    await application.process_update(group_message(application, "/imagine a cat", **sender))
    texts = [params["text"] for params in request.of("sendMessage")]
    assert texts == [t("anonymous_admin", "en")]
    services = application.bot_data["services"]
    assert await services.storage.jobs.get(1) is None
    assert await services.storage.users.get(sender["from"]["id"]) is None  # nothing charged


def test_the_hint_is_in_english_and_chinese() -> None:
    assert t("anonymous_admin", "zh") != t("anonymous_admin", "en")
    assert len(t("anonymous_admin", "zh")) < 4096


async def test_quota_in_a_group_shows_no_prompts(app: App) -> None:
    application, request = app
    ann = user(601)
    await application.process_update(
        message_update(application, "/imagine my secret private prompt", sender=ann)
    )
    services = application.bot_data["services"]
    job = await services.storage.jobs.get(1)
    assert job is not None and job.prompt == "my secret private prompt"
    await application.process_update(group_message(application, "/quota", **{"from": ann}))
    answer = request.of("sendMessage")[-1]
    assert answer["chat_id"] == GROUP["id"]
    assert "secret" not in answer["text"]
