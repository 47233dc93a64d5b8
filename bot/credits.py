"""Credit arithmetic in integer hundredths (PRODUCT.md §5): pure functions, no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal


def to_cents(credits: Decimal | int | float | str) -> int:
    """Credits -> hundredths, rounding half up (1.005 -> 101)."""
    return int(Decimal(str(credits)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) * 100)


def format_credits(cents: int) -> str:
    """Hundredths -> '1', '1.2', '0.05' (no trailing zeros)."""
    sign = "-" if cents < 0 else ""
    whole, frac = divmod(abs(cents), 100)
    return f"{sign}{whole}" if frac == 0 else f"{sign}{whole}.{frac:02d}".rstrip("0")


@dataclass(frozen=True, slots=True)
class Split:
    """An amount divided between the daily allowance and the bonus balance."""

    daily: int
    bonus: int

    @property
    def total(self) -> int:
        return self.daily + self.bonus


def split_reservation(cost: int, daily_left: int, bonus: int) -> Split | None:
    """Take `cost` from daily credits first, then bonus; None when both together fall short."""
    if cost < 0:
        raise ValueError("cost must not be negative")
    if cost > daily_left + bonus:
        return None
    daily = min(cost, daily_left)
    return Split(daily, cost - daily)


def split_charge(charged: int, reserved: Split) -> Split:
    """Which part of a reservation a charge consumes: daily first, like the reservation."""
    charged = max(0, min(charged, reserved.total))
    daily = min(charged, reserved.daily)
    return Split(daily, charged - daily)


def release_after_charge(charged: int, reserved: Split) -> Split:
    """What goes back to each balance once `charged` of `reserved` was really used."""
    used = split_charge(charged, reserved)
    return Split(reserved.daily - used.daily, reserved.bonus - used.bonus)
