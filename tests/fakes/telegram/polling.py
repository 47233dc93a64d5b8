"""The update queue behind getUpdates (long polling semantics of the real server)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

MAX_LIMIT = 100
MAX_TIMEOUT = 50


class PollTerminated(Exception):
    """This getUpdates was superseded by a newer one (answered with 409)."""


@dataclass
class _Poll:
    event: asyncio.Event = field(default_factory=asyncio.Event)
    terminated: bool = False


class UpdateQueue:
    """Unconfirmed updates plus at most one waiting long poll.

    Updates stay queued until a getUpdates call's offset passes them, like on Telegram, so a
    bot that crashes before confirming sees them again.
    """

    def __init__(self) -> None:
        self.pending: list[dict[str, Any]] = []
        self.next_update_id = 1
        self.allowed_updates: list[str] = []
        self.closing = False
        self._current: _Poll | None = None
        # Called when a poll starts waiting (FakeTelegram wakes its wait_for() callers).
        self.on_wait: Callable[[], None] | None = None

    def push(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        update = {"update_id": self.next_update_id, kind: payload}
        self.next_update_id += 1
        self.pending.append(update)
        self._wake()
        return update

    def confirm(self, offset: int) -> None:
        if offset > 0:
            self.pending = [u for u in self.pending if u["update_id"] >= offset]
        elif offset < 0:
            # A negative offset keeps only the last -offset updates (forgetting the rest).
            self.pending = self.pending[offset:]

    def clear(self) -> None:
        self.pending.clear()

    def close(self) -> None:
        """Answer any waiting poll now (server shutdown must not wait for long polls)."""
        self.closing = True
        self._wake()

    @property
    def polling(self) -> bool:
        return self._current is not None

    def _wake(self) -> None:
        if self._current is not None:
            self._current.event.set()

    def _deliverable(self, limit: int) -> list[dict[str, Any]]:
        if self.allowed_updates:
            # The real server does not even store updates of types the bot did not ask for.
            allowed = set(self.allowed_updates)
            self.pending = [u for u in self.pending if set(u) - {"update_id"} <= allowed]
        return self.pending[:limit]

    async def poll(
        self,
        offset: int,
        limit: int,
        timeout: float,
        allowed_updates: list[str] | None,
    ) -> list[dict[str, Any]]:
        """One getUpdates call; raises PollTerminated if a newer call replaces it."""
        limit = min(max(limit, 1), MAX_LIMIT)
        timeout = min(max(timeout, 0), MAX_TIMEOUT)
        self.confirm(offset)
        if allowed_updates is not None:
            self.allowed_updates = allowed_updates
        if self._current is not None:
            self._current.terminated = True
            self._current.event.set()
        poll = self._current = _Poll()
        if self.on_wait is not None:
            self.on_wait()
        try:
            return await self._wait(poll, limit, time.monotonic() + timeout)
        finally:
            if self._current is poll:
                self._current = None

    async def _wait(self, poll: _Poll, limit: int, deadline: float) -> list[dict[str, Any]]:
        while not self._deliverable(limit) and not self.closing and not poll.terminated:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            try:
                await asyncio.wait_for(poll.event.wait(), remaining)
            except TimeoutError:
                break
            poll.event.clear()
        if poll.terminated:
            raise PollTerminated
        return self._deliverable(limit)
