"""Benchmark: the real bot process between both fakes, under Telegram's strictest limits.

    make bench                      # TIME_SCALE=1: Evolink's real task times (long)
    make bench TIME_SCALE=0.1       # task times x0.1: a few minutes on 2 cores

The fake Telegram enforces strict windows (30/s overall, 1/s per chat, 20/min per group,
429 with retry_after); the fake Evolink draws each task's time between 0.5x and 2x its
`estimated_time` (images 30 s, videos 120 s, times TIME_SCALE) and, in callback mode, calls
the bot back when a task ends. Four phases, each a fresh bot process (`bench.botproc`):

1. polling: images and videos tracked by the bot's schedule; Evolink's own 5 s poller is
   computed on the very same task times (bench/schedule_model.py);
2. callbacks: the same with EVOLINK_CALLBACK_URL set;
3. burst: 500 users send /imagine at once;
4. load: 1,000 tasks running at once (they never finish), then SIGTERM.

Writes bench/results/latest.json and prints every figure beside its target. Latencies of
the schedule are in task seconds (real seconds / TIME_SCALE) so they compare with the
poller at any scale; the callback latency is in real seconds. Nothing here asserts.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import random
import shutil
import statistics
import time
from collections import Counter
from pathlib import Path
from typing import Any

from bench import schedule_model as model
from bench.proc import ROOT, BotProcess, lag_p99
from bot.jobs.tracking import CHECK_RATE
from tests.fakes.evolink import FakeEvolink
from tests.fakes.evolink import media as fake_media
from tests.fakes.telegram import FakeTelegram, FloodLimits
from tests.fakes.telegram import media as fake_telegram_media

TOKEN = "123456:BENCH-TOKEN"
KEY = "bench-key"
IMAGE_E, VIDEO_E = 30, 120
RESULTS = ROOT / "bench" / "results" / "latest.json"
WORKDIR = ROOT / "bench" / "results" / "run"  # the last run's databases and bot logs
_RESULT_METHODS = {"sendPhoto", "sendVideo", "sendDocument", "sendMediaGroup"}

TARGETS: list[tuple[str, str, str, Any]] = [
    ("burst_submitted_s", "500 users /imagine: all submitted (s)", "<= 30", lambda v: v <= 30),
    ("burst_calls_per_job", "Bot API calls per job in the burst", "<= 5", lambda v: v <= 5),
    ("burst_429s", "429s received in the burst (all phases)", "0", lambda v: v == 0),
    ("burst_failed", "jobs failed in the burst", "0", lambda v: v == 0),
    (
        "image_checks_vs_naive",
        "status checks per image task vs 5 s poller",
        "<= 1.0x",
        lambda v: v <= 1.0,
    ),
    (
        "image_p95_vs_naive",
        "added latency p95, images, vs 5 s poller",
        "<= 0.7x",
        lambda v: v <= 0.7,
    ),
    (
        "video_p95_vs_naive",
        "added latency p95, videos, vs 5 s poller",
        "<= 0.7x",
        lambda v: v <= 0.7,
    ),
    ("callback_p95_s", "callback mode: added latency p95 (s)", "<= 0.5", lambda v: v <= 0.5),
    (
        "callback_checks_per_task",
        "callback mode: status checks per task",
        "<= 2",
        lambda v: v <= 2,
    ),
    ("load_lag_p99_ms", "1,000 tasks running: loop lag p99 (ms)", "<= 50", lambda v: v <= 50),
    ("load_failed", "1,000 tasks running: jobs failed", "0", lambda v: v == 0),
    ("load_sigterm_exit", "1,000 tasks running: SIGTERM exits cleanly", "0", lambda v: v == 0),
    ("cpu_ms_per_job", "bot CPU per job, burst (ms)", "<= 20", lambda v: v <= 20),
    ("peak_rss_mb", "peak RSS with 1,000 jobs (MB)", "<= 150", lambda v: v <= 150),
    ("idle_rss_mb", "idle RSS (MB)", "<= 80", lambda v: v <= 80),
    ("startup_s", "start-up time, median of 4 (s)", "<= 1", lambda v: v <= 1),
]


class Chats:
    """Reads the fake Telegram's call log once, incrementally: per chat, when the first
    reply and the first result went out, and how many calls the bot made."""

    def __init__(self, tg: FakeTelegram) -> None:
        self._tg = tg
        self._seen = 0
        self.ack: dict[int, float] = {}
        self.result: dict[int, float] = {}
        self.failed: set[int] = set()
        self.calls: Counter[int] = Counter()

    def update(self) -> None:
        calls = self._tg.calls
        for call in calls[self._seen :]:
            if not isinstance(call.chat_id, int):
                continue
            self.calls[call.chat_id] += 1
            if call.status != 200:
                continue
            if call.method == "sendMessage":
                self.ack.setdefault(call.chat_id, call.time)
            if call.method in _RESULT_METHODS:
                self.result.setdefault(call.chat_id, call.time)
            if str(call.params.get("text", "")).startswith("❌"):
                self.failed.add(call.chat_id)
        self._seen = len(calls)


class Bench:
    def __init__(self, scale: float, workdir: Path) -> None:
        self.scale = scale
        self.workdir = workdir
        self.tg = FakeTelegram(token=TOKEN)
        self.tg.flood = FloodLimits(strict=True)
        self.evo = FakeEvolink(api_key=KEY)
        self.evo.credits = 1e9  # 1,000 videos cost more than the default balance
        self.rng = random.Random(12)
        self.chats = Chats(self.tg)
        self.figures: dict[str, float] = {}
        self.info: dict[str, Any] = {}
        self._next_user = 100_000
        self.running: BotProcess | None = None
        self.profile: dict[str, str] = {}  # BENCH_PROFILE for the burst's bot, if asked

    def plan(self, model_name: str, body: dict[str, Any]) -> tuple[float, int]:
        estimated = VIDEO_E if "video" in model_name else IMAGE_E
        return estimated * self.rng.uniform(model.LOW, model.HIGH) * self.scale, estimated

    async def bot(self, name: str, **env: str) -> BotProcess:
        settings = {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "EVOLINK_API_KEY": KEY,
            "TELEGRAM_API_URL": self.tg.url,
            "EVOLINK_API_URL": self.evo.url,
            "EVOLINK_FILES_URL": self.evo.url,
            "DATABASE_PATH": str(self.workdir / f"{name}.sqlite3"),
            "DAILY_CREDITS": "100000",
            "MAX_ACTIVE_TOTAL": "1000",
            "BENCH_TIME_SCALE": str(self.scale),
            **env,
        }
        bot = await BotProcess.spawn(settings, self.workdir, name)
        self.running = bot
        await self.tg.wait_for(lambda: self.tg.updates.polling, 60)
        startup = time.monotonic() - bot.spawned
        self.info.setdefault("startup_s", []).append(round(startup, 3))
        await asyncio.sleep(1.0)
        self.info.setdefault("idle_rss_mb", []).append(round(bot.memory_mb()[0], 1))
        return bot

    def users(self, count: int, command: str) -> dict[int, float]:
        """`count` new users each send `command`; chat id -> when."""
        sent: dict[int, float] = {}
        for _ in range(count):
            self._next_user += 1
            user = self.tg.user(self._next_user, f"U{self._next_user}")
            chat = self.tg.private_chat(user)
            self.tg.send_text(chat, user, f"{command} bench {self._next_user}")
            sent[chat["id"]] = time.monotonic()
        return sent

    async def until(self, done: Any, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while not done():
            if time.monotonic() > deadline:
                raise TimeoutError("the benchmark phase did not finish in time")
            await asyncio.sleep(0.2)
            self.chats.update()

    # --- phases ---------------------------------------------------------------------------

    async def tracking(self, callbacks: bool) -> None:
        name = "callbacks" if callbacks else "polling"
        env = {"EVOLINK_CALLBACK_URL": "https://bench.example.com/cb"} if callbacks else {}
        bot = await self.bot(name, **env)
        self.evo.callbacks_to = f"http://127.0.0.1:{bot.port}" if callbacks else None
        first_task = len(self.evo.tasks)
        sent = self.users(40, "/imagine") | self.users(12, "/video")
        await self.until(lambda: all(c in self.chats.result for c in sent), 60 + 300 * self.scale)
        await bot.stop()
        tasks = list(self.evo.tasks.values())[first_task:]
        self.info[name] = self.tracking_figures(tasks, callbacks)

    def tracking_figures(self, tasks: list[Any], callbacks: bool) -> dict[str, Any]:
        checks: dict[str, list[float]] = {}
        for request in self.evo.requests:
            if request.method == "GET" and request.path.startswith("/v1/tasks/"):
                checks.setdefault(request.path.rsplit("/", 1)[1], []).append(request.at)
        out: dict[str, Any] = {}
        unit = 1.0 if callbacks else self.scale  # callbacks: real seconds
        for kind in ("image", "video"):
            ours: list[model.Outcome] = []
            naive: list[model.Outcome] = []
            for task in (t for t in tasks if t.kind == kind):
                end = task.started + task.duration
                times = checks.get(task.id, [])
                seen = min((at for at in times if at >= end), default=float("nan"))
                ours.append(model.Outcome(len(times), (seen - end) / unit))
                naive.append(model.naive_poller(task.duration / self.scale))
            out[kind] = {
                "tasks": len(ours),
                "checks_per_task": statistics.mean(o.checks for o in ours),
                "naive_checks_per_task": statistics.mean(o.checks for o in naive),
                "p95_latency": model.percentile([o.latency for o in ours], 0.95),
                "naive_p95_latency": model.percentile([o.latency for o in naive], 0.95),
                "p50_latency": model.percentile([o.latency for o in ours], 0.5),
            }
        return out

    async def burst(self) -> None:
        bot = await self.bot("burst", **self.profile)
        cpu, floods = bot.cpu_seconds(), len(self.tg.flood_hits)
        first_task = len(self.evo.tasks)
        first_request, first_call = len(self.evo.requests), len(self.tg.calls)
        started = time.monotonic()
        sent = self.users(500, "/imagine")
        await self.until(lambda: len(self.evo.tasks) - first_task >= 500, 300)
        submitted = time.monotonic() - started
        await self.until(lambda: all(c in self.chats.result for c in sent), 300)
        delivered = time.monotonic() - started
        await asyncio.sleep(3)  # the final edits ("Done") belong to the jobs' calls
        self.chats.update()
        cpu = bot.cpu_seconds() - cpu
        self.figures["burst_submitted_s"] = round(submitted, 2)
        self.figures["burst_calls_per_job"] = round(
            sum(self.chats.calls[c] for c in sent) / len(sent), 2
        )
        self.figures["burst_failed"] = len(self.chats.failed & set(sent))
        self.figures["cpu_ms_per_job"] = round(cpu * 1000 / len(sent), 1)
        acks = [self.chats.ack[c] - sent[c] for c in sent]
        scopes = Counter(hit.scope for hit in self.tg.flood_hits[floods:])
        self.info["burst"] = {
            "429_scopes": dict(scopes),
            "all_acknowledged_s": round(max(acks), 2),
            "ack_p50_s": round(statistics.median(acks), 2),
            "all_delivered_s": round(delivered, 2),
            "429s": len(self.tg.flood_hits) - floods,
            # what the bot's CPU went on, per job: HTTP requests to each fake, by kind
            "evolink_requests_per_job": _per_job(
                f"{r.method} {_route(r.path)}" for r in self.evo.requests[first_request:]
            ),
            "telegram_calls_per_job": _per_job(c.method for c in self.tg.calls[first_call:]),
        }
        await bot.stop()

    async def load(self) -> None:
        # Evolink's rate limit is real time: the production check budget, not a scaled one.
        bot = await self.bot("load", BENCH_CHECK_RATE=str(CHECK_RATE))
        first_task = len(self.evo.tasks)
        self.evo.stall_next_tasks(1000)
        sent = self.users(1000, "/video")
        await self.until(lambda: len(self.evo.tasks) - first_task >= 1000, 300)
        before, checks_before = await bot.metrics(), self._checks()
        window = 15.0
        await asyncio.sleep(window)
        after, checks_after = await bot.metrics(), self._checks()
        lag, samples = lag_p99(before, after)
        self.chats.update()
        self.figures["load_lag_p99_ms"] = lag * 1000
        self.figures["load_failed"] = len(self.chats.failed & set(sent))
        self.figures["peak_rss_mb"] = round(bot.memory_mb()[1], 1)
        seconds, code = await bot.stop()
        self.figures["load_sigterm_exit"] = -1 if code is None else code
        self.info["load"] = {
            "lag_samples": samples,
            "checks_per_s": round((checks_after - checks_before) / window, 1),
            "sigterm_seconds": round(seconds, 2),
        }

    def _checks(self) -> int:
        return sum(1 for r in self.evo.requests if r.method == "GET")

    # --- the report -------------------------------------------------------------------------

    def conclude(self) -> None:
        polling, callbacks = self.info["polling"], self.info["callbacks"]
        image, video = polling["image"], polling["video"]
        f = self.figures
        f["image_checks_vs_naive"] = image["checks_per_task"] / image["naive_checks_per_task"]
        f["image_p95_vs_naive"] = image["p95_latency"] / image["naive_p95_latency"]
        f["video_p95_vs_naive"] = video["p95_latency"] / video["naive_p95_latency"]
        f["callback_p95_s"] = max(callbacks[k]["p95_latency"] for k in ("image", "video"))
        f["callback_checks_per_task"] = max(
            callbacks[k]["checks_per_task"] for k in ("image", "video")
        )
        f["burst_429s"] = len(self.tg.flood_hits)
        f["startup_s"] = statistics.median(self.info["startup_s"])  # 4 starts; all in details
        f["idle_rss_mb"] = max(self.info["idle_rss_mb"])

    def report(self, elapsed: float) -> bool:
        rows: list[dict[str, Any]] = []
        passed = True
        for key, label, target, ok in TARGETS:
            value = self.figures[key]
            good = bool(ok(value))
            passed &= good
            rows.append(
                {"figure": label, "value": round(value, 3), "target": target, "pass": good}
            )
        width = max(len(r["figure"]) for r in rows)
        print(f"\n{'figure':{width}}  {'value':>9}  {'target':>8}  result")
        for r in rows:
            print(
                f"{r['figure']:{width}}  {r['value']:>9}  {r['target']:>8}  "
                f"{'pass' if r['pass'] else 'FAIL'}"
            )
        print(f"\ntime scale {self.scale}, {elapsed:.0f} s; details in {RESULTS}")
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(
            json.dumps(
                {
                    "time_scale": self.scale,
                    "seconds": round(elapsed, 1),
                    "figures": rows,
                    "details": self.info,
                    "all_pass": passed,
                },
                indent=2,
                default=str,
            )
            + "\n"
        )
        return passed


async def bench(scale: float, only: list[str], profile: bool = False) -> bool:
    started = time.monotonic()
    # The fake's PNGs are drawn per prompt; one per size is enough here and keeps the
    # benchmark's own process from competing with the bot for the CPU.
    fake_media.render_png = functools.cache(lambda w, h, prompt, index=0: _png(w, h))
    # Likewise the fake Telegram's five JPEG renditions of every photo it receives (~0.1 s
    # each): drawn once per distinct picture, or the fakes fall behind and time out.
    fake_telegram_media.photo_sizes = functools.lru_cache(maxsize=16)(
        fake_telegram_media.photo_sizes
    )
    shutil.rmtree(WORKDIR, ignore_errors=True)
    WORKDIR.mkdir(parents=True)
    run = Bench(scale, WORKDIR)
    run.evo.plan = run.plan
    if profile:
        run.profile = {"BENCH_PROFILE": str(WORKDIR / "burst.prof")}
    await run.tg.start()
    await run.evo.start()
    phases = {
        "polling": lambda: run.tracking(False),
        "callbacks": lambda: run.tracking(True),
        "burst": run.burst,
        "load": run.load,
    }
    try:
        for phase, step in phases.items():
            if not only or phase in only:
                print(f"phase {phase} ...", flush=True)
                await step()
    finally:
        if run.running is not None and run.running.proc.returncode is None:
            run.running.proc.kill()  # a phase that failed must not leave its bot behind
            await run.running.proc.wait()
        await run.evo.stop()
        await run.tg.stop()
    if only:
        print(json.dumps({"figures": run.figures, "details": run.info}, indent=2))
        return True
    run.conclude()
    return run.report(time.monotonic() - started)


def _per_job(kinds: Any, jobs: int = 500) -> dict[str, float]:
    return {kind: round(count / jobs, 2) for kind, count in Counter(kinds).most_common()}


def _route(path: str) -> str:
    """/v1/tasks/<id> -> /v1/tasks: a path without the ids in it."""
    parts = path.split("/")
    return "/".join(parts[:3] if parts[1] in ("v1", "api") else parts[:2])


_DRAW = fake_media.render_png


@functools.cache
def _png(width: int, height: int) -> bytes:
    return _DRAW(width, height, "bench", 0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--time-scale", type=float, default=1.0)
    parser.add_argument("--only", nargs="*", default=[], help="run only these phases")
    parser.add_argument("--profile", action="store_true", help="cProfile the burst's bot")
    args = parser.parse_args()
    passed = asyncio.run(bench(args.time_scale, args.only, args.profile))
    raise SystemExit(0 if passed else 1)


if __name__ == "__main__":
    main()
