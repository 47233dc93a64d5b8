"""Balance changes, each written as an append-only ledger row in the caller's transaction.

Invariant (tested with hypothesis): for every user, `users.bonus == SUM(bonus_delta)` and
`users.daily_left == SUM(daily_delta)`, and both stay >= 0. `users.daily_used` is what the
user took from today's allowance; the amount left is always `max(0, limit - used)`, so a
change of limit or a refund can never hand out more than the day allows.

Functions here take the open connection of a `BEGIN IMMEDIATE` transaction and never
commit themselves.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from bot.credits import Split, release_after_charge, split_charge, split_reservation
from storage.database import Connection


@dataclass(frozen=True, slots=True)
class DayState:
    daily_left: int
    daily_limit: int
    bonus: int
    daily_used: int = 0


async def ensure_user_row(conn: Connection, user_id: int, now: float) -> None:
    await conn.execute(
        "INSERT OR IGNORE INTO users (user_id, created_at, updated_at) VALUES (?, ?, ?)",
        (user_id, now, now),
    )


async def _row(
    conn: Connection,
    at: float,
    user_id: int,
    kind: str,
    amount: int,
    *,
    job_id: int | None = None,
    daily: int = 0,
    bonus: int = 0,
    note: str | None = None,
) -> None:
    await conn.execute(
        "INSERT INTO ledger (at, user_id, job_id, kind, amount, daily_delta, bonus_delta, note)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (at, user_id, job_id, kind, amount, daily, bonus, note),
    )
    if daily or bonus:
        await conn.execute(
            "UPDATE users SET daily_left = daily_left + ?, bonus = bonus + ?, updated_at = ?"
            " WHERE user_id = ?",
            (daily, bonus, at, user_id),
        )


def limit_of(user_row: sqlite3.Row, default_limit: int) -> int:
    """A user's daily allowance: their own limit when an admin set one, else the default."""
    limit = user_row["daily_limit"]
    return default_limit if limit is None else int(limit)


async def roll_day(
    conn: Connection, user_id: int, today: str, default_limit: int, now: float
) -> DayState:
    """Refill the daily allowance lazily the first time a user is touched on a new day."""
    await ensure_user_row(conn, user_id, now)
    cur = await conn.execute(
        "SELECT daily_left, daily_used, daily_day, daily_limit, bonus FROM users"
        " WHERE user_id = ?",
        (user_id,),
    )
    row = await cur.fetchone()
    assert row is not None
    limit = limit_of(row, default_limit)
    left, used = row["daily_left"], row["daily_used"]
    if row["daily_day"] != today:
        await _row(conn, now, user_id, "daily_reset", limit, daily=limit - left, note=today)
        await conn.execute(
            "UPDATE users SET daily_day = ?, daily_used = 0 WHERE user_id = ?", (today, user_id)
        )
        left, used = limit, 0
    return DayState(left, limit, row["bonus"], used)


async def _add_used(conn: Connection, user_id: int, amount: int) -> None:
    await conn.execute(
        "UPDATE users SET daily_used = MAX(0, daily_used + ?) WHERE user_id = ?",
        (amount, user_id),
    )


async def reserve(
    conn: Connection,
    user_id: int,
    job_id: int,
    cost: int,
    state: DayState,
    now: float,
) -> Split | None:
    split = split_reservation(cost, state.daily_left, state.bonus)
    if split is None:
        return None
    if split.total:
        await _row(
            conn,
            now,
            user_id,
            "reserve",
            cost,
            job_id=job_id,
            daily=-split.daily,
            bonus=-split.bonus,
        )
        await _add_used(conn, user_id, split.daily)
    return split


async def settle(
    conn: Connection,
    user_id: int,
    job_id: int,
    reserved: Split,
    reserved_day: str | None,
    charged: int,
    state: DayState,
    today: str,
    now: float,
) -> int:
    """Charge what was produced, give back the rest; returns the amount really charged.

    Daily credits reserved on an earlier day are not given back: that allowance expired at
    the reset (the user already got a fresh one), so returning it would mint credits.
    """
    consumed = split_charge(charged, reserved)
    if consumed.total:
        await _row(conn, now, user_id, "charge", consumed.total, job_id=job_id)
    back = release_after_charge(charged, reserved)
    if back.total:
        # The daily part goes back to today's allowance only if it came out of it.
        same_day = reserved_day == today
        used_now = max(0, state.daily_used - back.daily)
        daily_back = max(0, state.daily_limit - used_now) - state.daily_left if same_day else 0
        await _row(
            conn,
            now,
            user_id,
            "release",
            back.total,
            job_id=job_id,
            daily=daily_back,
            bonus=back.bonus,
            note=None if same_day or not back.daily else "daily part expired",
        )
        if same_day:
            await _add_used(conn, user_id, -back.daily)
    return consumed.total


async def grant(
    conn: Connection, user_id: int, amount: int, bonus_now: int, now: float, note: str
) -> int:
    """Add (or, negative, take away without going below zero) bonus credits."""
    delta = max(amount, -bonus_now)
    await _row(conn, now, user_id, "grant", amount, bonus=delta, note=note)
    return delta


async def change_limit(
    conn: Connection,
    user_id: int,
    new_limit: int | None,
    state: DayState,
    default_limit: int,
    now: float,
) -> None:
    """Set a per-user allowance; today's balance moves by the difference, never below zero."""
    effective = new_limit if new_limit is not None else default_limit
    delta = max(0, effective - state.daily_used) - state.daily_left
    await _row(conn, now, user_id, "limit", effective, daily=delta)
    await conn.execute("UPDATE users SET daily_limit = ? WHERE user_id = ?", (new_limit, user_id))


async def purchase(conn: Connection, user_id: int, amount: int, now: float, note: str) -> None:
    """Credits bought with Telegram Stars, added to the bonus balance (PRODUCT.md §5a)."""
    await _row(conn, now, user_id, "purchase", amount, bonus=amount, note=note)


async def take_back(
    conn: Connection, user_id: int, amount: int, bonus_now: int, now: float, note: str
) -> int:
    """A refunded purchase: up to `amount` leaves the bonus balance, never below zero.

    Returns what was taken; the row's amount is the pack's credits, its delta what went.
    """
    taken = min(amount, bonus_now)
    await _row(conn, now, user_id, "refund", amount, bonus=-taken, note=note)
    return taken
