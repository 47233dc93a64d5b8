"""The scripted conversation: each step is sent through the fake Telegram, the bot's answer
is awaited (event-driven, with a timeout), then the new messages are printed and the media
the bot sent is saved."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image, ImageDraw

from demo.stack import ADMIN_ID
from demo.transcript import Message, group_albums, render, speaker_of
from tests.fakes.telegram import FakeTelegram

# How a job's status message reads while the job runs; once the job ends that message is
# gone (deleted after the outcome arrived) or reads as the outcome (PRODUCT.md §4a).
RUNNING_STATUS = ("⏳", "⏸", "📤", "🚀", "🎨", "📬")


@dataclass(frozen=True, slots=True)
class Person:
    name: str
    user_id: int
    username: str


ALICE = Person("Alice", 1001, "alice")
OLGA = Person("Olga", ADMIN_ID, "olga")  # the admin (ADMIN_IDS of the demo)


@dataclass(frozen=True, slots=True)
class Step:
    who: Person
    text: str  # the command, as message text or as the photos' caption
    photos: tuple[tuple[int, int], ...] = ()  # sizes of the photos sent with it
    on_last_result: bool = False  # sent as a reply to the bot's latest picture
    job: bool = False  # wait until the job ends, not just for a first reply


SCRIPT: tuple[Step, ...] = (
    Step(ALICE, "/start"),
    Step(ALICE, "/id"),
    Step(ALICE, "/imagine a red fox in the snow, golden hour --ar 16:9 --n 2", job=True),
    Step(ALICE, "/animate the fox runs towards the camera", on_last_result=True, job=True),
    Step(ALICE, "/edit make the sky stormy", photos=((1280, 960),), job=True),
    Step(ALICE, "/edit put both in one picture", photos=((1024, 768), (768, 1024)), job=True),
    Step(ALICE, "/edit add a hat", photos=((200, 150),)),  # too small: refused, free
    Step(OLGA, "/grant @alice 5"),
    Step(ALICE, "/quota"),
)


def demo_photo(width: int, height: int, seed: int = 0) -> bytes:
    """A JPEG 'photo' made on the spot: a sky, a sun and some ground."""
    image = Image.new("RGB", (width, height), (90 + seed * 40 % 120, 150, 220))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, height * 2 // 3, width, height), fill=(70, 130 + seed * 30 % 90, 60))
    radius = min(width, height) // 8
    draw.ellipse(
        (width // 5, height // 6, width // 5 + 2 * radius, height // 6 + 2 * radius),
        fill=(250, 210, 80),
    )
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


@dataclass
class Conversation:
    """Plays steps one by one and writes the transcript through `emit`."""

    tg: FakeTelegram
    media_dir: Path
    emit: Callable[[str], None]
    timeout: float = 30.0
    shown: dict[int, int] = field(default_factory=dict)  # chat id -> last message id shown
    current_chat: int | None = None
    saved: list[Path] = field(default_factory=list)

    async def play(self, steps: tuple[Step, ...] = SCRIPT) -> bool:
        """True when every step got its answer in time."""
        for number, step in enumerate(steps, start=1):
            if not await self.play_step(number, step):
                return False
        return True

    async def play_step(self, number: int, step: Step) -> bool:
        user = self.tg.user(step.who.user_id, step.who.name, username=step.who.username)
        chat = self.tg.private_chat(user)
        request = self.send(chat, user, step, number)
        try:
            await self.tg.wait_for(lambda: self.answered(chat["id"], request, step), self.timeout)
        except TimeoutError:
            self.show(chat["id"], number)
            self.emit(f"!! no answer to {step.text!r} within {self.timeout:.0f} s")
            return False
        self.show(chat["id"], number)
        return True

    def send(self, chat: Message, user: Message, step: Step, seed: int) -> Message:
        if len(step.photos) > 1:
            images = [demo_photo(w, h, seed + i) for i, (w, h) in enumerate(step.photos)]
            return self.tg.send_album(chat, user, images, caption=step.text)[0]
        if step.photos:
            width, height = step.photos[0]
            return self.tg.send_photo(
                chat, user, demo_photo(width, height, seed), caption=step.text
            )
        reply_to = self.last_picture(chat["id"]) if step.on_last_result else None
        return self.tg.send_text(chat, user, step.text, reply_to=reply_to)

    def last_picture(self, chat_id: int) -> int | None:
        pictures = [m["message_id"] for m in self.tg.bot_messages(chat_id) if m.get("photo")]
        return pictures[-1] if pictures else None

    def answered(self, chat_id: int, request: Message, step: Step) -> bool:
        replies = [
            message
            for message in self.tg.bot_messages(chat_id)
            if (message.get("reply_to_message") or {}).get("message_id") == request["message_id"]
        ]
        if not step.job:
            return bool(replies)
        running = [m for m in replies if str(m.get("text", "")).startswith(RUNNING_STATUS)]
        return bool(replies) and not running

    def show(self, chat_id: int, step: int) -> None:
        """Print the chat's messages not printed yet (final state: edits applied)."""
        self.enter(chat_id)
        last = self.shown.get(chat_id, 0)
        new = [m for m in self.tg.messages(chat_id) if m["message_id"] > last]
        names = {uid: str(u.get("first_name")) for uid, u in self.tg.world.users.items()}
        bot_id = int(self.tg.world.bot_user["id"])
        for items in group_albums(new):
            self.emit(render(items, speaker_of(items[0], names, bot_id)))
            for item in items:
                if speaker_of(item, names, bot_id) == "bot":
                    self.save_media(item, step)
        if new:
            self.shown[chat_id] = new[-1]["message_id"]

    def enter(self, chat_id: int) -> None:
        """A header line whenever the transcript moves to another chat."""
        if chat_id != self.current_chat:
            chat = self.tg.world.chats[chat_id]
            self.emit(f"--- private chat with {chat.get('first_name')} ---")
            self.current_chat = chat_id

    def save_media(self, message: Message, step: int) -> None:
        stored = self.tg.media_of(message)
        if stored is None:
            return
        self.media_dir.mkdir(parents=True, exist_ok=True)
        target = (
            self.media_dir / f"{step:02d}-{message['message_id']}{Path(stored.file_path).suffix}"
        )
        target.write_bytes(stored.data)
        self.saved.append(target)
