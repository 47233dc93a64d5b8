"""Tests of the fake Telegram Bot API server (tests/fakes/telegram).

The first group drives it with a real python-telegram-bot Application; the rest talk to it
with httpx to check the validator, limits, long polling, flood control and the user API.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import io
import json
import re
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import telegram
from PIL import Image
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputMediaPhoto, Update
from telegram.error import BadRequest, RetryAfter
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from tests.fakes.telegram import FakeTelegram, FloodLimits, RetryAfterWindows, load_spec
from tests.fakes.telegram.__main__ import Console, banner, parse_args
from tests.fakes.telegram.formatting import command_entities, parse_html

REPO_ROOT = Path(__file__).resolve().parents[1]
MB = 1 << 20


def png(width: int = 64, height: int = 48, color: tuple[int, ...] = (200, 30, 30)) -> bytes:
    mode = "RGBA" if len(color) == 4 else "RGB"
    buf = io.BytesIO()
    Image.new(mode, (width, height), color).save(buf, "PNG")
    return buf.getvalue()


def wire(params: dict[str, Any]) -> dict[str, str]:
    """Encode parameters like PTB: strings raw, everything else JSON."""
    return {k: v if isinstance(v, str) else json.dumps(v) for k, v in params.items()}


@pytest.fixture
async def tg() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as fake:
        # Scripted calls come much faster than 1/s; the flood tests switch limits back on.
        fake.flood.enabled = False
        yield fake
        assert fake.violations == [], fake.describe("unexpected violations")


@pytest.fixture
async def api(tg: FakeTelegram) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=f"{tg.url}/bot{tg.token}/", timeout=10) as client:
        yield client


@pytest.fixture
def alice(tg: FakeTelegram) -> dict[str, Any]:
    return tg.user(42, "Alice", "alice")


@pytest.fixture
def chat(tg: FakeTelegram, alice: dict[str, Any]) -> dict[str, Any]:
    return tg.private_chat(alice)


async def call(
    api: httpx.AsyncClient, method: str, files: dict[str, Any] | None = None, **params: Any
) -> tuple[int, dict[str, Any]]:
    response = await api.post(method, data=wire(params), files=files)
    return response.status_code, response.json()


def take_violation(tg: FakeTelegram, fragment: str) -> None:
    """Assert exactly one violation mentioning ``fragment`` and clear it."""
    assert len(tg.violations) == 1 and fragment in tg.violations[0], tg.violations
    tg.violations.clear()


def assert_results_match_spec(tg: FakeTelegram) -> None:
    """Every successful answer must itself be valid per the spec's return types."""
    checked = 0
    for c in tg.calls:
        method = tg.spec.methods.get(c.method)
        if c.status == 200 and method is not None:
            tg.validator.check_result(method, c.result)
            checked += 1
    assert checked > 0


# -- a real PTB Application ------------------------------------------------------------------


def build_app(tg: FakeTelegram) -> Application[Any, Any, Any, Any, Any, Any]:
    app = (
        ApplicationBuilder()
        .token(tg.token)
        .base_url(f"{tg.url}/bot")
        .base_file_url(f"{tg.url}/file/bot")
        .build()
    )
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Again", callback_data="again")]])

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message
        await update.message.reply_text(
            "Hello <b>there</b>!", parse_mode="HTML", reply_markup=keyboard
        )

    async def pic(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message
        await update.message.reply_photo(png(640, 480), filename="out.png", caption="here")

    async def album(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_chat
        media = [
            InputMediaPhoto(png(120, 90), filename="a.png"),
            InputMediaPhoto(png(60, 60, (0, 0, 255, 128)), filename="b.png"),
        ]
        await context.bot.send_media_group(update.effective_chat.id, media, caption="album")

    async def progress(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message
        status = await update.message.reply_text("0%")
        for text in ("50%", "100%"):
            await status.edit_text(text)

    async def photo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message
        largest = update.message.photo[-1]
        data = await (await largest.get_file()).download_as_bytearray()
        await update.message.reply_text(f"got {len(data)} bytes {largest.width}x{largest.height}")

    async def edit_reply(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message and update.message.reply_to_message
        source = update.message.reply_to_message.photo[-1]
        data = await (await source.get_file()).download_as_bytearray()
        await update.message.reply_text(f"editing {len(data)} bytes")

    async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.callback_query
        await update.callback_query.answer("ok")
        await update.callback_query.edit_message_text("pressed")

    app.add_handler(CommandHandler("start", start))
    app.add_handler(CommandHandler("pic", pic))
    app.add_handler(CommandHandler("album", album))
    app.add_handler(CommandHandler("progress", progress))
    app.add_handler(CommandHandler("edit", edit_reply, filters=filters.REPLY))
    app.add_handler(MessageHandler(filters.PHOTO, photo))
    app.add_handler(CallbackQueryHandler(button))
    return app


@contextlib.asynccontextmanager
async def polling(app: Application[Any, Any, Any, Any, Any, Any]) -> AsyncIterator[None]:
    async with app:
        await app.start()
        assert app.updater
        await app.updater.start_polling(poll_interval=0, timeout=1)
        try:
            yield
        finally:
            await app.updater.stop()
            await app.stop()


async def test_ptb_application_end_to_end(tg: FakeTelegram, alice: dict[str, Any]) -> None:
    tg.flood = FloodLimits(per_chat_burst=30)  # a fast scripted user would hit 1 msg/s
    chat = tg.private_chat(alice)

    async def say(text: str, bot_count: int, **kw: Any) -> None:
        tg.send_text(chat, alice, text, **kw)
        await tg.wait_for(lambda: len(tg.bot_messages(chat)) == bot_count)

    async with polling(build_app(tg)):
        await say("/start", 1)
        await say("/pic", 2)
        await say("/album", 4)
        await say("/progress", 5)
        await tg.wait_for(lambda: len(tg.calls_to("editMessageText")) == 2)
        tg.send_photo(chat, alice, png(400, 300), caption="look")
        await tg.wait_for(lambda: len(tg.bot_messages(chat)) == 6)
        await say("/edit", 7, reply_to=4)
        query_id = tg.press_button(chat, alice, 2, "again")
        await tg.wait_for(lambda: tg.messages(chat)[1]["text"] == "pressed")

    methods = [c.method for c in tg.calls]
    assert methods[:3] == ["getMe", "deleteWebhook", "getUpdates"]
    for expected in ("sendPhoto", "sendMediaGroup", "getFile", "downloadFile"):
        assert expected in methods
    assert tg.calls_to("sendPhoto")[0].files == {
        "photo": ("out.png", "image/png", len(png(640, 480)))
    }
    assert len(tg.calls_to("sendMediaGroup")[0].files) == 2
    assert tg.callback_answers[query_id] == {"text": "ok", "show_alert": False, "url": None}

    messages = tg.messages(chat)
    assert messages[1]["text"] == "pressed" and "reply_markup" not in messages[1]
    assert [p["width"] for p in messages[9]["photo"]] == [90, 320, 400]  # smallest first
    assert tg.edit_history(chat, 9) == ["0%", "50%", "100%"]
    album_id = messages[5]["media_group_id"]
    assert messages[6]["media_group_id"] == album_id
    user_photo = len(tg.file_bytes(messages[9]["photo"][-1]["file_id"]))
    bot_photo = len(tg.file_bytes(messages[3]["photo"][-1]["file_id"]))
    assert tg.chat_log(chat) == "\n".join(
        [
            "-- chat 42 (private: Alice) --",
            "#1 Alice(42): /start",
            "#2 bot: pressed (edited)",
            "#3 Alice(42): /pic",
            "#4 bot: [photo 640x480] here",
            "#5 Alice(42): /album",
            f"#6 bot: [album {album_id}] [photo 120x90] album",
            f"#7 bot: [album {album_id}] [photo 60x60]",
            "#8 Alice(42): /progress",
            "#9 bot: 100% (edited)",
            "#10 Alice(42): [photo 400x300] look",
            f"#11 bot: got {user_photo} bytes 400x300",
            "#12 Alice(42) (reply to #4): /edit",
            f"#13 bot: editing {bot_photo} bytes",
        ]
    )
    assert tg.errors == [] and tg.flood_hits == []
    assert_results_match_spec(tg)


async def test_ptb_group_command_quotes_and_uses_bot_username(tg: FakeTelegram) -> None:
    bob = tg.user(7, "Bob")
    group = tg.group_chat(-100123, "Team")
    async with polling(build_app(tg)):
        tg.send_text(group, bob, "/start@other_bot")
        tg.send_text(group, bob, "/start@evolink_test_bot")
        await tg.wait_for(lambda: len(tg.bot_messages(group)) == 1)
    reply = tg.bot_messages(group)[0]
    assert reply["reply_to_message"]["message_id"] == 2  # PTB quotes in groups
    assert reply["from"]["username"] == "evolink_test_bot" and reply["from"]["is_bot"]
    assert reply["entities"] == [{"type": "bold", "offset": 6, "length": 5}]


# PTB warns about RetryAfter.retry_after becoming a timedelta when it builds the exception.
@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_ptb_sees_injected_retry_after_and_bad_request(tg: FakeTelegram, chat: Any) -> None:
    bot = telegram.Bot(tg.token, base_url=f"{tg.url}/bot", base_file_url=f"{tg.url}/file/bot")
    async with bot:
        tg.fail_next(
            "sendMessage",
            error_code=429,
            description="Too Many Requests: retry after 3",
            retry_after=3,
        )
        with pytest.raises(RetryAfter):
            await bot.send_message(chat["id"], "hi")
        tg.fail_next("SENDMESSAGE", description="Bad Request: injected")
        with pytest.raises(BadRequest, match="Injected"):
            await bot.send_message(chat["id"], "hi")
        message = await bot.send_message(chat["id"], "hi")
        assert message.text == "hi"
    assert [c.status for c in tg.calls_to("sendMessage")] == [429, 400, 200]
    assert tg.errors == [
        "sendMessage: 429 Too Many Requests: retry after 3",
        "sendMessage: 400 Bad Request: injected",
    ]


def test_spec_loader_sees_every_method_ptb_calls() -> None:
    spec = load_spec()
    assert spec.version == "Bot API 10.0"
    source = inspect.getsource(telegram.Bot)
    endpoints = set(re.findall(r'(?:endpoint=|_post\(\s*|_send_message\(\s*)"(\w+)"', source))
    assert len(endpoints) > 150
    assert sorted(e for e in endpoints if e not in spec.methods) == []
    aliases = [n for n in dir(telegram.Bot) if n != n.lower() and not n.startswith("_")]
    assert sorted(a for a in aliases if a not in spec.methods) == []


# -- routing and the spec validator ------------------------------------------------------------


async def test_wrong_token_and_unknown_method(tg: FakeTelegram, api: httpx.AsyncClient) -> None:
    async with httpx.AsyncClient(base_url=tg.url) as raw:
        response = await raw.post("/bot999:WRONG/getMe")
        assert response.status_code == 401
        assert response.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}
        response = await raw.get("/file/bot999:WRONG/photos/x.jpg")
        assert response.status_code == 401
    status, body = await call(api, "sendTelepathy", chat_id=1)
    assert (status, body) == (404, {"ok": False, "error_code": 404, "description": "Not Found"})
    take_violation(tg, "sendTelepathy")
    status, body = await call(api, "GETME")  # method names are case-insensitive
    assert status == 200 and body["result"]["username"] == "evolink_test_bot"
    assert (await api.get("getMe")).status_code == 200


@pytest.mark.parametrize(
    ("params", "fragment"),
    [
        ({"chat_id": 42, "text": "x", "colour": "red"}, 'unknown parameter "colour"'),
        ({"text": "x"}, 'parameter "chat_id" is required'),
        ({"chat_id": 42, "text": "x", "disable_notification": "maybe"}, "expected Boolean"),
        ({"chat_id": 42, "text": "x", "message_thread_id": "1.5"}, "expected Integer"),
        ({"chat_id": 42, "text": "x", "reply_markup": "{not json"}, "not valid JSON"),
        (
            {"chat_id": 42, "text": "x", "reply_markup": {"inline_keyboard": [[{"txt": "a"}]]}},
            'unknown field "txt"',
        ),
        ({"chat_id": 42, "text": "x", "reply_parameters": {}}, 'requires field "message_id"'),
        ({"chat_id": 42, "text": "x", "entities": {"type": "bold"}}, "expected a JSON array"),
    ],
)
async def test_spec_violations_are_400(
    tg: FakeTelegram, api: httpx.AsyncClient, chat: Any, params: dict[str, Any], fragment: str
) -> None:
    status, body = await call(api, "sendMessage", **params)
    assert status == 400 and body["ok"] is False and body["error_code"] == 400
    assert body["description"].startswith("Bad Request: ") and fragment in body["description"]
    take_violation(tg, fragment)
    assert tg.calls[-1].status == 400


async def test_union_discriminator_and_unreferenced_parts(
    tg: FakeTelegram, api: httpx.AsyncClient, chat: Any
) -> None:
    status, _ = await call(api, "setMyCommands", commands=[], scope={"type": "everyone"})
    assert status == 400
    take_violation(tg, "BotCommandScope.type must be one of")
    sticker = [{"type": "sticker", "media": "x"}, {"type": "photo", "media": "y"}]
    assert (await call(api, "sendMediaGroup", chat_id=42, media=sticker))[0] == 400
    take_violation(tg, "media[0]: type 'sticker' is not one of ['audio', 'document'")
    scope = {"type": "chat", "chat_id": 42}
    assert (
        await call(
            api, "setMyCommands", commands=[{"command": "go", "description": "Go"}], scope=scope
        )
    )[0] == 200
    assert (await call(api, "getMyCommands", scope=scope))[1]["result"] == [
        {"command": "go", "description": "Go"}
    ]
    assert (await call(api, "getMyCommands"))[1]["result"] == []
    files = {"stray": ("a.png", png(), "image/png")}
    status, _ = await call(api, "sendMessage", files=files, chat_id=42, text="x")
    assert status == 400
    take_violation(tg, "not referenced")
    status, _ = await call(api, "sendPhoto", chat_id=42, photo="attach://missing")
    assert status == 400
    take_violation(tg, "refers to no uploaded file part")


async def test_json_body_query_string_and_decoded_params(
    tg: FakeTelegram, api: httpx.AsyncClient, chat: Any
) -> None:
    markup = {"inline_keyboard": [[{"text": "Go", "callback_data": "go"}]]}
    response = await api.post(
        "sendMessage", json={"chat_id": 42, "text": "hi", "reply_markup": markup}
    )
    assert response.status_code == 200 and response.json()["result"]["reply_markup"] == markup
    response = await api.get("sendMessage", params={"chat_id": "42", "text": "via query"})
    assert response.json()["result"]["text"] == "via query"
    first = tg.calls_to("sendMessage")[0]
    assert first.params == {"chat_id": 42, "text": "hi", "reply_markup": markup}
    assert first.chat_id == 42 and first.status == 200


# -- prose limits ------------------------------------------------------------------------------


async def test_text_length_and_html(tg: FakeTelegram, api: httpx.AsyncClient, chat: Any) -> None:
    assert (await call(api, "sendMessage", chat_id=42, text="x" * 4096))[0] == 200
    html = "<b>" + "&lt;" * 4096 + "</b>"  # 4096 characters after parsing
    status, body = await call(api, "sendMessage", chat_id=42, text=html, parse_mode="HTML")
    assert status == 200 and body["result"]["entities"][0]["length"] == 4096
    assert (await call(api, "sendMessage", chat_id=42, text="x" * 4097))[1]["description"] == (
        "Bad Request: message is too long"
    )
    take_violation(tg, "4097 > 4096")
    for bad, fragment in [
        ("<blink>x</blink>", 'Unsupported start tag "blink"'),
        ("<b>x", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b><i>x</b></i>", 'expected "</i>", found "</b>"'),
        ('<span class="red">x</span>', 'must have class "tg-spoiler"'),
    ]:
        status, body = await call(api, "sendMessage", chat_id=42, text=bad, parse_mode="HTML")
        assert status == 400 and body["description"].startswith(
            "Bad Request: can't parse entities: "
        )
        take_violation(tg, fragment)
    assert (await call(api, "sendMessage", chat_id=42, text="  "))[0] == 400
    take_violation(tg, "message text is empty")
    assert (await call(api, "sendMessage", chat_id=42, text="*x*", parse_mode="MarkdownV2"))[
        0
    ] == 400
    take_violation(tg, "not supported by the fake")


def test_html_parser_entities_use_utf16() -> None:
    rendered = parse_html(
        '😀 <b>bold</b> <a href="https://x.org">l&amp;nk</a> <tg-spoiler>s</tg-spoiler>'
    )
    assert rendered.text == "😀 bold l&nk s"
    assert rendered.entities == [
        {"type": "bold", "offset": 3, "length": 4},
        {"type": "text_link", "offset": 8, "length": 4, "url": "https://x.org"},
        {"type": "spoiler", "offset": 13, "length": 1},
    ]
    pre = parse_html('<pre><code class="language-python">x = 1</code></pre>')
    assert pre.entities == [{"type": "pre", "offset": 0, "length": 5, "language": "python"}]
    assert command_entities("/edit@evolink_test_bot make it red") == [
        {"type": "bot_command", "offset": 0, "length": 22}
    ]
    assert command_entities("hello /edit") == []


async def test_caption_and_media_group_limits(
    tg: FakeTelegram, api: httpx.AsyncClient, chat: Any
) -> None:
    photo = {"photo": ("p.png", png(), "image/png")}
    assert (await call(api, "sendPhoto", files=photo, chat_id=42, caption="c" * 1024))[0] == 200
    status, body = await call(api, "sendPhoto", files=photo, chat_id=42, caption="c" * 1025)
    assert (status, body["description"]) == (400, "Bad Request: message caption is too long")
    take_violation(tg, "1025 > 1024")

    def album(n: int, kind: str = "photo") -> tuple[list[dict[str, str]], dict[str, Any]]:
        media = [{"type": kind, "media": f"attach://f{i}"} for i in range(n)]
        return media, {f"f{i}": (f"{i}.png", png(), "image/png") for i in range(n)}

    for n in (1, 11):
        media, files = album(n)
        assert (await call(api, "sendMediaGroup", files=files, chat_id=42, media=media))[0] == 400
        take_violation(tg, f"with {n} items")
    media, files = album(2)
    media[1]["type"] = "document"
    assert (await call(api, "sendMediaGroup", files=files, chat_id=42, media=media))[0] == 400
    take_violation(tg, "document items mixed")
    media, files = album(3)
    media[0]["caption"] = "x" * 1025
    assert (await call(api, "sendMediaGroup", files=files, chat_id=42, media=media))[0] == 400
    take_violation(tg, "1025 > 1024")
    media, files = album(2, "document")
    status, body = await call(api, "sendMediaGroup", files=files, chat_id=42, media=media)
    assert status == 200 and [m["document"]["file_name"] for m in body["result"]] == [
        "0.png",
        "1.png",
    ]


async def test_inline_keyboard_and_callback_answer_limits(
    tg: FakeTelegram, api: httpx.AsyncClient, chat: Any
) -> None:
    def markup(*buttons: dict[str, Any]) -> dict[str, Any]:
        return {"inline_keyboard": [list(buttons)]}

    ok = markup({"text": "a", "callback_data": "é" * 32})  # 64 bytes
    assert (await call(api, "sendMessage", chat_id=42, text="k", reply_markup=ok))[0] == 200
    for buttons, fragment in [
        (markup({"text": "a", "callback_data": "é" * 32 + "x"}), "65 bytes"),
        (markup({"text": "a", "callback_data": ""}), "0 bytes"),
        (markup({"text": "a"}), "no action field"),
        (markup({"text": "a", "callback_data": "x", "url": "https://x.org"}), "several action"),
    ]:
        assert (await call(api, "sendMessage", chat_id=42, text="k", reply_markup=buttons))[
            0
        ] == 400
        take_violation(tg, fragment)
    message = tg.bot_messages(chat)[0]
    query_id = tg.press_button(chat, 42, message["message_id"], "é" * 32)
    status, _ = await call(api, "answerCallbackQuery", callback_query_id=query_id, text="t" * 201)
    assert status == 400
    take_violation(tg, "201 > 200")
    assert (await call(api, "answerCallbackQuery", callback_query_id=query_id, show_alert=True))[
        0
    ] == 200
    assert tg.callback_answers[query_id]["show_alert"] is True
    assert (await call(api, "answerCallbackQuery", callback_query_id=query_id))[0] == 400
    assert tg.errors[-1].startswith("answerCallbackQuery: 400 Bad Request: query is too old")


async def test_photo_processing_and_limits(
    tg: FakeTelegram, api: httpx.AsyncClient, chat: Any
) -> None:
    status, body = await call(
        api,
        "sendPhoto",
        files={"photo": ("big.png", png(3000, 1500, (1, 2, 3, 0)), "image/png")},
        chat_id=42,
    )
    assert status == 200
    sizes = body["result"]["photo"]
    assert [(s["width"], s["height"]) for s in sizes] == [
        (90, 45),
        (320, 160),
        (800, 400),
        (1280, 640),
        (2560, 1280),
    ]
    largest = Image.open(io.BytesIO(tg.file_bytes(sizes[-1]["file_id"])))
    assert largest.format == "JPEG" and largest.getpixel((5, 5)) == (
        255,
        255,
        255,
    )  # alpha flattened
    for image, fragment in [
        (png(10000, 10), "PHOTO_INVALID_DIMENSIONS"),
        (png(420, 20), "PHOTO_INVALID_DIMENSIONS"),
        (b"not an image", "IMAGE_PROCESS_FAILED"),
    ]:
        status, body = await call(
            api, "sendPhoto", files={"photo": ("p.png", image, "image/png")}, chat_id=42
        )
        assert (status, body["description"]) == (400, f"Bad Request: {fragment}")
        take_violation(tg, fragment)
    # An image sent as a document keeps its original bytes.
    original = png(50, 50)
    status, body = await call(
        api, "sendDocument", files={"document": ("x.png", original, "image/png")}, chat_id=42
    )
    document = body["result"]["document"]
    assert document["mime_type"] == "image/png" and tg.file_bytes(document["file_id"]) == original


async def test_upload_over_50_mb_is_413(
    tg: FakeTelegram, api: httpx.AsyncClient, chat: Any
) -> None:
    big = {"document": ("big.bin", b"\0" * (50 * MB + 1), "application/octet-stream")}
    status, body = await call(api, "sendDocument", files=big, chat_id=42)
    assert (status, body) == (
        413,
        {"ok": False, "error_code": 413, "description": "Request Entity Too Large"},
    )
    take_violation(tg, "larger than 50 MB")


async def test_files_by_url_and_file_id(
    tg: FakeTelegram, api: httpx.AsyncClient, chat: Any
) -> None:
    status, body = await call(
        api, "sendPhoto", files={"photo": ("p.png", png(200, 100), "image/png")}, chat_id=42
    )
    photo_id = body["result"]["photo"][-1]["file_id"]
    status, body = await call(api, "sendPhoto", chat_id=42, photo=photo_id)
    assert status == 200 and body["result"]["photo"][-1]["file_id"] == photo_id
    assert (await call(api, "sendDocument", chat_id=42, document=photo_id))[1]["description"] == (
        "Bad Request: can't use file of type Photo as Document"
    )
    take_violation(tg, "Photo as Document")
    assert (await call(api, "sendPhoto", chat_id=42, photo="AgACnope"))[0] == 400
    take_violation(tg, "unknown file_id")
    # By URL: the fake fetches from localhost only (here: its own file route).
    local = tg.add_file(png(30, 30), kind="document", file_name="s.png", mime_type="image/png")
    url = f"{tg.url}/file/bot{tg.token}/{local.file_path}"
    status, body = await call(api, "sendPhoto", chat_id=42, photo=url)
    assert status == 200 and body["result"]["photo"][-1]["width"] == 30
    big = tg.add_file(b"\0" * (5 * MB + 1), kind="document", file_name="big.jpg")
    status, _ = await call(
        api, "sendPhoto", chat_id=42, photo=f"{tg.url}/file/bot{tg.token}/{big.file_path}"
    )
    assert status == 400
    take_violation(tg, "larger than 5 MB")
    assert (await call(api, "sendPhoto", chat_id=42, photo="https://example.com/x.jpg"))[0] == 400
    take_violation(tg, "only fetches")


async def test_get_file_and_download(tg: FakeTelegram, api: httpx.AsyncClient, chat: Any) -> None:
    message = tg.send_document(
        chat, 42, b"%PDF-1.4", file_name="a.pdf", mime_type="application/pdf"
    )
    status, body = await call(api, "getFile", file_id=message["document"]["file_id"])
    assert status == 200 and body["result"]["file_size"] == 8
    download = await api.get(f"{tg.url}/file/bot{tg.token}/{body['result']['file_path']}")
    assert (
        download.content == b"%PDF-1.4" and download.headers["Content-Type"] == "application/pdf"
    )
    huge = tg.add_file(b"", size=20 * MB + 1, kind="video")
    status, body = await call(api, "getFile", file_id=huge.file_id)
    assert (status, body["description"]) == (400, "Bad Request: file is too big")
    take_violation(tg, "getFile of 20971521 bytes")


async def test_replies_and_edits(tg: FakeTelegram, api: httpx.AsyncClient, chat: Any) -> None:
    tg.send_text(chat, 42, "hello")
    status, body = await call(
        api, "sendMessage", chat_id=42, text="hi", reply_parameters={"message_id": 1}
    )
    assert body["result"]["reply_to_message"]["text"] == "hello"
    status, body = await call(
        api, "sendMessage", chat_id=42, text="x", reply_parameters={"message_id": 99}
    )
    assert (status, body["description"]) == (400, "Bad Request: message to be replied not found")
    take_violation(tg, "reply target #99")
    lenient = {"message_id": 99, "allow_sending_without_reply": True}
    assert (await call(api, "sendMessage", chat_id=42, text="x", reply_parameters=lenient))[
        0
    ] == 200

    markup = {"inline_keyboard": [[{"text": "a", "callback_data": "a"}]]}
    edit: dict[str, Any] = {"chat_id": 42, "message_id": 2, "text": "hi"}
    assert (await call(api, "editMessageText", **edit))[1]["description"].startswith(
        "Bad Request: message is not modified: specified new message content"
    )
    assert (await call(api, "editMessageText", **edit, reply_markup=markup))[0] == 200
    assert (
        await call(api, "editMessageReplyMarkup", chat_id=42, message_id=2, reply_markup=markup)
    )[0] == 400
    assert (await call(api, "editMessageReplyMarkup", chat_id=42, message_id=2))[0] == 200
    assert (await call(api, "editMessageText", **{**edit, "message_id": 50}))[1][
        "description"
    ] == ("Bad Request: message to edit not found")
    assert (await call(api, "editMessageText", **{**edit, "message_id": 1}))[0] == 400  # user's
    assert (await call(api, "editMessageCaption", chat_id=42, message_id=2, caption="c"))[0] == 400
    assert (await call(api, "deleteMessage", chat_id=42, message_id=3))[0] == 200
    assert (await call(api, "deleteMessage", chat_id=42, message_id=3))[0] == 400
    assert tg.violations == [] and len(tg.errors) == 6
    assert "message is not modified" in tg.errors[0]
    assert [m["message_id"] for m in tg.messages(chat)] == [1, 2]
    assert "reply_markup" not in tg.messages(chat)[1]
    assert tg.edit_history(chat, 2) == ["hi", "hi", "hi"]


async def test_video_animation_and_copy(
    tg: FakeTelegram, api: httpx.AsyncClient, chat: Any
) -> None:
    video = {"video": ("clip.mp4", b"\0\0\0\x18ftypmp42", "video/mp4")}
    params = {"chat_id": 42, "width": 1280, "height": 720, "duration": 5, "caption": "<i>v</i>"}
    status, body = await call(api, "sendVideo", files=video, **params, parse_mode="HTML")
    assert status == 200
    sent = body["result"]
    assert sent["video"] == {
        "file_id": sent["video"]["file_id"],
        "file_unique_id": sent["video"]["file_unique_id"],
        "width": 1280,
        "height": 720,
        "duration": 5,
        "file_name": "clip.mp4",
        "mime_type": "video/mp4",
        "file_size": 12,
    }
    assert sent["caption_entities"] == [{"type": "italic", "offset": 0, "length": 1}]
    gif = {"animation": ("a.mp4", b"gif", "application/octet-stream")}
    status, body = await call(api, "sendAnimation", files=gif, chat_id=42)
    assert body["result"]["animation"]["mime_type"] == "video/mp4"
    assert body["result"]["document"]["file_id"] == body["result"]["animation"]["file_id"]
    tg.group_chat(-100300)
    status, body = await call(
        api, "copyMessage", chat_id=-100300, from_chat_id=42, message_id=1, caption="copied"
    )
    assert status == 200 and body["result"] == {"message_id": 1}
    copied = tg.messages(-100300)[0]
    assert copied["video"] == sent["video"] and copied["caption"] == "copied"
    assert "caption_entities" not in copied
    assert tg.chat_log(-100300).splitlines()[1] == "#1 bot: [video 1280x720 5s] copied"
    for method in ("logOut", "close", "deleteMyCommands"):
        assert (await call(api, method))[1] == {"ok": True, "result": True}
    assert_results_match_spec(tg)


async def test_chats_members_and_unknown_chats(
    tg: FakeTelegram, api: httpx.AsyncClient, chat: Any
) -> None:
    tg.group_chat(-100500, "Team")
    tg.set_member_status(-100500, 42, "administrator")
    body = (await call(api, "getChatMember", chat_id=-100500, user_id=42))[1]
    assert (
        body["result"]["status"] == "administrator" and body["result"]["can_manage_chat"] is False
    )
    body = (await call(api, "getChatMember", chat_id=-100500, user_id=tg.bot_user["id"]))[1]
    assert body["result"]["status"] == "member"
    body = (await call(api, "getChat", chat_id=-100500))[1]
    assert body["result"]["title"] == "Team" and body["result"]["type"] == "supergroup"
    assert (await call(api, "sendMessage", chat_id=-999, text="x"))[0] == 400
    tg.user(77)
    assert (await call(api, "sendMessage", chat_id=77, text="x"))[0] == 403
    assert tg.errors == [
        "sendMessage: 400 Bad Request: chat not found",
        "sendMessage: 403 Forbidden: bot can't initiate conversation with a user",
    ]
    assert (await call(api, "sendChatAction", chat_id=42, action="upload_photo"))[0] == 200
    assert (await call(api, "sendChatAction", chat_id=42, action="dancing"))[0] == 400
    take_violation(tg, "wrong parameter action")
    assert (await call(api, "sendDice", chat_id=42))[0] == 400
    take_violation(tg, "sendDice is not implemented")
    assert_results_match_spec(tg)


# -- getUpdates ----------------------------------------------------------------------------------


async def test_long_poll_answers_when_an_update_arrives(
    tg: FakeTelegram, api: httpx.AsyncClient, chat: Any
) -> None:
    poll = asyncio.create_task(call(api, "getUpdates", timeout=5))
    await tg.wait_for(lambda: tg.updates.polling)
    started = time.monotonic()
    tg.send_text(chat, 42, "ping")
    status, body = await poll
    assert status == 200 and time.monotonic() - started < 1
    assert [u["message"]["text"] for u in body["result"]] == ["ping"]
    first_id = body["result"][0]["update_id"]
    tg.send_text(chat, 42, "second")
    # Not confirmed yet: the same update comes again; limit is clamped to at least 1.
    body = (await call(api, "getUpdates", offset=first_id, limit=0))[1]
    assert [u["update_id"] for u in body["result"]] == [first_id]
    body = (await call(api, "getUpdates", offset=first_id + 1))[1]
    assert [u["message"]["text"] for u in body["result"]] == ["second"]
    body = (await call(api, "getUpdates", offset=first_id + 2, timeout=0))[1]
    assert body["result"] == []
    assert tg.updates.pending == []


async def test_get_updates_conflicts(tg: FakeTelegram, api: httpx.AsyncClient) -> None:
    older = asyncio.create_task(call(api, "getUpdates", timeout=5))
    await tg.wait_for(lambda: tg.updates.polling)
    assert (await call(api, "getUpdates", timeout=0))[0] == 200
    status, body = await older
    assert status == 409 and body["description"] == (
        "Conflict: terminated by other getUpdates request; make sure that only one bot "
        "instance is running"
    )
    assert (await call(api, "setWebhook", url="https://example.com/hook"))[0] == 200
    assert (await call(api, "getWebhookInfo"))[1]["result"]["url"] == "https://example.com/hook"
    status, body = await call(api, "getUpdates")
    assert status == 409 and body["description"].startswith("Conflict: can't use getUpdates")
    assert (await call(api, "deleteWebhook", drop_pending_updates=True))[0] == 200
    assert (await call(api, "getUpdates"))[0] == 200
    assert tg.violations == [] and len(tg.errors) == 2


async def test_stop_does_not_hang_on_an_open_long_poll() -> None:
    fake = FakeTelegram()
    url = await fake.start()
    async with httpx.AsyncClient(timeout=10) as client:
        poll = asyncio.create_task(
            client.post(f"{url}/bot{fake.token}/getUpdates", data={"timeout": "50"})
        )
        await fake.wait_for(lambda: fake.updates.polling)
        started = time.monotonic()
        await fake.stop()
        assert time.monotonic() - started < 2
        response = await poll
        assert response.json() == {"ok": True, "result": []}


# -- flood control -------------------------------------------------------------------------------


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_flood_private_chat_burst_then_one_per_second(
    tg: FakeTelegram, api: httpx.AsyncClient, chat: Any
) -> None:
    clock = FakeClock()
    tg.clock = clock
    tg.flood = FloodLimits()
    for i in range(5):
        assert (await call(api, "sendMessage", chat_id=42, text=f"m{i}"))[0] == 200
    status, body = await call(api, "sendMessage", chat_id=42, text="too fast")
    assert status == 429 and body == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 1",
        "parameters": {"retry_after": 1},
    }
    assert (await call(api, "sendChatAction", chat_id=42, action="typing"))[0] == 200
    clock.now += 1.0
    assert (await call(api, "sendMessage", chat_id=42, text="later"))[0] == 200
    assert [(h.method, h.scope, h.retry_after) for h in tg.flood_hits] == [
        ("sendMessage", "chat", 1)
    ]
    # An album counts as its items: it may use up the burst but then throttles.
    clock.now += 10
    media = [{"type": "photo", "media": f"attach://f{i}"} for i in range(10)]
    files = {f"f{i}": ("p.png", png(8, 8), "image/png") for i in range(10)}
    assert (await call(api, "sendMediaGroup", files=files, chat_id=42, media=media))[0] == 200
    status, body = await call(api, "sendMessage", chat_id=42, text="after album")
    assert status == 429 and body["parameters"]["retry_after"] == 6
    assert tg.errors[-1] == "sendMessage: 429 Too Many Requests: retry after 6"


async def test_flood_group_twenty_per_minute(tg: FakeTelegram, api: httpx.AsyncClient) -> None:
    tg.clock = FakeClock()
    tg.flood = FloodLimits(per_chat_burst=100, per_chat_per_second=100)  # isolate the group rule
    tg.group_chat(-100777)
    for i in range(20):
        assert (await call(api, "sendMessage", chat_id=-100777, text=f"m{i}"))[0] == 200
    status, body = await call(api, "editMessageText", chat_id=-100777, message_id=1, text="e")
    assert status == 429 and body["parameters"] == {"retry_after": 3}
    assert tg.flood_hits[-1].scope == "group"
    tg.flood.enabled = False
    assert (await call(api, "sendMessage", chat_id=-100777, text="unlimited"))[0] == 200


async def test_calls_inside_an_announced_retry_after_window_are_counted(
    tg: FakeTelegram, api: httpx.AsyncClient, chat: Any
) -> None:
    clock = FakeClock()
    tg.clock = clock
    tg.retry_windows = RetryAfterWindows(grace=0.2)
    tg.fail_next("sendMessage", error_code=429, description="Too Many Requests", retry_after=5)
    assert (await call(api, "sendMessage", chat_id=42, text="refused"))[0] == 429
    assert (await call(api, "sendMessage", chat_id=42, text="on its way already"))[0] == 200
    assert tg.calls_inside_retry_after == 0  # within the grace: it was sent before the 429
    clock.now += 1
    tg.group_chat(-100777)
    assert (await call(api, "sendMessage", chat_id=-100777, text="other chat"))[0] == 200
    assert (await call(api, "sendMessage", chat_id=42, text="too soon"))[0] == 200
    assert tg.calls_inside_retry_after == 1  # only the call to the held chat
    clock.now += 5
    assert (await call(api, "sendMessage", chat_id=42, text="after"))[0] == 200
    # A 429 to a call that names no chat holds every chat; the control endpoint reports it.
    tg.fail_next("getFile", error_code=429, description="Too Many Requests", retry_after=3)
    assert (await call(api, "getFile", file_id="nope"))[0] == 429
    clock.now += 1
    assert (await call(api, "sendMessage", chat_id=-100777, text="held"))[0] == 200
    async with httpx.AsyncClient(base_url=tg.url) as control:
        state = (await control.get("/_fake/state")).json()
    assert state["calls_inside_retry_after"] == 2


async def test_fail_next_can_let_calls_through_first(
    tg: FakeTelegram, api: httpx.AsyncClient, chat: Any
) -> None:
    async with httpx.AsyncClient(base_url=tg.url) as control:
        body = {"method": "sendMessage", "error_code": 502, "description": "Bad Gateway"}
        response = await control.post("/_fake/fail_next", json={**body, "after": 1})
    assert response.json() == {"ok": True, "result": True}
    statuses = [(await call(api, "sendMessage", chat_id=42, text="m"))[0] for _ in range(3)]
    assert statuses == [200, 502, 200]


# -- the test-side user API and the console ---------------------------------------------------


async def test_user_side_api(tg: FakeTelegram, alice: dict[str, Any]) -> None:
    group = tg.group_chat(-100200, "Team", supergroup=False)
    album = tg.send_album(
        group, alice, [png(), png(), png()], caption="/edit@evolink_test_bot blue", caption_index=1
    )
    assert len({m["media_group_id"] for m in album}) == 1
    assert ["caption" in m for m in album] == [False, True, False]
    assert album[1]["caption_entities"] == [{"type": "bot_command", "offset": 0, "length": 22}]
    updates = tg.updates.pending
    assert [u["message"]["message_id"] for u in updates] == [1, 2, 3]
    with pytest.raises(KeyError):
        tg.press_button(group, alice, 1, "nope")
    with pytest.raises(ValueError, match="IMAGE_PROCESS_FAILED"):
        tg.send_photo(group, alice, b"junk")
    with pytest.raises(KeyError):
        tg.send_text(-1, alice, "unknown chat")
    assert "#2 Alice(42): [album" in tg.chat_log(
        group
    ) and "/edit@evolink_test_bot blue" in tg.chat_log(group)


async def test_wait_for_times_out_with_a_description(
    tg: FakeTelegram, api: httpx.AsyncClient
) -> None:
    await call(api, "getMe")
    with pytest.raises(TimeoutError, match=r"(?s)condition not met within 0.05s.*getMe 200"):
        await tg.wait_for(lambda: False, timeout=0.05)


async def test_control_endpoints(tg: FakeTelegram, api: httpx.AsyncClient) -> None:
    async with httpx.AsyncClient(base_url=f"{tg.url}/_fake/") as control:
        response = await control.post("send_text", json={"user_id": 5, "text": "/start"})
        assert response.json()["result"]["entities"][0]["type"] == "bot_command"
        await call(api, "sendMessage", chat_id=5, text="welcome")
        response = await control.post(
            "send_text", json={"user_id": 5, "chat_id": -1009, "text": "hi"}
        )
        assert response.json()["result"]["chat"]["type"] == "supergroup"
        assert (await control.get("log", params={"chat_id": 5})).text.splitlines()[1:] == [
            "#1 User5(5): /start",
            "#2 bot: welcome",
        ]
        assert (
            await control.post("press", json={"user_id": 5, "message_id": 2, "callback_data": "x"})
        ).status_code == 400
        assert (await control.get("state")).json()["violations"] == []


def test_console_commands(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tg = FakeTelegram()
    args = parse_args(["--user-id", "9", "--media-dir", str(tmp_path)])
    console = Console(tg, args)
    image = tmp_path / "in.png"
    image.write_bytes(png())
    for line in [
        "/start",
        f":photo {image} a caption",
        f":album {image} {image} -- cap",
        ":group",
        "hi all",
        ":user 10",
        ":private",
        ":reply 1 hey",
        ":bogus",
    ]:
        assert console.handle(line)
    assert not console.handle(":quit")
    assert [m.get("text", m.get("caption")) for m in tg.messages(9)] == [
        "/start",
        "a caption",
        "cap",
        None,
    ]
    assert tg.messages(-1001234567890)[0]["text"] == "hi all"
    assert console.user["id"] == 10 and console.chat["id"] == 10
    assert "unknown command :bogus" in capsys.readouterr().out
    stored = tg.world.files.add_photo(png())
    message = tg.world.new_message(
        tg.world.chats[9], tg.bot_user, {"photo": [s.as_photo_size() for s in stored]}, None
    )
    console.on_event("bot_message", message)
    assert (tmp_path / f"9_{message['message_id']}.jpg").exists()


def test_cli_starts_and_exits_on_eof() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "tests.fakes.telegram", "--port", "0", "--no-flood"],
        input="/start\n:log\n",
        capture_output=True,
        text=True,
        timeout=30,
        cwd=REPO_ROOT,
    )
    assert result.returncode == 0, result.stderr
    assert re.search(r"Fake Telegram Bot API at http://127\.0\.0\.1:\d+", result.stdout)
    assert "#1 User1001(1001): /start" in result.stdout
    assert "fake Telegram stopped" in result.stdout


def test_the_banner_gives_the_telegram_api_url_to_set_without_bot() -> None:
    args = parse_args([])
    text = banner("http://127.0.0.1:8081", args)
    assert "TELEGRAM_API_URL=http://127.0.0.1:8081 " in text
    assert "/bot" not in text  # the bot appends /bot<token> itself


async def test_delete_message_follows_telegrams_rules(
    tg: FakeTelegram, api: httpx.AsyncClient, alice: dict[str, Any]
) -> None:
    """deleteMessage: at most 48 h old; in a group, others' messages need the right to."""
    group = tg.group_chat(-100900, "Team")
    said = tg.send_text(group, alice, "hello")
    status, own = await call(api, "sendMessage", chat_id=-100900, text="status")
    assert status == 200
    mine = own["result"]["message_id"]

    status, body = await call(api, "deleteMessage", chat_id=-100900, message_id=said["message_id"])
    assert (status, body["description"]) == (400, "Bad Request: message can't be deleted")
    tg.world.member_status[(-100900, tg.world.bot_user["id"])] = "administrator"
    assert (await call(api, "deleteMessage", chat_id=-100900, message_id=said["message_id"]))[
        0
    ] == 200

    old = tg.world.get_message(-100900, mine)
    assert old is not None
    old["date"] -= 48 * 3600 + 1
    status, body = await call(api, "deleteMessage", chat_id=-100900, message_id=mine)
    assert body["description"] == "Bad Request: message can't be deleted for everyone"
    assert tg.world.get_message(-100900, mine) is not None  # refused: still there
    assert tg.violations == []  # refusals a correct bot can meet, not misuse
