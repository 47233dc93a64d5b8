"""METRICS_ENABLED: /metrics on the listener, with jobs, Evolink calls and the queue."""

from __future__ import annotations

import asyncio
import socket

import httpx

from tests.e2e.conftest import KEY, TOKEN, Harness
from tests.e2e.outcomes import wait_outcome


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_metrics_are_served_without_webhook_or_callbacks(harness: Harness) -> None:
    tg = harness.tg
    port = _free_port()
    await harness.start(metrics_enabled=True, web_listen="127.0.0.1", web_port=port)
    alice = tg.user(1001, "Alice")
    chat = tg.private_chat(alice)
    request = tg.send_text(chat, alice, "/imagine a lighthouse")
    await wait_outcome(tg, chat["id"], request)  # delivered, status message tidied away
    async with httpx.AsyncClient(trust_env=False) as client:
        text = ""
        for _ in range(50):  # the engine counts the job done just after the tidying
            text = (await client.get(f"http://127.0.0.1:{port}/metrics")).text
            if 'bot_jobs{state="done"} 1.0' in text:
                break
            await asyncio.sleep(0.1)
    assert 'bot_jobs{state="done"} 1.0' in text
    assert 'bot_job_state_changes_total{state="done"}' in text
    assert 'bot_evolink_calls_total{kind="create",status="200"}' in text
    assert "bot_queue_length 0.0" in text
    assert "bot_telegram_429_total" in text
    assert TOKEN not in text and KEY not in text and "127.0.0.1" not in text


async def test_no_listener_unless_asked(harness: Harness) -> None:
    port = _free_port()
    await harness.start(web_listen="127.0.0.1", web_port=port)
    async with httpx.AsyncClient(trust_env=False) as client:
        try:
            await client.get(f"http://127.0.0.1:{port}/metrics")
        except httpx.ConnectError:
            return
    raise AssertionError("something answered on the metrics port")
