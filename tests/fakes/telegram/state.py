"""What the fake Telegram knows: users, chats, messages (with edits), files, callbacks."""

from __future__ import annotations

import copy
import itertools
import time
from typing import Any

from .media import FileStore

JsonDict = dict[str, Any]


class World:
    """Shared state of the fake, used by both the bot-facing methods and the test-side API."""

    def __init__(self, bot_user: JsonDict) -> None:
        self.bot_user = bot_user
        self.users: dict[int, JsonDict] = {}
        self.chats: dict[int, JsonDict] = {}
        self.messages: dict[int, dict[int, JsonDict]] = {}
        self.history: dict[tuple[int, int], list[str]] = {}
        self.files = FileStore()
        self.callback_queries: dict[str, JsonDict] = {}
        self.callback_answers: dict[str, JsonDict] = {}
        self.member_status: dict[tuple[int, int], str] = {}
        self.commands: dict[str, list[JsonDict]] = {}
        self.webhook_url = ""
        self._next_message_id: dict[int, int] = {}
        self._media_groups = itertools.count(13_000_000_000_000_001)
        self._callback_ids = itertools.count(4_382_000_000_000_000_001)

    # -- users and chats -------------------------------------------------------------------

    def add_user(self, user: JsonDict) -> JsonDict:
        self.users[user["id"]] = user
        return user

    def add_chat(self, chat: JsonDict) -> JsonDict:
        self.chats[chat["id"]] = chat
        self.messages.setdefault(chat["id"], {})
        return chat

    def resolve_chat(self, ref: int | str) -> JsonDict | None:
        """A chat by id, or by "@username" (groups and channels with a public username)."""
        if isinstance(ref, int):
            return self.chats.get(ref)
        if ref.lstrip("-").isdigit():
            return self.chats.get(int(ref))
        name = ref.removeprefix("@").lower()
        for chat in self.chats.values():
            if chat.get("username", "").lower() == name and chat["type"] != "private":
                return chat
        return None

    @staticmethod
    def is_group(chat: JsonDict) -> bool:
        return chat["type"] in ("group", "supergroup")

    # -- messages ----------------------------------------------------------------------------

    def new_message(
        self, chat: JsonDict, sender: JsonDict, content: JsonDict, reply_to: JsonDict | None
    ) -> JsonDict:
        """Store a message; ids are per chat and shared by user and bot messages."""
        chat_id = chat["id"]
        message_id = self._next_message_id.get(chat_id, 1)
        self._next_message_id[chat_id] = message_id + 1
        message: JsonDict = {
            "message_id": message_id,
            "from": sender,
            "chat": chat,
            "date": int(time.time()),
        }
        if reply_to is not None:
            message["reply_to_message"] = reply_snapshot(reply_to)
        message.update(content)
        self.messages.setdefault(chat_id, {})[message_id] = message
        self.history[(chat_id, message_id)] = [message_text(message)]
        return message

    def get_message(self, chat_id: int, message_id: int) -> JsonDict | None:
        return self.messages.get(chat_id, {}).get(message_id)

    def delete_message(self, chat_id: int, message_id: int) -> bool:
        return self.messages.get(chat_id, {}).pop(message_id, None) is not None

    def record_edit(self, message: JsonDict) -> None:
        key = (message["chat"]["id"], message["message_id"])
        self.history.setdefault(key, []).append(message_text(message))

    def new_media_group_id(self) -> str:
        return str(next(self._media_groups))

    def new_callback_id(self) -> str:
        return str(next(self._callback_ids))

    def is_from_bot(self, message: JsonDict) -> bool:
        return bool(message.get("from", {}).get("id") == self.bot_user["id"])


def reply_snapshot(message: JsonDict) -> JsonDict:
    """The replied-to message as embedded in a reply: one level, no nested reply."""
    snapshot = copy.deepcopy(message)
    snapshot.pop("reply_to_message", None)
    return snapshot


def inline_buttons(message: JsonDict) -> list[JsonDict]:
    markup = message.get("reply_markup") or {}
    return [button for row in markup.get("inline_keyboard", []) for button in row]


def message_text(message: JsonDict) -> str:
    """The text of a message, or its caption, or ""."""
    return str(message.get("text", message.get("caption", "")))
