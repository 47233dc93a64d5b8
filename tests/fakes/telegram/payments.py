"""Telegram Stars in the fake: sendInvoice, answerPreCheckoutQuery, refundStarPayment, and
the buyer's side (a pre-checkout query, a successful payment, the same payment again).

The spec validator has already checked every parameter's type; the rules here are the Stars
prose of the Bot API: currency "XTR", exactly one price, no provider token (or an empty
one), no tips, title 1-32 characters, description 1-255, payload 1-128 bytes, and a
pre-checkout answer within 10 s (a later one is refused, like Telegram does, and recorded).
Refunds refuse unknown charges, another user's, and charges refunded already; a refund
is followed by Telegram's `refunded_payment` service message in the buyer's chat.
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .polling import UpdateQueue
from .wire import bad_request, runtime_error

JsonDict = dict[str, Any]
Params = dict[str, Any]
ANSWER_WINDOW = 10.0  # seconds Telegram waits for answerPreCheckoutQuery
QUERY_EXPIRED = "query is too old and response timeout expired or query ID is invalid"
TITLE_MAX, DESCRIPTION_MAX, PAYLOAD_MAX_BYTES = 32, 255, 128


@dataclass
class CheckoutAnswer:
    ok: bool
    error_message: str | None
    seconds: float  # from the query's push to the answer (the fake's clock)
    late: bool = False


@dataclass
class Charge:
    charge_id: str
    user_id: int
    stars: int
    payload: str
    refunded: bool = False


@dataclass
class PaymentState:
    """Invoices the bot sent, queries pushed and their answers, charges made."""

    invoices: dict[tuple[int, int], JsonDict] = field(default_factory=dict)  # (chat, msg)
    queries: dict[str, JsonDict] = field(default_factory=dict)
    asked_at: dict[str, float] = field(default_factory=dict)
    answers: dict[str, CheckoutAnswer] = field(default_factory=dict)
    charges: dict[str, Charge] = field(default_factory=dict)
    refunds: list[str] = field(default_factory=list)
    # Queries to follow with a successful payment once the bot answers ok: id -> (user, invoice)
    then_pay: dict[str, tuple[JsonDict, JsonDict]] = field(default_factory=dict)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(7_100_000_001))


def check_invoice(params: Params) -> None:
    """The Stars rules of sendInvoice (violations: a correct bot never breaks them)."""
    if params["currency"] != "XTR":
        raise bad_request("only Telegram Stars (XTR) invoices are supported by the fake")
    if len(params["prices"]) != 1:
        raise bad_request("CURRENCY_TOTAL_AMOUNT_INVALID", reason="Stars need exactly 1 price")
    if params["prices"][0]["amount"] <= 0:
        raise bad_request("CURRENCY_TOTAL_AMOUNT_INVALID", reason="a Stars price must be > 0")
    if params.get("provider_token"):
        raise bad_request("PAYMENT_PROVIDER_INVALID", reason="Stars take no provider token")
    if params.get("max_tip_amount") or params.get("suggested_tip_amounts"):
        raise bad_request("tips are not supported for payments in Telegram Stars")
    if not 1 <= len(params["title"]) <= TITLE_MAX:
        raise bad_request("INVOICE_TITLE_INVALID", reason="title must be 1-32 characters")
    if not 1 <= len(params["description"]) <= DESCRIPTION_MAX:
        raise bad_request("INVOICE_DESCRIPTION_INVALID", reason="description: 1-255 characters")
    if not 1 <= len(params["payload"].encode()) <= PAYLOAD_MAX_BYTES:
        raise bad_request("INVOICE_PAYLOAD_INVALID", reason="payload must be 1-128 bytes")


def invoice_content(params: Params) -> JsonDict:
    """The `invoice` field of the message sendInvoice posts."""
    return {
        "invoice": {
            "title": params["title"],
            "description": params["description"],
            "start_parameter": params.get("start_parameter", ""),
            "currency": params["currency"],
            "total_amount": params["prices"][0]["amount"],
        }
    }


class PaymentMethods:
    """The bot-facing payment methods (sendInvoice lives with the message methods)."""

    def __init__(
        self,
        state: PaymentState,
        clock: Callable[[], float],
        on_ok: Callable[[str], None] = lambda query_id: None,
        on_refund: Callable[[Charge], None] = lambda charge: None,
    ) -> None:
        self.state = state
        self.clock = clock
        self.on_ok = on_ok  # the buyer's side goes on: FakeTelegram pays a `then_pay` query
        self.on_refund = on_refund  # FakeTelegram posts the refund's service message

    async def answer_pre_checkout_query(self, params: Params, parts: object) -> bool:
        query_id = params["pre_checkout_query_id"]
        if not params["ok"] and not params.get("error_message"):
            raise bad_request("error_message is required when ok is False")
        if query_id not in self.state.queries or query_id in self.state.answers:
            raise runtime_error(QUERY_EXPIRED)
        seconds = self.clock() - self.state.asked_at[query_id]
        late = seconds > ANSWER_WINDOW
        answer = CheckoutAnswer(params["ok"], params.get("error_message"), seconds, late)
        self.state.answers[query_id] = answer
        if late:  # Telegram has cancelled the payment already
            raise runtime_error(QUERY_EXPIRED)
        if answer.ok:
            self.on_ok(query_id)
        return True

    async def refund_star_payment(self, params: Params, parts: object) -> bool:
        charge = self.state.charges.get(params["telegram_payment_charge_id"])
        if charge is None or charge.user_id != params["user_id"]:
            raise runtime_error("CHARGE_NOT_FOUND")
        if charge.refunded:
            raise runtime_error("CHARGE_ALREADY_REFUNDED")
        charge.refunded = True
        self.state.refunds.append(charge.charge_id)
        self.on_refund(charge)
        return True


class PaymentApi:
    """Mixin for FakeTelegram: what a buyer does with an invoice the bot sent."""

    world: Any
    updates: UpdateQueue
    payments: PaymentState
    clock: Callable[[], float]

    def _changed(self) -> None:
        """Wake waiters; FakeTelegram overrides it."""

    def invoice_of(self, message: JsonDict) -> JsonDict:
        """The sendInvoice parameters behind an invoice message (payload included)."""
        key = (message["chat"]["id"], message["message_id"])
        if key not in self.payments.invoices:
            raise KeyError(f"message #{message['message_id']} is not an invoice the bot sent")
        return self.payments.invoices[key]

    def pre_checkout(
        self,
        user: JsonDict,
        invoice: JsonDict,
        *,
        payload: str | None = None,
        total_amount: int | None = None,
        then_pay: bool = False,
    ) -> str:
        """The buyer confirms: a pre_checkout_query (payload or amount may be tampered with).

        With `then_pay`, an ok answer is followed by the successful payment, as in Telegram.
        """
        sent = self.invoice_of(invoice)
        query_id = self.checkout_query(
            user,
            sent["payload"] if payload is None else payload,
            sent["prices"][0]["amount"] if total_amount is None else total_amount,
            sent["currency"],
        )
        if then_pay:
            self.payments.then_pay[query_id] = (user, invoice)
        return query_id

    def checkout_query(
        self, user: JsonDict, payload: str, total_amount: int, currency: str = "XTR"
    ) -> str:
        """A pre_checkout_query with any payload, as if for an invoice from anywhere."""
        query: JsonDict = {
            "id": str(next(self.payments._ids)),
            "from": user,
            "currency": currency,
            "total_amount": total_amount,
            "invoice_payload": payload,
        }
        self.payments.queries[query["id"]] = query
        self.payments.asked_at[query["id"]] = self.clock()
        self.updates.push("pre_checkout_query", copy.deepcopy(query))
        self._changed()
        return str(query["id"])

    def successful_payment(
        self, user: JsonDict, invoice: JsonDict, *, charge_id: str | None = None
    ) -> JsonDict:
        """Telegram took the Stars: a service message in the buyer's private chat."""
        sent = self.invoice_of(invoice)
        stars = sent["prices"][0]["amount"]
        charge = charge_id or f"stxfake{next(self.payments._ids)}"
        self.payments.charges.setdefault(
            charge, Charge(charge, user["id"], stars, sent["payload"])
        )
        chat = self.world.chats.get(user["id"])
        if chat is None:
            raise KeyError(f"user {user['id']} has no private chat with the bot")
        content = {
            "successful_payment": {
                "currency": sent["currency"],
                "total_amount": stars,
                "invoice_payload": sent["payload"],
                "telegram_payment_charge_id": charge,
                "provider_payment_charge_id": "",
            }
        }
        message: JsonDict = self.world.new_message(chat, user, content, None)
        self.updates.push("message", copy.deepcopy(message))
        self._changed()
        return message

    def _checkout_ok(self, query_id: str) -> None:
        if query_id in self.payments.then_pay:
            self.successful_payment(*self.payments.then_pay.pop(query_id))

    def refund(self, charge_id: str) -> None:
        """Telegram refunds a charge on its own (its support, a dispute), telling the bot."""
        charge = self.payments.charges[charge_id]
        charge.refunded = True
        self._refunded(charge)

    def _refunded(self, charge: Charge) -> None:
        """Telegram's service message about the refund, in the buyer's private chat."""
        chat = self.world.chats.get(charge.user_id)
        user = self.world.users.get(charge.user_id)
        if chat is None or user is None:
            return
        content = {
            "refunded_payment": {
                "currency": "XTR",
                "total_amount": charge.stars,
                "invoice_payload": charge.payload,
                "telegram_payment_charge_id": charge.charge_id,
            }
        }
        message: JsonDict = self.world.new_message(chat, user, content, None)
        self.updates.push("message", copy.deepcopy(message))
        self._changed()

    async def pay(
        self, user: JsonDict, invoice: JsonDict, *, timeout: float = 10.0
    ) -> JsonDict | None:
        """Confirm, wait for the bot's answer and, if it says ok, pay: the payment message."""
        query_id = self.pre_checkout(user, invoice)
        await self.wait_for(lambda: query_id in self.payments.answers, timeout)
        if not self.payments.answers[query_id].ok:
            return None
        return self.successful_payment(user, invoice)

    async def wait_for(self, predicate: Callable[[], bool], timeout: float = 10.0) -> None:
        raise NotImplementedError  # FakeTelegram's

    def repeat_update(self, message: JsonDict) -> None:
        """The same message delivered once more (Telegram resends what it thinks was lost)."""
        self.updates.push("message", copy.deepcopy(message))
        self._changed()

    def checkout_answer(self, query_id: str) -> CheckoutAnswer | None:
        return self.payments.answers.get(query_id)
