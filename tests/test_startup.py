"""Start-up as an operator sees it: settings errors, a real `python -m bot`, clean logs."""

from __future__ import annotations

import asyncio
import logging
import os
import re
import signal
import sys
from pathlib import Path

import pytest

from bot.config import Settings
from bot.logs import RedactingFormatter, redact
from tests.fakes.telegram import FakeTelegram

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "654321:SECRET-token-value"


def _env(tmp_path: Path, **values: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "EVOLINK_"))}
    env.update(values)
    env["PYTHONPATH"] = str(ROOT)
    return env


async def _run_bot(tmp_path: Path, env: dict[str, str]) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        cwd=tmp_path,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


@pytest.mark.parametrize(
    ("env", "name"),
    [
        ({"EVOLINK_API_KEY": "k"}, "TELEGRAM_BOT_TOKEN"),
        ({"TELEGRAM_BOT_TOKEN": "1:x"}, "EVOLINK_API_KEY"),
        (
            {"TELEGRAM_BOT_TOKEN": "1:x", "EVOLINK_API_KEY": "k", "MAX_ACTIVE_TOTAL": "lots"},
            "MAX_ACTIVE_TOTAL",
        ),
        (
            {"TELEGRAM_BOT_TOKEN": "1:x", "EVOLINK_API_KEY": "k", "QUOTA_TIMEZONE": "Mars/Base"},
            "QUOTA_TIMEZONE",
        ),
        (
            {"TELEGRAM_BOT_TOKEN": "1:x", "EVOLINK_API_KEY": "k", "WEBHOOK_URL": "http://x/y"},
            "WEBHOOK_URL",
        ),
        (
            {
                "TELEGRAM_BOT_TOKEN": "1:x",
                "EVOLINK_API_KEY": "k",
                "EVOLINK_CALLBACK_URL": "https://10.0.0.5/cb",
            },
            "EVOLINK_CALLBACK_URL",
        ),
    ],
)
async def test_bad_configuration_stops_with_one_line(tmp_path: Path, env, name) -> None:
    process = await _run_bot(tmp_path, _env(tmp_path, **env))
    _stdout, stderr = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode != 0
    lines = stderr.decode().strip().splitlines()
    assert len(lines) == 1, lines
    assert name in lines[0]
    assert "1:x" not in lines[0]  # a secret value is never echoed back


async def test_python_m_bot_runs_against_the_fake_until_stopped(tmp_path: Path) -> None:
    async with FakeTelegram(token=TOKEN) as tg:
        env = _env(
            tmp_path,
            TELEGRAM_BOT_TOKEN=TOKEN,
            EVOLINK_API_KEY="evolink-secret-key",
            TELEGRAM_API_URL=tg.url,
            EVOLINK_API_URL="http://127.0.0.1:9",
            EVOLINK_FILES_URL="http://127.0.0.1:9",
            LOG_LEVEL="DEBUG",
        )
        process = await _run_bot(tmp_path, env)
        try:
            await tg.wait_for(lambda: len(tg.calls_to("getUpdates")) >= 1, 30)
        finally:
            process.send_signal(signal.SIGTERM)
            stdout, stderr = await asyncio.wait_for(process.communicate(), 30)
        assert process.returncode == 0, stderr.decode()[-2000:]
        log = stderr.decode() + stdout.decode()
        assert "is running" in log
        # Telegram URLs carry the token; even at DEBUG it must never be printed.
        assert TOKEN not in log and "SECRET-token" not in log
        assert "evolink-secret-key" not in log
        assert (tmp_path / "data" / "bot.sqlite3").exists()
        assert tg.violations == []


def test_admin_ids_and_defaults() -> None:
    settings = Settings(
        _env_file=None,
        telegram_bot_token="1:x",
        evolink_api_key="k",
        admin_ids="1, 2,3",
    )
    assert settings.admin_ids == frozenset({1, 2, 3})
    assert settings.max_active_per_user == 2
    assert settings.max_active_total == 20
    assert settings.max_queued_per_user == 5
    assert str(settings.database_path) == "data/bot.sqlite3"
    assert settings.telegram_api_url == "https://api.telegram.org"


def test_env_example_lists_every_setting() -> None:
    text = (ROOT / ".env.example").read_text()
    names = set(re.findall(r"^([A-Z0-9_]+)=", text, flags=re.MULTILINE))
    assert names == {name.upper() for name in Settings.model_fields}


def test_log_lines_never_carry_secrets() -> None:
    formatter = RedactingFormatter("%(message)s", [TOKEN, "evolink-secret-key"])
    record = logging.LogRecord(
        "httpx",
        logging.INFO,
        __file__,
        1,
        "HTTP Request: POST https://api.telegram.org/bot%s/getMe key=%s",
        (TOKEN, "evolink-secret-key"),
        None,
    )
    line = formatter.format(record)
    assert TOKEN not in line and "evolink-secret-key" not in line
    assert "bot<redacted>/getMe" in line
    # Even a token we were not told about is recognised by its shape in a URL.
    assert "999:abc" not in redact("GET /file/bot999:abc/photos/1.jpg", [])
    assert "sk-live" not in redact("Authorization: Bearer sk-live", [])
