"""The crash soak: the real `python -m bot`, SIGKILLed at chosen moments, restarted each time
on the same database, against both fakes running in this process (they outlive the kills).

Each kill is armed only once every command sent so far has been answered, so a kill never
lands while a plain command is between Telegram and the database: what is lost is lost by
the bot's design, not by the harness. Kill moments:

- ``create``: the fake Evolink has created a task and not yet answered (submission);
- ``poll``: the fake Evolink answers a task status check (tracking);
- ``photo`` / ``media_group`` / ``video``: the fake Telegram has accepted a result and not
  yet answered (delivery: the one window where a second copy is tolerated, PRODUCT §4);
- ``album``: an album's items have reached the bot, its debounce has not run out (intake).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sqlite3
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from tests.fakes.evolink import FakeEvolink
from tests.fakes.telegram import FakeTelegram
from tests.soak.report import Report, judge
from tests.soak.scenario import (
    FINAL_STATES,
    JobSpec,
    all_settled,
    database,
    fakes,
    job_rows,
    plan,
    replies,
    send,
    taken_in,
)

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "123456:CRASH-SOAK-TOKEN"
KEY = "crash-soak-key"
DAILY_CREDITS = 1000
MOMENTS = ("create", "poll", "photo", "media_group", "video")
_CREATES = ("POST /v1/images/generations", "POST /v1/videos/generations")
ALBUM_DEBOUNCE = 1.0
TRIGGER_TIMEOUT = 40.0  # a kill moment that never comes is a harness failure, said loudly


class HarnessError(AssertionError):
    """The soak could not do what it set out to do (not a finding about the bot)."""


@dataclass
class BotProcess:
    """`python -m bot` in `workdir` (no .env there), its output appended to bot.log."""

    env: dict[str, str]
    workdir: Path
    process: asyncio.subprocess.Process | None = None
    starts: int = 0
    _log: IO[bytes] | None = None

    async def start(self) -> None:
        self._log = self._log or (self.workdir / "bot.log").open("ab")
        self.process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            cwd=self.workdir,
            env=self.env,
            stdout=self._log,
            stderr=asyncio.subprocess.STDOUT,
        )
        self.starts += 1

    def kill(self) -> None:
        if self.process is not None and self.process.returncode is None:
            os.kill(self.process.pid, signal.SIGKILL)

    async def wait(self) -> None:
        if self.process is not None:
            await asyncio.wait_for(self.process.wait(), 30)

    async def stop(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.process.wait(), 20)
            except TimeoutError:
                self.kill()
                await self.wait()
        if self._log is not None:
            self._log.close()
            self._log = None


@dataclass
class KillSwitch:
    """Kills the bot from inside a fake's handler, at the armed moment, before it answers."""

    bot: BotProcess
    armed: str | None = None
    fired: asyncio.Event = field(default_factory=asyncio.Event)

    def arm(self, moment: str) -> None:
        self.armed = moment
        self.fired = asyncio.Event()

    def on_evolink(self, line: str) -> None:
        if " -> 200 " not in line:
            return
        if (self.armed == "create" and line.startswith(_CREATES)) or (
            self.armed == "poll" and line.startswith("GET /v1/tasks/")
        ):
            self._kill()

    def on_telegram(self, kind: str, message: dict[str, Any]) -> None:
        if kind != "bot_message" or self.armed is None:
            return
        moment = {
            "photo": bool(message.get("photo")) and not message.get("media_group_id"),
            "media_group": bool(message.get("media_group_id")),
            "video": bool(message.get("video")),
        }
        if moment.get(self.armed):
            self._kill()

    def _kill(self) -> None:
        self.bot.kill()
        self.armed = None
        self.fired.set()


def bot_env(tg: FakeTelegram, evo: FakeEvolink, workdir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "EVOLINK_"))}
    env.update(
        PYTHONPATH=str(ROOT),
        TELEGRAM_BOT_TOKEN=TOKEN,
        EVOLINK_API_KEY=KEY,
        TELEGRAM_API_URL=tg.url,
        EVOLINK_API_URL=evo.url,
        EVOLINK_FILES_URL=evo.url,
        DATABASE_PATH=str(workdir / "bot.sqlite3"),
        DAILY_CREDITS=str(DAILY_CREDITS),
        # One job at a time per user keeps creates, polls and deliveries coming all run long.
        MAX_ACTIVE_PER_USER="1",
        MAX_ACTIVE_TOTAL="100",
        MAX_QUEUED_PER_USER="50",
        ALBUM_DEBOUNCE_SECONDS=str(ALBUM_DEBOUNCE),
        LOG_LEVEL="INFO",
    )
    return env


@dataclass
class CrashRun:
    tg: FakeTelegram
    evo: FakeEvolink
    bot: BotProcess
    switch: KillSwitch
    db_path: Path
    specs: list[JobSpec] = field(default_factory=list)
    interrupted: set[str] = field(default_factory=set)
    kills: list[str] = field(default_factory=list)

    async def send(self, wave: list[JobSpec]) -> None:
        """Send `wave` and wait until every command so far is answered: the next kill is
        armed only then, so it never catches a command on its way into the database."""
        for spec in wave:
            send(self.tg, spec)
        self.specs += wave
        await self.tg.wait_for(lambda: taken_in(self.tg, self.db_path, self.specs), 60)

    async def kill_at(self, moment: str) -> None:
        self.switch.arm(moment)
        try:
            await asyncio.wait_for(self.switch.fired.wait(), TRIGGER_TIMEOUT)
        except TimeoutError:
            raise HarnessError(self.tg.describe(f"kill moment {moment!r} never came")) from None
        await self.restart(moment)

    async def restart(self, moment: str) -> None:
        await self.bot.wait()
        self.kills.append(moment)
        self._note_interrupted()
        await self.bot.start()

    def _note_interrupted(self) -> None:
        """Jobs caught delivering (in that state, or with results in the chat but not
        finished): a send may have been accepted and not recorded, so a second copy is
        tolerated (PRODUCT §4). A send still on its way when the process died counts too."""
        with database(self.db_path) as db:
            for spec in self.specs:
                has_result = any(m.get("photo") or m.get("video") for m in replies(self.tg, spec))
                states = {r["state"] for r in job_rows(db, spec)}
                if "delivering" in states or (has_result and states - FINAL_STATES):
                    self.interrupted.add(spec.tag)

    async def kill_in_album_debounce(self, spec: JobSpec) -> None:
        """Send an album with a command; kill once the bot has handled every item (each is
        in `media_seen`) and before its debounce ends and the job starts."""
        send(self.tg, spec)
        self.specs.append(spec)
        await poll_until(lambda: self._remembered(spec), TRIGGER_TIMEOUT)
        # The handlers have run; leave them a moment to write whatever else they keep, while
        # staying well inside the debounce window (a kill moment, not a synchronisation).
        await asyncio.sleep(ALBUM_DEBOUNCE / 4)
        self.bot.kill()
        await self.bot.wait()
        with database(self.db_path) as db:
            started = job_rows(db, spec)
        if started or replies(self.tg, spec):
            raise HarnessError("the album's job started before the kill: debounce too short")
        await self.restart("album")

    def _remembered(self, spec: JobSpec) -> bool:
        marks = ",".join("?" * len(spec.request_ids))
        try:
            with database(self.db_path) as db:
                (count,) = db.execute(
                    f"SELECT COUNT(*) FROM media_seen WHERE chat_id = ?"
                    f" AND message_id IN ({marks})",
                    (spec.chat_id, *spec.request_ids),
                ).fetchone()
        except sqlite3.OperationalError:  # locked by a writer for a moment
            return False
        return bool(count == len(spec.request_ids))


async def poll_until(predicate: Callable[[], bool], timeout: float, every: float = 0.02) -> None:
    """For state only the database shows (no fake sees it change): look every `every` s."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise HarnessError(f"condition not met within {timeout} s")
        await asyncio.sleep(every)


# The kinds whose results make a kill moment: held back and sent just before that kill is
# armed (they take seconds to reach delivery), so the moment is sure to come.
# Which kind of job each kill moment is fed with, so the moment still comes however many
# kills a run has (a 6th "create" would otherwise wait for a create that already happened).
_FEEDS = {
    "create": "imagine",
    "poll": "edit",
    "photo": "imagine",
    "media_group": "imagine_n",
    "video": "animate",
}


def feeder_waves(specs: list[JobSpec], schedule: Sequence[str]) -> list[list[JobSpec]]:
    """What to send at the start and after each kill: each kill gets its share of the kind
    that feeds its moment (`_FEEDS`); kinds no moment needs go at the start."""
    waves: list[list[JobSpec]] = [[] for _ in range(len(schedule) + 1)]
    seen: Counter[str] = Counter()
    for spec in specs:
        # Wave j is sent after kill j-1 and before kill j is armed.
        slots = [j for j, moment in enumerate(schedule) if _FEEDS.get(moment) == spec.kind]
        waves[slots[seen[spec.kind] % len(slots)] if slots else 0].append(spec)
        seen[spec.kind] += 1
    return waves


async def run_crash(
    workdir: Path,
    *,
    jobs: int = 40,
    kills: int = 5,
    seed: int = 1,
    settle: float = 60.0,
    album_kill: bool = True,
) -> Report:
    """`jobs` mixed jobs, `kills` kills cycling through MOMENTS, then one in an album's
    debounce; waits (bounded by `settle`) until every job is final and shown, then judges."""
    started = time.monotonic()
    # The bot keeps Telegram's real pace; the fake must not add 429s to this test's story.
    tg, evo = fakes(TOKEN, KEY)
    await tg.start()
    await evo.start()
    bot = BotProcess(bot_env(tg, evo, workdir), workdir)
    switch = KillSwitch(bot)
    evo.log = switch.on_evolink
    tg.listeners.append(switch.on_telegram)
    run = CrashRun(tg, evo, bot, switch, workdir / "bot.sqlite3")
    try:
        await bot.start()
        schedule = (MOMENTS * kills)[:kills]
        waves = feeder_waves(plan(jobs, max(4, jobs // 3), seed), schedule)
        for moment, wave in zip([None, *schedule], waves, strict=True):
            if moment is not None:
                await run.kill_at(moment)
            await run.send(wave)
        if album_kill:
            album = JobSpec(tag=f"j{jobs}", kind="edit_album", user_id=29_999)
            await run.kill_in_album_debounce(album)
        with contextlib.suppress(TimeoutError):
            await tg.wait_for(lambda: all_settled(tg, run.db_path, run.specs), settle)
    finally:
        await bot.stop()
        await evo.stop()
        await tg.stop()
    report = judge(tg, evo, run.db_path, run.specs, DAILY_CREDITS * 100, run.interrupted)
    report.kills = run.kills
    report.seconds = time.monotonic() - started
    return report
