"""The container healthcheck: a heartbeat file the bot touches, `python -m bot.health` reads."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path

from bot.health import MAX_AGE, Heartbeat, check, heartbeat_path

ROOT = Path(__file__).resolve().parents[1]


async def test_heartbeat_is_written_while_running_and_removed_on_stop(tmp_path: Path) -> None:
    heartbeat = Heartbeat(tmp_path / "heartbeat", interval=3600)
    heartbeat.start()
    await asyncio.wait_for(heartbeat.written.wait(), 10)
    assert check(heartbeat.path, time.time())[0]
    await heartbeat.stop()
    assert not heartbeat.path.exists()  # a stopped bot must not look healthy
    await heartbeat.stop()  # twice is harmless


async def test_a_failing_disk_is_logged_not_raised(tmp_path: Path, caplog) -> None:
    heartbeat = Heartbeat(tmp_path / "missing-dir" / "heartbeat")
    assert await heartbeat.beat() is False
    assert "heartbeat not written" in caplog.text
    assert not heartbeat.written.is_set()


def test_fresh_stale_and_missing_heartbeats(tmp_path: Path) -> None:
    path = tmp_path / "heartbeat"
    healthy, why = check(path, time.time())
    assert not healthy
    assert why.startswith("unhealthy: no heartbeat yet") and str(path) in why
    assert why.endswith("the bot is not running, or has not reached Telegram yet")
    path.touch()
    written = path.stat().st_mtime
    assert check(path, written + 5) == (True, "healthy: heartbeat 5 s old")
    assert check(path, written + MAX_AGE + 1) == (
        False,
        f"unhealthy: heartbeat {MAX_AGE + 1:.0f} s old (limit {MAX_AGE:.0f} s)",
    )


def run_check(tmp_path: Path, database: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DATABASE_PATH": str(database)}
    return subprocess.run(
        [sys.executable, "-m", "bot.health"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_python_m_bot_health_exits_by_the_heartbeat_with_one_line(tmp_path: Path) -> None:
    database = tmp_path / "data" / "bot.sqlite3"
    missing = run_check(tmp_path, database)
    assert missing.returncode == 1
    assert missing.stdout.strip().startswith("unhealthy: no heartbeat yet")
    heartbeat_path(database).parent.mkdir()
    heartbeat_path(database).touch()
    fresh = run_check(tmp_path, database)
    assert (fresh.returncode, fresh.stdout.count("\n"), fresh.stderr) == (0, 1, "")
    old = time.time() - MAX_AGE - 60
    os.utime(heartbeat_path(database), (old, old))
    assert run_check(tmp_path, database).returncode == 1
