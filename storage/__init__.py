"""SQLite storage: `Storage.open()` gives jobs, users (with the ledger), chats, media, flags,
the albums waiting to go quiet, the questions the bot asked, users' saved defaults, Stars
purchases and the queue's light reads."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

from bot.clock import Clock
from storage.albums import Albums
from storage.chats import Chats
from storage.database import Database
from storage.job_stats import Stats
from storage.jobs import Jobs
from storage.media import Flags, Media
from storage.preferences import Preferences
from storage.purchases import Purchases
from storage.questions import Questions
from storage.queue import Queue
from storage.users import Users


class Storage:
    def __init__(self, db: Database, clock: Clock, zone: ZoneInfo, default_limit: int) -> None:
        self.db = db
        self.users = Users(db, clock, zone, default_limit)
        self.jobs = Jobs(db, self.users, clock)
        self.media = Media(db, clock)
        self.flags = Flags(db)
        self.chats = Chats(db, clock)
        self.albums = Albums(db, clock)
        self.purchases = Purchases(db, self.users, clock)
        self.questions = Questions(db, clock)
        self.preferences = Preferences(db, clock)
        self.queue = Queue(db)

    @classmethod
    async def open(
        cls, path: Path | str, *, clock: Clock, zone: ZoneInfo, default_limit: int
    ) -> Storage:
        return cls(await Database.open(path), clock, zone, default_limit)

    async def close(self) -> None:
        await self.db.close()


__all__ = ["Stats", "Storage"]
