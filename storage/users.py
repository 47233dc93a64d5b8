"""Users and their balances: intention-named methods over `users` and `ledger`."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.clock import Clock, day_of
from storage import ledger
from storage.database import Database
from storage.models import Balance, UserRecord


class Users:
    def __init__(self, db: Database, clock: Clock, zone: ZoneInfo, default_limit: int) -> None:
        self._db = db
        self._clock = clock
        self._zone = zone
        self.default_limit = default_limit

    def today(self) -> str:
        return day_of(self._clock.now(), self._zone)

    async def remember(
        self, user_id: int, username: str | None, first_name: str | None, language: str | None
    ) -> None:
        """Keep the latest name and language so admins can say `@name` and texts fit.

        A username belongs to one account at a time: whoever is seen with it now takes it
        from any older row, so `/grant @bob` never reaches bob's previous holder."""
        now = self._clock.now()
        name = username.lower() if username else None
        async with self._db.transaction() as conn:
            await ledger.ensure_user_row(conn, user_id, now)
            if name is not None:
                await conn.execute(
                    "UPDATE users SET username = NULL, updated_at = ?"
                    " WHERE username = ? COLLATE NOCASE AND user_id != ?",
                    (now, name, user_id),
                )
            await conn.execute(
                "UPDATE users SET username = ?, first_name = ?,"
                " language = COALESCE(?, language), updated_at = ? WHERE user_id = ?",
                (name, first_name, language, now, user_id),
            )

    async def find_by_username(self, username: str) -> int | None:
        async with self._db.read() as conn:
            cur = await conn.execute(
                "SELECT user_id FROM users WHERE username = ? COLLATE NOCASE"
                " ORDER BY updated_at DESC LIMIT 1",  # rows from before holders were unique
                (username.lstrip("@").lower(),),
            )
            row = await cur.fetchone()
        return int(row["user_id"]) if row else None

    async def get(self, user_id: int) -> UserRecord | None:
        async with self._db.read() as conn:
            cur = await conn.execute("SELECT * FROM users WHERE user_id = ?", (user_id,))
            row = await cur.fetchone()
        if row is None:
            return None
        return UserRecord(
            user_id=row["user_id"],
            username=row["username"],
            first_name=row["first_name"],
            language=row["language"],
            daily_limit=row["daily_limit"],
            banned=bool(row["banned"]),
            ban_reason=row["ban_reason"],
            bonus=row["bonus"],
            daily_left=row["daily_left"],
            daily_day=row["daily_day"],
        )

    async def is_banned(self, user_id: int) -> bool:
        record = await self.get(user_id)
        return bool(record and record.banned)

    async def balance(self, user_id: int) -> Balance:
        """Today's balance; refills the daily allowance first when the day has changed."""
        today = self.today()
        async with self._db.read() as conn:  # most asks come on a day already rolled
            cur = await conn.execute(
                "SELECT daily_left, daily_day, daily_limit, bonus FROM users WHERE user_id = ?",
                (user_id,),
            )
            row = await cur.fetchone()
        if row is not None and row["daily_day"] == today:
            limit = ledger.limit_of(row, self.default_limit)
            return Balance(row["daily_left"], limit, row["bonus"], today)
        async with self._db.transaction() as conn:
            state = await ledger.roll_day(
                conn, user_id, today, self.default_limit, self._clock.now()
            )
        return Balance(state.daily_left, state.daily_limit, state.bonus, today)

    async def grant(self, user_id: int, amount: int, note: str) -> Balance:
        today = self.today()
        now = self._clock.now()
        async with self._db.transaction() as conn:
            state = await ledger.roll_day(conn, user_id, today, self.default_limit, now)
            delta = await ledger.grant(conn, user_id, amount, state.bonus, now, note)
        return Balance(state.daily_left, state.daily_limit, state.bonus + delta, today)

    async def set_daily_limit(self, user_id: int, limit: int | None) -> Balance:
        """`limit=None` goes back to the default allowance."""
        today = self.today()
        now = self._clock.now()
        async with self._db.transaction() as conn:
            state = await ledger.roll_day(conn, user_id, today, self.default_limit, now)
            await ledger.change_limit(conn, user_id, limit, state, self.default_limit, now)
            state = await ledger.roll_day(conn, user_id, today, self.default_limit, now)
        return Balance(state.daily_left, state.daily_limit, state.bonus, today)

    async def set_banned(self, user_id: int, banned: bool, reason: str | None = None) -> None:
        now = self._clock.now()
        async with self._db.transaction() as conn:
            await ledger.ensure_user_row(conn, user_id, now)
            await conn.execute(
                "UPDATE users SET banned = ?, ban_reason = ?, updated_at = ? WHERE user_id = ?",
                (int(banned), reason if banned else None, now, user_id),
            )
