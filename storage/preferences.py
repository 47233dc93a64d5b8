"""A user's saved defaults (/settings, PRODUCT.md §4a): setting name -> value, as text.

Only what the user chose is stored; a setting back at its default is forgotten, so a
default changed by the operator later reaches them too.
"""

from __future__ import annotations

from bot.clock import Clock
from storage.database import Database


class Preferences:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    async def of(self, user_id: int) -> dict[str, str]:
        """Every setting the user changed, by name."""
        async with self._db.read() as conn:
            cur = await conn.execute(
                "SELECT key, value FROM user_preferences WHERE user_id = ? ORDER BY key",
                (user_id,),
            )
            rows = await cur.fetchall()
        return {row["key"]: row["value"] for row in rows}

    async def choose(self, user_id: int, key: str, value: str | None) -> None:
        """Save `value` for `key`; None goes back to the default."""
        async with self._db.transaction() as conn:
            if value is None:
                await conn.execute(
                    "DELETE FROM user_preferences WHERE user_id = ? AND key = ?", (user_id, key)
                )
                return
            await conn.execute(
                "INSERT INTO user_preferences (user_id, key, value, updated_at)"
                " VALUES (?, ?, ?, ?) ON CONFLICT(user_id, key)"
                " DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
                (user_id, key, value, self._clock.now()),
            )
