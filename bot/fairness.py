"""Fair turns for incoming updates: one user's flood never holds up another user's replies.

python-telegram-bot runs up to N updates at once, and a handler holds its place while its
reply waits for the chat's send allowance (1 message/s). Without a per-user bound, a user who
sends 150 commands takes every place and everyone else waits behind them (85 s measured).
So each user gets a few places at a time, waiting for them without holding a shared one, and
new messages past a backlog are dropped with one short notice (PRODUCT.md §4a). Button
presses and payment queries are never dropped: they must be answered.

Two more bounds make a flood cheap to ignore: each user's new messages draw from a small
token bucket (`UserRate`, admins exempt), and a message past it is dropped with the same one
notice; and an update's shared place is given back while its reply waits for the chat's send
allowance (`bot.turns`), so a busy chat never delays another chat.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Final

from telegram import Bot, Update
from telegram.ext import BaseUpdateProcessor

from bot.clock import Clock, MonotonicClock
from bot.messages import t
from bot.turns import Place, holding

log = logging.getLogger(__name__)

MAX_CONCURRENT: Final = 64
PER_USER: Final = 4  # updates of one user handled at once
BACKLOG: Final = 20  # new messages of one user waiting before more are dropped
NOTICE_INTERVAL: Final = 60.0  # at most one "slow down" notice per user this often
_UNBOUNDED: Final = 1_000_000  # PTB's own semaphore: never the limit (see the class)

_FORGET_AFTER: Final = 10_000  # users remembered by the bucket before full ones are forgotten

Notify = Callable[[Update], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class UserRate:
    """A user's new messages: `burst` at once, then `per_minute` (USER_COMMANDS_PER_MINUTE,
    USER_COMMAND_BURST)."""

    per_minute: float = 30.0
    burst: int = 10


class _Buckets:
    """One token bucket per user; a message takes a token or is refused."""

    def __init__(self, rate: UserRate, clock: Clock) -> None:
        self._rate = rate
        self._clock = clock
        self._state: dict[int, tuple[float, float]] = {}  # user -> (tokens, at)

    def take(self, user: int) -> bool:
        now = self._clock.now()
        tokens = self._tokens(user, now)
        allowed = tokens >= 1
        self._state[user] = (tokens - 1 if allowed else tokens, now)
        if len(self._state) > _FORGET_AFTER:
            self._forget_full(now)
        return allowed

    def _tokens(self, user: int, now: float) -> float:
        tokens, at = self._state.get(user, (float(self._rate.burst), now))
        return min(float(self._rate.burst), tokens + (now - at) * self._rate.per_minute / 60)

    def _forget_full(self, now: float) -> None:
        for user in [u for u in self._state if self._tokens(u, now) >= self._rate.burst]:
            del self._state[user]


class FairUpdateProcessor(BaseUpdateProcessor):
    """PTB's own bound (its `process_update` is final) is set out of reach; the real bounds,
    per user and then overall, are taken in `do_process_update` in that order, so an update
    waiting for its user's turn holds no shared place."""

    def __init__(
        self,
        *,
        max_concurrent: int = MAX_CONCURRENT,
        per_user: int = PER_USER,
        backlog: int = BACKLOG,
        rate: UserRate | None = None,
        exempt: frozenset[int] = frozenset(),
        clock: Clock | None = None,
    ) -> None:
        super().__init__(_UNBOUNDED)
        self._places = asyncio.Semaphore(max_concurrent)
        self._per_user = per_user
        self._backlog = backlog
        self._clock = clock or MonotonicClock()
        self._buckets = _Buckets(rate or UserRate(), self._clock)
        self._exempt = exempt  # admins: never rate-limited
        self._turns: dict[int, asyncio.Semaphore] = {}
        self._waiting: dict[int, int] = {}
        self._noticed: dict[int, float] = {}
        self.notify: Notify | None = None  # set once the bot exists

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        user = _user_of(update)
        if user is None:
            async with holding(Place(self._places)):
                await coroutine
            return
        if self._refused(user, update):
            _discard(coroutine)
            await self._notice(user, update)
            return
        self._waiting[user] = self._waiting.get(user, 0) + 1
        try:
            turn = self._turns.setdefault(user, asyncio.Semaphore(self._per_user))
            async with turn, holding(Place(self._places)):  # the user's turn, then a place
                await coroutine
        finally:
            self._release(user)

    def _refused(self, user: int, update: object) -> bool:
        """Past the user's backlog or their command rate (only messages can be refused)."""
        if not _droppable(update):
            return False
        if self._waiting.get(user, 0) >= self._backlog:
            return True
        return user not in self._exempt and _counted(update) and not self._buckets.take(user)

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""

    def _release(self, user: int) -> None:
        self._waiting[user] -= 1
        if self._waiting[user] == 0:  # nobody of this user in line: forget them
            del self._waiting[user]
            self._turns.pop(user, None)

    async def _notice(self, user: int, update: object) -> None:
        now = self._clock.now()
        if now - self._noticed.get(user, -NOTICE_INTERVAL) < NOTICE_INTERVAL:
            return
        self._noticed[user] = now
        log.info("user %s is flooding; new messages dropped for now", user)
        if self.notify is not None and isinstance(update, Update):
            try:
                await self.notify(update)
            except Exception:
                log.exception("could not tell user %s to slow down", user)


async def slow_down_notice(bot: Bot, update: Update) -> None:
    """The one short notice a flooding user gets, in their chat."""
    user, chat = update.effective_user, update.effective_chat
    if chat is None:
        return
    lang = user.language_code if user is not None else None
    await bot.send_message(chat.id, t("slow_down", lang, seconds=int(NOTICE_INTERVAL)))


def _user_of(update: object) -> int | None:
    """Whose turn an update waits for. A pre-checkout query waits for nobody's: Telegram
    cancels the payment unless it is answered within 10 s, flood or not."""
    if not isinstance(update, Update) or update.pre_checkout_query is not None:
        return None
    if update.effective_user is not None:
        return update.effective_user.id
    return None


def _droppable(update: object) -> bool:
    """Only new or edited messages: a button press or a payment (query or the message
    confirming it) must be answered."""
    if not isinstance(update, Update) or update.callback_query is not None:
        return False
    message = update.effective_message
    return message is not None and not (message.successful_payment or message.refunded_payment)


def _counted(update: object) -> bool:
    """What draws from the bucket: every message but an album's uncaptioned photos (an album
    of ten is one request)."""
    message = update.effective_message if isinstance(update, Update) else None
    return message is not None and not (message.media_group_id and not message.caption)


def _discard(coroutine: Awaitable[Any]) -> None:
    """Drop an update's handling without running it (and without a never-awaited warning)."""
    close = getattr(coroutine, "close", None)
    if close is not None:
        with contextlib.suppress(Exception):
            close()
