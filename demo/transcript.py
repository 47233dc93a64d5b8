"""A chat as a person would read it: who said what, media as `[photo 1280x720]`, buttons as
`[Again] [Animate]`, an album as one line. Works on the fake Telegram's message dicts."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

Message = dict[str, Any]
INDENT = "        "


def media_label(message: Message) -> str:
    """`[photo WxH]`, `[video 5s WxH]`, `[file name]` or "" for a text message."""
    if message.get("photo"):
        largest = message["photo"][-1]
        return f"[photo {largest['width']}x{largest['height']}]"
    if "video" in message:
        return _video_label(message["video"])
    if "animation" in message:
        return "[animation]"
    if "document" in message:
        return f"[file {message['document'].get('file_name', '?')}]"
    if "invoice" in message:
        invoice = message["invoice"]
        return f"[invoice: {invoice['title']}, {invoice['total_amount']} ⭐]"
    if "successful_payment" in message:
        return f"[pays {message['successful_payment']['total_amount']} ⭐]"
    return ""


def _video_label(video: dict[str, Any]) -> str:
    # Duration and size are what the sender declared; a sender may leave them out.
    parts = ["video"]
    if video.get("duration"):
        parts.append(f"{video['duration']}s")
    if video.get("width") and video.get("height"):
        parts.append(f"{video['width']}x{video['height']}")
    return "[" + " ".join(parts) + "]"


def inline_buttons(message: Message) -> list[dict[str, Any]]:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    return [button for row in rows for button in row]


def buttons_data(message: Message) -> list[str]:
    return [str(button.get("callback_data")) for button in inline_buttons(message)]


def buttons_label(message: Message) -> str:
    return " ".join(f"[{button['text']}]" for button in inline_buttons(message))


def _body(message: Message) -> str:
    return str(message.get("text") or message.get("caption") or "")


def _album_label(items: list[Message]) -> str:
    kinds = {media_label(item).strip("[]").split(" ")[0] for item in items}
    kind = kinds.pop() if len(kinds) == 1 else "item"
    return f"[album: {len(items)} {kind}s]"


def group_albums(messages: Iterable[Message]) -> Iterator[list[Message]]:
    """Consecutive messages of one media group come out as one list; others alone."""
    batch: list[Message] = []
    for message in messages:
        group = message.get("media_group_id")
        if batch and group is not None and batch[0].get("media_group_id") == group:
            batch.append(message)
            continue
        if batch:
            yield batch
        batch = [message]
    if batch:
        yield batch


def render(items: list[Message], speaker: str) -> str:
    """One transcript entry: `speaker › media text buttons`, continuation lines indented."""
    first = items[0]
    media = _album_label(items) if len(items) > 1 else media_label(first)
    caption = next((_body(item) for item in items if _body(item)), "")
    target = first.get("reply_to_message")
    replying = (
        f"(reply to {media_label(target) or 'a message'})" if target and speaker != "bot" else ""
    )
    parts = [part for part in (replying, media, caption, buttons_label(items[-1])) if part]
    text = " ".join(parts) if parts else "(empty)"
    head = f"{speaker:>7} › "
    return head + text.replace("\n", "\n" + INDENT + "  ")


def speaker_of(message: Message, names: dict[int, str], bot_id: int) -> str:
    sender = (message.get("from") or {}).get("id")
    if sender == bot_id:
        return "bot"
    return names.get(sender or 0, str(sender))
