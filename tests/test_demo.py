"""`make demo`: the scripted conversation runs end to end on the fakes, and reads well."""

from __future__ import annotations

import asyncio
import signal
import socket
import sys
from pathlib import Path

import httpx
import pytest

from bot.config import FixedSettings, Settings
from bot.models import registry
from bot.mp4 import probe
from demo.__main__ import forget_earlier_media, parse_args
from demo.script import ALICE, Conversation, Step
from demo.stack import ADMIN_ID, TOKEN, demo_settings, running_stack
from demo.transcript import group_albums, media_label, render
from tests.e2e.conftest import FAST_TUNING
from tests.fakes.telegram import FakeTelegram, FloodLimits


async def test_the_demo_script_gets_every_answer_and_saves_the_media(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The caller's shell and .env play no part (no credits at all would refuse every job).
    monkeypatch.setenv("DAILY_CREDITS", "0")
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("MAX_ACTIVE_TOTAL=lots\n")
    lines: list[str] = []
    async with running_stack(tmp_path, FAST_TUNING, task_seconds=0.3) as stack:
        # The demo keeps Telegram's real flood limits; the test loosens both sides alike.
        stack.tg.flood = FloodLimits(per_chat_per_second=60, per_chat_burst=60)
        conversation = Conversation(stack.tg, tmp_path / "media", lines.append)
        assert await conversation.play(), "\n".join(lines)
        assert stack.tg.violations == [] and stack.evo.violations == []
    transcript = "\n".join(lines)
    for expected in (
        "  Alice › /start",
        "    bot › Your Telegram id: 1001",
        "  Alice › /imagine a red fox in the snow, golden hour --ar 16:9 --n 2",
        "    bot › [album: 2 photos] a red fox in the snow, golden hour",
        "  Alice › (reply to [photo 1712x960]) /animate the fox runs towards the camera",
        "    bot › ✅ Job #1: 2 credits charged. Left: 8 of 10 daily. [🔁 Again] [🎬 Animate]",
        "    bot › [video 5s 160x90] the fox runs towards the camera",
        "          ✅ Job #2: 5 credits charged. Left: 3 of 10 daily. [🔁 Again]",
        "  Alice › [photo 1280x960] /edit make the sky stormy",
        "[🔁 Again] [🎬 Animate] [📄 Original]",
        "  Alice › [album: 2 photos] /edit put both in one picture",
        "    bot › Photo 1 is 200x150 pixels",
        "   Olga › /grant @alice 5",
        "Bonus credits: 5.",
        "    bot › Buy credits with Telegram Stars.",
        "  Alice › [taps 100 credits · 50 ⭐]",
        "    bot › [invoice: 100 credits, 50 ⭐]",
        "  Alice › [pays 50 ⭐]",
        "    bot › Thank you! 100 credits were added. Your bonus credits: 105.",
        "  Alice › [photo 1280x960]\n    bot › What should I do with this photo?",
        "[✏️ Edit] [🎬 Animate]\n  Alice › (taps [🎬 Animate])\n"
        "    bot › (edits its message) 🎬 What should move in the picture?",
        "or tap for a gentle motion. [✨ Gentle motion]\n    bot › 🎬 Describe the motion:",
        "  Alice › (reply to a message) the sun sets slowly behind the hills",
        "    bot › [video 5s 160x90] the sun sets slowly behind the hills",
    ):
        assert expected in transcript, transcript
    assert "!!" not in transcript
    saved = sorted(path.suffix for path in conversation.saved)
    assert saved == [".jpg", ".jpg", ".jpg", ".jpg", ".mp4", ".mp4"], conversation.saved
    assert all(path.stat().st_size > 0 for path in conversation.saved)


def test_demo_settings_ignore_the_environment_and_env_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("ADMIN_IDS=@nobody\nCOST_QWEN_EDIT=7\n")
    for name in Settings.model_fields:
        monkeypatch.setenv(name.upper(), "not-a-valid-value")
    settings = demo_settings("http://127.0.0.1:1", "http://127.0.0.1:2", tmp_path / "d.sqlite3")
    assert settings.daily_credits == FixedSettings.model_fields["daily_credits"].default
    assert settings.log_level == "INFO" and settings.webhook_url == ""
    assert settings.telegram_bot_token.get_secret_value() == TOKEN
    assert settings.admin_ids == frozenset({ADMIN_ID})
    for spec in registry.ALL:
        assert settings.cost(spec) == spec.default_cost


async def test_a_step_without_an_answer_fails_the_demo(tmp_path: Path) -> None:
    lines: list[str] = []
    async with FakeTelegram() as tg:  # no bot behind it: nobody answers
        conversation = Conversation(tg, tmp_path, lines.append, timeout=0.2)
        assert not await conversation.play((Step(ALICE, "/start"),))
    assert lines[-1] == "!! no answer to '/start' within 0 s"
    assert "  Alice › /start" in lines


def test_messages_read_like_a_chat() -> None:
    bot = {"id": 1}
    album = [
        {"message_id": 5, "from": bot, "media_group_id": "g", "caption": "a fox", **_photo(16, 9)},
        {"message_id": 6, "from": bot, "media_group_id": "g", **_photo(16, 9)},
    ]
    buttons = {
        "inline_keyboard": [
            [{"text": "Again", "callback_data": "a"}],
            [{"text": "Animate", "callback_data": "b"}],
        ]
    }
    text = {"message_id": 7, "from": bot, "text": "What next?\nPick one", "reply_markup": buttons}
    groups = list(group_albums([*album, text]))
    assert [len(group) for group in groups] == [2, 1]
    assert render(groups[0], "bot") == "    bot › [album: 2 photos] a fox"
    assert render(groups[1], "bot") == (
        "    bot › What next?\n          Pick one [Again] [Animate]"
    )
    reply = {"from": {"id": 2}, "text": "/animate go", "reply_to_message": album[0]}
    assert render([reply], "Alice") == "  Alice › (reply to [photo 16x9]) /animate go"
    video = {"video": {"duration": 5, "width": 1280, "height": 720}}
    assert media_label(video) == "[video 5s 1280x720]"
    assert media_label({"video": {"duration": 0, "width": 0, "height": 0}}) == "[video]"


def test_the_demo_writes_under_data_demo_by_default() -> None:
    args = parse_args([])
    assert args.out == Path("data/demo") and not args.interactive
    assert parse_args(["--interactive"]).interactive


def test_a_new_run_removes_only_the_media_of_the_last_one(tmp_path: Path) -> None:
    for name in ("03-7.jpg", "04-12.mp4", "notes.txt", "12-x.jpg"):
        (tmp_path / name).write_text("x")
    forget_earlier_media(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["12-x.jpg", "notes.txt"]


def test_the_duration_and_size_of_an_mp4_are_read_from_the_file() -> None:
    asset = Path(__file__).parent / "fakes" / "evolink" / "assets" / "video-10s.mp4"
    assert probe(asset.read_bytes()) == (10, 160, 90)
    assert probe(b"not a video") is None
    assert probe(b"") is None


def _photo(width: int, height: int) -> dict[str, object]:
    return {"photo": [{"file_id": "x", "width": width, "height": height}]}


async def test_the_fake_telegram_runs_in_the_background_driven_over_http() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.fakes.telegram",
        "--no-console",
        "--port",
        str(port),
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert process.stdout is not None
    try:
        banner = await asyncio.wait_for(process.stdout.readline(), 30)
        assert b"Fake Telegram Bot API at" in banner
        url = f"http://127.0.0.1:{port}/_fake"
        async with httpx.AsyncClient() as http:
            sent = await http.post(f"{url}/send_text", json={"user_id": 7, "text": "/help"})
            assert sent.json()["ok"] is True
            log = (await http.get(f"{url}/log", params={"chat_id": 7})).text
        assert "User7(7): /help" in log
    finally:
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 0


async def test_the_interactive_demo_lets_a_person_type(tmp_path: Path) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "demo",
        "--interactive",
        "--out",
        str(tmp_path),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert process.stdin is not None and process.stdout is not None
    seen: list[str] = []
    try:
        await _read_until(process.stdout, ":help, :quit", seen)
        process.stdin.write(b"/id\n")
        await process.stdin.drain()
        await _read_until(process.stdout, "Your Telegram id: 1001", seen)
        process.stdin.write(b":quit\n")
        await process.stdin.drain()
        await asyncio.wait_for(process.wait(), 30)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert process.returncode == 0, "".join(seen)


async def _read_until(stream: asyncio.StreamReader, text: str, seen: list[str]) -> None:
    while not any(text in line for line in seen):
        line = await asyncio.wait_for(stream.readline(), 30)
        assert line, "the demo exited early:\n" + "".join(seen)
        seen.append(line.decode())
