"""What `/quota` and `/stats` say about Telegram Stars purchases (PRODUCT.md §5a, §6)."""

from __future__ import annotations

from bot.credits import format_credits
from bot.messages import t
from bot.services import Services
from bot.texts.plurals import Count


async def bought_line(services: Services, user_id: int, lang: str | None) -> str:
    """'Bought with Stars: ...' for a buyer, a pointer to /buy when packs are on sale, or ''."""
    credits, count = await services.storage.purchases.bought(user_id)
    if count:
        return t(
            "quota_bought", lang, credits=format_credits(credits), count=Count(count, "purchase")
        )
    return t("quota_buy_hint", lang) if services.settings.credit_packs else ""


async def sales_text(services: Services, since: float, lang: str | None) -> str:
    """The period's Stars income and packs sold ('' when nothing is sold and never was)."""
    sales = await services.storage.purchases.sales(since)
    if not (sales.sold or sales.refunds or services.settings.credit_packs):
        return ""
    packs = ", ".join(
        t(
            "stats_sales_pack",
            lang,
            credits=format_credits(credits),
            count=count,
        )
        for (credits, _), count in sorted(sales.packs.items())
    )
    return t(
        "stats_sales",
        lang,
        stars=sales.stars,
        sold=sales.sold,
        packs=f" ({packs})" if packs else "",
        refunds=sales.refunds,
        refunded=sales.refunded_stars,
    )
