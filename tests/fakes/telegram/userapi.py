"""The test-side API: what people in Telegram do, and what a test can observe."""

from __future__ import annotations

import copy
from typing import Any

from .formatting import command_entities
from .media import MediaError, StoredFile, guess_mime
from .polling import UpdateQueue
from .state import JsonDict, World, inline_buttons
from .transcript import chat_log as render_chat_log

ChatRef = JsonDict | int
UserRef = JsonDict | int


class UserApi:
    """Mixin for FakeTelegram: creates users/chats, sends as users, inspects state."""

    world: World
    updates: UpdateQueue

    def _changed(self) -> None:
        """Wake waiters; FakeTelegram overrides it."""

    # -- people and chats ------------------------------------------------------------------

    def user(
        self,
        user_id: int,
        first_name: str = "User",
        username: str | None = None,
        language_code: str = "en",
    ) -> JsonDict:
        """A Telegram user (remembered, so getChatMember and friends know them)."""
        user: JsonDict = {"id": user_id, "is_bot": False, "first_name": first_name}
        if username:
            user["username"] = username
        user["language_code"] = language_code
        return self.world.add_user(user)

    def private_chat(self, user: UserRef) -> JsonDict:
        """The private chat between ``user`` and the bot (its id is the user's id)."""
        person = self._user(user)
        chat: JsonDict = {
            "id": person["id"],
            "type": "private",
            "first_name": person["first_name"],
        }
        if "username" in person:
            chat["username"] = person["username"]
        return self.world.add_chat(chat)

    def group_chat(self, chat_id: int, title: str = "Group", supergroup: bool = True) -> JsonDict:
        if chat_id >= 0:
            raise ValueError("group chat ids are negative (supergroups look like -100...)")
        kind = "supergroup" if supergroup else "group"
        return self.world.add_chat({"id": chat_id, "type": kind, "title": title})

    def set_member_status(self, chat: ChatRef, user: UserRef, status: str) -> None:
        """getChatMember answer for this user in this chat ("administrator", "left", ...)."""
        self.world.member_status[(self._chat(chat)["id"], self._user(user)["id"])] = status

    def _user(self, user: UserRef) -> JsonDict:
        if isinstance(user, dict):
            return self.world.users.get(user["id"]) or self.world.add_user(user)
        known = self.world.users.get(user)
        return known if known is not None else self.user(user)

    def _chat(self, chat: ChatRef) -> JsonDict:
        if isinstance(chat, dict):
            return self.world.chats.get(chat["id"]) or self.world.add_chat(chat)
        known = self.world.chats.get(chat)
        if known is None:
            raise KeyError(f"unknown chat {chat}: create it with private_chat()/group_chat()")
        return known

    # -- sending as a user -----------------------------------------------------------------

    def _deliver(
        self, chat: ChatRef, user: UserRef, content: JsonDict, reply_to: int | None
    ) -> JsonDict:
        the_chat = self._chat(chat)
        target = None
        if reply_to is not None:
            target = self.world.get_message(the_chat["id"], reply_to)
            if target is None:
                raise KeyError(f"no message #{reply_to} in chat {the_chat['id']} to reply to")
        message = self.world.new_message(the_chat, self._user(user), content, target)
        self.updates.push("message", copy.deepcopy(message))
        self._changed()
        return message

    def send_text(
        self, chat: ChatRef, user: UserRef, text: str, *, reply_to: int | None = None
    ) -> JsonDict:
        content: JsonDict = {"text": text}
        if entities := command_entities(text):
            content["entities"] = entities
        return self._deliver(chat, user, content, reply_to)

    def send_photo(
        self,
        chat: ChatRef,
        user: UserRef,
        image: bytes,
        *,
        caption: str | None = None,
        reply_to: int | None = None,
        media_group_id: str | None = None,
    ) -> JsonDict:
        try:
            sizes = self.world.files.add_photo(image)
        except MediaError as exc:
            raise ValueError(f"Telegram would refuse this photo: {exc}") from None
        content: JsonDict = {"photo": [s.as_photo_size() for s in sizes]}
        if media_group_id:
            content["media_group_id"] = media_group_id
        content.update(_caption(caption))
        return self._deliver(chat, user, content, reply_to)

    def send_album(
        self,
        chat: ChatRef,
        user: UserRef,
        images: list[bytes],
        *,
        caption: str | None = None,
        caption_index: int = 0,
    ) -> list[JsonDict]:
        """Separate updates sharing a fresh media_group_id, as Telegram delivers albums."""
        group_id = self.world.new_media_group_id()
        return [
            self.send_photo(
                chat,
                user,
                image,
                caption=caption if i == caption_index else None,
                media_group_id=group_id,
            )
            for i, image in enumerate(images)
        ]

    def send_document(
        self,
        chat: ChatRef,
        user: UserRef,
        data: bytes,
        *,
        file_name: str,
        mime_type: str,
        caption: str | None = None,
        reply_to: int | None = None,
        media_group_id: str | None = None,
    ) -> JsonDict:
        stored = self.world.files.add(
            data, kind="document", file_name=file_name, mime_type=guess_mime(file_name, mime_type)
        )
        content: JsonDict = {"document": stored.as_media()}
        if media_group_id:  # an album of files
            content["media_group_id"] = media_group_id
        content.update(_caption(caption))
        return self._deliver(chat, user, content, reply_to)

    def press_button(
        self,
        chat: ChatRef,
        user: UserRef,
        message_id: int,
        callback_data: str,
        *,
        forged: bool = False,
    ) -> str:
        """Press an inline button of a message; returns the callback query id. `forged`: data
        no button of the message has (a modified client; Telegram delivers what it sends)."""
        the_chat = self._chat(chat)
        message = self.world.get_message(the_chat["id"], message_id)
        if message is None:
            raise KeyError(f"no message #{message_id} in chat {the_chat['id']}")
        data = [b.get("callback_data") for b in inline_buttons(message)]
        if callback_data not in data and not forged:
            raise KeyError(f"message #{message_id} has no button {callback_data!r}; has {data}")
        query: JsonDict = {
            "id": self.world.new_callback_id(),
            "from": self._user(user),
            "message": copy.deepcopy(message),
            # Stable per chat, opaque like Telegram's.
            "chat_instance": str(abs(the_chat["id"]) * 7_919 + 4_000_000_000_000_000_000),
            "data": callback_data,
        }
        self.world.callback_queries[query["id"]] = query
        self.updates.push("callback_query", copy.deepcopy(query))
        self._changed()
        return str(query["id"])

    def add_file(
        self,
        data: bytes = b"",
        *,
        kind: str = "document",
        size: int | None = None,
        file_name: str | None = None,
        mime_type: str | None = None,
    ) -> StoredFile:
        """Register a file directly (``size`` may exceed ``data``, e.g. for >20 MB cases)."""
        return self.world.files.add(
            data, kind=kind, size=size, file_name=file_name, mime_type=mime_type
        )

    # -- observing ---------------------------------------------------------------------------

    @property
    def callback_answers(self) -> dict[str, JsonDict]:
        return self.world.callback_answers

    def messages(self, chat: ChatRef) -> list[JsonDict]:
        """Current state of every message in the chat (user and bot), oldest first."""
        chat_id = chat["id"] if isinstance(chat, dict) else chat
        return list(self.world.messages.get(chat_id, {}).values())

    def bot_messages(self, chat: ChatRef) -> list[JsonDict]:
        return [m for m in self.messages(chat) if self.world.is_from_bot(m)]

    def edit_history(self, chat: ChatRef, message_id: int) -> list[str]:
        """Texts (or captions) of a message over time, the original first."""
        chat_id = chat["id"] if isinstance(chat, dict) else chat
        return list(self.world.history.get((chat_id, message_id), []))

    def file_bytes(self, file_id: str) -> bytes:
        stored = self.world.files.get(file_id)
        if stored is None:
            raise KeyError(f"unknown file_id {file_id!r}")
        return stored.data

    def media_of(self, message: JsonDict) -> StoredFile | None:
        """The file a message carries (largest photo size, video, animation or document)."""
        file_id = message["photo"][-1]["file_id"] if message.get("photo") else None
        for key in ("video", "animation", "document"):
            file_id = file_id or (message.get(key) or {}).get("file_id")
        return self.world.files.get(file_id) if file_id else None

    def chat_log(self, chat: ChatRef) -> str:
        return render_chat_log(self.world, chat["id"] if isinstance(chat, dict) else chat)


def _caption(caption: str | None) -> dict[str, Any]:
    if not caption:
        return {}
    fields: dict[str, Any] = {"caption": caption}
    if entities := command_entities(caption):
        fields["caption_entities"] = entities
    return fields
