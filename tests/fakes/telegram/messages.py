"""Bot methods that create, edit and delete messages."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from . import rules
from .formatting import Rendered
from .inputs import MediaResolver
from .spec import Upload
from .state import JsonDict, World
from .wire import ApiError, bad_request, runtime_error

Params = dict[str, Any]
Parts = Mapping[str, Upload]
Handler = Callable[[Params, Parts], Awaitable[Any]]
Listener = Callable[[str, JsonDict], None]
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the "
    "same as a current content and reply markup of the message"
)
DELETE_WINDOW = 48 * 3600  # seconds after which a message can't be deleted for everyone
_MEDIA_KEYS = ("photo", "video", "animation", "document", "audio", "voice")
_COPY_KEYS = (*_MEDIA_KEYS, "text", "entities", "caption", "caption_entities", "has_media_spoiler")


class MessageMethods:
    """send*, copyMessage, editMessage*, deleteMessage."""

    def __init__(self, world: World, notify: Listener) -> None:
        self.world = world
        self.notify = notify
        self.media = MediaResolver(world.files)

    def handlers(self) -> dict[str, Handler]:
        return {
            "sendMessage": self.send_message,
            "sendPhoto": self._sender("photo"),
            "sendVideo": self._sender("video"),
            "sendDocument": self._sender("document"),
            "sendAnimation": self._sender("animation"),
            "sendMediaGroup": self.send_media_group,
            "sendChatAction": self.send_chat_action,
            "copyMessage": self.copy_message,
            "editMessageText": self.edit_message_text,
            "editMessageCaption": self.edit_message_caption,
            "editMessageReplyMarkup": self.edit_message_reply_markup,
            "deleteMessage": self.delete_message,
        }

    # -- chats and reply targets -------------------------------------------------------------

    def chat(self, ref: int | str) -> JsonDict:
        chat = self.world.resolve_chat(ref)
        if chat is not None:
            return chat
        if isinstance(ref, int) and ref in self.world.users:
            # A user who never opened the bot's private chat.
            raise ApiError(403, "Forbidden: bot can't initiate conversation with a user")
        raise runtime_error("chat not found")

    def _reply_target(self, chat: JsonDict, params: Params) -> JsonDict | None:
        reply = params.get("reply_parameters")
        if not reply:
            return None
        if "chat_id" in reply and self.chat(reply["chat_id"])["id"] != chat["id"]:
            raise bad_request(
                "replies to other chats are not supported by the fake",
                reason="reply_parameters.chat_id names another chat",
            )
        target = self.world.get_message(chat["id"], reply["message_id"])
        if target is None and not reply.get("allow_sending_without_reply"):
            raise bad_request(
                "message to be replied not found",
                reason=f"reply target #{reply['message_id']} is not in chat {chat['id']}",
            )
        return target

    def _post(self, chat: JsonDict, content: JsonDict, params: Params) -> JsonDict:
        markup = params.get("reply_markup")
        # Only inline keyboards are part of a Message; reply keyboards live in the client.
        if markup and "inline_keyboard" in markup:
            content["reply_markup"] = markup
        target = self._reply_target(chat, params)
        message = self.world.new_message(chat, self.world.bot_user, content, target)
        self.notify("bot_message", message)
        return message

    # -- sending -------------------------------------------------------------------------------

    async def send_message(self, params: Params, parts: Parts) -> JsonDict:
        chat = self.chat(params["chat_id"])
        rendered = rules.check_text(params)
        return self._post(chat, _text_fields(rendered, "text", "entities"), params)

    def _sender(self, kind: str) -> Handler:
        async def send(params: Params, parts: Parts) -> JsonDict:
            chat = self.chat(params["chat_id"])
            self._reply_target(chat, params)  # fail before storing any media
            content = await self.media.content(kind, params[kind], params, parts)
            content.update(_caption_fields(params))
            return self._post(chat, content, params)

        return send

    async def send_media_group(self, params: Params, parts: Parts) -> list[JsonDict]:
        chat = self.chat(params["chat_id"])
        self._reply_target(chat, params)
        contents = []
        for item in params["media"]:
            content = await self.media.content(item["type"], item["media"], item, parts)
            content.update(_caption_fields(item))
            contents.append(content)
        group_id = self.world.new_media_group_id()
        return [self._post(chat, {**c, "media_group_id": group_id}, params) for c in contents]

    async def send_chat_action(self, params: Params, parts: Parts) -> bool:
        self.chat(params["chat_id"])
        return True

    async def copy_message(self, params: Params, parts: Parts) -> JsonDict:
        chat = self.chat(params["chat_id"])
        source_chat = self.chat(params["from_chat_id"])
        source = self.world.get_message(source_chat["id"], params["message_id"])
        if source is None:
            raise runtime_error("message to copy not found")
        content = {k: v for k, v in source.items() if k in _COPY_KEYS}
        if "caption" in params:
            content.pop("caption", None)
            content.pop("caption_entities", None)
            content.update(_caption_fields(params))
        message = self._post(chat, content, params)
        return {"message_id": message["message_id"]}

    # -- editing -------------------------------------------------------------------------------

    def _editable(self, params: Params) -> JsonDict:
        if params.get("inline_message_id"):
            raise bad_request("inline messages are not supported by the fake")
        if "chat_id" not in params or "message_id" not in params:
            raise bad_request(
                "message identifier is not specified",
                reason="chat_id and message_id are required without inline_message_id",
            )
        chat = self.chat(params["chat_id"])
        message = self.world.get_message(chat["id"], params["message_id"])
        if message is None:
            raise runtime_error("message to edit not found")
        if not self.world.is_from_bot(message):
            raise runtime_error("message can't be edited")
        return message

    def _apply_edit(self, message: JsonDict, fields: JsonDict, params: Params) -> JsonDict:
        """Apply new content + markup, or fail with "not modified" if nothing changes."""
        markup = params.get("reply_markup")
        # An edit without reply_markup removes the keyboard, as on Telegram.
        new = {**fields, "reply_markup": markup or None}
        if all(message.get(k) == (v or None) for k, v in new.items()):
            raise runtime_error(NOT_MODIFIED)
        for key, value in new.items():
            if value:
                message[key] = value
            else:
                message.pop(key, None)
        message["edit_date"] = int(time.time())
        self.world.record_edit(message)
        self.notify("bot_edit", message)
        return message

    async def edit_message_text(self, params: Params, parts: Parts) -> JsonDict:
        message = self._editable(params)
        rendered = rules.check_text(params)
        if "text" not in message:
            raise runtime_error("there is no text in the message to edit")
        fields = {"text": rendered.text, "entities": rendered.entities or None}
        return self._apply_edit(message, fields, params)

    async def edit_message_caption(self, params: Params, parts: Parts) -> JsonDict:
        message = self._editable(params)
        rendered = rules.check_caption(params)
        if not any(key in message for key in _MEDIA_KEYS):
            raise runtime_error("there is no caption in the message to edit")
        fields = {"caption": rendered.text or None, "caption_entities": rendered.entities or None}
        return self._apply_edit(message, fields, params)

    async def edit_message_reply_markup(self, params: Params, parts: Parts) -> JsonDict:
        return self._apply_edit(self._editable(params), {}, params)

    async def delete_message(self, params: Params, parts: Parts) -> bool:
        """Telegram's rules (deleteMessage): at most 48 h old; in a group, someone else's
        message only with the right to delete (an administrator or the owner)."""
        chat = self.chat(params["chat_id"])
        message = self.world.get_message(chat["id"], params["message_id"])
        if message is None:
            raise runtime_error("message to delete not found")
        if time.time() - message["date"] > DELETE_WINDOW:
            raise runtime_error("message can't be deleted for everyone")
        status = self.world.member_status.get((chat["id"], self.world.bot_user["id"]))
        if (
            self.world.is_group(chat)
            and not self.world.is_from_bot(message)
            and status not in ("administrator", "creator")
        ):
            raise runtime_error("message can't be deleted")
        self.world.delete_message(chat["id"], params["message_id"])
        self.notify("bot_delete", message)
        return True


def _text_fields(rendered: Rendered, text_key: str, entities_key: str) -> JsonDict:
    fields: JsonDict = {text_key: rendered.text}
    if rendered.entities:
        fields[entities_key] = rendered.entities
    return fields


def _caption_fields(params: Params) -> JsonDict:
    fields: JsonDict = {}
    rendered = rules.check_caption(params)
    if rendered.text:
        fields = _text_fields(rendered, "caption", "caption_entities")
    if params.get("show_caption_above_media"):
        fields["show_caption_above_media"] = True
    if params.get("has_spoiler"):
        fields["has_media_spoiler"] = True
    return fields
