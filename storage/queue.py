"""Small reads for the hot path and for operators: the queue's order and counts by state.

The scheduler and the queue board run often; they read ids and counts here instead of
loading every unfinished job (`Jobs.unfinished` is for start-up recovery only).
"""

from __future__ import annotations

from storage.database import Database


class Queue:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def line(self) -> list[tuple[int, int]]:
        """The visible waiting jobs' (id, chat id) in queue order (place = index + 1)."""
        async with self._db.read() as conn:
            cur = await conn.execute(
                "SELECT id, chat_id FROM jobs WHERE state = 'queued' AND visible = 1 ORDER BY id"
            )
            return [(int(row[0]), int(row[1])) for row in await cur.fetchall()]

    async def count_by_state(self) -> dict[str, int]:
        """How many jobs are in each state (/metrics)."""
        async with self._db.read() as conn:
            cur = await conn.execute("SELECT state, COUNT(*) FROM jobs GROUP BY state")
            return {str(row[0]): int(row[1]) for row in await cur.fetchall()}
