"""Human-readable rendering of messages, for test failures and the console."""

from __future__ import annotations

from typing import Any

from .state import JsonDict, World, inline_buttons, message_text


def _who(world: World, message: JsonDict) -> str:
    sender = message.get("from") or {}
    if sender.get("id") == world.bot_user["id"]:
        return "bot"
    name = sender.get("first_name", "?")
    return f"{name}({sender.get('id')})"


def _media(message: JsonDict) -> list[str]:
    parts = []
    if "media_group_id" in message:
        parts.append(f"[album {message['media_group_id']}]")
    if message.get("photo"):
        largest = message["photo"][-1]
        parts.append(f"[photo {largest['width']}x{largest['height']}]")
    if "video" in message:
        video = message["video"]
        parts.append(f"[video {video['width']}x{video['height']} {video['duration']}s]")
    if "animation" in message:
        parts.append("[animation]")
    elif "document" in message:
        doc = message["document"]
        size = doc.get("file_size", 0)
        parts.append(f"[document {doc.get('file_name', '?')} {doc.get('mime_type', '?')} {size}B]")
    if "invoice" in message:
        invoice = message["invoice"]
        parts.append(
            f"[invoice {invoice['title']}: {invoice['total_amount']} {invoice['currency']}]"
        )
    if "successful_payment" in message:
        paid = message["successful_payment"]
        parts.append(f"[paid {paid['total_amount']} {paid['currency']}]")
    if "refunded_payment" in message:
        refund = message["refunded_payment"]
        parts.append(f"[refunded {refund['total_amount']} {refund['currency']}]")
    return parts


def _button(button: dict[str, Any]) -> str:
    action = next((k for k in button if k not in ("text", "icon_custom_emoji_id", "style")), "")
    value = button.get(action)
    return f"{button['text']}→{value if isinstance(value, str) else action}"


def _keyboard(message: JsonDict) -> str:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    if not inline_buttons(message):
        return ""
    return " [buttons: " + " / ".join(" | ".join(_button(b) for b in row) for row in rows) + "]"


def format_message(world: World, message: JsonDict) -> str:
    """One line per message: id, sender, reply target, media, text or caption, buttons."""
    head = f"#{message['message_id']} {_who(world, message)}"
    if "reply_to_message" in message:
        head += f" (reply to #{message['reply_to_message']['message_id']})"
    body = " ".join([*_media(message), message_text(message)]).strip()
    edited = " (edited)" if "edit_date" in message else ""
    return f"{head}: {body}{edited}{_keyboard(message)}"


def chat_log(world: World, chat_id: int) -> str:
    chat = world.chats.get(chat_id, {"id": chat_id, "type": "?"})
    title = chat.get("title") or chat.get("first_name") or chat_id
    lines = [f"-- chat {chat_id} ({chat['type']}: {title}) --"]
    lines += [format_message(world, m) for m in world.messages.get(chat_id, {}).values()]
    return "\n".join(lines)
