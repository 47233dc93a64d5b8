"""The one SQLite connection: opening, migrations, and serialised transactions.

Coroutines can interleave their statements, so every unit of work takes `_lock`, and
writes run inside `BEGIN IMMEDIATE` so a second process (or a crash) never sees half a
balance change.

Where statements run: a job's life is some 75 small statements (an indexed lookup or a
one-row write, microseconds each). Handing each to a worker thread, as aiosqlite does, cost
more than the statement: two thread switches, a wake-up of the event loop and GIL
hand-offs, about a quarter of the bot's CPU in the 500-user burst (docs/performance.md). So
statements run on the event loop's thread, and only what can wait runs on our one worker
thread: `COMMIT` and `ROLLBACK` (fsync the WAL), opening, closing, reads that scan many
rows (`read(scan=True)`: /stats), and any statement SQLite answers "busy" (`BEGIN
IMMEDIATE` while another process holds the write lock), which waits there (`Runner`). In
WAL mode a read does not wait for a writer, and inside our own `BEGIN IMMEDIATE` a write
does not wait either.

The worker thread and the event loop never use the connection at once: both hold `_lock`,
and a statement sent to the thread is always waited for to the end, even by a cancelled
task, before the lock is released.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
from collections.abc import AsyncIterator, Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager, suppress
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from storage.schema import MIGRATIONS

T = TypeVar("T")
BUSY_WAIT_MS = 5000  # how long a statement waits for another process's lock
Params = tuple[Any, ...] | list[Any] | dict[str, Any]


class Cursor:
    """The few cursor calls storage uses, awaitable like aiosqlite's."""

    __slots__ = ("_cursor", "_run")

    def __init__(self, cursor: sqlite3.Cursor, run: Runner) -> None:
        self._cursor = cursor
        self._run = run

    async def fetchone(self) -> sqlite3.Row | None:
        row: sqlite3.Row | None = await self._run(self._cursor.fetchone)
        return row

    async def fetchall(self) -> list[sqlite3.Row]:
        rows: list[sqlite3.Row] = await self._run(self._cursor.fetchall)
        return rows

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid


class Connection:
    """What storage modules get inside `read()` / `transaction()`: `execute` and friends."""

    __slots__ = ("_raw", "_run")

    def __init__(self, raw: sqlite3.Connection, run: Runner) -> None:
        self._raw = raw
        self._run = run

    async def execute(self, sql: str, params: Params = ()) -> Cursor:
        cursor = await self._run(partial(self._raw.execute, sql, params))
        return Cursor(cursor, self._run)

    async def executemany(self, sql: str, rows: Iterable[Params]) -> Cursor:
        cursor = await self._run(partial(self._raw.executemany, sql, rows))
        return Cursor(cursor, self._run)


class Runner:
    """Runs a call on the loop's thread (`inline`) or on the worker thread, to its end.

    Nothing waits on the loop's thread: the connection's busy_timeout is 0 there, and a
    call SQLite answers "busy" (another process holds a lock; such a call did nothing) is
    run again on the worker thread, which waits up to BUSY_WAIT_MS for the lock.
    """

    __slots__ = ("_raw", "_worker", "inline")

    def __init__(self, raw: sqlite3.Connection, worker: ThreadPoolExecutor, *, inline: bool):
        self._raw = raw
        self._worker = worker
        self.inline = inline

    async def __call__(self, call: Callable[[], T]) -> T:
        if self.inline:
            try:
                return call()
            except sqlite3.OperationalError as error:
                if error.sqlite_errorcode & 0xFF != sqlite3.SQLITE_BUSY:
                    raise
        return await in_thread(self._worker, partial(_waiting, self._raw, call))


async def in_thread(worker: ThreadPoolExecutor, call: Callable[[], T]) -> T:
    """`call` on the worker thread, waited for to its end even by a cancelled task."""
    future = asyncio.get_running_loop().run_in_executor(worker, call)
    cancelled = False
    while True:
        try:
            await asyncio.shield(future)
        except asyncio.CancelledError:
            cancelled = True
            if not future.done():
                # The thread goes on with the statement whatever we do; the connection
                # is not free until it has finished.
                continue
        except BaseException:  # the statement's own error: future.result() raises it
            pass
        break
    if cancelled:
        raise asyncio.CancelledError
    return future.result()


def _waiting(raw: sqlite3.Connection, call: Callable[[], T]) -> T:
    raw.execute(f"PRAGMA busy_timeout={BUSY_WAIT_MS}")
    try:
        return call()
    finally:
        raw.execute("PRAGMA busy_timeout=0")


class Database:
    """Owns the connection; hand out `Connection`s only inside `read()` / `transaction()`."""

    def __init__(self, raw: sqlite3.Connection, worker: ThreadPoolExecutor) -> None:
        self._raw = raw
        self._worker = worker
        self._threaded = Runner(raw, worker, inline=False)
        self._inline = Connection(raw, Runner(raw, worker, inline=True))
        self._scanning = Connection(raw, self._threaded)
        self._lock = asyncio.Lock()
        self._closed = False

    @classmethod
    async def open(cls, path: Path | str) -> Database:
        if str(path) != ":memory:":
            _create_private(Path(path))
        worker = ThreadPoolExecutor(1, thread_name_prefix="sqlite")
        raw = await in_thread(worker, partial(_connect, str(path)))
        db = cls(raw, worker)
        await db.migrate()
        return db

    async def close(self) -> None:
        """Close the connection and stop the worker; closing twice does nothing."""
        async with self._lock:
            if self._closed:
                return
            self._closed = True
            await in_thread(self._worker, self._raw.close)
        self._worker.shutdown(wait=True)

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
    async def transaction(self) -> AsyncIterator[Connection]:
        async with self._lock:
            try:
                # BEGIN and COMMIT sit inside the try: a task cancelled while awaiting either
                # still has it run to its end, and the ROLLBACK after it must end the
                # transaction, or every later BEGIN fails.
                await self._inline.execute("BEGIN IMMEDIATE")  # the thread if it must wait
                yield self._inline
                await self._threaded(partial(self._raw.execute, "COMMIT"))
            except BaseException:
                with suppress(sqlite3.OperationalError):  # no transaction was left open
                    await self._threaded(partial(self._raw.execute, "ROLLBACK"))
                raise

    @asynccontextmanager
    async def read(self, *, scan: bool = False) -> AsyncIterator[Connection]:
        """Reads outside a transaction; `scan=True` for ones that may walk many rows, which
        then run on the worker thread instead of holding up the event loop."""
        async with self._lock:
            yield self._scanning if scan else self._inline


def _connect(path: str) -> sqlite3.Connection:
    # check_same_thread=False: the loop's thread and the worker take turns under `_lock`.
    raw = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    raw.row_factory = sqlite3.Row
    raw.execute("PRAGMA journal_mode=WAL")
    raw.execute("PRAGMA busy_timeout=0")  # see Runner
    raw.execute("PRAGMA foreign_keys=ON")
    return raw


def _create_private(path: Path) -> None:
    """Create the folder (0700) and the file (0600) owner-only when they don't exist yet: the
    database holds prompts, usernames and balances. SQLite gives its -wal and -shm files the
    database file's permissions. Existing ones are left as the operator set them."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    with suppress(FileExistsError):
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
