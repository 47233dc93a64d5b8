"""The buttons under results and failures, and the callback data they carry (<= 64 bytes).

A result has one row that fits a phone: Again, Animate (pictures) and Original (pictures).
Under an album, Animate first asks which picture (`pick_keyboard`, the same message's
buttons replaced in place, so nothing new appears in the chat). A failure has Retry.
"""

from __future__ import annotations

from typing import Final

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.messages import t
from storage.models import Job

# Every action a button may carry; handlers/buttons.py routes them.
ACTIONS: Final = ("again", "retry", "animate", "pick", "back", "orig", "cancel")


def _button(job: Job, key: str, data: str, **params: object) -> InlineKeyboardButton:
    return InlineKeyboardButton(t(key, job.language, **params), callback_data=data)


def result_keyboard(job: Job, images: int) -> InlineKeyboardMarkup:
    """Again; for pictures also Animate (one picture: at once; an album: which one?) and
    Original (the files themselves, as documents)."""
    again = _button(job, "btn_again", f"again:{job.id}")
    if job.kind == "video" or images == 0:
        return InlineKeyboardMarkup([[again]])
    animate_data = f"animate:{job.id}:0" if images == 1 else f"pick:{job.id}"
    animate = _button(job, "btn_animate", animate_data)
    original = _button(job, "btn_original", f"orig:{job.id}")
    return InlineKeyboardMarkup([[again, animate, original]])


def pick_keyboard(job: Job, images: int) -> InlineKeyboardMarkup:
    """Which picture of an album to animate: 1..N, and a way back to the result's buttons."""
    numbers = [
        _button(job, "btn_pick", f"animate:{job.id}:{index}", index=index + 1)
        for index in range(images)
    ]
    return InlineKeyboardMarkup([[*numbers, _button(job, "btn_back", f"back:{job.id}")]])


def retry_keyboard(job: Job) -> InlineKeyboardMarkup:
    """Under a failure: the same command with the same inputs, reserving again."""
    return InlineKeyboardMarkup([[_button(job, "btn_retry", f"retry:{job.id}")]])
