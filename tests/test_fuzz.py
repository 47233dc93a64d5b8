"""Property-based fuzz of everything a user can send: commands and flags, captions, button
presses (callback data) and odd updates, through the real handlers (`run_bot` against both
fakes), issue 9 item 6.

After each example: no exception reached the error handler or any log at ERROR; the fake
Telegram saw no call a real one would refuse (text <= 4096, captions <= 1024, ...); every
button press was answered; no ledger row exists without its job. Hypothesis is
derandomized and does not shrink, so a run is repeatable and a failure stays quick.
"""

from __future__ import annotations

import asyncio
import copy
import itertools
import logging
import sqlite3
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from tests.e2e.conftest import ADMIN_ID, BOT_USERNAME, KEY, TOKEN, Harness
from tests.fakes.evolink import FakeEvolink
from tests.fakes.telegram import FakeTelegram, FloodLimits
from tests.soak.scenario import photo

Json = dict[str, Any]
T = TypeVar("T")
FUZZ_USER = 31_001
REPLY_WAIT = 3.0  # a known command answers in milliseconds; this only bounds a silent one
COMMANDS = (
    "imagine",
    "edit",
    "animate",
    "video",
    "settings",
    "quota",
    "jobs",
    "cancel",
    "buy",
    "help",
    "start",
    "id",
    "grant",
    "setlimit",
    "ban",
    "unban",
    "balance",
    "refund",
    "paysupport",
)
ANSWERING = frozenset({"imagine", "edit", "animate", "quota", "jobs", "help", "start"})
# A caption is read only for the generation commands (a photo captioned /help is a photo).
CAPTION_ANSWERING = frozenset({"imagine", "edit", "animate"})
FUZZ = settings(
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],  # no shrinking: each step would re-run the bot
    report_multiple_bugs=False,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


class ErrorLog(logging.Handler):
    """Every record at ERROR or carrying an exception: what 'an exception escaped' means."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno >= logging.ERROR or record.exc_info:
            self.records.append(record)

    def take(self) -> list[str]:
        taken, self.records = self.records, []
        return [
            f"{r.name}: {r.getMessage()} {r.exc_info[1]!r}"
            if r.exc_info
            else f"{r.name}: {r.getMessage()}"
            for r in taken
        ]


class LiveBot:
    """The bot and both fakes on one event loop that lives across hypothesis examples."""

    def __init__(self, tmp: Path) -> None:
        self.loop = asyncio.new_event_loop()
        self.tg = FakeTelegram(token=TOKEN, bot_username=BOT_USERNAME)
        self.tg.flood = FloodLimits(per_chat_per_second=60, per_chat_burst=60)
        self.evo = FakeEvolink(api_key=KEY)
        self.harness = Harness(self.tg, self.evo, tmp)
        self.errors = ErrorLog()
        self._sentinels = itertools.count(40_001)
        self._root_level = logging.WARNING
        self._violations_seen = 0
        self.user = self.tg.user(FUZZ_USER, "Fuzz", username="fuzz")
        self.admin = self.tg.user(ADMIN_ID, "Admin")

    def run(self, step: Awaitable[T]) -> T:
        return self.loop.run_until_complete(step)

    async def start(self) -> None:
        await self.tg.start()
        await self.evo.start()
        await self.harness.start(daily_credits=50, credit_packs="100:50,2.5:1")
        root = logging.getLogger()
        root.addHandler(self.errors)
        # A quieter root level would drop errors before they reach our handler.
        self._root_level = root.level
        root.setLevel(min(root.level, logging.ERROR) or logging.ERROR)
        # Every chat starts with a bot message, so presses have a message to come from.
        for user in (self.user, self.admin):
            sent = self.tg.send_text(self.tg.private_chat(user), user, "/help")
            await self.reply_to(sent, 15)

    async def stop(self) -> None:
        logging.getLogger().removeHandler(self.errors)
        logging.getLogger().setLevel(self._root_level)
        await self.harness.stop_all()
        await self.evo.stop()
        await self.tg.stop()

    async def reply_to(self, message: Json, timeout: float = REPLY_WAIT) -> bool:
        chat_id = message["chat"]["id"]

        def answered() -> bool:
            return any(
                (m.get("reply_to_message") or {}).get("message_id") == message["message_id"]
                for m in self.tg.bot_messages(chat_id)
            )

        try:
            await self.tg.wait_for(answered, timeout)
        except TimeoutError:
            return False
        return True

    async def barrier(self) -> None:
        """A fresh user's /help answered: every update sent before it has been taken in and,
        handlers being short, handled (anything later is caught by the next check)."""
        user = self.tg.user(next(self._sentinels), "Sentinel")
        sent = self.tg.send_text(self.tg.private_chat(user), user, "/help")
        assert await self.reply_to(sent, 15), "the bot stopped answering"

    def check(self, what: str) -> None:
        """Everything that went wrong since the last check (each example answers for its
        own), all in one assertion."""
        errors = self.errors.take()
        refused = self.tg.violations[self._violations_seen :]
        self._violations_seen = len(self.tg.violations)
        with sqlite3.connect(self.harness.tmp_path / "bot.sqlite3") as db:
            orphans = db.execute(
                "SELECT l.kind, l.amount, l.job_id FROM ledger l LEFT JOIN jobs j"
                " ON j.id = l.job_id WHERE l.kind IN ('reserve', 'charge', 'release')"
                " AND j.id IS NULL"
            ).fetchall()
        problems = [f"exception escaped: {e}" for e in errors]
        problems += [f"Telegram would refuse: {v}" for v in refused]
        problems += [f"ledger row without a job: {tuple(row)}" for row in orphans]
        assert not problems, f"{what}: {problems}"

    def sender(self, admin: bool) -> tuple[Json, Json]:
        user = self.admin if admin else self.user
        return self.tg.world.chats[user["id"]], user


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveBot]:
    bot = LiveBot(tmp_path_factory.mktemp("fuzz"))
    bot.run(bot.start())
    try:
        yield bot
    finally:
        bot.run(bot.stop())
        bot.loop.close()


# --- strategies -------------------------------------------------------------------------------

_text = st.text(st.characters(codec="utf-8"), max_size=30)
_numbers = st.one_of(
    st.integers(-(10**6), 10**6).map(str),
    st.integers(10**300, 10**310).map(str),  # overflows a float and SQLite's INTEGER
    st.sampled_from(["-0", "1e309", "nan", "inf", "0x10", "٣", "½", ""]),
)
_long = st.builds(
    lambda char, n: char * n,
    st.characters(codec="utf-8", min_codepoint=33),
    st.integers(1000, 4090),
)
_value = st.one_of(
    _numbers,
    st.builds("{}:{}".format, _numbers, _numbers),
    st.builds("{}x{}".format, _numbers, _numbers),
    _text,
    _long,
    st.sampled_from(["wan", "qwen", "480p", "720p", "1080p", "@fuzz", str(FUZZ_USER), "default"]),
)
_flag = st.builds(
    "{} {}".format,
    st.sampled_from(["--ar", "--size", "--n", "--duration", "--quality", "--model", "--x", "—n"]),
    _value,
)
_args = st.lists(st.one_of(_flag, _value, st.just("--raw")), max_size=5).map(" ".join)


@st.composite
def commands(draw: Callable[..., Any]) -> tuple[str, str]:
    name = draw(st.sampled_from(COMMANDS))
    mention = draw(st.sampled_from(["", f"@{BOT_USERNAME}", "@other_bot"]))
    return name, f"/{name}{mention} {draw(_args)}".strip()[:4096]


_callback_data = st.one_of(
    st.builds("again:{}".format, st.integers(0, 10**40)),
    st.builds("animate:{}:{}".format, st.integers(-(10**30), 10**30), st.integers(-9, 10**30)),
    st.builds("cancel:{}".format, st.integers(0, 10**40)),
    st.text(min_size=1, max_size=64),
    st.sampled_from(["again:", "animate:1", "cancel:x", ":", "settings:lang:zz", "x" * 64]),
    st.builds("buy:{}".format, _value),
    st.sampled_from(["buy:10000:50", "buy:250:1", "buy:", "buy:10000:51"]),
).filter(lambda data: 1 <= len(data.encode()) <= 64)


def expects_reply(name: str, text: str) -> bool:
    """Commands that answer today whatever their arguments: waiting for the answer ties an
    error to its example. Other input is only followed by the barrier."""
    return name in ANSWERING and "@other_bot" not in text.split(" ", 1)[0]


# --- the properties ---------------------------------------------------------------------------


@settings(FUZZ, max_examples=60)
@example(command=("imagine", "/imagine a cat --ar " + "9" * 309 + ":1"), admin=False)
@example(command=("imagine", "/imagine a --n " + "x" * 4080), admin=False)  # echoed back
@example(command=("imagine", "/imagine a --" + "y" * 4080), admin=False)
@example(command=("grant", f"/grant {FUZZ_USER} " + "9" * 400), admin=True)
@given(command=commands(), admin=st.booleans())
def test_commands_and_flags(live: LiveBot, command: tuple[str, str], admin: bool) -> None:
    name, text = command
    chat, user = live.sender(admin)

    async def step() -> None:
        sent = live.tg.send_text(chat, user, text)
        if expects_reply(name, text):
            assert await live.reply_to(sent), f"no reply to {text[:80]!r}"
        await live.barrier()

    live.run(step())
    live.check(f"{text[:80]!r} from {'admin' if admin else 'a user'}")


@settings(FUZZ, max_examples=20)
@example(caption="/edit --n " + "9" * 309)
@given(caption=st.one_of(commands().map(lambda c: c[1]), _text, _long))
def test_captions(live: LiveBot, caption: str) -> None:
    chat, user = live.sender(admin=False)

    async def step() -> None:
        sent = live.tg.send_photo(chat, user, photo(5), caption=caption[:1024] or None)
        name = caption[1:].split(" ", 1)[0].split("@", 1)[0]
        if caption.startswith("/") and name in CAPTION_ANSWERING and expects_reply(name, caption):
            assert await live.reply_to(sent), f"no reply to {caption[:80]!r}"
        await live.barrier()

    live.run(step())
    live.check(f"photo captioned {caption[:80]!r}")


def press(tg: FakeTelegram, chat: Json, user: Json, data: str) -> str:
    """A button press with any data, on the chat's latest bot message (a client can send
    whatever callback data it likes; Telegram does not check it against the buttons)."""
    message = tg.bot_messages(chat)[-1]
    query: Json = {
        "id": tg.world.new_callback_id(),
        "from": user,
        "message": copy.deepcopy(message),
        "chat_instance": str(chat["id"]),
        "data": data,
    }
    tg.world.callback_queries[query["id"]] = query
    tg.updates.push("callback_query", copy.deepcopy(query))
    return str(query["id"])


@settings(FUZZ, max_examples=40)
@example(data="again:" + "1" * 30)
@example(data="bogus:1")
@given(data=_callback_data)
def test_callback_data(live: LiveBot, data: str) -> None:
    chat, user = live.sender(admin=False)

    async def step() -> bool:
        query_id = press(live.tg, chat, user, data)
        try:
            await live.tg.wait_for(lambda: query_id in live.tg.callback_answers, REPLY_WAIT)
        except TimeoutError:
            return False
        return True

    answered = live.run(step())
    live.run(live.barrier())
    live.check(f"callback data {data!r}")
    assert answered, f"callback data {data!r}: the button press was never answered"


def _odd_updates(tg: FakeTelegram, chat: Json, user: Json, text: str) -> list[tuple[str, Json]]:
    """Updates a bot must shrug off: edits, channel posts, messages without a sender or
    with content it does not handle, replies to a photo it never saw, an "image" file
    that is not one (the files are real: the bot may fetch them)."""
    base = {"message_id": 900_000, "date": 1_700_000_000, "chat": chat, "from": user}
    channel = {"id": -100777, "type": "channel", "title": "Channel"}
    sizes = [size.as_photo_size() for size in tg.world.files.add_photo(photo(7))]
    unseen_photo = {**base, "message_id": 899_999, "photo": sizes}
    junk = tg.add_file(b"not a picture", file_name="x.png", mime_type="image/png")
    return [
        ("edited_message", {**base, "text": text, "edit_date": 1_700_000_100}),
        ("channel_post", {**base, "chat": channel, "sender_chat": channel, "text": text}),
        ("message", {k: v for k, v in base.items() if k != "from"} | {"text": text}),
        ("message", {**base, "location": {"latitude": 1.5, "longitude": 2.5}}),
        ("message", {**base, "text": text, "reply_to_message": unseen_photo}),
        ("message", {**base, "caption": text, "document": junk.as_media()}),
    ]


@settings(FUZZ, max_examples=20)
@given(which=st.integers(0, 5), text=st.one_of(commands().map(lambda c: c[1]), _text))
def test_odd_updates(live: LiveBot, which: int, text: str) -> None:
    chat, user = live.sender(admin=False)
    kind, payload = _odd_updates(live.tg, chat, user, text or "/imagine x")[which]

    async def step() -> None:
        live.tg.updates.push(kind, copy.deepcopy(payload))
        await live.barrier()

    live.run(step())
    live.check(f"{kind} {which} with {text[:80]!r}")


_payloads = st.one_of(
    _text,
    _long,
    st.builds("p1.{}.{}.{}.{}".format, _numbers, _numbers, _numbers, _text),
).filter(lambda payload: 1 <= len(payload.encode()) <= 128)


@settings(FUZZ, max_examples=20)
@given(payload=_payloads, total=st.integers(1, 10**6), admin=st.booleans())
def test_pre_checkout_queries(live: LiveBot, payload: str, total: int, admin: bool) -> None:
    """Any payload Telegram could carry is answered, promptly, and never accepted unsigned."""
    _, user = live.sender(admin)

    async def step() -> Any:
        query_id = live.tg.checkout_query(user, payload, total)
        await live.tg.wait_for(lambda: live.tg.checkout_answer(query_id) is not None, REPLY_WAIT)
        return live.tg.checkout_answer(query_id)

    answer = live.run(step())
    live.check(f"pre-checkout with {payload[:80]!r}")
    assert not answer.ok and answer.error_message and not answer.late
