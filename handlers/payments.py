"""Credits for Telegram Stars (PRODUCT.md §5a): /buy and its pack buttons, the invoice, the
pre-checkout answer, the successful payment, /paysupport, the admins' /refund and
Telegram's notice of a refund.

The pre-checkout query must be answered within 10 s, so its handler reads the database once
(is the buyer banned) and never waits on anything else. A payment is counted once per
Telegram charge id by `storage.purchases`, whatever number of times its update arrives.
"""

from __future__ import annotations

import logging

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LabeledPrice,
    Message,
    PreCheckoutQuery,
    Update,
    User,
)
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    PreCheckoutQueryHandler,
    filters,
)

from bot.credits import format_credits
from bot.messages import t
from bot.models import registry
from bot.packs import CURRENCY, CreditPack, find_pack, make_payload, read_payload
from bot.packs import signing_key as derive_key
from bot.services import Context, Services, services_of
from handlers.account import account_command
from handlers.admin import admin_only, log_action, name_of
from handlers.common import reply

log = logging.getLogger(__name__)
BUY_PREFIX = "buy:"
# Telegram says so when a charge was refunded before (e.g. by us, just before a restart);
# PTB changes its case ("Charge_already_refunded").
ALREADY_REFUNDED = "CHARGE_ALREADY_REFUNDED"


def signing_key(services: Services) -> bytes:
    return derive_key(services.settings.telegram_bot_token.get_secret_value())


def buys(services: Services, credits: int) -> tuple[int, int]:
    """(pictures, seconds of 720p video) `credits` pay for at the cheapest current prices."""
    pictures = max(
        credits // max(1, services.prices.rate(s.name)) for s in registry.ALL if s.kind == "image"
    )
    seconds = max(
        int(credits / max(0.01, services.prices.per_second(s.name, "720p")))
        for s in registry.ALL
        if s.kind == "video"
    )
    return pictures, seconds


def pack_line(services: Services, pack: CreditPack, lang: str | None) -> str:
    pictures, seconds = buys(services, pack.credits)
    credits = format_credits(pack.credits)
    return t(
        "buy_pack_line", lang, credits=credits, stars=pack.stars, pictures=pictures, videos=seconds
    )


def packs_keyboard(packs: tuple[CreditPack, ...], lang: str | None) -> InlineKeyboardMarkup:
    buttons = [
        InlineKeyboardButton(
            t("buy_button", lang, credits=format_credits(pack.credits), stars=pack.stars),
            callback_data=BUY_PREFIX + pack.key,
        )
        for pack in packs
    ]
    return InlineKeyboardMarkup([[button] for button in buttons])


@account_command
async def on_buy(services: Services, message: Message, user: User, context: Context) -> None:
    lang = user.language_code
    packs = services.settings.credit_packs
    if not packs:
        await reply(context.bot, message, t("buy_off", lang))
        return
    lines = "\n".join(pack_line(services, pack, lang) for pack in packs)
    text = t("buy_intro", lang, packs=lines)
    await reply(context.bot, message, text, packs_keyboard(packs, lang))


async def on_pack_button(update: Update, context: Context) -> None:
    """A pack pressed: its invoice, made out to the presser, in the same chat."""
    query = update.callback_query
    if query is None or query.data is None or query.message is None:
        return
    services = services_of(context)
    user, lang = query.from_user, query.from_user.language_code
    pack = find_pack(services.settings.credit_packs, query.data.removeprefix(BUY_PREFIX))
    if pack is None:
        await query.answer(t("buy_pack_gone", lang), show_alert=True)
        return
    if await services.is_barred(user.id):
        await query.answer(t("banned", lang), show_alert=True)
        return
    await query.answer()
    credits = format_credits(pack.credits)
    pictures, _ = buys(services, pack.credits)
    await context.bot.send_invoice(
        query.message.chat.id,
        title=t("invoice_title", lang, credits=credits),
        description=t("invoice_description", lang, credits=credits, pictures=pictures),
        payload=make_payload(signing_key(services), pack, user.id),
        currency=CURRENCY,
        prices=[LabeledPrice(t("invoice_label", lang, credits=credits), pack.stars)],
    )


async def refusal(services: Services, query: PreCheckoutQuery) -> str | None:
    """Why this checkout must not go on (a catalogue key), or None when it may."""
    if not services.settings.credit_packs:
        return "checkout_off"
    order = read_payload(signing_key(services), query.invoice_payload)
    if order is None:
        return "checkout_unknown"
    if query.currency != CURRENCY or query.total_amount != order.pack.stars:
        return "checkout_changed"
    if find_pack(services.settings.credit_packs, order.pack.key) is None:
        return "checkout_changed"
    if order.user_id != query.from_user.id:
        return "checkout_other_user"
    if await services.is_barred(query.from_user.id):
        return "checkout_banned"
    return None


async def on_pre_checkout(update: Update, context: Context) -> None:
    query = update.pre_checkout_query
    if query is None:
        return
    services = services_of(context)
    reason = await refusal(services, query)
    if reason is None:
        await query.answer(ok=True)
        return
    log.info("pre-checkout of user %s refused: %s", query.from_user.id, reason)
    await query.answer(ok=False, error_message=t(reason, query.from_user.language_code))


async def on_successful_payment(update: Update, context: Context) -> None:
    message = update.message
    if message is None or message.successful_payment is None or message.from_user is None:
        return
    services = services_of(context)
    payment, user = message.successful_payment, message.from_user
    lang, charge = user.language_code, payment.telegram_payment_charge_id
    order = read_payload(signing_key(services), payment.invoice_payload)
    # Paid is paid: even a payload we can't read is recorded (with no credits), so an admin
    # can find the charge and refund it.
    credits = order.pack.credits if order is not None else 0
    recorded = await services.storage.purchases.record(
        charge, user.id, credits, payment.total_amount, payment.invoice_payload
    )
    log.info(
        "payment %s of user %s: %s Stars, %s credits%s",
        charge,
        user.id,
        payment.total_amount,
        format_credits(credits),
        "" if recorded.added else " (already counted)",
    )
    if not recorded.added:
        return  # the same payment again: counted and thanked for the first time
    if order is None:
        await reply(context.bot, message, t("payment_unreadable", lang, charge=charge))
        return
    bonus = format_credits(recorded.bonus)
    text = t("payment_thanks", lang, credits=format_credits(credits), bonus=bonus, charge=charge)
    await reply(context.bot, message, text)


async def on_paysupport(update: Update, context: Context) -> None:
    """Answered to everyone, banned users too: someone who paid may need help most."""
    message, user = update.message, update.effective_user
    if message is None:
        return
    lang = user.language_code if user is not None else None
    text = services_of(context).settings.paysupport_text or t("paysupport", lang)
    await reply(context.bot, message, text)


@admin_only
async def on_refund(
    services: Services, message: Message, admin: User, args: list[str], context: Context
) -> None:
    lang = admin.language_code
    if len(args) != 1:
        await reply(context.bot, message, t("admin_usage", lang, usage=t("usage_refund", lang)))
        return
    charge = args[0]
    purchase = await services.storage.purchases.get(charge)
    if purchase is None or purchase.refunded:
        key = "refund_unknown" if purchase is None else "refund_already"
        await reply(context.bot, message, t(key, lang, charge=charge))
        return
    try:
        await context.bot.refund_star_payment(purchase.user_id, charge)
    except TelegramError as error:
        # Refunded at Telegram but not here (a restart in between): finish it here.
        if ALREADY_REFUNDED.lower() not in str(error).lower():
            text = t("refund_failed", lang, charge=charge, reason=str(error))
            await reply(context.bot, message, text)
            return
    # Telegram's refund notice may have been handled meanwhile and taken the credits back
    # itself: either way the purchase now says what was taken.
    refunded = await services.storage.purchases.refund(charge)
    log_action(admin, "refunded", purchase.user_id, f"charge {charge}")
    taken = refunded.purchase.taken_back if refunded.purchase else None
    text = t(
        "refund_done",
        lang,
        stars=purchase.stars,
        who=await name_of(services, purchase.user_id, lang),
        taken=format_credits(taken or 0),
        credits=format_credits(purchase.credits),
        bonus=format_credits(refunded.bonus),
    )
    await reply(context.bot, message, text)


async def on_refunded_payment(update: Update, context: Context) -> None:
    """Telegram's notice that a payment was refunded (by /refund or otherwise): the credits
    are taken back once, and the buyer is told."""
    message = update.message
    if message is None or message.refunded_payment is None:
        return
    services = services_of(context)
    refund = message.refunded_payment
    charge = refund.telegram_payment_charge_id
    refunded = await services.storage.purchases.refund(charge)
    if refunded.purchase is None:
        log.warning("Telegram refunded charge %s, which this bot never recorded", charge)
        return
    log.info("charge %s refunded (%s)", charge, refunded.outcome)
    lang = message.from_user.language_code if message.from_user else None
    text = t(
        "refund_notice",
        lang,
        stars=refund.total_amount,
        charge=charge,
        taken=format_credits(refunded.purchase.taken_back or 0),
        bonus=format_credits(refunded.bonus),
    )
    await reply(context.bot, message, text)


def register(application: Application) -> None:
    only_new = filters.UpdateType.MESSAGE
    application.add_handler(CommandHandler("buy", on_buy, filters=only_new))
    application.add_handler(CommandHandler("paysupport", on_paysupport, filters=only_new))
    application.add_handler(CommandHandler("refund", on_refund, filters=only_new))
    application.add_handler(CallbackQueryHandler(on_pack_button, pattern=f"^{BUY_PREFIX}"))
    application.add_handler(PreCheckoutQueryHandler(on_pre_checkout))
    application.add_handler(MessageHandler(filters.SUCCESSFUL_PAYMENT, on_successful_payment))
    refunds = filters.StatusUpdate.REFUNDED_PAYMENT
    application.add_handler(MessageHandler(refunds, on_refunded_payment))
