"""The shared place an update holds while it is handled, and a way to step out of it.

`bot.fairness` lets a bounded number of updates run at once; each holds a place. A reply that
must wait for its chat's send allowance (1/s in private, 20/min in groups) would hold that
place for the whole wait, so a few busy chats could stall every other chat. `outside_place()`
gives the place back while such a wait lasts and takes it again after (PRODUCT.md §4a "Fair
use": replies to one busy chat never hold up other chats).

Kept apart from both `bot.fairness` (which sets the current place) and `bot.ratelimit` (which
waits) so each side knows only this small contract.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

_current: contextvars.ContextVar[Place | None] = contextvars.ContextVar(
    "update_place", default=None
)


class Place:
    """One update's hold on the shared semaphore, owned by the task handling the update.

    Tasks a handler starts inherit the context variable; only the owner task may give the
    place away, or a spawned task would release a place it never took.
    """

    def __init__(self, places: asyncio.Semaphore) -> None:
        self._places = places
        self._owner = asyncio.current_task()
        self.held = False

    async def take(self) -> None:
        await self._places.acquire()
        self.held = True

    def give_back(self) -> None:
        if self.held:
            self.held = False
            self._places.release()

    def owned_here(self) -> bool:
        return self.held and asyncio.current_task() is self._owner


@asynccontextmanager
async def holding(place: Place) -> AsyncIterator[None]:
    """Take `place`, make it the current one while the body runs, always give it back."""
    await place.take()
    token = _current.set(place)
    try:
        yield
    finally:
        _current.reset(token)
        place.give_back()


@asynccontextmanager
async def outside_place() -> AsyncIterator[None]:
    """Run the body (a wait) without the current update's place; a no-op outside updates."""
    place = _current.get()
    if place is None or not place.owned_here():
        yield
        return
    place.give_back()
    try:
        yield
    finally:
        await place.take()
