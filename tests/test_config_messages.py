"""What a new operator's first mistakes in `.env` print: each names the variable and says
what to do (bad URLs, a `/bot` suffix, @names in ADMIN_IDS, required values left blank, a
database folder that cannot be written)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.config import Settings, load_settings
from bot.startup import database_folder_problem

GOOD = {"TELEGRAM_BOT_TOKEN": "1:x", "EVOLINK_API_KEY": "k"}


def _error_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], **env: str
) -> str:
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
    for name, value in {**GOOD, **env}.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(SystemExit) as stopped:
        load_settings(_env_file=None)
    assert stopped.value.code == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1, lines
    return lines[0]


@pytest.mark.parametrize("name", ["TELEGRAM_API_URL", "EVOLINK_API_URL", "EVOLINK_FILES_URL"])
@pytest.mark.parametrize("value", ["not-a-url", "ftp://files.example", "http://"])
def test_api_urls_must_be_http_urls(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], name: str, value: str
) -> None:
    line = _error_line(monkeypatch, capsys, **{name: value})
    assert f"{name} is invalid (must be an http:// or https:// URL)" in line


@pytest.mark.parametrize("value", ["http://127.0.0.1:8081/bot", "https://api.telegram.org/bot/"])
def test_a_telegram_api_url_ending_in_bot_says_the_bot_adds_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], value: str
) -> None:
    line = _error_line(monkeypatch, capsys, TELEGRAM_API_URL=value)
    assert "TELEGRAM_API_URL is invalid (must not end in /bot" in line
    assert "adds /bot<token> itself" in line


def test_good_urls_are_kept_without_trailing_slash() -> None:
    settings = Settings(
        _env_file=None,
        telegram_bot_token="1:x",
        evolink_api_key="k",
        telegram_api_url="http://127.0.0.1:8081/",
        evolink_api_url="https://api.evolink.ai",
    )
    assert settings.telegram_api_url == "http://127.0.0.1:8081"
    assert settings.evolink_api_url == "https://api.evolink.ai"


@pytest.mark.parametrize("value", ["@alice", "12, @bob", "alice"])
def test_admin_ids_with_names_ask_for_numeric_ids_and_point_at_id(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], value: str
) -> None:
    line = _error_line(monkeypatch, capsys, ADMIN_IDS=value)
    assert "ADMIN_IDS needs numeric Telegram user ids" in line
    assert "/id" in line
    assert "invalid literal" not in line


@pytest.mark.parametrize(
    ("name", "where"),
    [("TELEGRAM_BOT_TOKEN", "@BotFather"), ("EVOLINK_API_KEY", "Evolink dashboard")],
)
@pytest.mark.parametrize("blank", ["", "  "])
def test_a_required_value_left_empty_says_so_and_where_to_get_it(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    name: str,
    where: str,
    blank: str,
) -> None:
    line = _error_line(monkeypatch, capsys, **{name: blank})
    assert f"{name} is empty" in line and where in line
    assert "copy it to .env" not in line  # .env exists: the value in it is blank


def test_a_missing_variable_still_suggests_copying_the_example(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("EVOLINK_API_KEY", raising=False)
    with pytest.raises(SystemExit):
        load_settings(_env_file=None, telegram_bot_token="1:x")
    line = capsys.readouterr().err
    assert "EVOLINK_API_KEY is required but not set" in line and "copy it to .env" in line


def test_a_read_only_database_folder_is_named(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    assert database_folder_problem(folder / "bot.sqlite3") is None
    assert database_folder_problem(tmp_path / "new" / "deeper" / "bot.sqlite3") is None
    folder.chmod(0o500)
    try:
        problem = database_folder_problem(folder / "bot.sqlite3")
    finally:
        folder.chmod(0o700)
    if os.geteuid() != 0:  # root writes anywhere
        assert problem is not None and "DATABASE_PATH" in problem and str(folder) in problem
