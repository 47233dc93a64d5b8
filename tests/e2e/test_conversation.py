"""The conversation around the commands (PRODUCT.md §4a): what admins are shown, where
/stats goes, and what unknown commands and plain text get."""

from __future__ import annotations

import logging

import pytest

from bot.messages import t
from handlers import ADMIN_MENU, MENU
from tests.e2e.conftest import ADMIN_ID, Harness

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
    assert names == [*MENU, *ADMIN_MENU]
    assert scoped[2]["commands"][-1]["description"] == t("cmd_resume", "zh")
    (note,) = [r for r in caplog.records if "no admin command menu" in r.getMessage()]
    assert note.levelno == logging.INFO and str(ADMIN_ID) in note.getMessage()
    # The bot runs on: the admin's /help lists the admin commands.
    boss = tg.user(ADMIN_ID, "Boss")
    chat = tg.private_chat(boss)
    tg.send_text(chat, boss, "/help")
    answer = await harness.reply_in(chat["id"], lambda m: "text" in m)
    assert answer["text"].endswith(t("help_admin", "en"))
