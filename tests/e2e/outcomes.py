"""How a job ended, as the user sees it (PRODUCT.md §4a, issue 11): one message per outcome.

While a job runs its status message (a reply to the request) shows its state. At the end
that message is deleted, and the outcome is: a failure or a cancellation as a reply to the
request (❌ / 🚫); a result whose footer (caption, or the buttons message under an album)
says what it cost (✅).
"""

from __future__ import annotations

import re
from typing import Any

from tests.fakes.telegram import FakeTelegram

Json = dict[str, Any]
RUNNING = ("⏳", "⏸", "📤", "🚀", "🎨", "📬")
ENDED = ("✅", "❌", "🚫")


def _replying_to(tg: FakeTelegram, chat_id: int, message_ids: set[int]) -> list[Json]:
    return [
        m
        for m in tg.bot_messages(chat_id)
        if (m.get("reply_to_message") or {}).get("message_id") in message_ids
    ]


def text_of(message: Json) -> str:
    return str(message.get("text", message.get("caption", "")))


def outcome_of(tg: FakeTelegram, chat_id: int, request: Json) -> str | None:
    """The outcome's text ("✅ Job #3: ...", "❌ Job #3: ..."), or None while the job runs
    (or its status message is still there)."""
    replies = _replying_to(tg, chat_id, {request["message_id"]})
    if any(str(m.get("text", "")).startswith(RUNNING) for m in replies):
        return None
    for message in replies:
        if str(message.get("text", "")).startswith(ENDED):
            return str(message["text"])
    for message in replies:
        _, found, footer = str(message.get("caption", "")).partition("\n\n✅")
        if found:
            return "✅" + footer.split("\n\n")[0]
    # An album's or a link's footer is the buttons message replying to the first of them.
    for message in _replying_to(tg, chat_id, {m["message_id"] for m in replies}):
        if str(message.get("text", "")).startswith("✅"):
            return str(message["text"])
    return None


async def wait_outcome(tg: FakeTelegram, chat_id: int, request: Json, timeout: float = 15) -> str:
    found: list[str] = []

    def ended() -> bool:
        outcome = outcome_of(tg, chat_id, request)
        if outcome is not None:
            found.append(outcome)
        return outcome is not None

    await tg.wait_for(ended, timeout)
    return found[-1]


def status_left(tg: FakeTelegram, chat_id: int, request: Json) -> list[Json]:
    """Status messages still in the chat for `request` (none once the job has ended)."""
    replies = _replying_to(tg, chat_id, {request["message_id"]})
    return [m for m in replies if str(m.get("text", "")).startswith(RUNNING)]


def body(message: Json) -> str:
    """A result's caption without its cost footer: the prompt, its flags, who asked."""
    parts = str(message.get("caption", "")).split("\n\n")
    return "\n\n".join(part for part in parts if not part.startswith("✅"))


def footer(message: Json) -> str:
    """A result's cost footer ("✅ Job #3: 1 credit charged. ..."), or ""."""
    parts = str(message.get("caption", "")).split("\n\n")
    return next((part for part in parts if part.startswith("✅")), "")


_FAILED = re.compile(r"❌ (?:Job|任务) #(\d+)(?::|：) ?(.*)", re.S)


def failure_reason(text: str) -> str:
    """The reason in a failure message ("❌ Job #3: <reason>"); "" when it is none."""
    match = _FAILED.fullmatch(text)
    return match[2] if match else ""


def failed_job(text: str) -> int:
    """The job number a failure message names."""
    match = _FAILED.fullmatch(text)
    assert match, text
    return int(match[1])
