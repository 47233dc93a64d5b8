"""Run the fake Telegram by hand: ``python -m tests.fakes.telegram --port 8081``.

Type into the console to act as a Telegram user; everything the bot sends is printed.
With --no-console it runs in the background (e.g. `... --no-console &`) and is driven
over HTTP instead: the control endpoints under /_fake/ are listed below.
"""

from __future__ import annotations

import argparse
import asyncio
import codecs
import contextlib
import io
import mimetypes
import os
import shlex
import signal
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .control import CONTROL_HELP, DEFAULT_USER_ID, ensure_chat, ensure_user
from .server import FakeTelegram
from .state import JsonDict
from .transcript import format_message

HELP = """\
  text                       send text as the current user in the current chat
  :photo PATH [caption]      send a photo
  :album PATH PATH ... [-- caption]
  :file PATH [caption]       send a document
  :reply MSG_ID text         reply to a message
  :press MSG_ID DATA         press an inline button
  :pay MSG_ID                pay an invoice in Stars (paid once the bot confirms)
  :group / :private          switch to the group chat / the private chat
  :user ID                   act as another user
  :log                       print the current chat
  :state                     violations, errors and flood hits so far
  :help, :quit"""


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m tests.fakes.telegram",
        description=__doc__,
        epilog=f"Console commands:\n{HELP}\n\n{CONTROL_HELP}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--token", default="123456:TEST-TOKEN")
    parser.add_argument("--username", default="evolink_test_bot", help="the bot's username")
    parser.add_argument("--no-flood", action="store_true", help="disable flood limits")
    parser.add_argument("--media-dir", type=Path, help="save media the bot sends here")
    parser.add_argument("--user-id", type=int, default=DEFAULT_USER_ID)
    parser.add_argument("--group-id", type=int, default=-1001234567890)
    parser.add_argument(
        "--no-console",
        action="store_true",
        help="do not read stdin; serve until Ctrl-C or SIGTERM (drive it over HTTP)",
    )
    return parser.parse_args(argv)


class Console:
    """The stdin console: one person, switching between a private chat and a group."""

    def __init__(self, tg: FakeTelegram, args: argparse.Namespace) -> None:
        self.tg = tg
        self.media_dir: Path | None = args.media_dir
        self.group_id: int = args.group_id
        self.user = ensure_user(tg, args.user_id)
        self.chat = ensure_chat(tg, None, self.user)
        self.commands: dict[str, Callable[[str], Any]] = {
            "photo": self.photo,
            "album": self.album,
            "file": self.file,
            "reply": self.reply,
            "press": self.press,
            "pay": self.pay,
            "group": self.group,
            "private": self.private,
            "user": self.switch_user,
            "log": self.log,
            "state": self.state,
            "help": lambda _rest: print(HELP),
        }

    # -- bot output --------------------------------------------------------------------------

    def on_event(self, kind: str, payload: JsonDict) -> None:
        if kind in ("violation", "error"):
            print(f"!! {kind} in {payload['method']}: {payload['description']}", flush=True)
            return
        marks = {"bot_message": "<<", "bot_edit": "~~", "bot_delete": "xx"}
        chat_id = payload["chat"]["id"]
        print(f"{marks.get(kind, '??')} [{chat_id}] {format_message(self.tg.world, payload)}")
        if kind == "bot_message" and self.media_dir is not None:
            self.save_media(payload)

    def save_media(self, message: JsonDict) -> None:
        assert self.media_dir is not None
        stored = self.tg.media_of(message)
        if stored is None:
            return
        self.media_dir.mkdir(parents=True, exist_ok=True)
        suffix = Path(stored.file_path).suffix
        target = self.media_dir / f"{message['chat']['id']}_{message['message_id']}{suffix}"
        target.write_bytes(stored.data)
        print(f"   saved {target}")

    # -- commands ----------------------------------------------------------------------------

    def handle(self, line: str) -> bool:
        """Run one console line; False means quit."""
        line = line.strip()
        if not line:
            return True
        if line in (":quit", ":q", ":exit"):
            return False
        if not line.startswith(":"):
            self.tg.send_text(self.chat, self.user, line)
            return True
        name, _, rest = line[1:].partition(" ")
        command = self.commands.get(name)
        if command is None:
            print(f"unknown command :{name}\n{HELP}")
            return True
        try:
            command(rest.strip())
        except (KeyError, ValueError, OSError, IndexError) as exc:
            print(f"!! {type(exc).__name__}: {exc}")
        return True

    def photo(self, rest: str) -> None:
        path, _, caption = rest.partition(" ")
        data = Path(path).expanduser().read_bytes()
        self.tg.send_photo(self.chat, self.user, data, caption=caption or None)

    def album(self, rest: str) -> None:
        paths, _, caption = rest.partition(" -- ")
        images = [Path(p).expanduser().read_bytes() for p in shlex.split(paths)]
        self.tg.send_album(self.chat, self.user, images, caption=caption or None)

    def file(self, rest: str) -> None:
        path_text, _, caption = rest.partition(" ")
        path = Path(path_text).expanduser()
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        self.tg.send_document(
            self.chat,
            self.user,
            path.read_bytes(),
            file_name=path.name,
            mime_type=mime,
            caption=caption or None,
        )

    def reply(self, rest: str) -> None:
        message_id, _, text = rest.partition(" ")
        self.tg.send_text(self.chat, self.user, text, reply_to=int(message_id))

    def press(self, rest: str) -> None:
        message_id, _, data = rest.partition(" ")
        query_id = self.tg.press_button(self.chat, self.user, int(message_id), data)
        print(f"   callback query {query_id}")

    def pay(self, rest: str) -> None:
        invoice = self.tg.world.get_message(self.chat["id"], int(rest.strip()))
        if invoice is None or "invoice" not in invoice:
            print(f"   message {rest.strip()} is not an invoice")
            return
        query_id = self.tg.pre_checkout(self.user, invoice, then_pay=True)
        print(f"   pre-checkout query {query_id}")

    def group(self, _rest: str) -> None:
        self.chat = ensure_chat(self.tg, self.group_id, self.user)
        print(f"   now in group {self.chat['id']} ({self.chat['title']})")

    def private(self, _rest: str) -> None:
        self.chat = ensure_chat(self.tg, None, self.user)
        print(f"   now in the private chat with {self.user['first_name']}")

    def switch_user(self, rest: str) -> None:
        self.user = ensure_user(self.tg, int(rest))
        if self.chat["type"] == "private":
            self.chat = ensure_chat(self.tg, None, self.user)
        print(f"   now acting as {self.user['first_name']} ({self.user['id']})")

    def log(self, _rest: str) -> None:
        print(self.tg.chat_log(self.chat))

    def state(self, _rest: str) -> None:
        print(f"   violations: {self.tg.violations or 'none'}")
        print(f"   errors: {self.tg.errors or 'none'}")
        print(f"   flood hits: {len(self.tg.flood_hits)}")


def _start_stdin_reader(loop: asyncio.AbstractEventLoop, lines: asyncio.Queue[str | None]) -> None:
    """Feed stdin lines (then None at EOF) into ``lines`` from a daemon thread.

    A thread because stdin may be a tty, a pipe or a file (connect_read_pipe refuses files);
    a daemon one reading the raw fd so that a blocked read neither keeps the process alive
    after Ctrl-C nor holds sys.stdin's buffer lock during interpreter shutdown.
    """
    fd = sys.stdin.fileno()

    def read() -> None:
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        pending = ""
        while chunk := os.read(fd, 4096):
            pending += decoder.decode(chunk)
            *complete, pending = pending.split("\n")
            for line in complete:
                loop.call_soon_threadsafe(lines.put_nowait, line)
        if pending:
            loop.call_soon_threadsafe(lines.put_nowait, pending)
        loop.call_soon_threadsafe(lines.put_nowait, None)

    threading.Thread(target=read, name="fake-telegram-stdin", daemon=True).start()


async def console_loop(console: Console, stop: asyncio.Event) -> None:
    lines: asyncio.Queue[str | None] = asyncio.Queue()
    _start_stdin_reader(asyncio.get_running_loop(), lines)
    while not stop.is_set():
        line = await lines.get()
        if line is None or not console.handle(line):
            return


def banner(url: str, args: argparse.Namespace) -> str:
    """What to point the bot at: the plain URL, since the bot adds `/bot<token>` itself."""
    return (
        f"Fake Telegram Bot API at {url} (bot @{args.username}, token {args.token})\n"
        f"  for the bot: TELEGRAM_API_URL={url}  TELEGRAM_BOT_TOKEN={args.token}\n"
        f"  control: {url}/_fake/send_text, {url}/_fake/log?chat_id=... (see --help)"
    )


async def run(args: argparse.Namespace) -> None:
    tg = FakeTelegram(token=args.token, bot_username=args.username)
    tg.flood.enabled = not args.no_flood
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    url = await tg.start(args.host, args.port)
    console = Console(tg, args)
    tg.listeners.append(console.on_event)
    print(banner(url, args))
    try:
        if args.no_console:
            await stop.wait()
        else:
            print(f"Typing as {console.user['first_name']} in chat {console.chat['id']}.\n{HELP}")
            console_task = asyncio.create_task(console_loop(console, stop))
            stop_task = asyncio.create_task(stop.wait())
            await asyncio.wait({console_task, stop_task}, return_when=asyncio.FIRST_COMPLETED)
            for task in (console_task, stop_task):
                task.cancel()
    finally:
        await tg.stop()
        print("fake Telegram stopped")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if isinstance(sys.stdout, io.TextIOWrapper):
        sys.stdout.reconfigure(line_buffering=True)  # bot output must show up when piped
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
