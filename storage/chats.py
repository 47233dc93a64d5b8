"""Per-group settings: an optional daily cap on what all members together may spend."""

from __future__ import annotations

from bot.clock import Clock
from storage.database import Connection, Database


class Chats:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    async def set_daily_limit(self, chat_id: int, limit: int | None) -> None:
        """`None` removes the cap."""
        async with self._db.transaction() as conn:
            if limit is None:
                await conn.execute("DELETE FROM chat_limits WHERE chat_id = ?", (chat_id,))
            else:
                await conn.execute(
                    "INSERT INTO chat_limits (chat_id, daily_limit, updated_at) VALUES (?, ?, ?)"
                    " ON CONFLICT(chat_id) DO UPDATE SET daily_limit = excluded.daily_limit,"
                    " updated_at = excluded.updated_at",
                    (chat_id, limit, self._clock.now()),
                )


async def chat_limit(conn: Connection, chat_id: int) -> int | None:
    cur = await conn.execute("SELECT daily_limit FROM chat_limits WHERE chat_id = ?", (chat_id,))
    row = await cur.fetchone()
    return int(row["daily_limit"]) if row else None


async def used_today(conn: Connection, chat_id: int, today: str) -> int:
    """Credits members reserved or were charged in this chat today (refunds excluded)."""
    cur = await conn.execute(
        "SELECT COALESCE(SUM(CASE WHEN settled THEN charged ELSE cost END), 0) FROM jobs"
        " WHERE chat_id = ? AND reserved_day = ? AND reserved_daily + reserved_bonus > 0",
        (chat_id, today),
    )
    row = await cur.fetchone()
    return int(row[0]) if row else 0
