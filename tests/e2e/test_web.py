"""WEBHOOK_URL and EVOLINK_CALLBACK_URL: updates pushed by Telegram, tasks hinted by Evolink."""

from __future__ import annotations

import asyncio
import logging
import socket
from dataclasses import replace
from typing import Any

import httpx
import pytest

from bot.jobs.tracking import POKE_GAP
from bot.web import SECRET_HEADER, derived_secret
from tests.e2e.conftest import FAST_TUNING, TOKEN, Harness


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_webhook_receives_updates_only_with_the_secret(harness: Harness) -> None:
    tg = harness.tg
    port = _free_port()
    await harness.start(
        webhook_url="https://bot.example.com/tg/hook", web_listen="127.0.0.1", web_port=port
    )
    await tg.wait_for(lambda: bool(tg.calls_to("setWebhook")), 10)
    registered = tg.calls_to("setWebhook")[-1].params
    assert registered["url"] == "https://bot.example.com/tg/hook"
    secret = registered["secret_token"]
    assert secret == derived_secret(TOKEN, "telegram-webhook")

    alice = tg.user(1001, "Alice")
    chat = tg.private_chat(alice)
    message = tg.send_text(chat, alice, "/quota")  # recorded in the chat, as Telegram would
    update: dict[str, Any] = {"update_id": 777, "message": message}
    async with httpx.AsyncClient() as client:
        url = f"http://127.0.0.1:{port}/tg/hook"
        forged = await client.post(url, json=update, headers={SECRET_HEADER: "guess"})
        assert forged.status_code == 403
        accepted = await client.post(url, json=update, headers={SECRET_HEADER: secret})
        assert accepted.status_code == 200
    reply = await harness.reply_in(chat["id"], lambda m: "Daily credits" in m.get("text", ""))
    assert reply["reply_to_message"]["message_id"] == message["message_id"]
    assert tg.calls_to("getUpdates") == []  # no polling while the webhook is set


async def test_callback_makes_the_bot_check_the_task_at_once(harness: Harness) -> None:
    tg, evo = harness.tg, harness.evo
    evo.task_duration = 1.0
    evo.estimated_time = 600  # the poll schedule alone would wait minutes for this task
    port = _free_port()
    base = "https://bot.example.com/cb"
    await harness.start(
        replace(FAST_TUNING, poll_scale=1.0),
        evolink_callback_url=base,
        web_listen="127.0.0.1",
        web_port=port,
    )
    alice = tg.user(1001, "Alice")
    chat = tg.private_chat(alice)
    tg.send_text(chat, alice, "/imagine a lighthouse")
    await evo.wait_for(lambda: bool(evo.tasks))
    sent = evo.generation_requests()[0]
    secret = derived_secret(TOKEN, "evolink-callback")
    assert sent["callback_url"] == f"{base}/evolink/{secret}"
    task_id = next(iter(evo.tasks))
    # With callbacks on, polling is only a safety net minutes away: no check until the hint.
    await evo.wait_for(lambda: evo.tasks[task_id].status_at(evo.clock())[0] == "completed", 10)
    assert not any(r.path == f"/v1/tasks/{task_id}" for r in evo.requests)

    async with httpx.AsyncClient() as client:
        url = f"http://127.0.0.1:{port}/cb/evolink"
        wrong = await client.post(f"{url}/not-the-secret", json={"id": task_id})
        assert wrong.status_code == 404
        # The body is never believed: a forged result is not what gets delivered.
        forged = {"id": task_id, "status": "completed", "results": ["https://evil.example/x.png"]}
        hint = await client.post(f"{url}/{secret}", json=forged)
        assert hint.status_code == 200
    photo = await harness.reply_in(chat["id"], lambda m: bool(m.get("photo")), timeout=10)
    assert photo["caption"] == "a lighthouse"
    assert "evil.example" not in str(evo.fetched_urls)


async def _listening(harness: Harness) -> tuple[int, str]:
    """The bot with both a webhook and callbacks on a free port: (port, webhook secret)."""
    port = _free_port()
    await harness.start(
        webhook_url="https://bot.example.com/tg/hook",
        evolink_callback_url="https://bot.example.com/cb",
        web_listen="127.0.0.1",
        web_port=port,
    )
    await harness.tg.wait_for(lambda: bool(harness.tg.calls_to("setWebhook")), 10)
    return port, str(harness.tg.calls_to("setWebhook")[-1].params["secret_token"])


async def test_strangers_get_refusals_not_server_errors(harness: Harness) -> None:
    """Non-ASCII secrets and bodies that are not an update object are refused plainly (403,
    404, 400), never a 500 with a traceback in the log."""
    port, secret = await _listening(harness)
    base = f"http://127.0.0.1:{port}"
    async with httpx.AsyncClient() as client:
        hook = f"{base}/tg/hook"
        odd_secret = await client.post(
            hook, json={}, headers={SECRET_HEADER.encode(): "é".encode()}
        )
        assert odd_secret.status_code == 403
        for body in ([1, 2], None, 1):
            wrong_shape = await client.post(hook, json=body, headers={SECRET_HEADER: secret})
            assert wrong_shape.status_code == 400
        odd_path = await client.post(f"{base}/cb/evolink/%C3%A9", json={"id": "x"})
        assert odd_path.status_code == 404


async def test_every_malformed_request_gets_a_4xx_and_no_traceback(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    """Issue 10: bad bytes, wrong shapes and huge bodies are refused plainly on both routes."""
    port, secret = await _listening(harness)
    hook = f"http://127.0.0.1:{port}/tg/hook"
    callback = f"http://127.0.0.1:{port}/cb/evolink/{derived_secret(TOKEN, 'evolink-callback')}"
    bodies = {  # body: (webhook status, callback status)
        b"[]": (400, 400),
        b"1": (400, 400),
        b'"text"': (400, 400),
        b"\xff\xfe{}": (400, 400),  # not UTF-8
        b"{not json": (400, 400),
        b'{"update_id": 1, "message": 5}': (400, 200),  # an object, but no update
        b'{"update_id": "x", "message": {"chat": []}}': (400, 200),
        b'{"id": 5}': (400, 200),  # a callback hint naming no task: ignored
        b"{" + b" " * (2 * 1024 * 1024) + b"}": (413, 413),
    }
    caplog.set_level(logging.DEBUG)
    async with httpx.AsyncClient() as client:
        for body, (hook_status, callback_status) in bodies.items():
            sent = await client.post(hook, content=body, headers={SECRET_HEADER: secret})
            assert sent.status_code == hook_status, (body[:40], sent.status_code)
            hinted = await client.post(callback, content=body)
            assert hinted.status_code == callback_status, (body[:40], hinted.status_code)
        for header in (b"\xff\xfe", "é".encode(), b"x" * 5000):
            odd = await client.post(hook, content=b"{}", headers={SECRET_HEADER.encode(): header})
            assert odd.status_code in (400, 403), header[:10]
    tracebacks = [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]
    assert tracebacks == [], [r.getMessage() for r in tracebacks]


async def test_a_flood_of_callbacks_does_not_multiply_status_checks(harness: Harness) -> None:
    """Issue 10: 400 forged callbacks caused 101 extra task fetches in 2.4 s (397 in 2.2 s
    measured here before the fix). Now a callback within POKE_GAP of the last check is
    folded into one check at the gap's end."""
    tg, evo = harness.tg, harness.evo
    evo.task_duration = 60.0
    evo.estimated_time = 600  # the poll schedule alone would not check again for a while
    port = _free_port()
    await harness.start(
        replace(FAST_TUNING, poll_scale=1.0),
        evolink_callback_url="https://bot.example.com/cb",
        web_listen="127.0.0.1",
        web_port=port,
    )
    alice = tg.user(1001, "Alice")
    tg.send_text(tg.private_chat(alice), alice, "/imagine a lighthouse")
    await evo.wait_for(lambda: bool(evo.tasks))
    task_id = next(iter(evo.tasks))
    path = f"/v1/tasks/{task_id}"
    secret = derived_secret(TOKEN, "evolink-callback")
    url = f"http://127.0.0.1:{port}/cb/evolink/{secret}"
    # With callbacks on, polling is a slow safety net: the first callback is the first check.
    async with httpx.AsyncClient() as client:
        assert (await client.post(url, json={"id": task_id})).status_code == 200
    await evo.wait_for(lambda: any(r.path == path for r in evo.requests))
    before = sum(r.path == path for r in evo.requests)
    loop = asyncio.get_running_loop()
    started = loop.time()
    async with httpx.AsyncClient() as client:
        for _ in range(400):
            assert (await client.post(url, json={"id": task_id})).status_code == 200
    elapsed = loop.time() - started
    checks = sum(r.path == path for r in evo.requests) - before
    assert checks <= elapsed / POKE_GAP + 2, f"{checks} status checks in {elapsed:.1f} s"
