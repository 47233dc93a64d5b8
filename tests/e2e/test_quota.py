"""Issue #4 end to end: quotas, /quota /help /start /jobs /cancel, groups (PRODUCT.md §4-§5).

Every test drives the real wiring (`run_bot`) through the fake Telegram and the fake
Evolink and asserts only what a user sees. Time-of-day is pinned with a `ManualClock`, so
refill times are exact and the day boundary moves without sleeping.
"""

from __future__ import annotations

import copy
import dataclasses
import weakref
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from bot.app import Tuning
from bot.texts.plurals import Ordinal
from tests.conftest import ManualClock
from tests.e2e.conftest import ADMIN_ID, BOT_USERNAME, FAST_TUNING, Harness
from tests.e2e.outcomes import failure_reason, outcome_of
from tests.fakes.telegram import FakeTelegram

Message = dict[str, Any]

# 2025-03-10 13:30 UTC: the UTC refill is 10 h 30 min away.
MONDAY_1330 = datetime(2025, 3, 10, 13, 30, tzinfo=UTC).timestamp()

PRICES = (
    "/imagine 1 per picture · /edit 1.2 per picture (wan), 1 (qwen) · "
    "/animate 5 per 5 s at 720p (480p half, 1080p double) · "
    "/video 5 per 5 s at 720p (480p half, 1080p double)"
)
QUEUED = "⏳ Job #"
PAUSED = "⏸ Job #"
STARTING = "🚀 Job #"
ACCEPTED = (QUEUED, PAUSED, STARTING)  # how a status message first looks
CANCELLED = "🚫 Job #"  # "... cancelled. Nothing was charged."
BANNED = "An admin has blocked you from using this bot."
JOBS_HEADER = "Your jobs (/cancel <number> withdraws a waiting one):"
ADMIN_ONLY = "That command is for admins only."


def text_of(message: Message) -> str:
    return str(message.get("text", message.get("caption", "")))


def replies_to(message: Message, request: Message) -> bool:
    return (message.get("reply_to_message") or {}).get("message_id") == request["message_id"]


def callback_data(message: Message) -> list[str]:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    return [str(b.get("callback_data")) for row in rows for b in row]


def job_id_of(status: Message) -> int:
    """The job number behind a status message, from its Cancel button."""
    for data in callback_data(status):
        if data.startswith("cancel:"):
            return int(data.split(":")[1])
    raise AssertionError(f"no Cancel button on {status}")


def quota_text(
    left: str, limit: str, refill: str, bonus: str = "0", running: int = 0, queued: int = 0
) -> str:
    return (
        f"Daily credits: {left} of {limit} left, refill at {refill}.\nBonus credits: {bonus}."
        f"\nJobs: {running} running, {queued} waiting.\n\nPrices:\n{PRICES}"
    )


def no_credits(left: str, refill: str, bonus: str | None = None, cost: str = "1") -> str:
    bonus_part = f" and {bonus} bonus" if bonus else ""
    return (
        f"Not enough credits: this costs {cost} credit{'' if cost == '1' else 's'}, "
        f"you have {left} left today{bonus_part}. "
        f"Your daily credits refill at {refill}."
    )


_POSTED: weakref.WeakKeyDictionary[FakeTelegram, dict[tuple[int, int], Message]] = (
    weakref.WeakKeyDictionary()
)


def posted_messages(tg: FakeTelegram) -> dict[tuple[int, int], Message]:
    """Every bot message as it was first posted, before any edit (recorded from now on)."""
    if tg not in _POSTED:
        posted: dict[tuple[int, int], Message] = {}

        def keep(kind: str, message: Message) -> None:
            if kind == "bot_message":
                key = (message["chat"]["id"], message["message_id"])
                posted[key] = copy.deepcopy(message)

        tg.listeners.append(keep)
        _POSTED[tg] = posted
    return _POSTED[tg]


def manual_tuning(start: float) -> tuple[Tuning, ManualClock]:
    clock = ManualClock(start)
    return dataclasses.replace(FAST_TUNING, clock=clock), clock


class Person:
    """Someone writing to the bot: sends as that user and waits for what the bot answers."""

    def __init__(
        self,
        harness: Harness,
        user_id: int,
        name: str,
        username: str | None = None,
        chat: Message | None = None,
    ) -> None:
        self.h = harness
        self.tg = harness.tg
        self.posted = posted_messages(harness.tg)
        self.user = self.tg.user(user_id, name, username=username)
        self.id = user_id
        self.private = self.tg.private_chat(self.user)
        self.chat = chat or self.private

    def in_chat(self, chat: Message) -> Person:
        """The same person writing in another chat (a group, or back in private)."""
        other = copy.copy(self)
        other.chat = chat
        return other

    def send(self, text: str, *, reply_to: int | None = None) -> Message:
        return self.tg.send_text(self.chat, self.user, text, reply_to=reply_to)

    async def answer_to(
        self,
        request: Message,
        predicate: Callable[[Message], bool] = lambda m: True,
        timeout: float = 15,
    ) -> Message:
        """The bot's (first) message replying to `request` that matches `predicate`."""
        return await self.h.reply_in(
            self.chat["id"], lambda m: replies_to(m, request) and predicate(m), timeout
        )

    async def ask(self, text: str, *, reply_to: int | None = None, timeout: float = 15) -> str:
        """Send `text`, return the text of the bot's reply to it."""
        request = self.send(text, reply_to=reply_to)
        return text_of(await self.answer_to(request, timeout=timeout))

    async def status_of(self, text: str) -> Message:
        """Send a generation command that must be accepted; returns its status message
        as first posted ("Starting…" without buttons, or its place in line with Cancel)."""
        request = self.send(text)
        status = self.as_posted(await self.answer_to(request))
        assert text_of(status).startswith(ACCEPTED), f"{text!r} got {text_of(status)!r}"
        return status

    async def job_number(self, prompt: str) -> int:
        """The number /jobs shows for the job with this prompt."""
        for line in (await self.ask("/jobs")).splitlines():
            if line.endswith(f" · {prompt}"):
                return int(line.split()[0].lstrip("#"))
        raise AssertionError(f"/jobs does not list {prompt!r}")

    def as_posted(self, message: Message) -> Message:
        """`message` as the bot first sent it (a status message may be edited at once)."""
        return self.posted[(message["chat"]["id"], message["message_id"])]

    async def result_of(self, request: Message, timeout: float = 20) -> Message:
        return await self.answer_to(request, lambda m: bool(m.get("photo")), timeout)

    async def generate(self, prompt: str) -> Message:
        """A /imagine that must end with a photo."""
        request = self.send(f"/imagine {prompt}")
        return await self.result_of(request)

    async def wait_status(self, status: Message, predicate: Callable[[str], bool]) -> str:
        """Wait until the status message (edits applied), or once it is gone the job's
        outcome (see tests/e2e/outcomes.py), has a text matching `predicate`."""
        chat_id = self.chat["id"]
        found: list[str] = []

        def check() -> bool:
            current = self.tg.world.get_message(chat_id, status["message_id"])
            if current is not None:
                text: str | None = text_of(current)
            else:
                text = outcome_of(self.tg, chat_id, status["reply_to_message"])
            if text is not None and predicate(text):
                found.append(text)
            return bool(found)

        await self.tg.wait_for(check, 15)
        return found[-1]

    def answers_to(self, request: Message) -> list[Message]:
        return [m for m in self.tg.bot_messages(self.chat["id"]) if replies_to(m, request)]


def admin(harness: Harness) -> Person:
    return Person(harness, ADMIN_ID, "Boss", username="boss")


def generations(harness: Harness) -> int:
    return len(harness.evo.generation_requests())


# --- 1. /quota, /help and /start for a new user ------------------------------------------------


async def test_quota_help_and_start_for_a_new_user(harness: Harness) -> None:
    tuning, _ = manual_tuning(MONDAY_1330)
    await harness.start(tuning=tuning)
    alice = Person(harness, 1001, "Alice", "alice")

    assert await alice.ask("/quota") == quota_text("10", "10", "00:00 UTC (in 10 h 30 min)")

    text = await alice.ask("/help")
    for listed in ("/imagine", "/edit", "/animate", "/quota", "/jobs", "/cancel", "/settings"):
        assert listed in text, listed
    assert "/imagine - Make a picture from a description · 1 credit a picture" in text
    assert "/edit - " in text and "· from 1 credit a picture" in text
    assert "· from 2.5 credits a video" in text
    assert text.endswith("You have 10 of 10 daily credits left.")
    assert (await alice.ask("/start")).startswith("👋 Hi Alice!")

    boss = admin(harness)
    assert await boss.ask("/quota") == (
        f"You are an admin: no credit limits apply to you.\n\n{PRICES}"
    )
    assert generations(harness) == 0


# --- 2. spending the daily credits, the refusal, a grant, daily before bonus ----------------


async def test_daily_credits_run_out_then_a_grant_lets_her_go_on(harness: Harness) -> None:
    tuning, _ = manual_tuning(MONDAY_1330)
    harness.evo.task_duration = 0.05
    await harness.start(tuning=tuning, max_queued_per_user=20)
    alice = Person(harness, 1001, "Alice", "alice")
    boss = admin(harness)
    refill = "00:00 UTC (in 10 h 30 min)"

    requests = [alice.send(f"/imagine picture {i}") for i in range(10)]
    for request in requests:
        await alice.result_of(request)
    assert generations(harness) == 10
    assert await alice.ask("/quota") == quota_text("0", "10", refill)

    eleventh = alice.send("/imagine one too many")
    refusal = await alice.answer_to(eleventh)
    assert text_of(refusal) == no_credits("0", refill)
    assert not callback_data(refusal)
    assert await alice.ask("/help") != ""  # a later answer: the refusal stayed alone
    assert alice.answers_to(eleventh) == [refusal]
    assert generations(harness) == 10

    assert await boss.ask("/grant @alice 5") == (
        "Granted 5 credits to @alice (1001). Their bonus balance is now 5."
    )
    assert await alice.ask("/quota") == quota_text("0", "10", refill, bonus="5")
    photo = await alice.generate("paid from the bonus")
    assert text_of(photo) == "paid from the bonus"
    assert await alice.ask("/quota") == quota_text("0", "10", refill, bonus="4")
    assert generations(harness) == 11


async def test_daily_credits_are_spent_before_bonus(harness: Harness) -> None:
    tuning, _ = manual_tuning(MONDAY_1330)
    harness.evo.task_duration = 0.05
    await harness.start(tuning=tuning)
    bob = Person(harness, 1002, "Bob", "bob")
    boss = admin(harness)
    refill = "00:00 UTC (in 10 h 30 min)"

    await bob.ask("/start")  # the bot has seen @bob now
    assert (
        await boss.ask("/grant @bob 3")
        == "Granted 3 credits to @bob (1002). Their bonus balance is now 3."
    )
    await bob.generate("a cheap one")
    assert await bob.ask("/quota") == quota_text("9", "10", refill, bonus="3")
    help_text = await bob.ask("/help")
    assert help_text.endswith("You have 9 of 10 daily credits left and 3 bonus.")


# --- 3. fifty at once: exactly the credits' worth are accepted ----------------------------


async def test_fifty_concurrent_imagines_accept_exactly_ten(harness: Harness) -> None:
    tuning, _ = manual_tuning(MONDAY_1330)
    tuning = dataclasses.replace(tuning, update_backlog=100)  # a race, not a flood
    harness.evo.task_duration = 0.05
    await harness.start(tuning=tuning, max_queued_per_user=100, max_active_per_user=2)
    alice = Person(harness, 1001, "Alice", "alice")

    requests = [alice.send(f"/imagine race {i}") for i in range(50)]

    def first_answers() -> list[Message] | None:
        """Each request's first answer as posted (a status message is deleted once its
        result is in, so the chat alone no longer shows it)."""
        answers = []
        for request in requests:
            found = sorted(
                (m for m in alice.posted.values() if replies_to(m, request)),
                key=lambda m: m["message_id"],
            )
            if not found:
                return None
            answers.append(found[0])
        return answers

    await harness.tg.wait_for(lambda: first_answers() is not None, 30)
    answers = first_answers()
    assert answers is not None
    refusals = [a for a in answers if text_of(a).startswith("Not enough credits")]
    accepted = [a for a in answers if text_of(a).startswith(ACCEPTED)]
    assert len(accepted) == 10, [text_of(a) for a in answers]
    assert len(refusals) == 40
    # Whichever ten won, each refusal was told the truth at the moment it lost.
    assert all(text_of(r) == no_credits("0", "00:00 UTC (in 10 h 30 min)") for r in refusals)

    accepted_requests = [
        r for r, a in zip(requests, answers, strict=True) if text_of(a).startswith(ACCEPTED)
    ]
    for request in accepted_requests:
        await alice.result_of(request, timeout=30)
    assert generations(harness) == 10
    photos = [m for m in harness.tg.bot_messages(alice.chat["id"]) if m.get("photo")]
    assert len(photos) == 10
    assert await alice.ask("/quota") == quota_text("0", "10", "00:00 UTC (in 10 h 30 min)")


# --- 4. a failed job gives the credit back --------------------------------------------------


async def test_failed_job_restores_the_balance(harness: Harness) -> None:
    tuning, _ = manual_tuning(MONDAY_1330)
    harness.evo.task_duration = 0.05
    await harness.start(tuning=tuning)
    alice = Person(harness, 1001, "Alice", "alice")
    full = quota_text("10", "10", "00:00 UTC (in 10 h 30 min)")

    assert await alice.ask("/quota") == full
    harness.evo.fail_next_tasks("service_error")
    status = await alice.status_of("/imagine this one breaks")
    final = await alice.wait_status(status, lambda text: text.startswith("❌"))
    assert failure_reason(final) == (
        "The generation service had a problem and could not finish this job. Please "
        "try again in a few minutes. Nothing was charged."
    )
    assert await alice.ask("/quota") == full
    assert text_of(status).startswith(STARTING) and not callback_data(status)
    jobs = await alice.ask("/jobs")
    assert jobs.splitlines()[1].endswith("/imagine · failed · 0 charged · this one breaks")


# --- 5. the daily reset follows QUOTA_TIMEZONE ---------------------------------------------


async def test_daily_reset_at_midnight_in_the_quota_timezone(harness: Harness) -> None:
    # 15:59 UTC is 23:59 in Shanghai: one minute before the Shanghai midnight.
    tuning, clock = manual_tuning(datetime(2025, 3, 10, 15, 59, tzinfo=UTC).timestamp())
    harness.evo.task_duration = 0.05
    await harness.start(tuning=tuning, quota_timezone="Asia/Shanghai")
    alice = Person(harness, 1001, "Alice", "alice")
    boss = admin(harness)

    for prompt in ("one", "two", "three"):
        await alice.generate(prompt)
    assert await alice.ask("/quota") == quota_text("7", "10", "00:00 Asia/Shanghai (in 0 h 1 min)")
    # A job reserved before midnight and withdrawn after it: yesterday's allowance is
    # gone, so withdrawing it must not add to today's fresh one.
    assert (await boss.ask("/pause")).startswith("Paused")
    late = await alice.status_of("/imagine reserved at 23:59")
    assert await alice.ask("/quota") == quota_text(
        "6", "10", "00:00 Asia/Shanghai (in 0 h 1 min)", queued=1
    )

    clock.advance(120)  # 16:01 UTC, 00:01 in Shanghai
    assert await alice.ask("/quota") == quota_text(
        "10", "10", "00:00 Asia/Shanghai (in 23 h 59 min)", queued=1
    )
    assert await alice.ask(f"/cancel {job_id_of(late)}") == (
        f"Job #{job_id_of(late)} cancelled; nothing was charged."
    )
    assert await alice.ask("/quota") == quota_text(
        "10", "10", "00:00 Asia/Shanghai (in 23 h 59 min)"
    )
    await boss.ask("/resume")
    await alice.generate("a new day")
    assert await alice.ask("/quota") == quota_text(
        "9", "10", "00:00 Asia/Shanghai (in 23 h 59 min)"
    )


# --- 6. /jobs and /cancel ------------------------------------------------------------------


async def test_jobs_and_cancel_of_queued_jobs_while_paused(harness: Harness) -> None:
    tuning, _ = manual_tuning(MONDAY_1330)
    harness.evo.task_duration = 0.05
    await harness.start(tuning=tuning)
    alice = Person(harness, 1001, "Alice", "alice")
    boss = admin(harness)
    refill = "00:00 UTC (in 10 h 30 min)"

    assert await alice.ask("/jobs") == "You have no jobs yet."
    assert await alice.ask("/cancel") == "You have no job waiting to be cancelled."
    assert (await boss.ask("/pause")).startswith("Paused: new jobs wait in the queue")
    statuses = [await alice.status_of(f"/imagine waiting {i}") for i in (1, 2, 3)]
    ids = [job_id_of(s) for s in statuses]
    for position, status in enumerate(statuses, start=1):
        assert text_of(status) == (
            f"{PAUSED}{ids[position - 1]} is {Ordinal(position).spoken('en')} in line · "
            "1 credit reserved. Generation is paused by the operator; your job will start "
            "when it resumes."
        )
    assert await alice.ask("/quota") == quota_text("7", "10", refill, queued=3)
    jobs = await alice.ask("/jobs")
    assert jobs.splitlines() == [
        JOBS_HEADER,
        *(f"#{ids[i]} /imagine · waiting · 1 reserved · waiting {i + 1}" for i in range(3)),
    ]

    # /cancel alone withdraws the oldest waiting job; /cancel N that job.
    assert await alice.ask("/cancel") == f"Job #{ids[0]} cancelled; nothing was charged."
    cancelled = await alice.wait_status(statuses[0], lambda t: t.startswith(CANCELLED))
    assert cancelled == f"🚫 Job #{ids[0]} cancelled. Nothing was charged."
    assert await alice.ask(f"/cancel #{ids[1]}") == (
        f"Job #{ids[1]} cancelled; nothing was charged."
    )
    await alice.wait_status(statuses[1], lambda t: t.startswith(CANCELLED))
    assert await alice.ask("/quota") == quota_text("9", "10", refill, queued=1)
    # A number that names no job of hers is answered with that number, precisely.
    assert await alice.ask("/cancel 99999") == (
        "You have no job #99999. /jobs lists your jobs and their numbers."
    )
    # Past SQLite's integer range, and digits that int() refuses: answers, not silence.
    assert (await alice.ask("/cancel 99999999999999999999999")).startswith(
        "You have no job #99999999999999999999999."
    )
    assert await alice.ask("/cancel ²") == (
        "Use /cancel to withdraw your oldest waiting job, or /cancel <job number>."
    )
    assert await alice.ask("/cancel soon") == (
        "Use /cancel to withdraw your oldest waiting job, or /cancel <job number>."
    )
    # Someone else's job number is not theirs to cancel.
    bob = Person(harness, 1002, "Bob", "bob")
    assert await bob.ask(f"/cancel {ids[2]}") == (
        f"You have no job #{ids[2]}. /jobs lists your jobs and their numbers."
    )
    assert generations(harness) == 0

    assert await boss.ask("/resume") == "Resumed: submitting again."
    await alice.wait_status(statuses[2], lambda t: t.startswith("✅ Job #"))
    assert await alice.ask(f"/cancel {ids[2]}") == f"Job #{ids[2]} has already finished."
    assert await alice.ask("/quota") == quota_text("9", "10", refill)
    assert (await alice.ask("/jobs")).splitlines() == [
        JOBS_HEADER,
        f"#{ids[2]} /imagine · done · 1 charged · waiting 3",
        f"#{ids[1]} /imagine · cancelled · 0 charged · waiting 2",
        f"#{ids[0]} /imagine · cancelled · 0 charged · waiting 1",
    ]
    assert generations(harness) == 1


async def test_jobs_shows_running_and_the_last_ten_finished(harness: Harness) -> None:
    tuning, _ = manual_tuning(MONDAY_1330)
    harness.evo.task_duration = 0.05
    await harness.start(tuning=tuning, daily_credits=20, max_queued_per_user=20)
    alice = Person(harness, 1001, "Alice", "alice")
    boss = admin(harness)

    await boss.ask("/pause")
    ids = [job_id_of(await alice.status_of(f"/imagine old {i}")) for i in range(12)]
    for job_id in ids:
        assert await alice.ask(f"/cancel {job_id}") == (
            f"Job #{job_id} cancelled; nothing was charged."
        )
    await boss.ask("/resume")
    harness.evo.stall_next_tasks()
    running = await alice.status_of("/imagine still going")
    await alice.wait_status(running, lambda t: t.startswith("🎨 Job #"))

    running_id = await alice.job_number("still going")
    lines = (await alice.ask("/jobs")).splitlines()
    assert lines[0] == JOBS_HEADER
    assert lines[1].startswith(f"#{running_id} /imagine · running ")
    assert lines[1].endswith(" · 1 reserved · still going")
    newest_ten = list(reversed(ids))[:10]
    assert lines[2:] == [
        f"#{job_id} /imagine · cancelled · 0 charged · old {ids.index(job_id)}"
        for job_id in newest_ten
    ]


async def test_cancel_of_a_job_evolink_already_has(harness: Harness) -> None:
    tuning, _ = manual_tuning(MONDAY_1330)
    harness.evo.task_duration = 0.05
    await harness.start(tuning=tuning, max_active_per_user=1)
    alice = Person(harness, 1001, "Alice", "alice")
    refill = "00:00 UTC (in 10 h 30 min)"

    harness.evo.stall_next_tasks()
    stuck = await alice.status_of("/imagine never ends")
    await harness.evo.wait_for(lambda: len(harness.evo.tasks) == 1)
    waiting = await alice.status_of("/imagine behind it")
    assert text_of(waiting).startswith(QUEUED) and " is 1st in line · " in text_of(waiting)
    assert await alice.ask("/quota") == quota_text("8", "10", refill, running=1, queued=1)

    assert text_of(stuck).startswith(STARTING) and not callback_data(stuck)
    stuck_id = await alice.job_number("never ends")
    assert await alice.ask(f"/cancel {stuck_id}") == (
        f"Job #{stuck_id} is already being generated and can't be stopped. You'll only be "
        "charged for what it produces."
    )
    # The Cancel button of the waiting job, pressed by its requester.
    waiting_id = job_id_of(waiting)
    query = harness.tg.press_button(
        alice.chat, alice.user, waiting["message_id"], f"cancel:{waiting_id}"
    )
    await harness.tg.wait_for(lambda: query in harness.tg.callback_answers)
    assert harness.tg.callback_answers[query]["text"] == (
        f"Job #{waiting_id} cancelled; nothing was charged."
    )
    await alice.wait_status(waiting, lambda t: t.startswith(CANCELLED))
    assert await alice.ask("/quota") == quota_text("9", "10", refill, running=1)
    working = await alice.wait_status(stuck, lambda t: t.startswith("🎨 Job #"))
    assert working.startswith(f"🎨 Job #{stuck_id}: 42%")
    current = harness.tg.world.get_message(alice.chat["id"], stuck["message_id"])
    assert current is not None and callback_data(current) == []  # never offered Cancel
    assert len(harness.evo.tasks) == 1


# --- 8. groups -------------------------------------------------------------------------------


async def test_group_requests_charge_the_requester_and_mention_them(harness: Harness) -> None:
    tuning, _ = manual_tuning(MONDAY_1330)
    harness.evo.task_duration = 0.05
    await harness.start(tuning=tuning)
    team = harness.tg.group_chat(-100500, "Team")
    alice = Person(harness, 1001, "Alice", "alice").in_chat(team)
    bob = Person(harness, 1002, "Bob").in_chat(team)  # no username: a text mention
    refill = "00:00 UTC (in 10 h 30 min)"

    ignored = [
        alice.send("/imagine@other_bot not for us"),
        alice.send("/quota@other_bot"),
        bob.send("/grant@other_bot @bob 100"),
    ]
    request = alice.send(f"/imagine@{BOT_USERNAME} a team photo")
    photo = await alice.result_of(request)
    assert text_of(photo) == "a team photo\n\nFor @alice"
    assert photo["reply_to_message"]["message_id"] == request["message_id"]

    plain = bob.send("/imagine a plain command in a group")
    photo = await bob.result_of(plain)
    assert text_of(photo) == "a plain command in a group\n\nFor Bob"
    mentions = [e for e in photo.get("caption_entities", []) if e["type"] == "text_mention"]
    assert [(m["user"]["id"], m["offset"], m["length"]) for m in mentions] == [
        (1002, len("a plain command in a group\n\nFor "), 3)
    ]

    # The group's requests were charged to each requester, as /quota in private shows.
    assert await alice.in_chat(alice.private).ask("/quota") == quota_text("9", "10", refill)
    assert await bob.in_chat(bob.private).ask("/quota") == quota_text("9", "10", refill)
    assert await alice.ask(f"/quota@{BOT_USERNAME}") == quota_text("9", "10", refill)

    for other in ignored:
        assert alice.answers_to(other) == []
    assert generations(harness) == 2
    prompts = [body["prompt"] for body in harness.evo.generation_requests()]
    assert sorted(prompts) == ["a plain command in a group", "a team photo"]


async def test_group_cancel_button_is_for_the_requester_only(harness: Harness) -> None:
    tuning, _ = manual_tuning(MONDAY_1330)
    await harness.start(tuning=tuning)
    team = harness.tg.group_chat(-100500, "Team")
    alice = Person(harness, 1001, "Alice", "alice").in_chat(team)
    bob = Person(harness, 1002, "Bob", "bob").in_chat(team)
    boss = admin(harness)

    await boss.ask("/pause")
    status = await alice.status_of(f"/imagine@{BOT_USERNAME} wait for me")
    job_id = job_id_of(status)
    tg = harness.tg

    stranger = tg.press_button(team, bob.user, status["message_id"], f"cancel:{job_id}")
    await tg.wait_for(lambda: stranger in tg.callback_answers)
    assert tg.callback_answers[stranger] == {
        "text": "Only the person who asked for this can use its buttons.",
        "show_alert": True,
        "url": None,
    }
    current = tg.world.get_message(team["id"], status["message_id"])
    assert current is not None and text_of(current).startswith(PAUSED)

    owner = tg.press_button(team, alice.user, status["message_id"], f"cancel:{job_id}")
    await tg.wait_for(lambda: owner in tg.callback_answers)
    assert tg.callback_answers[owner]["text"] == f"Job #{job_id} cancelled; nothing was charged."
    await alice.wait_status(status, lambda t: t.startswith(CANCELLED))
    assert await alice.ask("/quota") == quota_text("10", "10", "00:00 UTC (in 10 h 30 min)")
    await boss.ask("/resume")
    assert await alice.ask("/jobs") == (
        f"{JOBS_HEADER}\n#{job_id} /imagine · cancelled · 0 charged · wait for me"
    )
    assert generations(harness) == 0
