"""The one SQLite connection: opening, migrations, and serialised transactions.

aiosqlite runs one connection on one worker thread, but coroutines can still interleave their
statements. Every unit of work therefore takes `_lock`, and writes run inside
`BEGIN IMMEDIATE` so a second process (or a crash) never sees half a balance change.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from pathlib import Path

import aiosqlite

from storage.schema import MIGRATIONS


class Database:
    """Owns the connection; hand out cursors only inside `read()` / `transaction()`."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn
        self._lock = asyncio.Lock()

    @classmethod
    async def open(cls, path: Path | str) -> Database:
        if str(path) != ":memory:":
            _create_private(Path(path))
        conn = await aiosqlite.connect(str(path), isolation_level=None)
        conn.row_factory = aiosqlite.Row
        await conn.execute("PRAGMA journal_mode=WAL")
        await conn.execute("PRAGMA busy_timeout=5000")
        await conn.execute("PRAGMA foreign_keys=ON")
        db = cls(conn)
        await db.migrate()
        return db

    async def close(self) -> None:
        async with self._lock:
            await self._conn.close()

    async def migrate(self) -> None:
        """Bring an existing file up to the newest schema in place, one version at a time."""
        async with self.transaction() as conn:
            row = await (await conn.execute("PRAGMA user_version")).fetchone()
            version = int(row[0]) if row else 0
            for target, script in enumerate(MIGRATIONS[version:], start=version + 1):
                for statement in script:
                    await conn.execute(statement)
                await conn.execute(f"PRAGMA user_version={target}")

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        async with self._lock:
            try:
                # BEGIN and COMMIT sit inside the try: a task cancelled while awaiting either
                # still has the statement run on aiosqlite's thread, and the ROLLBACK queued
                # after it must end the transaction, or every later BEGIN fails.
                await self._conn.execute("BEGIN IMMEDIATE")
                yield self._conn
                await self._conn.execute("COMMIT")
            except BaseException:
                with suppress(sqlite3.OperationalError):  # no transaction was left open
                    await self._conn.execute("ROLLBACK")
                raise

    @asynccontextmanager
    async def read(self) -> AsyncIterator[aiosqlite.Connection]:
        async with self._lock:
            yield self._conn


def _create_private(path: Path) -> None:
    """Create the folder (0700) and the file (0600) owner-only when they don't exist yet: the
    database holds prompts, usernames and balances. SQLite gives its -wal and -shm files the
    database file's permissions. Existing ones are left as the operator set them."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    with suppress(FileExistsError):
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
