"""Issue 10's smaller points: who `@name` means, a private database file, no SQL in the log
at DEBUG, and numeric settings with bounds (storage/users.py, storage/database.py,
bot/logs.py, bot/config.py)."""

from __future__ import annotations

import logging
import sqlite3
import stat
from pathlib import Path

import pytest

from bot.config import load_settings
from bot.logs import configure_logging
from storage import Storage
from tests.conftest import ManualClock, open_storage


async def test_a_username_belongs_to_whoever_was_seen_with_it_last(
    storage: Storage, clock: ManualClock
) -> None:
    await storage.users.remember(5, "bob", "Old Bob", None)
    clock.advance(60)
    await storage.users.remember(6, "Bob", "New Bob", None)  # @bob changed hands
    assert await storage.users.find_by_username("@bob") == 6
    old = await storage.users.get(5)
    assert old is not None and old.username is None
    clock.advance(60)
    await storage.users.remember(5, "bob", "Old Bob", None)  # and back again
    assert await storage.users.find_by_username("bob") == 5
    new = await storage.users.get(6)
    assert new is not None and new.username is None


async def test_rows_from_before_holders_were_unique_resolve_to_the_newest(
    tmp_path: Path, clock: ManualClock
) -> None:
    storage = await open_storage(tmp_path / "bot.db", clock)
    try:
        await storage.users.remember(6, "carol", None, None)
        await storage.users.remember(5, "other", None, None)
    finally:
        await storage.close()
    with sqlite3.connect(tmp_path / "bot.db") as db:  # the duplicate an old version left
        db.execute("UPDATE users SET username = 'carol', updated_at = 1 WHERE user_id = 5")
    storage = await open_storage(tmp_path / "bot.db", clock)
    try:
        assert await storage.users.find_by_username("carol") == 6
    finally:
        await storage.close()


async def test_the_database_and_its_folder_are_created_owner_only(
    tmp_path: Path, clock: ManualClock
) -> None:
    path = tmp_path / "fresh" / "bot.sqlite3"
    storage = await open_storage(path, clock)
    try:
        await storage.users.remember(1, "a", None, None)
        for created in (path, path.parent, *path.parent.glob("bot.sqlite3-*")):
            mode = stat.S_IMODE(created.stat().st_mode)
            assert mode & 0o077 == 0, f"{created.name} is {oct(mode)}"
    finally:
        await storage.close()


async def test_sql_statements_stay_out_of_the_log_at_debug(
    tmp_path: Path, clock: ManualClock, capsys: pytest.CaptureFixture[str]
) -> None:
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        configure_logging("DEBUG", [])
        storage = await open_storage(tmp_path / "bot.db", clock)
        await storage.users.remember(1, "secret_username", "Secret", None)
        await storage.close()
        logging.getLogger("bot").debug("the bot's own debug line")
    finally:
        root.handlers[:], level = saved
        root.setLevel(level)
    logged = capsys.readouterr().err
    assert "the bot's own debug line" in logged
    assert "secret_username" not in logged and "UPDATE users" not in logged


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DAILY_CREDITS", "1e30"),
        ("DAILY_CREDITS", "NaN"),
        ("COST_TEXT_TO_IMAGE", "1e40"),
        ("MAX_ACTIVE_TOTAL", "99999999999999999999"),
        ("MAX_QUEUED_PER_USER", "1000000"),
        ("IMAGE_TIMEOUT_SECONDS", "inf"),
        ("ALBUM_DEBOUNCE_SECONDS", "1e9"),
        ("USER_COMMAND_BURST", "0"),
        ("USER_COMMANDS_PER_MINUTE", "-1"),
    ],
)
def test_out_of_range_numbers_stop_start_up_with_one_line(
    name: str, value: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "1:abc")
    monkeypatch.setenv("EVOLINK_API_KEY", "key")
    monkeypatch.setenv(name, value)
    with pytest.raises(SystemExit) as exited:
        load_settings(_env_file=None)
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("configuration error: ")
    assert f"{name} is invalid" in err and "Traceback" not in err
