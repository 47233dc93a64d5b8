"""The limits that live in the Bot API prose, not in the spec's types.

Every check raises a violation ApiError (answered 400 and listed in ``tg.violations``).
State-dependent rules (reply targets, edits, file sizes) are checked by the methods.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from .formatting import EntityParseError, Rendered, render
from .wire import ApiError, bad_request

TEXT_MAX = 4096
CAPTION_MAX = 1024
MEDIA_GROUP_MIN, MEDIA_GROUP_MAX = 2, 10
CALLBACK_DATA_MAX_BYTES = 64
CALLBACK_ANSWER_MAX = 200
COMMANDS_MAX = 100
COMMAND_RE = re.compile(r"[a-z0-9_]{1,32}")
COMMAND_DESCRIPTION_MAX = 256
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
# InlineKeyboardButton: exactly one field other than these says what the button does.
_BUTTON_DECORATION = frozenset({"text", "icon_custom_emoji_id", "style"})
_TEXT_METHODS = frozenset({"sendMessage", "editMessageText"})
Params = dict[str, Any]


def render_text(params: Params, key: str = "text", entities_key: str = "entities") -> Rendered:
    """Render a text/caption parameter, turning parse errors into violations."""
    try:
        return render(params.get(key) or "", params.get("parse_mode"), params.get(entities_key))
    except EntityParseError as exc:
        raise bad_request(f"can't parse entities: {exc}") from None


def check_text(params: Params) -> Rendered:
    rendered = render_text(params)
    if not rendered.text:
        raise bad_request("message text is empty")
    if len(rendered.text) > TEXT_MAX:
        raise bad_request(
            "message is too long", reason=f"text is {len(rendered.text)} > {TEXT_MAX} characters"
        )
    return rendered


def check_caption(params: Params) -> Rendered:
    rendered = render_text(params, "caption", "caption_entities")
    if len(rendered.text) > CAPTION_MAX:
        raise bad_request(
            "message caption is too long",
            reason=f"caption is {len(rendered.text)} > {CAPTION_MAX} characters",
        )
    return rendered


def check_media_group(media: list[Params]) -> None:
    if not MEDIA_GROUP_MIN <= len(media) <= MEDIA_GROUP_MAX:
        raise bad_request(
            "media must include 2-10 items",
            reason=f"sendMediaGroup with {len(media)} items (must be 2-10)",
        )
    kinds = {item["type"] for item in media}
    for exclusive in ("document", "audio"):
        if exclusive in kinds and kinds != {exclusive}:
            raise bad_request(
                "Can't use the media of the specified type in the album",
                reason=f"{exclusive} items mixed with other kinds: {sorted(kinds)}",
            )
    for item in media:
        check_caption(item)


def check_keyboard(markup: Any) -> None:
    if not isinstance(markup, dict) or "inline_keyboard" not in markup:
        return
    for row in markup["inline_keyboard"]:
        for button in row:
            _check_button(button)


def _check_button(button: Params) -> None:
    actions = sorted(set(button) - _BUTTON_DECORATION)
    if not actions:
        raise bad_request(
            "text buttons are unallowed in the inline keyboard",
            reason=f"button {button.get('text')!r} has no action field",
        )
    if len(actions) > 1:
        raise bad_request(
            "can't parse inline keyboard button: exactly one action field must be used",
            reason=f"button {button.get('text')!r} has several action fields {actions}",
        )
    data = button.get("callback_data")
    if data is not None and not 1 <= len(data.encode("utf-8")) <= CALLBACK_DATA_MAX_BYTES:
        raise bad_request(
            "BUTTON_DATA_INVALID",
            reason=f"callback_data {data!r:.80} is {len(data.encode())} bytes (must be 1-64)",
        )


def check_commands(commands: list[Params]) -> None:
    if len(commands) > COMMANDS_MAX:
        raise bad_request("too many commands specified")
    for command in commands:
        if not COMMAND_RE.fullmatch(command["command"]):
            raise bad_request(
                "BOT_COMMAND_INVALID",
                reason=f"command {command['command']!r} must be 1-32 of [a-z0-9_]",
            )
        if not 1 <= len(command["description"]) <= COMMAND_DESCRIPTION_MAX:
            raise bad_request(
                "command description must be 1-256 characters",
                reason=f"description of /{command['command']} has bad length",
            )


def _check_callback_answer(params: Params) -> None:
    text = params.get("text") or ""
    if len(text) > CALLBACK_ANSWER_MAX:
        raise bad_request(
            "MESSAGE_TOO_LONG",
            reason=f"answerCallbackQuery text is {len(text)} > {CALLBACK_ANSWER_MAX} characters",
        )


def _check_chat_action(params: Params) -> None:
    if params["action"] not in CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")


def _check_media_group_params(params: Params) -> None:
    check_media_group(params["media"])


def _check_commands_params(params: Params) -> None:
    check_commands(params["commands"])


_BY_METHOD: dict[str, Callable[[Params], Any]] = {
    "sendMediaGroup": _check_media_group_params,
    "answerCallbackQuery": _check_callback_answer,
    "sendChatAction": _check_chat_action,
    "setMyCommands": _check_commands_params,
}


def check_call(method: str, params: Params) -> None:
    """All static prose limits of one (spec-valid) call."""
    try:
        if method in _TEXT_METHODS:
            check_text(params)
        elif "caption" in params or "parse_mode" in params:
            check_caption(params)
        check_keyboard(params.get("reply_markup"))
        rule = _BY_METHOD.get(method)
        if rule is not None:
            rule(params)
    except ApiError:
        raise
    except (KeyError, TypeError, AttributeError) as exc:
        # The spec validator guarantees types, so this means the fake has a gap.
        raise bad_request(f"the fake could not check this call ({exc!r})") from None
