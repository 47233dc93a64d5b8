"""HTTP control endpoints under /_fake/ to drive the fake without Python (curl, scripts).

The list below (CONTROL_HELP) is also what `python -m tests.fakes.telegram --help` prints.
"""

from __future__ import annotations

import base64
import mimetypes
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .state import JsonDict

if TYPE_CHECKING:
    from .server import FakeTelegram

DEFAULT_USER_ID = 1001

CONTROL_HELP = """\
HTTP control endpoints (POST bodies are JSON; chats are created on demand: no chat_id means
the user's private chat, a negative chat_id an auto-titled supergroup):

  POST /_fake/send_text      {"user_id", "chat_id"?, "text", "reply_to"?}
  POST /_fake/send_photo     {"user_id", "chat_id"?, "path" | "data_b64", "caption"?,
                              "reply_to"?}
  POST /_fake/send_album     {"user_id", "chat_id"?, "paths" | "data_b64": [...], "caption"?}
  POST /_fake/send_document  {"user_id", "chat_id"?, "path" | "data_b64", "file_name"?,
                              "mime_type"?, "caption"?, "reply_to"?}
  POST /_fake/press          {"user_id", "chat_id"?, "message_id", "callback_data"}
  POST /_fake/pre_checkout   {"user_id", "message_id" (an invoice the bot sent in the
                              user's private chat), "payload"?, "total_amount"?, "pay"?}:
                              the buyer confirms; with "pay": true an ok answer is followed
                              by the successful payment
  POST /_fake/paid           {"user_id", "message_id", "charge_id"?}: a successful payment
                              for that invoice (a charge id again: the same payment twice)
  POST /_fake/repeat         {"chat_id", "message_id"}: deliver that message again
  GET  /_fake/payments       pre-checkout answers (ok, error_message, seconds) and charges
  POST /_fake/user           {"user_id", "first_name"?, "username"?}
  POST /_fake/group          {"chat_id", "title"?, "supergroup"?}
  GET  /_fake/log?chat_id=   the chat as text, one line per message
  GET  /_fake/messages?chat_id=   the chat's messages as JSON
  GET  /_fake/calls          every Bot API call the bot made (method, status, error)
  GET  /_fake/state          violations, errors and flood hits so far, and
                             calls_inside_retry_after: messages and edits that arrived inside
                             a retry_after window this fake announced (0 for a bot that obeys)
  POST /_fake/fail_next      {"method", "error_code"?, "description"?, "retry_after"?,
                              "times"?, "after"?}: fail the next matching calls
  POST /_fake/clear_failures {}
  GET  /_fake/file/{file_id} the bytes of a file (e.g. a picture the bot sent)

Example: curl -s localhost:8081/_fake/send_text -d '{"user_id": 1001, "text": "/help"}'
         curl -s 'localhost:8081/_fake/log?chat_id=1001'
"""
Action = Callable[["FakeTelegram", JsonDict], Any]


def ensure_user(tg: FakeTelegram, user_id: int | None) -> JsonDict:
    user_id = user_id or DEFAULT_USER_ID
    return tg.world.users.get(user_id) or tg.user(user_id, first_name=f"User{user_id}")


def ensure_chat(tg: FakeTelegram, chat_id: int | None, user: JsonDict) -> JsonDict:
    """The chat to act in: private with ``user`` by default, groups created on demand."""
    if chat_id is None or chat_id == user["id"]:
        return tg.world.chats.get(user["id"]) or tg.private_chat(user)
    chat = tg.world.chats.get(chat_id)
    if chat is not None:
        return chat
    if chat_id < 0:
        return tg.group_chat(chat_id, title=f"Group {chat_id}")
    raise KeyError(f"unknown private chat {chat_id} (it is the user's own id)")


def _payload(body: JsonDict, key: str = "path") -> bytes:
    if "data_b64" in body:
        return base64.b64decode(body["data_b64"])
    return Path(body[key]).read_bytes()


def _who(tg: FakeTelegram, body: JsonDict) -> tuple[JsonDict, JsonDict]:
    user = ensure_user(tg, body.get("user_id"))
    return ensure_chat(tg, body.get("chat_id"), user), user


def _send_text(tg: FakeTelegram, body: JsonDict) -> Any:
    chat, user = _who(tg, body)
    return tg.send_text(chat, user, body["text"], reply_to=body.get("reply_to"))


def _send_photo(tg: FakeTelegram, body: JsonDict) -> Any:
    chat, user = _who(tg, body)
    return tg.send_photo(
        chat, user, _payload(body), caption=body.get("caption"), reply_to=body.get("reply_to")
    )


def _send_album(tg: FakeTelegram, body: JsonDict) -> Any:
    chat, user = _who(tg, body)
    if "data_b64" in body:
        images = [base64.b64decode(item) for item in body["data_b64"]]
    else:
        images = [Path(p).read_bytes() for p in body["paths"]]
    return tg.send_album(chat, user, images, caption=body.get("caption"))


def _send_document(tg: FakeTelegram, body: JsonDict) -> Any:
    chat, user = _who(tg, body)
    name = body.get("file_name") or Path(body.get("path", "file.bin")).name
    mime = body.get("mime_type") or mimetypes.guess_type(name)[0] or "application/octet-stream"
    return tg.send_document(
        chat,
        user,
        _payload(body),
        file_name=name,
        mime_type=mime,
        caption=body.get("caption"),
        reply_to=body.get("reply_to"),
    )


def _press(tg: FakeTelegram, body: JsonDict) -> Any:
    chat, user = _who(tg, body)
    query_id = tg.press_button(chat, user, body["message_id"], body["callback_data"])
    return {"callback_query_id": query_id}


def _invoice(tg: FakeTelegram, body: JsonDict) -> tuple[JsonDict, JsonDict]:
    chat, user = _who(tg, body)
    message = tg.world.get_message(chat["id"], body["message_id"])
    if message is None:
        raise KeyError(f"no message #{body['message_id']} in chat {chat['id']}")
    return user, message


def _pre_checkout(tg: FakeTelegram, body: JsonDict) -> Any:
    user, invoice = _invoice(tg, body)
    query_id = tg.pre_checkout(
        user,
        invoice,
        payload=body.get("payload"),
        total_amount=body.get("total_amount"),
        then_pay=bool(body.get("pay")),
    )
    return {"pre_checkout_query_id": query_id}


def _paid(tg: FakeTelegram, body: JsonDict) -> Any:
    user, invoice = _invoice(tg, body)
    return tg.successful_payment(user, invoice, charge_id=body.get("charge_id"))


def _repeat(tg: FakeTelegram, body: JsonDict) -> Any:
    message = tg.world.get_message(body["chat_id"], body["message_id"])
    if message is None:
        raise KeyError(f"no message #{body['message_id']} in chat {body['chat_id']}")
    tg.repeat_update(message)
    return True


def _user(tg: FakeTelegram, body: JsonDict) -> Any:
    return tg.user(body["user_id"], body.get("first_name", "User"), body.get("username"))


def _group(tg: FakeTelegram, body: JsonDict) -> Any:
    return tg.group_chat(body["chat_id"], body.get("title", "Group"), body.get("supergroup", True))


def _fail_next(tg: FakeTelegram, body: JsonDict) -> Any:
    tg.fail_next(
        body["method"],
        error_code=int(body.get("error_code", 400)),
        description=body.get("description", "Bad Request: injected"),
        retry_after=body.get("retry_after"),
        times=int(body.get("times", 1)),
        after=int(body.get("after", 0)),
    )
    return True


def _clear_failures(tg: FakeTelegram, body: JsonDict) -> Any:
    tg.clear_failures()
    return True


_ACTIONS: dict[str, Action] = {
    "send_text": _send_text,
    "send_photo": _send_photo,
    "send_album": _send_album,
    "send_document": _send_document,
    "press": _press,
    "pre_checkout": _pre_checkout,
    "paid": _paid,
    "repeat": _repeat,
    "user": _user,
    "group": _group,
    "fail_next": _fail_next,
    "clear_failures": _clear_failures,
}


def _fail(message: str, status: int = 400) -> web.Response:
    return web.json_response({"ok": False, "description": message}, status=status)


def _action_handler(
    tg: FakeTelegram, action: Action
) -> Callable[[web.Request], Awaitable[web.Response]]:
    async def handle(request: web.Request) -> web.Response:
        try:
            body = await request.json()
            return web.json_response({"ok": True, "result": action(tg, body)})
        except (KeyError, ValueError, TypeError, OSError) as exc:
            return _fail(f"{type(exc).__name__}: {exc}")

    return handle


def _chat_id(request: web.Request, tg: FakeTelegram) -> int:
    raw = request.query.get("chat_id")
    if raw is not None:
        return int(raw)
    return ensure_chat(tg, None, ensure_user(tg, None))["id"]


def add_control_routes(app: web.Application, tg: FakeTelegram) -> None:
    for name, action in _ACTIONS.items():
        app.router.add_post(f"/_fake/{name}", _action_handler(tg, action))

    async def log(request: web.Request) -> web.Response:
        return web.Response(text=tg.chat_log(_chat_id(request, tg)) + "\n")

    async def messages(request: web.Request) -> web.Response:
        return web.json_response(tg.messages(_chat_id(request, tg)))

    async def calls(request: web.Request) -> web.Response:
        return web.json_response(
            [
                {
                    "method": c.method,
                    "status": c.status,
                    "chat_id": c.chat_id,
                    "error": c.description,
                }
                for c in tg.calls
            ]
        )

    async def state(request: web.Request) -> web.Response:
        hits = [vars(h) for h in tg.flood_hits]
        return web.json_response(
            {
                "violations": tg.violations,
                "errors": tg.errors,
                "flood_hits": hits,
                "calls_inside_retry_after": tg.calls_inside_retry_after,
            }
        )

    async def file(request: web.Request) -> web.Response:
        try:
            return web.Response(body=tg.file_bytes(request.match_info["file_id"]))
        except KeyError as exc:
            return _fail(str(exc), 404)

    app.router.add_get("/_fake/log", log)
    app.router.add_get("/_fake/messages", messages)
    app.router.add_get("/_fake/calls", calls)
    app.router.add_get("/_fake/state", state)

    async def payments(request: web.Request) -> web.Response:
        return web.json_response(
            {
                "answers": {q: vars(a) for q, a in tg.payments.answers.items()},
                "charges": {c: vars(ch) for c, ch in tg.payments.charges.items()},
            }
        )

    app.router.add_get("/_fake/file/{file_id}", file)
    app.router.add_get("/_fake/payments", payments)
