"""Telegram Stars purchases (PRODUCT.md §5a): one row per charge, credits through the ledger.

A charge id is the `purchases` primary key, and the row, its ledger `purchase` row and the
balance change are written in one `BEGIN IMMEDIATE` transaction: the same payment arriving
twice, or again after a restart, finds its row and adds nothing. A refund marks the row in
the transaction that takes the credits back, so it can happen only once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from bot.clock import Clock
from bot.credits import format_credits
from storage import ledger
from storage.database import Database
from storage.users import Users


@dataclass(frozen=True, slots=True)
class Purchase:
    charge_id: str
    user_id: int
    credits: int
    stars: int
    at: float
    refunded: bool
    taken_back: int | None


@dataclass(frozen=True, slots=True)
class Recorded:
    """What `record` did: `added` is False for a charge counted before."""

    added: bool
    bonus: int  # the buyer's bonus balance afterwards


@dataclass(frozen=True, slots=True)
class Refunded:
    outcome: Literal["refunded", "unknown", "already"]
    purchase: Purchase | None = None
    taken: int = 0  # credits this call took back (what was left of the pack's)
    bonus: int = 0  # the buyer's bonus balance now


@dataclass(slots=True)
class Sales:
    """The Stars side of `/stats` for a period."""

    stars: int = 0  # paid, refunds not subtracted
    refunded_stars: int = 0
    refunds: int = 0
    packs: dict[tuple[int, int], int] = field(default_factory=dict)  # (credits, stars) -> sold

    @property
    def sold(self) -> int:
        return sum(self.packs.values())


def ledger_note(charge_id: str, credits: int, stars: int) -> str:
    """What the ledger row says: the charge and the pack (`credits:stars`)."""
    return f"charge {charge_id}, pack {format_credits(credits)}:{stars}"


class Purchases:
    def __init__(self, db: Database, users: Users, clock: Clock) -> None:
        self._db = db
        self._users = users
        self._clock = clock

    async def record(
        self, charge_id: str, user_id: int, credits: int, stars: int, payload: str
    ) -> Recorded:
        """Count a successful payment once: its credits join the buyer's bonus balance."""
        now, today = self._clock.now(), self._users.today()
        async with self._db.transaction() as conn:
            cur = await conn.execute(
                "INSERT OR IGNORE INTO purchases (charge_id, user_id, credits, stars, payload, at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (charge_id, user_id, credits, stars, payload, now),
            )
            added = cur.rowcount == 1
            state = await ledger.roll_day(conn, user_id, today, self._users.default_limit, now)
            if added and credits:
                note = ledger_note(charge_id, credits, stars)
                await ledger.purchase(conn, user_id, credits, now, note)
                return Recorded(True, state.bonus + credits)
        return Recorded(added, state.bonus)

    async def get(self, charge_id: str) -> Purchase | None:
        async with self._db.read() as conn:
            cur = await conn.execute("SELECT * FROM purchases WHERE charge_id = ?", (charge_id,))
            row = await cur.fetchone()
        if row is None:
            return None
        return Purchase(
            charge_id=row["charge_id"],
            user_id=row["user_id"],
            credits=row["credits"],
            stars=row["stars"],
            at=row["at"],
            refunded=row["refunded_at"] is not None,
            taken_back=row["taken_back"],
        )

    async def refund(self, charge_id: str) -> Refunded:
        """After Telegram returned the Stars: take back what is left of the pack's credits.

        Both the admin's /refund and Telegram's refund notice call this; whichever comes
        first takes the credits, the other finds the purchase refunded ("already").
        """
        now, today = self._clock.now(), self._users.today()
        async with self._db.transaction() as conn:
            cur = await conn.execute(
                "SELECT user_id, credits, stars, refunded_at FROM purchases WHERE charge_id = ?",
                (charge_id,),
            )
            row = await cur.fetchone()
            if row is None:
                return Refunded("unknown")
            user_id, credits, stars = row["user_id"], row["credits"], row["stars"]
            state = await ledger.roll_day(conn, user_id, today, self._users.default_limit, now)
            fresh, taken = row["refunded_at"] is None, 0
            if fresh:
                note = "refund of " + ledger_note(charge_id, credits, stars)
                taken = await ledger.take_back(conn, user_id, credits, state.bonus, now, note)
                await conn.execute(
                    "UPDATE purchases SET refunded_at = ?, taken_back = ? WHERE charge_id = ?",
                    (now, taken, charge_id),
                )
        purchase = await self.get(charge_id)
        outcome: Literal["refunded", "already"] = "refunded" if fresh else "already"
        return Refunded(outcome, purchase, taken, state.bonus - taken)

    async def bought(self, user_id: int) -> tuple[int, int]:
        """(credits bought and not refunded, number of such purchases) for `/quota`."""
        async with self._db.read() as conn:
            cur = await conn.execute(
                "SELECT COALESCE(SUM(credits), 0), COUNT(*) FROM purchases"
                " WHERE user_id = ? AND refunded_at IS NULL",
                (user_id,),
            )
            row = await cur.fetchone()
        return (int(row[0]), int(row[1])) if row else (0, 0)

    async def sales(self, since: float) -> Sales:
        """Stars paid and packs sold since `since`, and the refunds made since then."""
        sales = Sales()
        async with self._db.read(scan=True) as conn:
            cur = await conn.execute(
                "SELECT credits, stars, COUNT(*) FROM purchases WHERE at >= ?"
                " GROUP BY credits, stars",
                (since,),
            )
            for credits, stars, count in await cur.fetchall():
                sales.packs[(credits, stars)] = count
                sales.stars += stars * count
            cur = await conn.execute(
                "SELECT COALESCE(SUM(stars), 0), COUNT(*) FROM purchases WHERE refunded_at >= ?",
                (since,),
            )
            row = await cur.fetchone()
        if row is not None:
            sales.refunded_stars, sales.refunds = int(row[0]), int(row[1])
        return sales
