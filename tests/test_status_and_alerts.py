"""Status edits are throttled per chat kind and never fail a job; alerts are rate-limited.

The Telegram side is a small recording stand-in (not our code), so the timing rules can be
checked without a server; time is a hand-advanced clock, so nothing waits.
"""

from __future__ import annotations

import warnings
from datetime import timedelta
from typing import Any

import pytest
from telegram.error import BadRequest, RetryAfter

from bot.jobs.alerts import ALERT_INTERVAL, AdminAlerts
from bot.jobs.status import StatusReporter, cancel_keyboard
from tests.conftest import make_job


class RecordingBot:
    def __init__(self, fail_with: Exception | None = None) -> None:
        self.edits: list[str] = []
        self.sent: list[tuple[int, str]] = []
        self.fail_with = fail_with

    async def edit_message_text(self, text: str, **_: Any) -> None:
        self.edits.append(text)
        if self.fail_with:
            raise self.fail_with

    async def send_message(self, chat_id: int, text: str, **_: Any) -> None:
        self.sent.append((chat_id, text))


@pytest.mark.parametrize(("chat_type", "interval"), [("private", 3.0), ("supergroup", 10.0)])
async def test_progress_edits_are_spaced_per_chat_kind(clock, chat_type, interval) -> None:
    bot = RecordingBot()
    reporter = StatusReporter(bot, clock=clock)  # type: ignore[arg-type]
    job = make_job(chat_type)
    reporter.prime(job.id, "Starting", buttons=False)
    clock.advance(interval - 0.1)
    await reporter.show(job, "10%")
    assert bot.edits == []  # too soon: skipped, the next update carries newer numbers
    clock.advance(0.2)
    await reporter.show(job, "20%")
    await reporter.show(job, "20%")  # same text again: nothing to edit
    assert bot.edits == ["20%"]
    await reporter.show(job, "Done", final=True)  # final texts always go out
    assert bot.edits == ["20%", "Done"]


async def test_taking_the_cancel_button_away_is_never_skipped(clock) -> None:
    bot = RecordingBot()
    reporter = StatusReporter(bot, clock=clock)  # type: ignore[arg-type]
    job = make_job()
    reporter.prime(job.id, "Queued", buttons=True)
    await reporter.show(job, "Starting")
    assert bot.edits == ["Starting"]
    clock.advance(0.5)
    await reporter.show(job, "Queued (#1)", keyboard=cancel_keyboard(job))
    assert bot.edits == ["Starting"]  # adding buttons back is not urgent


def _flood() -> RetryAfter:
    with warnings.catch_warnings():  # PTB warns about its int -> timedelta transition
        warnings.simplefilter("ignore")
        return RetryAfter(timedelta(seconds=30))


@pytest.mark.parametrize(
    "error",
    [BadRequest("Message to edit not found"), _flood(), BadRequest("x")],
    ids=["message-gone", "flood", "other"],
)
async def test_a_refused_edit_does_not_fail_the_job(clock, error) -> None:
    bot = RecordingBot(fail_with=error)
    reporter = StatusReporter(bot, clock=clock)  # type: ignore[arg-type]
    await reporter.show(make_job(), "Done", final=True)  # does not raise
    assert bot.edits == ["Done"]  # the edit was tried, and its refusal swallowed


async def test_alerts_at_most_one_per_kind_per_ten_minutes(clock) -> None:
    bot = RecordingBot()
    alerts = AdminAlerts(bot, [7, 8], clock=clock)  # type: ignore[arg-type]
    await alerts.evolink_refused("402")
    await alerts.evolink_refused("402")
    await alerts.evolink_refused("401")
    assert [chat for chat, _ in bot.sent] == [7, 8, 7, 8]
    clock.advance(ALERT_INTERVAL - 1)
    await alerts.evolink_refused("402")
    assert len(bot.sent) == 4
    clock.advance(1)
    await alerts.evolink_refused("402")
    assert len(bot.sent) == 6
    assert "402" in bot.sent[-1][1]
