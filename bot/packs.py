"""Credit packs sold for Telegram Stars (PRODUCT.md §5a): the `CREDIT_PACKS` setting and the
invoice payload that names a pack, its price and its buyer.

The payload travels through Telegram and comes back in the pre-checkout query and in the
successful payment, so it is signed: an HMAC whose key is derived from the bot token (never
logged, never sent). A payload someone changed, or one made by another bot, fails the check;
a pack the operator has since removed or repriced is simply not current any more.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Final

from bot.credits import to_cents

CURRENCY: Final = "XTR"  # Telegram Stars
# What one Stars invoice may ask (Telegram refuses more); a pack beyond it could never sell.
MAX_STARS: Final = 10_000
MAX_CREDITS: Final = Decimal(1_000_000)
PAYLOAD_VERSION: Final = "p1"
PAYLOAD_MAX_BYTES: Final = 128  # Bot API: invoice payload 1-128 bytes
_SIGNATURE_BYTES: Final = 12  # 96 bits: enough that a forged payload is never guessed


@dataclass(frozen=True, slots=True)
class CreditPack:
    """`credits` (hundredths) for `stars` Telegram Stars."""

    credits: int
    stars: int

    @property
    def key(self) -> str:
        """How buttons and payloads name the pack: its terms, so a repriced pack is another."""
        return f"{self.credits}:{self.stars}"


@dataclass(frozen=True, slots=True)
class Order:
    """What a verified payload says: this pack, at this price, for this user."""

    pack: CreditPack
    user_id: int


def parse_packs(text: str) -> tuple[CreditPack, ...]:
    """`100:50,500:200` -> packs; a ValueError names the part that is wrong."""
    packs: list[CreditPack] = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        pack = _parse_pack(part)
        if pack in packs:
            raise ValueError(f"{part!r} is listed twice")
        packs.append(pack)
    return tuple(packs)


def _parse_pack(part: str) -> CreditPack:
    credits_text, _, stars_text = part.partition(":")
    try:
        credits = Decimal(credits_text.strip())
        stars = int(stars_text.strip()) if stars_text.strip().isdigit() else -1
    except InvalidOperation:
        credits, stars = Decimal(-1), -1
    valid = credits.is_finite() and 0 < credits <= MAX_CREDITS and to_cents(credits) > 0
    if not valid or not 0 < stars <= MAX_STARS:
        raise ValueError(
            f"{part!r} is not credits:stars (e.g. 100:50; credits above 0, "
            f"Stars a whole number from 1 to {MAX_STARS})"
        )
    return CreditPack(to_cents(credits), stars)


def find_pack(packs: Sequence[CreditPack], key: str) -> CreditPack | None:
    """The current pack named `key` (`credits:stars`), or None when it is not on offer."""
    return next((pack for pack in packs if pack.key == key), None)


def signing_key(token: str) -> bytes:
    """The payload key, derived from the bot token (stable across restarts, secret)."""
    return hmac.new(token.encode(), b"credit-pack-payload", hashlib.sha256).digest()


def _signature(key: bytes, body: str) -> str:
    digest = hmac.new(key, body.encode(), hashlib.sha256).digest()[:_SIGNATURE_BYTES]
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def make_payload(key: bytes, pack: CreditPack, user_id: int) -> str:
    """`p1.<credits>.<stars>.<user>.<signature>`: at most ~70 bytes."""
    body = f"{PAYLOAD_VERSION}.{pack.credits}.{pack.stars}.{user_id}"
    payload = f"{body}.{_signature(key, body)}"
    assert len(payload.encode()) <= PAYLOAD_MAX_BYTES
    return payload


def read_payload(key: bytes, payload: str) -> Order | None:
    """The order a payload names, or None when it is not one this bot signed unchanged."""
    body, _, signature = payload.rpartition(".")
    parts = body.split(".")
    if len(parts) != 4 or parts[0] != PAYLOAD_VERSION:
        return None
    # As bytes: compare_digest refuses str with non-ASCII characters (any payload may come).
    if not hmac.compare_digest(signature.encode(), _signature(key, body).encode()):
        return None
    numbers = parts[1:]
    if not all(n.isascii() and n.isdigit() and len(n) < 19 for n in numbers):
        return None
    credits, stars, user_id = (int(n) for n in numbers)
    return Order(CreditPack(credits, stars), user_id)
