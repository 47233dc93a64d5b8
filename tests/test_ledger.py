"""storage/ledger.py through Users and Jobs: balances always explained by the ledger (§5)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from bot.clock import day_of, next_midnight
from storage import Storage
from storage.models import Accepted, Limits, Refused
from tests.conftest import ManualClock, accepted, ledger_sums, new_job, open_storage

# Small enough that long sequences meet `queue_full` and the total cap too.
LIMITS = Limits(max_active_per_user=2, max_active_total=4, max_queued_per_user=4)
SHANGHAI = ZoneInfo("Asia/Shanghai")
HOUR = 3600.0


async def reserve(storage: Storage, user_id: int, cost: int, *, is_admin: bool = False) -> int:
    job = await accepted(storage, new_job(user_id, cost), is_admin=is_admin, limits=LIMITS)
    return job.id


async def left_and_bonus(storage: Storage, user_id: int) -> tuple[int, int]:
    balance = await storage.users.balance(user_id)
    record = await storage.users.get(user_id)
    assert record is not None
    assert (record.daily_left, record.bonus) == (balance.daily_left, balance.bonus)
    assert (balance.daily_left, balance.bonus) == await ledger_sums(storage, user_id)
    assert balance.daily_left >= 0 and balance.bonus >= 0
    return balance.daily_left, balance.bonus


async def ledger_count(storage: Storage) -> int:
    async with storage.db.read() as conn:
        row = await (await conn.execute("SELECT COUNT(*) FROM ledger")).fetchone()
    assert row is not None
    return int(row[0])


# --- focused cases ------------------------------------------------------------------------


async def test_daily_credits_are_spent_before_bonus(storage):
    await storage.users.grant(1, 500, "gift")
    await reserve(storage, 1, 300)
    assert await left_and_bonus(storage, 1) == (700, 500)
    await reserve(storage, 1, 900)
    assert await left_and_bonus(storage, 1) == (0, 300)
    await reserve(storage, 1, 300)
    assert await left_and_bonus(storage, 1) == (0, 0)


@pytest.mark.parametrize("outcome", ["failed", "cancelled"])
async def test_a_failed_job_restores_the_balance_exactly(storage, outcome):
    await storage.users.grant(1, 500, "gift")
    before = await left_and_bonus(storage, 1)
    job_id = await reserve(storage, 1, 1200)
    assert await left_and_bonus(storage, 1) == (0, 300)
    finished = await storage.jobs.finish(job_id, outcome, charged=0, error_code="x")
    assert finished is not None and finished.charged == 0
    assert await left_and_bonus(storage, 1) == before == (1000, 500)


async def test_partial_charge_releases_the_rest(storage):
    await storage.users.grant(1, 500, "gift")
    job_id = await reserve(storage, 1, 1200)  # 1000 daily + 200 bonus
    finished = await storage.jobs.finish(job_id, "done", charged=500)
    assert finished is not None and finished.charged == 500
    # The charge consumes the daily part first, so all of the bonus part comes back.
    assert await left_and_bonus(storage, 1) == (500, 500)

    job_id = await reserve(storage, 1, 800)  # 500 daily + 300 bonus
    finished = await storage.jobs.finish(job_id, "done", charged=600)
    assert finished is not None and finished.charged == 600
    assert await left_and_bonus(storage, 1) == (0, 400)


async def test_charge_above_the_reservation_is_capped(storage):
    job_id = await reserve(storage, 1, 300)
    finished = await storage.jobs.finish(job_id, "done", charged=10_000)
    assert finished is not None and finished.charged == 300
    assert await left_and_bonus(storage, 1) == (700, 0)


async def test_release_after_midnight_keeps_yesterdays_daily_part_expired(storage, clock):
    await storage.users.grant(1, 500, "gift")
    failed = await reserve(storage, 1, 1200)  # 1000 daily + 200 bonus, yesterday
    partial = await reserve(storage, 1, 250)  # 250 bonus, yesterday
    assert await left_and_bonus(storage, 1) == (0, 50)

    clock.advance(14 * HOUR)  # 2025-03-02 00:00 UTC
    assert await left_and_bonus(storage, 1) == (1000, 50)
    await reserve(storage, 1, 400)
    assert await left_and_bonus(storage, 1) == (600, 50)

    assert await storage.jobs.finish(failed, "failed") is not None
    # The new day already refilled: yesterday's 1000 daily are not given back, the bonus is.
    assert await left_and_bonus(storage, 1) == (600, 250)

    finished = await storage.jobs.finish(partial, "done", charged=100)
    assert finished is not None and finished.charged == 100
    assert await left_and_bonus(storage, 1) == (600, 400)


async def test_release_after_midnight_of_daily_only_reservation(storage, clock):
    job_id = await reserve(storage, 1, 700)
    clock.advance(20 * HOUR)
    finished = await storage.jobs.finish(job_id, "done", charged=200)
    assert finished is not None and finished.charged == 200
    assert await left_and_bonus(storage, 1) == (1000, 0)


async def test_daily_reset_follows_the_quota_timezone(tmp_path):
    # Asia/Shanghai is UTC+8 all year: its midnight is 16:00 UTC.
    clock = ManualClock(datetime(2025, 1, 1, 10, 0, tzinfo=UTC).timestamp())
    storage = await open_storage(tmp_path / "bot.db", clock, zone=SHANGHAI)
    try:
        await reserve(storage, 1, 500)
        assert (await storage.users.balance(1)).day == "2025-01-01"

        clock.value = datetime(2025, 1, 1, 15, 59, 59, tzinfo=UTC).timestamp()
        balance = await storage.users.balance(1)
        assert (balance.day, balance.daily_left) == ("2025-01-01", 500)
        refill = next_midnight(clock.now(), SHANGHAI)
        assert refill.timestamp() == datetime(2025, 1, 1, 16, 0, tzinfo=UTC).timestamp()

        clock.value = datetime(2025, 1, 1, 16, 0, 0, tzinfo=UTC).timestamp()
        balance = await storage.users.balance(1)
        assert (balance.day, balance.daily_left) == ("2025-01-02", 1000)
        assert await left_and_bonus(storage, 1) == (1000, 0)

        # Still the same local day until 16:00 UTC the next day, even after UTC midnight.
        await reserve(storage, 1, 300)
        clock.value = datetime(2025, 1, 2, 0, 30, tzinfo=UTC).timestamp()
        assert (await storage.users.balance(1)).daily_left == 700
        clock.value = datetime(2025, 1, 2, 16, 0, tzinfo=UTC).timestamp()
        assert (await storage.users.balance(1)).daily_left == 1000
    finally:
        await storage.close()


async def test_daily_reset_happens_once_per_day(storage, clock):
    await reserve(storage, 1, 400)
    clock.advance(14 * HOUR)
    assert await left_and_bonus(storage, 1) == (1000, 0)
    await reserve(storage, 1, 100)
    rows = await ledger_count(storage)
    assert await left_and_bonus(storage, 1) == (900, 0)
    assert await ledger_count(storage) == rows  # no second reset the same day


async def test_set_daily_limit_moves_todays_allowance(storage):
    await reserve(storage, 1, 300)
    assert await left_and_bonus(storage, 1) == (700, 0)

    raised = await storage.users.set_daily_limit(1, 2000)
    assert (raised.daily_limit, raised.daily_left) == (2000, 1700)
    lowered = await storage.users.set_daily_limit(1, 500)
    assert (lowered.daily_limit, lowered.daily_left) == (500, 200)
    floored = await storage.users.set_daily_limit(1, 100)
    assert (floored.daily_limit, floored.daily_left) == (100, 0)
    default = await storage.users.set_daily_limit(1, None)
    # 300 were used today: going through a lower limit must not forget that.
    assert (default.daily_limit, default.daily_left) == (1000, 700)
    assert await left_and_bonus(storage, 1) == (700, 0)
    record = await storage.users.get(1)
    assert record is not None and record.daily_limit is None


async def test_set_daily_limit_applies_to_the_next_days(storage, clock):
    await storage.users.set_daily_limit(1, 250)
    clock.advance(24 * HOUR)
    balance = await storage.users.balance(1)
    assert (balance.daily_limit, balance.daily_left) == (250, 250)
    await storage.users.set_daily_limit(1, None)
    clock.advance(24 * HOUR)
    balance = await storage.users.balance(1)
    assert (balance.daily_limit, balance.daily_left) == (1000, 1000)


async def test_set_daily_limit_zero_blocks_and_release_stays_within_limit(storage):
    job_id = await reserve(storage, 1, 600)
    await storage.users.set_daily_limit(1, 0)
    assert await left_and_bonus(storage, 1) == (0, 0)
    refused = await storage.jobs.accept(new_job(1, 1), is_admin=False, limits=LIMITS)
    assert isinstance(refused, Refused) and refused.reason == "credits"
    # Giving the reservation back must not lift today's allowance above the new limit.
    assert await storage.jobs.finish(job_id, "failed") is not None
    assert await left_and_bonus(storage, 1) == (0, 0)


async def test_negative_grant_never_goes_below_zero(storage):
    assert (await storage.users.grant(1, 300, "gift")).bonus == 300
    assert (await storage.users.grant(1, -100, "oops")).bonus == 200
    assert (await storage.users.grant(1, -1000, "take all")).bonus == 0
    assert (await storage.users.grant(1, -5, "nothing left")).bonus == 0
    assert await left_and_bonus(storage, 1) == (1000, 0)
    async with storage.db.read() as conn:
        cur = await conn.execute(
            "SELECT amount, bonus_delta, note FROM ledger WHERE kind = 'grant' ORDER BY id"
        )
        rows = [tuple(row) for row in await cur.fetchall()]
    assert rows == [
        (300, 300, "gift"),
        (-100, -100, "oops"),
        (-1000, -200, "take all"),
        (
            -5,
            0,
            "nothing left",
        ),
    ]


async def test_negative_grant_does_not_touch_reserved_bonus(storage):
    await storage.users.set_daily_limit(1, 0)
    await storage.users.grant(1, 500, "gift")
    job_id = await reserve(storage, 1, 400)
    await storage.users.grant(1, -1000, "take all")
    assert await left_and_bonus(storage, 1) == (0, 0)
    # The reservation is still honoured and released in full when the job fails.
    await storage.jobs.finish(job_id, "failed")
    assert await left_and_bonus(storage, 1) == (0, 400)


# --- any sequence of operations -----------------------------------------------------------

USERS = (1, 2, 3)
ADMIN = 3
DEFAULT_LIMIT = 500
COSTS = st.sampled_from([0, 1, 50, 100, 120, 250, 300, 499, 500, 700])
ZONES = st.sampled_from(["UTC", "Asia/Shanghai", "America/New_York"])
user_ids = st.sampled_from(USERS)
picks = st.integers(min_value=0, max_value=10_000)

STEPS: dict[str, st.SearchStrategy[tuple[Any, ...]]] = {
    "accept": st.tuples(st.just("accept"), user_ids, COSTS),
    # (pick, outcome, percent of the cost charged when done, pick a finished job instead)
    "finish": st.tuples(
        st.just("finish"),
        picks,
        st.sampled_from(["done", "done", "failed", "cancelled"]),
        st.integers(min_value=0, max_value=100),
        st.sampled_from([False, False, False, True]),
    ),
    "cancel": st.tuples(st.just("cancel"), picks, st.booleans()),
    "claim": st.tuples(st.just("claim")),
    "run": st.tuples(st.just("run"), picks),
    "deliver": st.tuples(st.just("deliver"), picks),
    "grant": st.tuples(st.just("grant"), user_ids, st.integers(min_value=-500, max_value=1500)),
    "limit": st.tuples(
        st.just("limit"), user_ids, st.none() | st.sampled_from([0, 50, 100, 250, 500, 800, 2000])
    ),
    # Minutes: a few hours, often across a local midnight.
    "advance": st.tuples(
        st.just("advance"),
        st.builds(
            lambda hours, minutes: hours * 60 + minutes,
            st.sampled_from([0, 1, 4, 9, 15, 23, 24, 30]),
            st.integers(min_value=0, max_value=59),
        ),
    ),
    "balance": st.tuples(st.just("balance"), user_ids),
    "ban": st.tuples(st.just("ban"), user_ids, st.sampled_from([False, False, False, True])),
    # Stars purchases (§5a): a small set of charge ids, so the same payment often comes twice.
    "purchase": st.tuples(
        st.just("purchase"),
        user_ids,
        st.integers(min_value=0, max_value=4),
        st.sampled_from([100, 250, 400, 1000]),  # about what a few jobs spend
    ),
    # Mostly a charge made so far; sometimes one never made.
    # Sometimes after the buyer spent some bonus credits (taken away like `/grant -N`).
    "refund": st.tuples(
        st.just("refund"),
        picks,
        st.sampled_from([True, True, True, False]),
        st.sampled_from([0, 0, 50, 300, 900]),
    ),
}
# Weighted towards reserving and settling, the steps that move credits.
WEIGHTS = {"accept": 5, "finish": 4, "cancel": 1, "claim": 2, "run": 1, "deliver": 1}
WEIGHTS |= {"grant": 2, "limit": 2, "advance": 3, "balance": 1, "ban": 1}
WEIGHTS |= {"purchase": 2, "refund": 2}
operations = st.sampled_from([k for k, w in WEIGHTS.items() for _ in range(w)]).flatmap(
    STEPS.__getitem__
)


@dataclass
class ModelUser:
    exists: bool = False
    limit: int | None = None
    day: str | None = None
    left: int = 0
    used: int = 0  # taken from today's allowance (reserved or charged)
    bonus: int = 0
    banned: bool = False

    @property
    def effective_limit(self) -> int:
        return DEFAULT_LIMIT if self.limit is None else self.limit

    def roll(self, today: str) -> None:
        self.exists = True
        if self.day != today:
            self.day, self.left, self.used = today, self.effective_limit, 0


@dataclass
class ModelJob:
    id: int
    user_id: int
    cost: int
    reserved_daily: int
    reserved_bonus: int
    day: str
    state: str = "queued"
    charged: int = 0
    settled: bool = False


class Model:
    """PRODUCT.md §5 restated plainly, to compare the database with after every step."""

    def __init__(self) -> None:
        self.users = {u: ModelUser() for u in USERS}
        self.jobs: list[ModelJob] = []
        self.today = ""
        self.charges: dict[str, tuple[int, int, bool]] = {}  # id -> (user, credits, refunded)

    def purchase(self, charge: str, user_id: int, credits: int) -> bool:
        """A payment counts once per charge id, whoever it names the second time."""
        user = self.users[user_id]
        user.roll(self.today)
        if charge in self.charges:
            return False
        self.charges[charge] = (user_id, credits, False)
        user.bonus += credits
        return True

    def refund(self, charge: str) -> tuple[str, int]:
        """What is left of the pack's credits goes back, once; never below zero."""
        if charge not in self.charges:
            return "unknown", 0
        user_id, credits, refunded = self.charges[charge]
        user = self.users[user_id]
        user.roll(self.today)  # the store opens the buyer's day before it looks further
        if refunded:
            return "already", 0
        taken = min(credits, user.bonus)
        if taken < credits:
            event("refund after spending")
        user.bonus -= taken
        self.charges[charge] = (user_id, credits, True)
        return "refunded", taken

    def outstanding(self, user_id: int) -> int:
        active = ("queued", "submitting", "running")
        return sum(1 for j in self.jobs if j.user_id == user_id and j.state in active)

    def accept(self, user_id: int, cost: int, today: str) -> tuple[str, int, int]:
        user = self.users[user_id]
        user.exists = True
        if user.banned:
            return "banned", 0, 0
        if self.outstanding(user_id) >= LIMITS.max_active_per_user + LIMITS.max_queued_per_user:
            return "queue_full", 0, 0
        user.roll(today)
        if user_id == ADMIN:
            return "accepted", 0, 0
        if cost > user.left + user.bonus:
            return "credits", 0, 0
        daily = min(cost, user.left)
        user.left -= daily
        user.used += daily
        user.bonus -= cost - daily
        return "accepted", daily, cost - daily

    def finish(self, job: ModelJob, state: str, charged: int, only_from: tuple[str, ...]):
        if job.state not in only_from:
            return None
        user = self.users[job.user_id]
        charged_real = charged
        if not job.settled:
            user.roll(self.today)
            reserved = job.reserved_daily + job.reserved_bonus
            if reserved:
                used = max(0, min(charged, reserved))
                used_daily = min(used, job.reserved_daily)
                back_daily = job.reserved_daily - used_daily
                back_bonus = job.reserved_bonus - (used - used_daily)
                if job.day != self.today:
                    event("release after midnight")
                    back_daily = 0  # yesterday's allowance expired at the reset
                user.used = max(0, user.used - back_daily)
                if user.left + back_daily > user.effective_limit - user.used:
                    event("release capped at the daily limit")
                # What is left is always what the limit allows beyond today's use.
                user.left = max(0, user.effective_limit - user.used)
                if 0 < used < reserved and job.reserved_daily and job.reserved_bonus:
                    event("partial charge of a daily+bonus reservation")
                user.bonus += back_bonus
                charged_real = used
        job.state, job.charged, job.settled = state, charged_real, True
        return job

    def claim(self) -> list[int]:
        active = ("submitting", "running")
        total = sum(1 for j in self.jobs if j.state in active)
        per_user = {
            u: sum(1 for j in self.jobs if j.user_id == u and j.state in active) for u in USERS
        }
        chosen = []
        for job in self.jobs:
            if job.state != "queued":
                continue
            if total >= LIMITS.max_active_total:
                break
            if per_user[job.user_id] >= LIMITS.max_active_per_user:
                continue
            job.state = "submitting"
            per_user[job.user_id] += 1
            total += 1
            chosen.append(job.id)
        return chosen


def check_user(expected: ModelUser, row: tuple[Any, ...] | None, sums: tuple[int, int]) -> None:
    if row is None:
        assert not expected.exists
        assert sums == (0, 0)
        return
    daily_left, bonus, daily_limit, daily_day, banned = row
    assert daily_left >= 0 and bonus >= 0
    assert (daily_left, bonus) == sums
    assert (daily_left, bonus) == (expected.left, expected.bonus)
    assert (daily_limit, daily_day) == (expected.limit, expected.day)
    assert bool(banned) == expected.banned
    assert daily_left <= expected.effective_limit


async def check_users(storage: Storage, model: Model) -> None:
    """Every user's balances against the ledger and the model, in one query (after each step)."""
    async with storage.db.read() as conn:
        cur = await conn.execute(
            "SELECT u.user_id, u.daily_left, u.bonus, u.daily_limit, u.daily_day, u.banned,"
            " (SELECT COALESCE(SUM(daily_delta), 0) FROM ledger l WHERE l.user_id = u.user_id),"
            " (SELECT COALESCE(SUM(bonus_delta), 0) FROM ledger l WHERE l.user_id = u.user_id)"
            " FROM users u"
        )
        rows = {r[0]: tuple(r[1:]) for r in await cur.fetchall()}
    assert set(rows) <= set(USERS)
    for user_id, expected in model.users.items():
        row = rows.get(user_id)
        sums = (row[5], row[6]) if row else (0, 0)
        check_user(expected, row[:5] if row else None, sums)


async def check_users_through_the_api(storage: Storage, model: Model) -> None:
    for user_id, expected in model.users.items():
        record = await storage.users.get(user_id)
        sums = await ledger_sums(storage, user_id)
        row = None
        if record is not None:
            row = (
                record.daily_left,
                record.bonus,
                record.daily_limit,
                record.daily_day,
                record.banned,
            )
        check_user(expected, row, sums)


async def check_job(storage: Storage, expected: ModelJob) -> None:
    job = await storage.jobs.get(expected.id)
    assert job is not None
    assert (job.state, job.charged, job.settled) == (
        expected.state,
        expected.charged,
        expected.settled,
    )
    assert (job.reserved_daily, job.reserved_bonus, job.reserved_day) == (
        expected.reserved_daily,
        expected.reserved_bonus,
        expected.day,
    )


async def check_job_ledgers(storage: Storage, model: Model) -> None:
    """Each job has at most one reserve, one charge and one release, and they add up."""
    async with storage.db.read() as conn:
        cur = await conn.execute(
            "SELECT job_id, kind, COUNT(*), SUM(amount) FROM ledger"
            " WHERE job_id IS NOT NULL GROUP BY job_id, kind"
        )
        rows: dict[tuple[int, str], tuple[int, int]] = {
            (r[0], r[1]): (r[2], r[3]) for r in await cur.fetchall()
        }
    for job in model.jobs:
        reserve = rows.get((job.id, "reserve"), (0, 0))
        charge = rows.get((job.id, "charge"), (0, 0))
        release = rows.get((job.id, "release"), (0, 0))
        assert max(reserve[0], charge[0], release[0]) <= 1
        reserved = job.reserved_daily + job.reserved_bonus
        assert reserve[1] == reserved
        if job.settled:
            assert charge[1] + release[1] == reserved
            if reserved:
                assert charge[1] == job.charged
        else:
            assert charge == release == (0, 0)


async def apply(storage: Storage, clock: ManualClock, model: Model, op: tuple[Any, ...]) -> None:
    model.today = storage.users.today()
    name = op[0]
    if name == "accept":
        _, user_id, cost = op
        outcome = await storage.jobs.accept(
            new_job(user_id, cost), is_admin=user_id == ADMIN, limits=LIMITS
        )
        verdict, daily, bonus = model.accept(user_id, cost, model.today)
        if verdict == "accepted":
            assert isinstance(outcome, Accepted), outcome
            job = ModelJob(outcome.job.id, user_id, cost, daily, bonus, model.today)
            model.jobs.append(job)
            queued = [j for j in model.jobs if j.state == "queued"]
            assert outcome.position == len(queued)
            await check_job(storage, job)
        else:
            event(f"refused: {verdict}")
            assert isinstance(outcome, Refused) and outcome.reason == verdict
            if verdict == "credits":
                assert outcome.balance is not None
                user = model.users[user_id]
                assert (outcome.balance.daily_left, outcome.balance.bonus) == (
                    user.left,
                    user.bonus,
                )
    elif name in ("finish", "cancel") and model.jobs:
        finished = op[4] if name == "finish" else op[2]
        unfinished = [j for j in model.jobs if not j.settled]
        candidates = [j for j in model.jobs if j.settled] if finished else unfinished
        candidates = candidates or model.jobs
        job = candidates[op[1] % len(candidates)]
        rows = await ledger_count(storage)
        if name == "finish":
            state = op[2]
            charged = job.cost * op[3] // 100 if state == "done" else 0
            result = await storage.jobs.finish(job.id, state, charged=charged)
            expected = model.finish(
                job, state, charged, ("queued", "submitting", "running", "delivering")
            )
        else:
            result = await storage.jobs.cancel_queued(job.id)
            expected = model.finish(job, "cancelled", 0, ("queued",))
        if expected is None:
            event(f"{name} refused")
            assert result is None  # settled once: a second finish changes nothing
            assert await ledger_count(storage) == rows
        else:
            assert result is not None
            assert (result.state, result.charged, result.settled) == (
                job.state,
                job.charged,
                True,
            )
        await check_job(storage, job)
    elif name == "claim":
        startable = await storage.jobs.startable_ids(LIMITS)
        claimed = await storage.jobs.claim_startable(LIMITS)
        assert [j.id for j in claimed] == startable == model.claim()
    elif name == "run":
        submitting = [j for j in model.jobs if j.state == "submitting"]
        if submitting:
            job = submitting[op[1] % len(submitting)]
            await storage.jobs.mark_running(job.id, f"task-{job.id}", None)
            job.state = "running"
    elif name == "deliver":
        running = [j for j in model.jobs if j.state == "running"]
        if running:
            job = running[op[1] % len(running)]
            await storage.jobs.mark_delivering(job.id, [f"https://r/{job.id}.png"])
            job.state = "delivering"
    elif name == "grant":
        _, user_id, amount = op
        balance = await storage.users.grant(user_id, amount, "test")
        user = model.users[user_id]
        user.roll(model.today)
        user.bonus = max(0, user.bonus + amount)
        assert (balance.daily_left, balance.bonus) == (user.left, user.bonus)
    elif name == "limit":
        _, user_id, limit = op
        balance = await storage.users.set_daily_limit(user_id, limit)
        user = model.users[user_id]
        user.roll(model.today)
        user.limit = limit
        user.left = max(0, user.effective_limit - user.used)
        assert (balance.daily_left, balance.daily_limit) == (user.left, user.effective_limit)
    elif name == "advance":
        clock.advance(op[1] * 60)
    elif name == "balance":
        balance = await storage.users.balance(op[1])
        user = model.users[op[1]]
        user.roll(model.today)
        assert (balance.daily_left, balance.bonus, balance.day) == (
            user.left,
            user.bonus,
            model.today,
        )
    elif name == "purchase":
        _, user_id, charge, credits = op
        recorded = await storage.purchases.record(f"ch-{charge}", user_id, credits, 1, "p")
        assert recorded.added == model.purchase(f"ch-{charge}", user_id, credits)
        event("purchase" if recorded.added else "duplicate payment")
    elif name == "refund":
        _, pick, made, spent = op
        known = sorted(model.charges)
        charge = known[pick % len(known)] if made and known else f"ch-{pick % 9}"
        if spent and charge in model.charges:
            await apply(storage, clock, model, ("grant", model.charges[charge][0], -spent))
        refunded = await storage.purchases.refund(charge)
        assert (refunded.outcome, refunded.taken) == model.refund(charge)
        event(f"refund: {refunded.outcome}")
    elif name == "ban":
        _, user_id, banned = op
        await storage.users.set_banned(user_id, banned, "test")
        model.users[user_id].exists = True
        model.users[user_id].banned = banned


@settings(max_examples=60, deadline=None)
@given(
    zone=ZONES,
    bonuses=st.lists(st.integers(min_value=0, max_value=800), min_size=3, max_size=3),
    ops=st.lists(operations, min_size=15, max_size=45),
)
async def test_any_sequence_keeps_the_ledger_consistent(tmp_path_factory, zone, bonuses, ops):
    # Starts the evening before New York's spring-forward night, so some runs cross it.
    clock = ManualClock(datetime(2025, 3, 8, 20, 0, tzinfo=UTC).timestamp())
    path = tmp_path_factory.mktemp("ledger") / "bot.db"
    storage = await open_storage(path, clock, zone=ZoneInfo(zone), default_limit=DEFAULT_LIMIT)
    model = Model()
    # Most users hold some bonus, so reservations often span both balances.
    ops = [("grant", user_id, bonus) for user_id, bonus in zip(USERS, bonuses, strict=True)] + ops
    try:
        for op in ops:
            await apply(storage, clock, model, op)
            assert storage.users.today() == day_of(clock.now(), ZoneInfo(zone))
            await check_users(storage, model)
        event(f"ops {len(ops) // 10 * 10}+, jobs {len(model.jobs) // 5 * 5}+")
        await check_users_through_the_api(storage, model)
        for job in model.jobs:
            await check_job(storage, job)
        await check_job_ledgers(storage, model)
    finally:
        await storage.close()
