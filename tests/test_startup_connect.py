"""`bot.startup.connect` in-process: retries, a stop while waiting, a rejected token."""

from __future__ import annotations

import asyncio
import logging
from itertools import islice
from typing import cast

import pytest
from telegram import Bot
from telegram.error import BadRequest, InvalidToken, NetworkError

from bot.startup import PTB_REQUEST_LOGGER, Backoff, TokenRejected, connect

TOKEN = "777:very-secret"
QUICK = Backoff(first=0.01, factor=2, cap=0.02)


class _Telegram:
    """Answers `initialize` with the given outcomes in turn (None = success)."""

    def __init__(self, *outcomes: Exception | None) -> None:
        self.outcomes = list(outcomes)
        self.calls = 0

    async def initialize(self) -> None:
        self.calls += 1
        outcome = self.outcomes.pop(0)
        if outcome is not None:
            raise outcome


def _bot(fake: _Telegram) -> Bot:
    return cast(Bot, fake)


def test_backoff_doubles_up_to_its_cap() -> None:
    assert list(islice(Backoff().delays(), 7)) == [1, 2, 4, 8, 16, 30, 30]


async def test_an_unreachable_telegram_is_retried_with_one_line_per_attempt(
    caplog: pytest.LogCaptureFixture,
) -> None:
    fake = _Telegram(NetworkError("httpx.ConnectError: refused"), NetworkError("again"), None)
    with caplog.at_level(logging.WARNING, logger="bot.startup"):
        assert await connect(_bot(fake), "http://tg", asyncio.Event(), QUICK)
    assert fake.calls == 3
    lines = [record.getMessage() for record in caplog.records]
    assert len(lines) == 2
    assert "attempt 1: httpx.ConnectError: refused" in lines[0] and "http://tg" in lines[0]


async def test_a_stop_during_the_retries_ends_them() -> None:
    stop = asyncio.Event()
    stop.set()
    fake = _Telegram(NetworkError("down"), None)
    assert not await connect(_bot(fake), "http://tg", stop, Backoff(first=60))
    assert fake.calls == 1


async def test_a_rejected_token_becomes_an_error_without_the_token() -> None:
    fake = _Telegram(InvalidToken(f"The token `{TOKEN}` was rejected by the server."))
    with pytest.raises(TokenRejected) as raised:
        await connect(_bot(fake), "http://tg", asyncio.Event(), QUICK)
    assert str(raised.value).startswith("Telegram rejected TELEGRAM_BOT_TOKEN")
    assert TOKEN not in str(raised.value)
    assert raised.value.__suppress_context__  # the original, token and all, is not shown


async def test_a_bad_request_is_not_retried() -> None:
    fake = _Telegram(BadRequest("Bad Request: nope"))
    with pytest.raises(BadRequest):
        await connect(_bot(fake), "http://tg", asyncio.Event(), QUICK)
    assert fake.calls == 1


class _LoggingTelegram(_Telegram):
    """Logs what PTB logs for a non-JSON answer, then fails as PTB does."""

    async def initialize(self) -> None:
        request_log = logging.getLogger(PTB_REQUEST_LOGGER)
        request_log.error("Can not load invalid JSON data", exc_info=ValueError("html"))
        request_log.debug("the raw answer")
        await super().initialize()


async def test_ptb_request_errors_are_quiet_only_while_connecting(
    caplog: pytest.LogCaptureFixture,
) -> None:
    fake = _LoggingTelegram(InvalidToken("404"))
    with caplog.at_level(logging.DEBUG), pytest.raises(TokenRejected):
        await connect(_bot(fake), "http://tg", asyncio.Event(), QUICK)
    assert [r.levelname for r in caplog.records if r.name == PTB_REQUEST_LOGGER] == ["DEBUG"]
    assert logging.getLogger(PTB_REQUEST_LOGGER).filters == []  # later errors are shown
