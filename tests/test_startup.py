"""Start-up as an operator sees it (PRODUCT.md §8): settings errors, a rejected token, an
unreachable Telegram, an unexpected error, a real `python -m bot` run; never a secret shown."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import os
import re
import signal
import socket
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from decimal import Decimal
from http import HTTPStatus
from pathlib import Path

import pytest
from aiohttp import web
from pydantic import create_model

from bot import configdoc
from bot.config import FixedSettings, Settings, cost_fields, load_settings
from bot.logs import RedactingFormatter, redact
from bot.models import registry
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


def _settings_env(monkeypatch: pytest.MonkeyPatch, **values: str) -> None:
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
    for name, value in values.items():
        monkeypatch.setenv(name, value)


@pytest.mark.parametrize(
    ("env", "names"),
    [
        ({}, ["TELEGRAM_BOT_TOKEN", "EVOLINK_API_KEY"]),
        ({"EVOLINK_API_KEY": "k"}, ["TELEGRAM_BOT_TOKEN"]),
        ({"TELEGRAM_BOT_TOKEN": "1:x", "EVOLINK_API_KEY": " "}, ["EVOLINK_API_KEY"]),
        (
            {"EVOLINK_API_KEY": "k", "MAX_ACTIVE_TOTAL": "lots", "DAILY_CREDITS": "-1"},
            ["TELEGRAM_BOT_TOKEN", "MAX_ACTIVE_TOTAL", "DAILY_CREDITS"],
        ),
        (
            {"TELEGRAM_BOT_TOKEN": "1:x", "EVOLINK_API_KEY": "k", "QUOTA_TIMEZONE": "Mars/Base"},
            ["QUOTA_TIMEZONE"],
        ),
        (
            {"TELEGRAM_BOT_TOKEN": "1:x", "EVOLINK_API_KEY": "k", "WEBHOOK_URL": "http://x/y"},
            ["WEBHOOK_URL"],
        ),
        (
            {
                "TELEGRAM_BOT_TOKEN": "1:x",
                "EVOLINK_API_KEY": "k",
                "EVOLINK_CALLBACK_URL": "https://10.0.0.5/cb",
                "ADMIN_IDS": "12,me",
                "LOG_LEVEL": "loud",
            },
            ["EVOLINK_CALLBACK_URL", "ADMIN_IDS", "LOG_LEVEL"],
        ),
        (
            # The price settings are generated from the registry and validated the same way.
            {
                "TELEGRAM_BOT_TOKEN": "1:x",
                "EVOLINK_API_KEY": "k",
                "COST_QWEN_EDIT": "cheap",
                "COST_TEXT_TO_VIDEO_5S_720P": "-5",
                "COST_TEXT_TO_IMAGE": "0.5",
            },
            ["COST_QWEN_EDIT", "COST_TEXT_TO_VIDEO_5S_720P"],
        ),
    ],
)
def test_bad_configuration_names_every_bad_variable_in_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], env, names
) -> None:
    _settings_env(monkeypatch, **env)
    with pytest.raises(SystemExit) as stopped:
        load_settings(_env_file=None)
    assert stopped.value.code == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1, lines
    for name in names:
        assert name in lines[0]
    variables = {name.upper() for name in Settings.model_fields}
    mentioned = set(re.findall(r"\b[A-Z][A-Z0-9_]+\b", lines[0])) & variables
    assert mentioned == set(names)  # only the bad ones
    assert ".env.example" in lines[0]
    assert "1:x" not in lines[0]  # a secret value is never echoed back


def test_an_unreadable_env_file_is_one_line_without_its_content(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    _settings_env(monkeypatch)
    env_file = tmp_path / ".env"
    env_file.write_bytes(b"TELEGRAM_BOT_TOKEN=1:secret\xff\nEVOLINK_API_KEY=k\n")
    with pytest.raises(SystemExit) as stopped:
        load_settings(_env_file=env_file)
    assert stopped.value.code == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and ".env could not be read" in lines[0], lines
    assert "secret" not in lines[0]


async def test_python_m_bot_with_no_configuration_prints_one_line(tmp_path: Path) -> None:
    process = await _run_bot(tmp_path, _env(tmp_path))
    stdout, stderr = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 2
    lines = (stderr + stdout).decode().strip().splitlines()
    assert len(lines) == 1, lines
    assert "TELEGRAM_BOT_TOKEN" in lines[0] and "EVOLINK_API_KEY" in lines[0]


@asynccontextmanager
async def _telegram_answering(status: int, as_json: bool = True) -> AsyncIterator[str]:
    """A stand-in for api.telegram.org that answers every method with `status` (in JSON, as
    Telegram does, or as a plain web server's page, as a wrong TELEGRAM_API_URL does)."""

    async def refuse(_request: web.Request) -> web.Response:
        if not as_json:
            return web.Response(text="<html>404: Not Found</html>", status=status)
        body = {"ok": False, "error_code": status, "description": HTTPStatus(status).phrase}
        return web.json_response(body, status=status)

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", refuse)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


def _bot_env(tmp_path: Path, telegram_url: str, **extra: str) -> dict[str, str]:
    return _env(
        tmp_path,
        TELEGRAM_BOT_TOKEN=TOKEN,
        EVOLINK_API_KEY="evolink-secret-key",
        TELEGRAM_API_URL=telegram_url,
        EVOLINK_API_URL="http://127.0.0.1:9",
        EVOLINK_FILES_URL="http://127.0.0.1:9",
        **extra,
    )


def _assert_clean(output: str) -> None:
    assert "Traceback" not in output
    assert TOKEN not in output and "SECRET-token" not in output
    assert "evolink-secret-key" not in output


@pytest.mark.parametrize(("status", "as_json"), [(401, True), (404, True), (404, False)])
async def test_a_rejected_token_stops_with_one_line_and_exit_1(
    tmp_path: Path, status: int, as_json: bool
) -> None:
    async with _telegram_answering(status, as_json) as url:
        process = await _run_bot(tmp_path, _bot_env(tmp_path, url, LOG_LEVEL="DEBUG"))
        stdout, stderr = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 1
    output = (stderr + stdout).decode()
    _assert_clean(output)
    lines = [line for line in output.splitlines() if " DEBUG " not in line]
    assert len(lines) == 1, output
    assert lines[0].startswith("Telegram rejected TELEGRAM_BOT_TOKEN"), output


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_an_unreachable_telegram_is_retried_until_sigterm(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{_closed_port()}"
    process = await _run_bot(tmp_path, _bot_env(tmp_path, url))
    assert process.stderr is not None
    seen: list[str] = []
    try:
        while sum("unreachable" in line for line in seen) < 2:
            line = await asyncio.wait_for(process.stderr.readline(), 30)
            assert line, "the bot exited: " + "".join(seen)
            seen.append(line.decode())
    finally:
        process.send_signal(signal.SIGTERM)
        stdout, stderr = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 0, stderr.decode()
    output = "".join(seen) + stderr.decode() + stdout.decode()
    _assert_clean(output)
    retries = [line for line in seen if "unreachable" in line]
    assert "attempt 1:" in retries[0] and "retrying in 1 s" in retries[0]
    assert "attempt 2:" in retries[1] and "retrying in 2 s" in retries[1]
    assert url in retries[0]


@pytest.mark.parametrize("where", ["proc", "blocked"])
async def test_an_unusable_database_folder_is_one_configuration_line(
    tmp_path: Path, where: str
) -> None:
    # A folder that cannot be made: under /proc, or a file in the way; the path holds the
    # token in the second case, and the line must not show it.
    (tmp_path / "blocker").write_text("")
    database = {
        "proc": Path("/proc/nope/bot.sqlite3"),
        "blocked": tmp_path / "blocker" / TOKEN / "bot.sqlite3",
    }[where]
    env = _bot_env(tmp_path, "http://127.0.0.1:9", DATABASE_PATH=str(database))
    process = await _run_bot(tmp_path, env)
    stdout, stderr = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 2
    output = stderr.decode() + stdout.decode()
    _assert_clean(output)
    lines = output.strip().splitlines()
    assert len(lines) == 1, output
    assert lines[0].startswith("configuration error: DATABASE_PATH=")


async def test_an_unexpected_error_is_logged_with_exit_1(tmp_path: Path) -> None:
    # SQLite cannot open a folder as its database (its parent is fine, so no settings check).
    database = tmp_path / "data" / "bot.sqlite3"
    database.mkdir(parents=True)
    env = _bot_env(tmp_path, "http://127.0.0.1:9", DATABASE_PATH=str(database))
    process = await _run_bot(tmp_path, env)
    stdout, stderr = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 1
    output = stderr.decode() + stdout.decode()
    assert "the bot stopped on an unexpected error" in output
    assert TOKEN not in output and "SECRET-token" not in output


def test_the_unexpected_error_traceback_is_redacted() -> None:
    formatter = RedactingFormatter("%(message)s", [TOKEN])
    try:
        raise OSError(f"cannot open /data/{TOKEN}/bot.sqlite3")
    except OSError:
        record = logging.LogRecord("bot", logging.CRITICAL, __file__, 1, "stopped", (), None)
        record.exc_info = sys.exc_info()
    line = formatter.format(record)
    assert "Traceback" in line and "<redacted>" in line and TOKEN not in line


async def test_python_m_bot_runs_against_the_fake_until_stopped(tmp_path: Path) -> None:
    async with FakeTelegram(token=TOKEN) as tg:
        env = _bot_env(tmp_path, tg.url, LOG_LEVEL="DEBUG")
        process = await _run_bot(tmp_path, env)
        try:
            # Ready once the first long poll is waiting (not when it ends, 10 s later).
            await tg.wait_for(lambda: tg.updates.polling, 30)
        finally:
            process.send_signal(signal.SIGTERM)
            stdout, stderr = await asyncio.wait_for(process.communicate(), 30)
        assert process.returncode == 0, stderr.decode()[-2000:]
        log = stderr.decode() + stdout.decode()
        assert "is running" in log
        # Telegram URLs carry the token; even at DEBUG it must never be printed.
        _assert_clean(log)
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


def _documented_settings() -> set[str]:
    """Every variable operators can set: the fixed ones and one price per registered model."""
    fixed = {name.upper() for name in FixedSettings.model_fields}
    return fixed | {spec.cost_setting.upper() for spec in registry.ALL}


def test_settings_have_a_validated_price_per_registered_model() -> None:
    assert {name.upper() for name in Settings.model_fields} == _documented_settings()
    for spec in registry.ALL:
        field = Settings.model_fields[spec.cost_setting]
        assert field.default == spec.default_cost
    settings = Settings(_env_file=None, telegram_bot_token="1:x", evolink_api_key="k")
    assert [settings.cost(spec) for spec in registry.ALL] == [s.default_cost for s in registry.ALL]


def test_a_new_spec_brings_its_own_price_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    new = dataclasses.replace(
        registry.ALL[0], name="vendor-new", cost_setting="cost_new", default_cost=Decimal("2.5")
    )
    generated = create_model("Generated", __base__=FixedSettings, **cost_fields((new,)))
    _settings_env(monkeypatch, TELEGRAM_BOT_TOKEN="1:x", EVOLINK_API_KEY="k")
    assert generated(_env_file=None).cost(new) == Decimal("2.5")
    monkeypatch.setenv("COST_NEW", "3.75")
    assert generated(_env_file=None).cost(new) == Decimal("3.75")


def test_a_price_setting_may_not_reuse_a_name() -> None:
    first = registry.ALL[0]
    with pytest.raises(ValueError, match="distinct"):
        cost_fields((first, dataclasses.replace(registry.ALL[1], cost_setting=first.cost_setting)))
    with pytest.raises(ValueError, match="distinct"):
        cost_fields((dataclasses.replace(first, cost_setting="daily_credits"),))


def test_env_example_lists_every_setting() -> None:
    text = (ROOT / ".env.example").read_text()
    names = set(re.findall(r"^([A-Z0-9_]+)=", text, flags=re.MULTILINE))
    assert names == _documented_settings()


@pytest.mark.parametrize(
    ("name", "line", "expected"),
    [
        (".env.example", configdoc.ENV_LINE, configdoc.env_lines()),
        ("README.md", configdoc.README_ROW, configdoc.readme_rows()),
    ],
)
def test_price_variables_are_documented_as_the_registry_generates_them(
    name: str, line: re.Pattern[str], expected: str
) -> None:
    found = configdoc.generated_block((ROOT / name).read_text(), line)
    assert found == expected, f"{name} is stale: run `python -m bot.configdoc`"


def test_configdoc_rewrites_stale_price_lines_in_place(tmp_path: Path) -> None:
    readme, env = (ROOT / "README.md").read_text(), (ROOT / ".env.example").read_text()
    stale_readme = readme.replace(configdoc.readme_rows(), "| `COST_OLD` | `3` | gone |\n")
    (tmp_path / "README.md").write_text(stale_readme)
    (tmp_path / ".env.example").write_text(env.replace("COST_QWEN_EDIT=1\n", ""))
    assert configdoc.main(tmp_path) == 0
    assert (tmp_path / "README.md").read_text() == readme
    assert (tmp_path / ".env.example").read_text() == env


def test_readme_documents_every_setting() -> None:
    """Operators look in the README: its configuration table has a row per variable."""
    text = (ROOT / "README.md").read_text()
    rows = set(re.findall(r"^\| `([A-Z0-9_]+)` \|", text, flags=re.MULTILINE))
    assert rows == _documented_settings()


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
