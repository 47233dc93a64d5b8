"""Photos and image files the bot has seen, so a reply to an album item finds the album."""

from __future__ import annotations

from bot.clock import Clock
from storage.database import Database
from storage.models import InputImage


class Media:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    async def remember(
        self, chat_id: int, message_id: int, media_group_id: str | None, image: InputImage
    ) -> None:
        async with self._db.transaction() as conn:
            await conn.execute(
                "INSERT OR REPLACE INTO media_seen (chat_id, message_id, media_group_id,"
                " file_id, kind, width, height, file_size, mime_type, seen_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    chat_id,
                    message_id,
                    media_group_id,
                    image.file_id,
                    image.kind,
                    image.width,
                    image.height,
                    image.file_size,
                    image.mime_type,
                    self._clock.now(),
                ),
            )

    async def forget_older_than(self, seconds: float) -> int:
        """Drop what was seen long ago (run at start-up); returns how many rows went."""
        async with self._db.transaction() as conn:
            cur = await conn.execute(
                "DELETE FROM media_seen WHERE seen_at < ?", (self._clock.now() - seconds,)
            )
            return cur.rowcount

    async def album(self, chat_id: int, media_group_id: str) -> list[InputImage]:
        """Every item of an album seen in this chat, in the order they were sent."""
        async with self._db.read() as conn:
            cur = await conn.execute(
                "SELECT * FROM media_seen WHERE chat_id = ? AND media_group_id = ?"
                " ORDER BY message_id",
                (chat_id, media_group_id),
            )
            rows = await cur.fetchall()
        return [
            InputImage(
                file_id=row["file_id"],
                width=row["width"],
                height=row["height"],
                file_size=row["file_size"],
                mime_type=row["mime_type"],
                kind=row["kind"],
            )
            for row in rows
        ]


class Flags:
    """Small persistent switches (for now: whether submitting is paused)."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def get(self, key: str) -> str | None:
        async with self._db.read() as conn:
            cur = await conn.execute("SELECT value FROM settings WHERE key = ?", (key,))
            row = await cur.fetchone()
        return str(row["value"]) if row else None

    async def set(self, key: str, value: str) -> None:
        async with self._db.transaction() as conn:
            await conn.execute(
                "INSERT INTO settings (key, value) VALUES (?, ?)"
                " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, value),
            )
