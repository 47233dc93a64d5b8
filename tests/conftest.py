"""Helpers shared by the unit tests: a hand-set clock and ledger checks on a real SQLite file."""

from __future__ import annotations

from storage import Storage


class ManualClock:
    """A clock tests set and advance by hand."""

    def __init__(self, start: float) -> None:
        self.value = start

    def now(self) -> float:
        return self.value

    def advance(self, seconds: float) -> None:
        self.value += seconds


async def ledger_sums(storage: Storage, user_id: int) -> tuple[int, int]:
    """(SUM daily_delta, SUM bonus_delta): what the user's balances must equal."""
    async with storage.db.read() as conn:
        cur = await conn.execute(
            "SELECT COALESCE(SUM(daily_delta), 0), COALESCE(SUM(bonus_delta), 0)"
            " FROM ledger WHERE user_id = ?",
            (user_id,),
        )
        row = await cur.fetchone()
    assert row is not None
    return int(row[0]), int(row[1])
