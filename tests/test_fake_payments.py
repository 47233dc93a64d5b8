"""The fake Telegram's Stars payments (tests/fakes/telegram/payments.py): what it refuses
like Telegram, what it records, and the buyer's side through Python and the control API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tests.fakes.telegram import FakeTelegram
from tests.test_fake_telegram import call, take_violation

INVOICE = {
    "chat_id": 42,
    "title": "100 credits",
    "description": "100 credits for pictures",
    "payload": "p1.10000.50.42.sig",
    "currency": "XTR",
    "prices": [{"label": "100 credits", "amount": 50}],
}


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def tg(clock: Clock) -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as fake:
        fake.flood.enabled = False
        fake.clock = clock
        yield fake
        assert fake.violations == [], fake.describe("unexpected violations")


@pytest.fixture
async def api(tg: FakeTelegram) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=f"{tg.url}/bot{tg.token}/", timeout=10) as client:
        yield client


@pytest.fixture
def alice(tg: FakeTelegram) -> dict[str, Any]:
    user = tg.user(42, "Alice", "alice")
    tg.private_chat(user)
    return user


async def send_invoice(api: httpx.AsyncClient, tg: FakeTelegram, **changes: Any) -> Any:
    status, body = await call(api, "sendInvoice", **{**INVOICE, **changes})
    assert status == 200, body
    return tg.world.get_message(42, body["result"]["message_id"])


@pytest.mark.parametrize(
    ("changes", "fragment"),
    [
        ({"currency": "USD"}, "only Telegram Stars"),
        ({"prices": [{"label": "a", "amount": 40}, {"label": "b", "amount": 10}]}, "exactly 1"),
        ({"prices": [{"label": "a", "amount": 0}]}, "must be > 0"),
        ({"provider_token": "284685063:TEST"}, "no provider token"),
        ({"max_tip_amount": 5}, "tips"),
        ({"title": "x" * 33}, "title must be 1-32"),
        ({"description": ""}, "description: 1-255"),
        ({"payload": "x" * 129}, "payload must be 1-128 bytes"),
        ({"prices": [{"label": "a"}]}, 'requires field "amount"'),  # the spec validator
    ],
)
async def test_send_invoice_refuses_what_telegram_refuses_for_stars(
    tg: FakeTelegram, api: httpx.AsyncClient, alice: Any, changes: dict[str, Any], fragment: str
) -> None:
    status, _ = await call(api, "sendInvoice", **{**INVOICE, **changes})
    assert status == 400
    take_violation(tg, fragment)


async def test_an_invoice_is_a_message_and_an_empty_provider_token_is_fine(
    tg: FakeTelegram, api: httpx.AsyncClient, alice: Any
) -> None:
    invoice = await send_invoice(api, tg, provider_token="")
    assert invoice["invoice"]["total_amount"] == 50
    assert tg.invoice_of(invoice)["payload"] == INVOICE["payload"]
    assert "[invoice 100 credits: 50 XTR]" in tg.chat_log(42)


async def test_checkout_answers_are_timed_and_answered_once(
    tg: FakeTelegram, api: httpx.AsyncClient, alice: Any, clock: Clock
) -> None:
    invoice = await send_invoice(api, tg)
    query = tg.pre_checkout(alice, invoice, total_amount=5)
    assert tg.updates.pending[-1]["pre_checkout_query"]["total_amount"] == 5
    clock.now += 2.5
    status, _ = await call(api, "answerPreCheckoutQuery", pre_checkout_query_id=query, ok=True)
    assert status == 200
    answer = tg.checkout_answer(query)
    assert answer is not None and (answer.ok, answer.seconds, answer.late) == (True, 2.5, False)
    status, body = await call(api, "answerPreCheckoutQuery", pre_checkout_query_id=query, ok=True)
    assert status == 400 and "query is too old" in body["description"]
    status, _ = await call(api, "answerPreCheckoutQuery", pre_checkout_query_id="nope", ok=True)
    assert status == 400

    late = tg.pre_checkout(alice, invoice)
    clock.now += 10.5
    status, _ = await call(api, "answerPreCheckoutQuery", pre_checkout_query_id=late, ok=True)
    answer = tg.checkout_answer(late)
    assert status == 400 and answer is not None and answer.late

    refused = tg.pre_checkout(alice, invoice)
    status, _ = await call(api, "answerPreCheckoutQuery", pre_checkout_query_id=refused, ok=False)
    assert status == 400
    take_violation(tg, "error_message is required")


async def test_refunds_refuse_unknown_foreign_and_repeated_charges(
    tg: FakeTelegram, api: httpx.AsyncClient, alice: Any
) -> None:
    invoice = await send_invoice(api, tg)
    payment = tg.successful_payment(alice, invoice, charge_id="ch-1")
    assert payment["successful_payment"]["telegram_payment_charge_id"] == "ch-1"
    args: dict[str, Any] = {"telegram_payment_charge_id": "ch-1"}
    status, body = await call(api, "refundStarPayment", user_id=7, **args)
    assert (status, body["description"]) == (400, "Bad Request: CHARGE_NOT_FOUND")
    status, body = await call(
        api, "refundStarPayment", user_id=42, telegram_payment_charge_id="ch-2"
    )
    assert (status, body["description"]) == (400, "Bad Request: CHARGE_NOT_FOUND")
    status, _ = await call(api, "refundStarPayment", user_id=42, **args)
    assert status == 200 and tg.payments.charges["ch-1"].refunded
    notice = tg.updates.pending[-1]["message"]
    assert notice["refunded_payment"]["telegram_payment_charge_id"] == "ch-1"
    assert "[refunded 50 XTR]" in tg.chat_log(42)
    status, body = await call(api, "refundStarPayment", user_id=42, **args)
    assert (status, body["description"]) == (400, "Bad Request: CHARGE_ALREADY_REFUNDED")
    assert tg.payments.refunds == ["ch-1"]


async def test_the_control_api_plays_the_buyer(
    tg: FakeTelegram, api: httpx.AsyncClient, alice: Any
) -> None:
    invoice = await send_invoice(api, tg)
    async with httpx.AsyncClient(base_url=f"{tg.url}/_fake/") as control:
        body = {"user_id": 42, "message_id": invoice["message_id"], "pay": True}
        query = (await control.post("pre_checkout", json=body)).json()["result"]
        query_id = query["pre_checkout_query_id"]
        await call(api, "answerPreCheckoutQuery", pre_checkout_query_id=query_id, ok=True)
        paid = [u for u in tg.updates.pending if "successful_payment" in u.get("message", {})]
        assert len(paid) == 1  # an ok answer was followed by the payment
        message = paid[0]["message"]
        again = {"chat_id": 42, "message_id": message["message_id"]}
        assert (await control.post("repeat", json=again)).json()["ok"]
        body = {"user_id": 42, "message_id": invoice["message_id"], "charge_id": "ch-9"}
        assert (await control.post("paid", json=body)).json()["ok"]
        state = (await control.get("payments")).json()
    assert state["answers"][query_id]["ok"] is True
    assert set(state["charges"]) == {
        message["successful_payment"]["telegram_payment_charge_id"],
        "ch-9",
    }
    mid = message["message_id"]
    repeated = [u for u in tg.updates.pending if u.get("message", {}).get("message_id") == mid]
    assert len(repeated) == 2
