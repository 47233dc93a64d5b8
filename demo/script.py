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
from demo.transcript import Message, buttons_data, group_albums, inline_buttons, render, speaker_of
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
    press: str = ""  # instead of sending: tap the button with this data on the bot's latest
    on_last_question: bool = False  # sent as a reply to the bot's latest message
    pay: bool = False  # press `press`, then pay the invoice (the fake plays Telegram's checkout)


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
    Step(ALICE, "/buy"),
    Step(ALICE, "", press="buy:10000:50", pay=True),  # 100 credits for 50 Stars
    # A photo without a command: the bot asks, Animate asks what should move, the answer runs.
    Step(ALICE, "", photos=((1280, 960),)),
    Step(ALICE, "", press="ask:animate"),
    Step(ALICE, "the sun sets slowly behind the hills", on_last_question=True, job=True),
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
    tapped: tuple[int, int, str] | None = None  # chat, message and its text when tapped

    async def play(self, steps: tuple[Step, ...] = SCRIPT) -> bool:
        """True when every step got its answer in time."""
        for number, step in enumerate(steps, start=1):
            if not await self.play_step(number, step):
                return False
        return True

    async def play_step(self, number: int, step: Step) -> bool:
        user = self.tg.user(step.who.user_id, step.who.name, username=step.who.username)
        chat = self.tg.private_chat(user)
        try:
            if step.pay:
                await self.press_and_pay(chat, user, step)
            else:
                await self.tg.wait_for(self.act(chat, user, step, number), self.timeout)
        except TimeoutError:
            self.show(chat["id"], number)
            self.emit(f"!! no answer to {step.text or step.press!r} within {self.timeout:.0f} s")
            return False
        self.show_edit()
        self.show(chat["id"], number)
        return True

    def act(self, chat: Message, user: Message, step: Step, number: int) -> Callable[[], bool]:
        """Send the step (or tap its button); what tells that the bot has answered."""
        if not step.press:
            request = self.send(chat, user, step, number)
            return lambda: self.answered(chat["id"], request, step)
        before = len(self.tg.bot_messages(chat["id"]))
        self.show(chat["id"], number)
        label, tapped = self.tap(chat, user, step.press)
        self.emit(f"{step.who.name:>7} › (taps [{label}])")
        self.tapped = (chat["id"], tapped, self.text_now(chat["id"], tapped))
        return lambda: len(self.tg.bot_messages(chat["id"])) > before

    async def press_and_pay(self, chat: Message, user: Message, step: Step) -> None:
        """Press a button of the bot's latest message offering it; pay the invoice it brings."""
        offers = [m for m in self.tg.bot_messages(chat["id"]) if step.press in buttons_data(m)]
        if not offers:
            raise TimeoutError(f"no button {step.press!r} to press")
        menu = offers[-1]
        label = next(b["text"] for b in inline_buttons(menu) if b["callback_data"] == step.press)
        self.emit(render([{"text": f"[taps {label}]"}], step.who.name))
        self.tg.press_button(chat, user, menu["message_id"], step.press)
        newer = menu["message_id"]
        await self.tg.wait_for(lambda: bool(self.invoices(chat["id"], newer)), self.timeout)
        invoice = self.invoices(chat["id"], newer)[0]
        self.tg.pre_checkout(user, invoice, then_pay=True)  # the fake pays on an ok
        await self.tg.wait_for(lambda: self.receipt(chat["id"], newer), self.timeout)

    def invoices(self, chat_id: int, after: int) -> list[Message]:
        messages = self.tg.bot_messages(chat_id)
        return [m for m in messages if "invoice" in m and m["message_id"] > after]

    def receipt(self, chat_id: int, after: int) -> bool:
        """The bot answered a successful payment made after message `after`."""
        paid = {
            m["message_id"]
            for m in self.tg.messages(chat_id)
            if "successful_payment" in m and m["message_id"] > after
        }
        return any(
            (m.get("reply_to_message") or {}).get("message_id") in paid
            for m in self.tg.bot_messages(chat_id)
        )

    def text_now(self, chat_id: int, message_id: int) -> str:
        message = self.tg.world.get_message(chat_id, message_id) or {}
        return str(message.get("text", ""))

    def show_edit(self) -> None:
        """The message whose button was tapped, if the bot changed it in place."""
        if self.tapped is None:
            return
        chat_id, message_id, was = self.tapped
        self.tapped = None
        message = self.tg.world.get_message(chat_id, message_id)
        if message is not None and str(message.get("text", "")) != was:
            edited = {**message, "text": f"(edits its message) {message.get('text', '')}"}
            edited.pop("reply_to_message", None)
            self.emit(render([edited], "bot"))

    def send(self, chat: Message, user: Message, step: Step, seed: int) -> Message:
        if len(step.photos) > 1:
            images = [demo_photo(w, h, seed + i) for i, (w, h) in enumerate(step.photos)]
            return self.tg.send_album(chat, user, images, caption=step.text)[0]
        if step.photos:
            width, height = step.photos[0]
            return self.tg.send_photo(
                chat, user, demo_photo(width, height, seed), caption=step.text or None
            )
        reply_to = self.last_picture(chat["id"]) if step.on_last_result else None
        if step.on_last_question:
            reply_to = self.tg.bot_messages(chat["id"])[-1]["message_id"]
        return self.tg.send_text(chat, user, step.text, reply_to=reply_to)

    def tap(self, chat: Message, user: Message, data: str) -> tuple[str, int]:
        """Press the button `data` on the bot's latest message having it: its label and
        the message's id."""
        for message in reversed(self.tg.bot_messages(chat["id"])):
            rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
            for button in (b for row in rows for b in row if b.get("callback_data") == data):
                self.tg.press_button(chat, user, message["message_id"], data)
                return str(button["text"]), int(message["message_id"])
        raise KeyError(f"no button {data!r} in the chat")

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
