"""`python -m demo` (`make demo`): play the scripted conversation and print it; exit 0 when
every step was answered. `--interactive` opens the fake Telegram console instead."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import re
import sys
import tempfile
import time
from pathlib import Path

from demo.script import ALICE, OLGA, Conversation
from demo.stack import BOT_USERNAME, Stack, log_to, running_stack
from tests.fakes.telegram.__main__ import HELP, Console, console_loop

MEDIA_NAME = re.compile(r"\d{2}-\d+\.\w+")  # what Conversation.save_media writes


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m demo", description=__doc__)
    parser.add_argument(
        "--interactive", action="store_true", help="type as a Telegram user instead of the script"
    )
    parser.add_argument(
        "--out", type=Path, default=Path("data/demo"), help="where media and bot.log go"
    )
    parser.add_argument(
        "--timeout", type=float, default=30.0, help="seconds each step may wait for its answer"
    )
    return parser.parse_args(argv)


async def scripted(stack: Stack, out: Path, timeout: float) -> bool:
    started = time.monotonic()
    print(
        f"The real bot between a fake Telegram ({stack.tg.url}) and a fake Evolink "
        f"({stack.evo.url}): fake keys, a temporary database, no network.\n"
    )
    conversation = Conversation(stack.tg, out, print, timeout)
    ok = await conversation.play()
    problems = stack.tg.violations + stack.evo.violations
    for problem in problems:
        print(f"!! a real server would have refused: {problem}")
    print(f"\n{len(conversation.saved)} media files saved under {out}/, bot log in {out}/bot.log")
    print(f"demo {'finished' if ok else 'FAILED'} in {time.monotonic() - started:.1f} s")
    return ok and not problems


async def interactive(stack: Stack, out: Path) -> bool:
    for person in (ALICE, OLGA):
        stack.tg.user(person.user_id, person.name, username=person.username)
    options = argparse.Namespace(media_dir=out, group_id=-1001234567890, user_id=ALICE.user_id)
    console = Console(stack.tg, options)
    stack.tg.listeners.append(console.on_event)
    print(
        f"Bot @{BOT_USERNAME} is running on fakes. You are {console.user['first_name']} "
        f"({ALICE.user_id}); `:user {OLGA.user_id}` makes you {OLGA.name}, the admin.\n{HELP}"
    )
    await console_loop(console, asyncio.Event())
    return True


def forget_earlier_media(out: Path) -> None:
    """Remove the media an earlier scripted run saved (and nothing else: `--out` may be any
    folder), so the folder shows this run's files only."""
    for path in out.glob("[0-9][0-9]-*"):
        if MEDIA_NAME.fullmatch(path.name):
            path.unlink()


async def run(args: argparse.Namespace) -> bool:
    if not args.interactive:
        forget_earlier_media(args.out)
    log_to(args.out / "bot.log")
    with tempfile.TemporaryDirectory(prefix="evolink-demo-") as workdir:
        async with running_stack(Path(workdir)) as stack:
            if args.interactive:
                return await interactive(stack, args.out)
            return await scripted(stack, args.out, args.timeout)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if isinstance(sys.stdout, io.TextIOWrapper):
        sys.stdout.reconfigure(line_buffering=True)  # the chat shows up live when piped
    with contextlib.suppress(KeyboardInterrupt):
        return 0 if asyncio.run(run(args)) else 1
    return 130


if __name__ == "__main__":
    sys.exit(main())
