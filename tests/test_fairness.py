"""The update processor's per-user command bucket and the place given back while a reply
waits for its chat's allowance (bot/fairness.py, bot/turns.py, PRODUCT.md §4a "Fair use")."""

from __future__ import annotations

import asyncio
from typing import Any

from telegram import Update

from bot.fairness import FairUpdateProcessor, UserRate
from bot.ratelimit import FloodLimiter, FloodLimits

ALICE, BOB, ADMIN = 11, 22, 99


class FakeClock:
    def __init__(self) -> None:
        self.time = 1000.0

    def now(self) -> float:
        return self.time


def message_update(user: int, text: str = "/help", **extra: Any) -> Update:
    message = {
        "message_id": 1,
        "date": 0,
        "chat": {"id": user, "type": "private"},
        "from": {"id": user, "is_bot": False, "first_name": "U"},
        "text": text,
        **extra,
    }
    return Update.de_json({"update_id": 1, "message": message}, None)


def button_update(user: int) -> Update:
    query = {
        "id": "q",
        "chat_instance": "c",
        "data": "again:1",
        "from": {"id": user, "is_bot": False, "first_name": "U"},
    }
    return Update.de_json({"update_id": 2, "callback_query": query}, None)


class Recorder:
    def __init__(self) -> None:
        self.handled = 0
        self.notices: list[int] = []

    async def handle(self) -> None:
        self.handled += 1

    async def notify(self, update: Update) -> None:
        assert update.effective_user is not None
        self.notices.append(update.effective_user.id)


def processor(clock: FakeClock, recorder: Recorder) -> FairUpdateProcessor:
    updates = FairUpdateProcessor(
        rate=UserRate(per_minute=6, burst=3), exempt=frozenset({ADMIN}), clock=clock
    )
    updates.notify = recorder.notify
    return updates


async def send(updates: FairUpdateProcessor, recorder: Recorder, update: Update) -> None:
    await updates.do_process_update(update, recorder.handle())


async def test_a_burst_past_the_bucket_is_dropped_with_one_notice() -> None:
    clock, recorder = FakeClock(), Recorder()
    updates = processor(clock, recorder)
    for _ in range(20):
        await send(updates, recorder, message_update(BOB))
    assert recorder.handled == 3
    assert recorder.notices == [BOB]  # one notice for the whole burst

    await send(updates, recorder, message_update(ALICE))  # another user is not affected
    assert recorder.handled == 4

    clock.time += 10  # 6 a minute: one more token every 10 s
    await send(updates, recorder, message_update(BOB))
    await send(updates, recorder, message_update(BOB))
    assert recorder.handled == 5
    assert recorder.notices == [BOB]


async def test_admins_buttons_payments_and_album_photos_are_never_counted() -> None:
    clock, recorder = FakeClock(), Recorder()
    updates = processor(clock, recorder)
    for _ in range(10):
        await send(updates, recorder, message_update(ADMIN))
    assert recorder.handled == 10
    for _ in range(3):
        await send(updates, recorder, message_update(BOB))
    for _ in range(5):
        await send(updates, recorder, button_update(BOB))  # must be answered
    photo = [{"file_id": "f", "file_unique_id": "u", "width": 9, "height": 9}]
    for _ in range(5):  # the rest of an album whose caption was counted
        album_item = message_update(BOB, text="", media_group_id="g", photo=photo)
        await send(updates, recorder, album_item)
    paid = {
        "currency": "XTR",
        "total_amount": 50,
        "invoice_payload": "pack",
        "telegram_payment_charge_id": "c",
        "provider_payment_charge_id": "p",
    }
    for _ in range(3):  # credits bought must be added, flood or not
        await send(updates, recorder, message_update(BOB, text="", successful_payment=paid))
    assert recorder.handled == 10 + 3 + 5 + 5 + 3
    assert recorder.notices == []


async def test_waiting_for_a_chats_allowance_holds_no_shared_place() -> None:
    """One place only: A's second reply waits ~2 s for its chat, and B is answered meanwhile.
    Before the hook, B waited for A's place until A's reply had gone."""
    limiter = FloodLimiter(FloodLimits(per_chat_per_second=0.5))
    updates = FairUpdateProcessor(max_concurrent=1)
    sent: list[int] = []
    b_done, a_done, a_sent = asyncio.Event(), asyncio.Event(), asyncio.Event()

    async def deliver(chat_id: int) -> bool:
        sent.append(chat_id)
        a_sent.set()
        return True

    async def reply(chat_id: int) -> None:
        await limiter.process_request(
            deliver, (chat_id,), {}, "sendMessage", {"chat_id": chat_id}, None
        )

    async def handle_a() -> None:
        await reply(1)
        await reply(1)  # waits for chat 1's allowance
        a_done.set()

    async def handle_b() -> None:
        await reply(2)
        b_done.set()

    first = asyncio.create_task(updates.do_process_update(message_update(1), handle_a()))
    await a_sent.wait()
    second = asyncio.create_task(updates.do_process_update(message_update(2), handle_b()))
    await asyncio.wait_for(b_done.wait(), 5)
    assert not a_done.is_set(), "B was answered only after A's slow reply"
    await asyncio.wait_for(asyncio.gather(first, second), 10)
    assert sent == [1, 2, 1]
    await limiter.shutdown()


def pre_checkout_update(user: int) -> Update:
    query = {
        "id": "pcq",
        "from": {"id": user, "is_bot": False, "first_name": "U"},
        "currency": "XTR",
        "total_amount": 50,
        "invoice_payload": "pack",
    }
    return Update.de_json({"update_id": 3, "pre_checkout_query": query}, None)


async def test_a_pre_checkout_query_never_waits_for_its_users_turn() -> None:
    """Telegram cancels a payment not answered within 10 s: the buyer's own slow commands
    (every one of their turns taken) must not stand in front of it."""
    updates = FairUpdateProcessor(per_user=1)
    release, answered = asyncio.Event(), asyncio.Event()

    async def slow_command() -> None:
        await release.wait()

    async def answer() -> None:
        answered.set()

    busy = asyncio.create_task(updates.do_process_update(message_update(BOB), slow_command()))
    await asyncio.sleep(0)  # the command takes Bob's only turn
    paying = asyncio.create_task(updates.do_process_update(pre_checkout_update(BOB), answer()))
    await asyncio.wait_for(answered.wait(), 5)
    release.set()
    await asyncio.gather(busy, paying)
