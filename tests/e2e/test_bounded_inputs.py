"""Bounded inputs (issue 9 item 6): any callback data is answered, none raises."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from bot.messages import t
from handlers.common import fit_text
from tests.e2e.conftest import Harness
from tests.e2e.test_generation import Scene, job_id_of


def press_forged(s: Scene, message: dict[str, Any], data: str) -> str:
    """Like FakeTelegram.press_button, but with callback data no button of `message` has
    (a stale client or a forged query: Telegram delivers whatever the client sends)."""
    tg = s.tg
    query_id = tg.world.new_callback_id()
    query: dict[str, Any] = {
        "id": query_id,
        "from": s.alice,
        "message": copy.deepcopy(message),
        "chat_instance": "42",
        "data": data,
    }
    tg.world.callback_queries[query_id] = query
    tg.updates.push("callback_query", copy.deepcopy(query))
    tg._changed()
    return str(query_id)


@pytest.mark.parametrize(
    ("data", "answer"),
    [
        ("again:" + "9" * 30, "job_not_found"),
        ("animate:" + "9" * 30 + ":0", "job_not_found"),
        ("cancel:-1", "job_not_found"),
        ("again:²", "job_not_found"),
        ("settings:lang:zh", "button_unknown"),
        ("x" * 64, "button_unknown"),
    ],
)
async def test_any_callback_data_is_answered(harness: Harness, data: str, answer: str) -> None:
    await harness.start()
    s = Scene(harness)
    request = s.say("/imagine a lighthouse")
    photo = await s.result(request)

    query_id = press_forged(s, photo, data)

    def answered() -> bool:
        calls = s.tg.calls_to("answerCallbackQuery")
        return any(c.params.get("callback_query_id") == query_id for c in calls)

    await s.wait(answered)
    [call] = [
        c
        for c in s.tg.calls_to("answerCallbackQuery")
        if c.params["callback_query_id"] == query_id
    ]
    assert call.params.get("text") == t(answer)
    assert len(s.creates()) == 1  # nothing started


async def test_an_index_past_the_results_animates_nothing(harness: Harness) -> None:
    await harness.start()
    s = Scene(harness)
    photo = await s.result(s.say("/imagine a lighthouse"))
    job = job_id_of(photo)
    query_id = press_forged(s, photo, f"animate:{job}:{'9' * 40}")
    await s.wait(
        lambda: any(
            c.params.get("callback_query_id") == query_id
            for c in s.tg.calls_to("answerCallbackQuery")
        )
    )
    assert len(s.creates()) == 1


def test_a_reply_never_exceeds_one_message() -> None:
    assert fit_text("x" * 4096) == "x" * 4096
    cut = fit_text("y" * 10_000)
    assert len(cut) == 4096 and cut.endswith("…")
