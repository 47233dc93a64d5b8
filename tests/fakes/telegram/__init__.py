"""A fake Telegram Bot API server for tests and manual runs (``python -m tests.fakes.telegram``).

async with FakeTelegram() as tg:
    app = (ApplicationBuilder().token(tg.token)
           .base_url(f"{tg.url}/bot").base_file_url(f"{tg.url}/file/bot").build())
    alice = tg.user(42, "Alice")
    tg.send_text(tg.private_chat(alice), alice, "/start")
    ...
    assert tg.violations == []
"""

from .flood import FloodHit, FloodLimits, RandomFlood, RetryAfterWindows
from .media import StoredFile
from .server import Call, FakeTelegram
from .spec import Spec, SpecError, Upload, Validator, default_spec_path, load_spec
from .transcript import format_message

__all__ = [
    "Call",
    "FakeTelegram",
    "FloodHit",
    "FloodLimits",
    "RandomFlood",
    "RetryAfterWindows",
    "Spec",
    "SpecError",
    "StoredFile",
    "Upload",
    "Validator",
    "default_spec_path",
    "format_message",
    "load_spec",
]
