"""Benchmark: many users generating at once, through the real bot and both fakes.

    make bench                      # 40 users, 2 commands each
    python -m bench.jobs --users 100 --commands 3 --task-seconds 2

Prints, from the users' side: time from command to the first status message, time from
command to the delivered photo (p50/p95/max), jobs per minute, and Telegram calls per job.
Flood limits are Telegram's real ones on both sides, so the figures include the waiting
the bot does to stay within them. Nothing here asserts on time; it reports.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from bot.app import Tuning, run_bot
from bot.config import Settings
from tests.fakes.evolink import FakeEvolink
from tests.fakes.telegram import FakeTelegram

TOKEN = "123456:BENCH-TOKEN"
KEY = "bench-key"


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def bench(users: int, commands: int, task_seconds: float) -> None:
    tg = FakeTelegram(token=TOKEN)
    evo = FakeEvolink(api_key=KEY)
    evo.task_duration = task_seconds
    await tg.start()
    await evo.start()
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            _env_file=None,
            telegram_bot_token=TOKEN,
            evolink_api_key=KEY,
            telegram_api_url=tg.url,
            evolink_api_url=evo.url,
            evolink_files_url=evo.url,
            database_path=Path(tmp) / "bench.sqlite3",
            daily_credits=1000,
            max_active_total=50,
            max_queued_per_user=commands,
        )
        stop = asyncio.Event()
        bot = asyncio.create_task(run_bot(settings, stop, Tuning(poll_timeout=1)))
        await tg.wait_for(lambda: bool(tg.calls_to("getUpdates")), 30)
        sent: dict[tuple[int, int], float] = {}
        started = time.monotonic()
        for n in range(users):
            user = tg.user(10_000 + n, f"User{n}")
            chat = tg.private_chat(user)
            for c in range(commands):
                message = tg.send_text(chat, user, f"/imagine benchmark picture {n}-{c}")
                sent[(chat["id"], message["message_id"])] = time.monotonic()
        first_reply: dict[tuple[int, int], float] = {}
        delivered: dict[tuple[int, int], float] = {}

        def progress() -> bool:
            now = time.monotonic()
            for chat_id in {key[0] for key in sent}:
                for message in tg.bot_messages(chat_id):
                    reply = message.get("reply_to_message")
                    if not reply:
                        continue
                    key = (chat_id, reply["message_id"])
                    first_reply.setdefault(key, now)
                    if message.get("photo"):
                        delivered.setdefault(key, now)
            return len(delivered) == len(sent)

        await tg.wait_for(progress, timeout=60 + users * commands * 2)
        elapsed = time.monotonic() - started
        calls = len(tg.calls) - len(tg.calls_to("getUpdates"))
        stop.set()
        await bot
    await evo.stop()
    await tg.stop()

    acks = [first_reply[k] - sent[k] for k in sent]
    done = [delivered[k] - sent[k] for k in sent]
    total = len(sent)
    print(f"jobs: {total} ({users} users x {commands}), Evolink task time {task_seconds} s")
    print(
        f"first answer:  p50 {statistics.median(acks):.2f} s  p95 {_percentile(acks, 0.95):.2f} s"
    )
    print(
        f"delivered:     p50 {statistics.median(done):.2f} s  p95 {_percentile(done, 0.95):.2f} s"
        f"  max {max(done):.2f} s"
    )
    print(f"throughput:    {total / elapsed * 60:.0f} jobs/min over {elapsed:.1f} s")
    print(f"Telegram calls per job (excluding polling): {calls / total:.1f}")
    print(f"flood 429s from the fake Telegram: {len(tg.flood_hits)}")
    print(f"calls the fake Telegram refused as invalid: {len(tg.violations)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=40)
    parser.add_argument("--commands", type=int, default=2)
    parser.add_argument("--task-seconds", type=float, default=1.0)
    args = parser.parse_args()
    asyncio.run(bench(args.users, args.commands, args.task_seconds))


if __name__ == "__main__":
    main()
