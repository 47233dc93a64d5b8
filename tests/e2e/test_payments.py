"""Credits for Telegram Stars end to end (PRODUCT.md §5a): /buy, the invoice, the
pre-checkout answer, the payment counted once, /refund, /paysupport, /quota and /stats."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from bot.messages import t
from tests.e2e.conftest import ADMIN_ID, Harness
from tests.fakes.telegram.server import FakeTelegram

PACKS = "100:50,500:200"
Message = dict[str, Any]


class LogWatch(logging.Handler):
    """Sets `seen` when the bot logs a line containing `needle` (the bot makes no call then)."""

    def __init__(self, needle: str) -> None:
        super().__init__()
        self.needle = needle
        self.seen = asyncio.Event()

    def emit(self, record: logging.LogRecord) -> None:
        if self.needle in record.getMessage():
            self.seen.set()


@contextmanager
def watching(needle: str) -> Iterator[LogWatch]:
    watch = LogWatch(needle)
    logger = logging.getLogger("handlers.payments")
    level = logger.level
    logger.addHandler(watch)
    logger.setLevel(logging.INFO)
    try:
        yield watch
    finally:
        logger.removeHandler(watch)
        logger.setLevel(level)


def text_of(message: Message) -> str:
    return str(message.get("text", ""))


def says(text: str, *, after: Message) -> Callable[[Message], bool]:
    """A bot message that is exactly `text`, sent after `after`."""
    return lambda m: m["message_id"] > after["message_id"] and text_of(m) == text


def mentions(text: str) -> Callable[[Message], bool]:
    return lambda m: text in text_of(m)


def buttons(message: Message) -> list[str]:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    return [str(b.get("callback_data")) for row in rows for b in row]


def purchases(harness: Harness) -> list[tuple[str, int, int, int | None]]:
    with sqlite3.connect(harness.tmp_path / "bot.sqlite3") as db:
        rows = db.execute(
            "SELECT charge_id, credits, stars, taken_back FROM purchases ORDER BY at"
        ).fetchall()
    return [tuple(row) for row in rows]


def bonus_explained(harness: Harness, user_id: int) -> int:
    """The user's bonus balance, checked against the sum of their ledger rows."""
    with sqlite3.connect(harness.tmp_path / "bot.sqlite3") as db:
        (bonus,) = db.execute("SELECT bonus FROM users WHERE user_id = ?", (user_id,)).fetchone()
        (total,) = db.execute(
            "SELECT COALESCE(SUM(bonus_delta), 0) FROM ledger WHERE user_id = ?", (user_id,)
        ).fetchone()
    assert bonus == total >= 0
    return int(bonus)


async def invoice_for(harness: Harness, user: Message, pack: str = "10000:50") -> Message:
    """/buy, then a press on `pack`: the invoice the bot sends."""
    tg = harness.tg
    chat = tg.private_chat(user)
    request = tg.send_text(chat, user, "/buy")
    menu = await harness.reply_in(
        chat["id"], lambda m: m["message_id"] > request["message_id"] and bool(buttons(m))
    )
    tg.press_button(chat, user, menu["message_id"], f"buy:{pack}")
    return await harness.reply_in(
        chat["id"], lambda m: m["message_id"] > menu["message_id"] and "invoice" in m
    )


def people(tg: FakeTelegram) -> tuple[Message, Message, Message, Message]:
    """Alice and her private chat, the admin and theirs."""
    alice = tg.user(1001, "Alice", username="alice")
    admin = tg.user(ADMIN_ID, "Admin")
    return alice, tg.private_chat(alice), admin, tg.private_chat(admin)


async def buy(harness: Harness, user: Message, chat: Message, pack: str = "10000:50") -> str:
    """`user` pays for `pack`; its charge id once the bot's thank-you names it."""
    payment = await harness.tg.pay(user, await invoice_for(harness, user, pack))
    assert payment is not None
    charge = str(payment["successful_payment"]["telegram_payment_charge_id"])
    await harness.reply_in(chat["id"], mentions(charge))
    return charge


async def answered(harness: Harness, query_id: str) -> Any:
    await harness.tg.wait_for(lambda: harness.tg.checkout_answer(query_id) is not None)
    answer = harness.tg.checkout_answer(query_id)
    assert answer is not None and not answer.late  # within Telegram's 10 s
    return answer


async def test_buy_pays_once_even_when_the_payment_arrives_twice(harness: Harness) -> None:
    tg = harness.tg
    await harness.start(credit_packs=PACKS)
    alice = tg.user(1001, "Alice", username="alice")
    chat = tg.private_chat(alice)
    invoice = await invoice_for(harness, alice)
    menu = next(m for m in tg.bot_messages(chat["id"]) if buttons(m))
    assert buttons(menu) == ["buy:10000:50", "buy:50000:200"]
    assert "100 credits for 50 ⭐ (≈ 100 pictures or 100 s of video)" in text_of(menu)
    assert invoice["invoice"] == {
        "title": "100 credits",
        "description": invoice["invoice"]["description"],
        "start_parameter": "",
        "currency": "XTR",
        "total_amount": 50,
    }
    sent = tg.invoice_of(invoice)
    assert "provider_token" not in sent and len(sent["prices"]) == 1
    assert harness.settings().telegram_bot_token.get_secret_value() not in sent["payload"]

    payment = await tg.pay(alice, invoice)
    assert payment is not None
    charge = payment["successful_payment"]["telegram_payment_charge_id"]
    thanks = await harness.reply_in(chat["id"], lambda m: charge in text_of(m))
    assert text_of(thanks).startswith(
        "Thank you! 100 credits were added. Your bonus credits: 100."
    )

    with watching(f"payment {charge} of user 1001") as watch:
        tg.repeat_update(payment)
        await asyncio.wait_for(watch.seen.wait(), 10)
    assert purchases(harness) == [(charge, 10000, 50, None)]
    assert [row for row in harness.ledger(1001) if row[0] == "purchase"] == [("purchase", 10000)]
    assert bonus_explained(harness, 1001) == 10000
    assert len([m for m in tg.bot_messages(chat["id"]) if charge in text_of(m)]) == 1
    with sqlite3.connect(harness.tmp_path / "bot.sqlite3") as db:
        (note,) = db.execute("SELECT note FROM ledger WHERE kind = 'purchase'").fetchone()
    assert note == f"charge {charge}, pack 100:50"

    tg.send_text(chat, alice, "/quota")
    await harness.reply_in(chat["id"], lambda m: "Bought with Stars: 100 credits" in text_of(m))


async def test_a_restart_between_checkout_and_payment_counts_it_once(harness: Harness) -> None:
    tg = harness.tg
    bot = await harness.start(credit_packs=PACKS)
    alice = tg.user(1001, "Alice", username="alice")
    chat = tg.private_chat(alice)
    invoice = await invoice_for(harness, alice, "50000:200")
    assert (await answered(harness, tg.pre_checkout(alice, invoice))).ok
    await bot.shutdown()

    payment = tg.successful_payment(alice, invoice)  # arrives while the bot is down
    charge = payment["successful_payment"]["telegram_payment_charge_id"]
    bot = await harness.start(credit_packs=PACKS)
    await harness.reply_in(chat["id"], lambda m: charge in text_of(m))
    await bot.shutdown()

    await harness.start(credit_packs=PACKS)
    with watching(f"payment {charge} of user 1001") as watch:
        tg.repeat_update(payment)  # Telegram delivers it again after the restart
        await asyncio.wait_for(watch.seen.wait(), 10)
    assert purchases(harness) == [(charge, 50000, 200, None)]
    assert bonus_explained(harness, 1001) == 50000


async def test_pre_checkout_refuses_what_is_not_a_current_offer(harness: Harness) -> None:
    tg = harness.tg
    bot = await harness.start(credit_packs=PACKS)
    alice = tg.user(1001, "Alice", username="alice")
    bob = tg.user(1002, "Bob", language_code="zh-hans")
    tg.private_chat(bob)
    invoice = await invoice_for(harness, alice)
    payload = tg.invoice_of(invoice)["payload"]

    cases = [
        (alice, {"payload": payload.replace(".10000.50.", ".10000.5.")}, "checkout_unknown"),
        (alice, {"payload": "something else"}, "checkout_unknown"),
        (alice, {"total_amount": 5}, "checkout_changed"),
        (bob, {}, "checkout_other_user"),
    ]
    for who, tampered, key in cases:
        answer = await answered(harness, tg.pre_checkout(who, invoice, **tampered))
        assert (answer.ok, answer.error_message) == (False, t(key, who["language_code"]))
    assert (await answered(harness, tg.pre_checkout(alice, invoice))).ok
    await bot.shutdown()

    # The operator repriced the pack: the old invoice is no longer an offer.
    await harness.start(credit_packs="100:60,500:200")
    answer = await answered(harness, tg.pre_checkout(alice, invoice))
    assert (answer.ok, answer.error_message) == (False, t("checkout_changed"))
    assert purchases(harness) == []


async def test_a_banned_user_can_not_buy(harness: Harness) -> None:
    tg = harness.tg
    await harness.start(credit_packs=PACKS)
    alice, chat, admin, admin_chat = people(tg)
    invoice = await invoice_for(harness, alice)
    tg.send_text(admin_chat, admin, "/ban 1001")
    await harness.reply_in(admin_chat["id"], lambda m: "1001" in text_of(m))

    answer = await answered(harness, tg.pre_checkout(alice, invoice))
    assert (answer.ok, answer.error_message) == (False, t("checkout_banned"))
    menu = next(m for m in tg.bot_messages(chat["id"]) if buttons(m))
    query = tg.press_button(chat, alice, menu["message_id"], "buy:10000:50")
    await tg.wait_for(lambda: query in tg.callback_answers)
    assert tg.callback_answers[query]["text"] == t("banned")
    assert len([m for m in tg.bot_messages(chat["id"]) if "invoice" in m]) == 1


async def test_refund_takes_back_what_was_not_spent(harness: Harness) -> None:
    tg = harness.tg
    await harness.start(credit_packs=PACKS, daily_credits=0)
    alice, chat, admin, admin_chat = people(tg)
    charge = await buy(harness, alice, chat)
    tg.send_text(chat, alice, "/imagine a lighthouse")  # 1 credit, from the bought ones
    await harness.reply_in(chat["id"], lambda m: bool(m.get("photo")))
    await tg.wait_for(lambda: ("charge", 100) in harness.ledger(1001))

    tg.send_text(admin_chat, admin, f"/refund {charge}")
    done = await harness.reply_in(admin_chat["id"], lambda m: "Refunded" in text_of(m))
    assert text_of(done) == (
        "Refunded 50 ⭐ to @alice (1001). Took back 99 of the pack's 100 credits (the rest "
        "was spent); their bonus credits are now 0."
    )
    assert tg.payments.charges[charge].refunded
    notice = t("refund_notice", stars=50, charge=charge, taken="99", bonus="0")
    await harness.reply_in(chat["id"], lambda m: text_of(m) == notice)  # Telegram's notice
    assert purchases(harness) == [(charge, 10000, 50, 9900)]
    assert [row for row in harness.ledger(1001) if row[0] == "refund"] == [("refund", 10000)]
    assert bonus_explained(harness, 1001) == 0

    for command, key in (
        (f"/refund {charge}", "refund_already"),
        ("/refund nope", "refund_unknown"),
    ):
        request = tg.send_text(admin_chat, admin, command)
        expected = t(key, charge=command.split()[1])
        await harness.reply_in(admin_chat["id"], says(expected, after=request))
    assert len(tg.calls_to("refundStarPayment")) == 1
    tg.send_text(chat, alice, "/refund anything")
    await harness.reply_in(chat["id"], lambda m: text_of(m) == t("admin_only"))


async def test_a_refund_telegram_already_made_is_finished_here(harness: Harness) -> None:
    tg = harness.tg
    await harness.start(credit_packs=PACKS)
    alice, chat, admin, admin_chat = people(tg)
    charge = await buy(harness, alice, chat)
    tg.payments.charges[charge].refunded = True  # refunded, then the bot stopped

    tg.send_text(admin_chat, admin, f"/refund {charge}")
    await harness.reply_in(admin_chat["id"], lambda m: "Took back 100 of" in text_of(m))
    assert (
        tg.calls_to("refundStarPayment")[-1].description == "Bad Request: CHARGE_ALREADY_REFUNDED"
    )
    assert bonus_explained(harness, 1001) == 0


async def test_buying_turned_off(harness: Harness) -> None:
    tg = harness.tg
    bot = await harness.start(credit_packs=PACKS)
    alice = tg.user(1001, "Alice", username="alice", language_code="zh")
    chat = tg.private_chat(alice)
    invoice = await invoice_for(harness, alice)
    menu = tg.calls_to("setMyCommands")[0].params["commands"]
    assert "buy" in [command["command"] for command in menu]  # so does the menu
    tg.send_text(chat, alice, "/help")  # /help names /buy while packs are on sale
    await harness.reply_in(chat["id"], lambda m: t("help_buy", "zh") in text_of(m))
    await bot.shutdown()

    await harness.start()  # CREDIT_PACKS unset
    asked = tg.send_text(chat, alice, "/help")
    helped = await harness.reply_in(
        chat["id"],
        lambda m: m["message_id"] > asked["message_id"] and "/settings" in text_of(m),
    )
    assert t("help_buy", "zh") not in text_of(helped)
    request = tg.send_text(chat, alice, "/buy")
    await harness.reply_in(
        chat["id"],
        lambda m: m["message_id"] > request["message_id"] and text_of(m) == t("buy_off", "zh"),
    )
    answer = await answered(harness, tg.pre_checkout(alice, invoice))
    assert (answer.ok, answer.error_message) == (False, t("checkout_off", "zh"))
    tg.send_text(chat, alice, "/paysupport")
    await harness.reply_in(chat["id"], lambda m: text_of(m) == t("paysupport", "zh"))


async def test_stats_show_stars_income(harness: Harness) -> None:
    tg = harness.tg
    await harness.start(credit_packs=PACKS, paysupport_text="Write to @owner.")
    alice, chat, admin, admin_chat = people(tg)
    for pack in ("10000:50", "50000:200"):
        payment = await tg.pay(alice, await invoice_for(harness, alice, pack))
        assert payment is not None
        charge = payment["successful_payment"]["telegram_payment_charge_id"]
        await harness.reply_in(chat["id"], mentions(charge))
    tg.send_text(chat, alice, "/paysupport")
    await harness.reply_in(chat["id"], lambda m: text_of(m) == "Write to @owner.")

    tg.send_text(admin_chat, admin, "/stats")
    stats = await harness.reply_in(admin_chat["id"], lambda m: "Telegram Stars" in text_of(m))
    assert (
        "Telegram Stars: 250 ⭐ income from 2 packs sold (100 credits ×1, 500 credits ×1); "
        "refunds: 0 (0 ⭐)."
    ) in text_of(stats)


async def test_a_refund_telegram_makes_on_its_own_takes_the_credits_back(
    harness: Harness,
) -> None:
    tg = harness.tg
    await harness.start(credit_packs=PACKS)
    alice, chat, admin, admin_chat = people(tg)
    charge = await buy(harness, alice, chat)

    tg.refund(charge)  # e.g. Telegram's support refunded it
    notice = t("refund_notice", stars=50, charge=charge, taken="100", bonus="0")
    await harness.reply_in(chat["id"], lambda m: text_of(m) == notice)
    assert purchases(harness) == [(charge, 10000, 50, 10000)]
    assert bonus_explained(harness, 1001) == 0
    request = tg.send_text(admin_chat, admin, f"/refund {charge}")
    expected = t("refund_already", charge=charge)
    await harness.reply_in(admin_chat["id"], says(expected, after=request))
    assert tg.calls_to("refundStarPayment") == []


async def test_a_payment_whose_invoice_it_can_not_read_is_kept_for_a_refund(
    harness: Harness,
) -> None:
    tg = harness.tg
    await harness.start(credit_packs=PACKS)
    alice, chat, admin, admin_chat = people(tg)
    invoice = await invoice_for(harness, alice)
    # As after a new bot token: the signature no longer matches, Telegram took the Stars.
    tg.invoice_of(invoice)["payload"] = "p1.10000.50.1001.forged"
    payment = tg.successful_payment(alice, invoice)
    charge = payment["successful_payment"]["telegram_payment_charge_id"]
    await harness.reply_in(
        chat["id"], lambda m: text_of(m) == t("payment_unreadable", charge=charge)
    )
    assert purchases(harness) == [(charge, 0, 50, None)]
    assert bonus_explained(harness, 1001) == 0

    tg.send_text(admin_chat, admin, f"/refund {charge}")
    await harness.reply_in(admin_chat["id"], mentions("Refunded 50 ⭐ to @alice (1001)"))
    assert tg.payments.charges[charge].refunded


async def test_paysupport_answers_a_banned_buyer_too(harness: Harness) -> None:
    tg = harness.tg
    await harness.start(credit_packs=PACKS)
    alice, chat, admin, admin_chat = people(tg)
    tg.send_text(admin_chat, admin, "/ban 1001")
    await harness.reply_in(admin_chat["id"], mentions("1001"))
    tg.send_text(chat, alice, "/paysupport")
    await harness.reply_in(chat["id"], lambda m: text_of(m) == t("paysupport"))
