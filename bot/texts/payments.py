"""Buying credits with Telegram Stars (/buy, invoices, pre-checkout answers, receipts),
/paysupport, and the admin's /refund (PRODUCT.md §5a, §6)."""

from __future__ import annotations

from typing import Final

TEXTS: Final[dict[str, dict[str, str]]] = {
    # --- /buy -----------------------------------------------------------------------------
    "help_buy": {  # a /help line, shown only when CREDIT_PACKS is set
        "en": "/buy - more credits for Telegram Stars · /paysupport - help with a purchase",
        "zh": "/buy - 用 Telegram Stars 购买额度 · /paysupport - 购买帮助",
    },
    "buy_off": {
        "en": "Buying credits is not available in this bot.",
        "zh": "本机器人暂不支持购买额度。",
    },
    "buy_intro": {
        "en": "Buy credits with Telegram Stars. Bought credits join your bonus credits, which "
        "are used once the daily ones run out, and they do not expire.\n\n{packs}\n\n"
        "Tap a pack to get its invoice. Help with a payment: /paysupport",
        "zh": "用 Telegram 星星购买额度。购买的额度计入奖励额度，在每日额度用完后使用，"
        "且不会过期。\n\n{packs}\n\n点击套餐获取账单。付款问题：/paysupport",
    },
    "buy_pack_line": {
        "en": "{credits} credits for {stars} ⭐ (≈ {pictures} pictures or {videos} s of video)",
        "zh": "{credits} 额度 = {stars} ⭐（约 {pictures} 张图片或 {videos} 秒视频）",
    },
    "buy_button": {"en": "{credits} credits · {stars} ⭐", "zh": "{credits} 额度 · {stars} ⭐"},
    "buy_pack_gone": {
        "en": "That pack is no longer offered. Send /buy to see the current ones.",
        "zh": "该套餐已下架。发送 /buy 查看当前套餐。",
    },
    "buy_invoice_sent": {"en": "Invoice sent.", "zh": "账单已发送。"},
    # The invoice itself: title 1-32 characters, description 1-255 (Bot API).
    "invoice_title": {"en": "{credits} credits", "zh": "{credits} 额度"},
    "invoice_description": {
        "en": "{credits} credits for pictures and videos (≈ {pictures} pictures), added to "
        "your bonus credits.",
        "zh": "{credits} 额度，用于生成图片和视频（约 {pictures} 张图片），计入你的奖励额度。",
    },
    "invoice_label": {"en": "{credits} credits", "zh": "{credits} 额度"},
    # --- pre-checkout refusals (Telegram shows them in the payment form) -----------------------
    "checkout_unknown": {
        "en": "This invoice is not valid. Please send /buy and pick a pack again.",
        "zh": "此账单无效。请发送 /buy 重新选择套餐。",
    },
    "checkout_changed": {
        "en": "This pack is no longer offered at this price. Please send /buy and pick a "
        "current one.",
        "zh": "该套餐已不再以此价格提供。请发送 /buy 选择当前套餐。",
    },
    "checkout_other_user": {
        "en": "This invoice was made for someone else. Send /buy to get your own.",
        "zh": "此账单属于其他用户。请发送 /buy 获取你自己的账单。",
    },
    "checkout_banned": {
        "en": "You can't buy credits: this account is blocked in this bot.",
        "zh": "你无法购买额度：此账号已被本机器人封禁。",
    },
    "checkout_off": {
        "en": "Buying credits is not available any more.",
        "zh": "购买额度功能已关闭。",
    },
    # --- after paying ---------------------------------------------------------------------
    "payment_thanks": {
        "en": "Thank you! {credits} credits were added. Your bonus credits: {bonus}.\n"
        "Receipt (charge id, for /paysupport): {charge}",
        "zh": "谢谢！已添加 {credits} 额度。你的奖励额度：{bonus}。\n"
        "收据（支付编号，用于 /paysupport）：{charge}",
    },
    "payment_unreadable": {
        "en": "Your payment arrived, but I could not tell which pack it was for. Please "
        "send /paysupport: an admin can check it. Charge id: {charge}",
        "zh": "已收到你的付款，但无法识别对应的套餐。请发送 /paysupport，管理员会处理。"
        "支付编号：{charge}",
    },
    "paysupport": {
        "en": "Help with a purchase: write to the people who run this bot and give them the "
        "charge id from your receipt (the thank-you message after paying). They can check it "
        "and refund the Stars. Telegram's support cannot help with purchases in bots.",
        "zh": "购买问题：请联系本机器人的运营者，并提供收据（付款后的感谢消息）中的支付编号。"
        "他们可以核实并退还星星。Telegram 官方客服无法处理机器人内的购买问题。",
    },
    # --- /quota and /stats --------------------------------------------------------------------
    "quota_bought": {
        "en": "Bought with Stars: {credits} credits ({count}). /buy for more.",
        "zh": "用星星购买：{credits} 额度（{count}）。发送 /buy 购买更多。",
    },
    "quota_buy_hint": {
        "en": "More credits: /buy (Telegram Stars).",
        "zh": "需要更多额度：/buy（Telegram 星星）。",
    },
    "stats_sales": {
        "en": "Telegram Stars: {stars} ⭐ income from {sold} packs sold{packs}; "
        "refunds: {refunds} ({refunded} ⭐).",
        "zh": "Telegram 星星：收入 {stars} ⭐，售出 {sold} 个套餐{packs}；退款 {refunds} 笔"
        "（{refunded} ⭐）。",
    },
    "stats_sales_pack": {"en": "{credits} credits ×{count}", "zh": "{credits} 额度 ×{count}"},
    # --- /refund (admins) -----------------------------------------------------------------------
    "usage_refund": {"en": "/refund <charge id>", "zh": "/refund <支付编号>"},
    "refund_unknown": {
        "en": "No purchase has the charge id {charge}.",
        "zh": "没有支付编号为 {charge} 的购买记录。",
    },
    "refund_already": {
        "en": "The purchase {charge} was already refunded.",
        "zh": "购买 {charge} 已经退款。",
    },
    "refund_done": {
        "en": "Refunded {stars} ⭐ to {who}. Took back {taken} of the pack's {credits} credits "
        "(the rest was spent); their bonus credits are now {bonus}.",
        "zh": "已向 {who} 退还 {stars} ⭐。收回该套餐 {credits} 额度中的 {taken}"
        "（其余已用掉）；其奖励额度现为 {bonus}。",
    },
    "refund_notice": {
        "en": "Your payment {charge} was refunded: {stars} ⭐ went back to you, and the "
        "{taken} credits of it you had not used were taken back. Your bonus credits: {bonus}.",
        "zh": "你的付款 {charge} 已退款：{stars} ⭐ 已退回，未使用的 {taken} 额度已收回。"
        "你的奖励额度：{bonus}。",
    },
    "refund_failed": {
        "en": "Telegram did not refund {charge}: {reason}. Nothing was changed.",
        "zh": "Telegram 未能退款 {charge}：{reason}。未做任何更改。",
    },
    # --- command menu ------------------------------------------------------------------------
    "cmd_buy": {"en": "Buy credits with Telegram Stars", "zh": "用 Telegram 星星购买额度"},
    "cmd_paysupport": {"en": "Help with a purchase", "zh": "购买帮助"},
    "cmd_refund": {"en": "Admin: refund a Stars purchase", "zh": "管理员：退款星星购买"},
}
