"""Albums whose caption asked for a job, waiting for the album to go quiet.

Telegram counts an update delivered as soon as the bot fetched it, so a command that waits
only in memory is lost by a restart. The command (and the message that carried it) is
written here as it arrives; each later item of the album pushes its deadline back; the album
is claimed once when it has gone quiet, and forgotten once its job was handed over.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from bot.clock import Clock
from storage.database import Database


@dataclass(frozen=True, slots=True)
class AlbumCommand:
    """What a caption asked for, and who asked (see `Albums.expect`)."""

    chat_id: int
    media_group_id: str
    user_id: int
    request_message_id: int
    language: str | None
    command: str
    args: str
    message: str  # the captioned message as Telegram sent it (JSON), to answer after a restart


@dataclass(frozen=True, slots=True)
class PendingAlbum:
    request: AlbumCommand
    deadline: float
    claimed: bool

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> PendingAlbum:
        fields = AlbumCommand.__dataclass_fields__
        request = AlbumCommand(**{name: row[name] for name in fields})
        return cls(request, row["deadline"], bool(row["claimed"]))


_KEY = "chat_id = ? AND media_group_id = ?"


class Albums:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    async def expect(self, command: AlbumCommand, quiet_for: float) -> bool:
        """A caption in an album asked for a job: wait `quiet_for` after the last item.

        An album takes one command, the first to arrive: False (nothing stored, the wait
        only pushed back) when it already has one, so the caller can say so.
        """
        now = self._clock.now()
        async with self._db.transaction() as conn:
            cur = await conn.execute(
                "INSERT INTO pending_albums (chat_id, media_group_id, user_id,"
                " request_message_id, language, command, args, message, deadline, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (chat_id, media_group_id) DO NOTHING",
                (
                    command.chat_id,
                    command.media_group_id,
                    command.user_id,
                    command.request_message_id,
                    command.language,
                    command.command,
                    command.args,
                    command.message,
                    now + quiet_for,
                    now,
                ),
            )
            if cur.rowcount > 0:
                return True
            await conn.execute(
                f"UPDATE pending_albums SET deadline = ? WHERE {_KEY} AND claimed = 0",
                (now + quiet_for, command.chat_id, command.media_group_id),
            )
            return False

    async def item_arrived(self, chat_id: int, media_group_id: str, quiet_for: float) -> bool:
        """Push the deadline back; True when a command is waiting for this album."""
        async with self._db.transaction() as conn:
            cur = await conn.execute(
                f"UPDATE pending_albums SET deadline = ? WHERE {_KEY} AND claimed = 0",
                (self._clock.now() + quiet_for, chat_id, media_group_id),
            )
            return cur.rowcount > 0

    async def claim(self, chat_id: int, media_group_id: str) -> PendingAlbum | None:
        """Take the album for starting its job; None if it is gone or was taken already."""
        async with self._db.transaction() as conn:
            cur = await conn.execute(
                f"UPDATE pending_albums SET claimed = 1 WHERE {_KEY} AND claimed = 0",
                (chat_id, media_group_id),
            )
            if cur.rowcount == 0:
                return None
            cur = await conn.execute(
                f"SELECT * FROM pending_albums WHERE {_KEY}", (chat_id, media_group_id)
            )
            row = await cur.fetchone()
        assert row is not None
        return PendingAlbum.from_row(row)

    async def handed_over(self, chat_id: int, media_group_id: str) -> None:
        """Its job was queued (or the request answered): nothing left to do for it."""
        async with self._db.transaction() as conn:
            key = (chat_id, media_group_id)
            await conn.execute(f"DELETE FROM pending_albums WHERE {_KEY}", key)

    async def job_started(self, request: AlbumCommand) -> bool:
        """Whether the album's job was queued (then its status message answers it)."""
        async with self._db.read() as conn:
            cur = await conn.execute(
                "SELECT 1 FROM jobs WHERE chat_id = ? AND request_message_id = ?",
                (request.chat_id, request.request_message_id),
            )
            return await cur.fetchone() is not None

    async def reopen_after_restart(self) -> list[tuple[AlbumCommand, float]]:
        """At start-up: albums claimed by a process that died before queueing the job are
        waiting again, those whose job exists are done. Returns every album still waiting,
        with the seconds left until its deadline (0 when past)."""
        async with self._db.transaction() as conn:
            await conn.execute(
                "DELETE FROM pending_albums WHERE claimed = 1 AND EXISTS (SELECT 1 FROM jobs j"
                " WHERE j.chat_id = pending_albums.chat_id"
                " AND j.request_message_id = pending_albums.request_message_id)"
            )
            await conn.execute("UPDATE pending_albums SET claimed = 0 WHERE claimed = 1")
            cur = await conn.execute("SELECT * FROM pending_albums ORDER BY created_at")
            albums = [PendingAlbum.from_row(row) for row in await cur.fetchall()]
        now = self._clock.now()
        return [(album.request, max(album.deadline - now, 0.0)) for album in albums]
