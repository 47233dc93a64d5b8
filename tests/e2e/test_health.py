"""The real wiring keeps the heartbeat the container healthcheck reads."""

from __future__ import annotations

from bot.health import heartbeat_path
from tests.e2e.conftest import Harness


async def test_the_running_bot_keeps_a_heartbeat_and_removes_it_on_stop(harness: Harness) -> None:
    running = await harness.start()
    path = heartbeat_path(running.settings.database_path)
    await harness.tg.wait_for(path.exists, 10)  # re-checked on every long poll
    await running.shutdown()
    assert not path.exists()
