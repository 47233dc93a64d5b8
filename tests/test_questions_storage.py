"""The questions the bot asked and users' saved defaults, in a real SQLite file."""

from __future__ import annotations

from pathlib import Path

from storage import Storage
from storage.models import InputImage
from storage.questions import Question
from tests.conftest import ManualClock, open_storage

PHOTO = InputImage("file-1", 800, 600, 1234, "image/jpeg", "photo")


async def test_a_question_is_found_by_the_bots_message_after_a_reopen(
    storage: Storage, tmp_path: Path, clock: ManualClock
) -> None:
    asked = Question(-5, 1001, 17, "photo", "make it night", inputs=(PHOTO,))
    question_id = await storage.questions.open(asked)
    assert question_id is not None
    assert await storage.questions.asked_in(-5, 18) is None  # not posted yet
    await storage.questions.posted(question_id, 18)
    await storage.close()
    reopened = await open_storage(tmp_path / "bot.db", clock)
    try:
        found = await reopened.questions.asked_in(-5, 18)
        assert found is not None
        assert (found.user_id, found.request_message_id, found.kind) == (1001, 17, "photo")
        assert (found.prompt, found.inputs, found.message_id) == ("make it night", (PHOTO,), 18)
        await reopened.questions.becomes(question_id, "animate", ())
        changed = await reopened.questions.asked_in(-5, 18)
        assert changed is not None and (changed.kind, changed.inputs) == ("animate", ())
        assert await reopened.questions.asked_in(-6, 18) is None  # another chat
    finally:
        await reopened.close()


async def test_an_album_is_claimed_once_and_a_command_takes_it(storage: Storage) -> None:
    first = Question(1001, 1001, 30, "photo", media_group_id="g1")
    assert await storage.questions.open(first) is not None
    assert (
        await storage.questions.open(Question(1001, 1001, 31, "photo", media_group_id="g1"))
        is None
    )
    await storage.questions.album_caption(1001, "g1", "two cats")
    waiting = await storage.questions.album_waiting(1001, "g1")
    assert waiting is not None and waiting.prompt == "two cats"
    await storage.questions.album_has_command(1001, "g1")
    assert await storage.questions.album_waiting(1001, "g1") is None
    # A command first: the album is never asked about.
    await storage.questions.album_has_command(1001, "g2")
    assert (
        await storage.questions.open(Question(1001, 1001, 40, "photo", media_group_id="g2"))
        is None
    )
    assert await storage.questions.album_waiting(1001, "g2") is None


async def test_old_questions_are_forgotten(storage: Storage, clock: ManualClock) -> None:
    question_id = await storage.questions.open(Question(1, 1, 1, "imagine", "a cat"))
    assert question_id is not None
    await storage.questions.posted(question_id, 2)
    clock.advance(8 * 24 * 3600)
    assert await storage.questions.forget_older_than() == 1
    assert await storage.questions.asked_in(1, 2) is None


async def test_preferences_are_saved_changed_and_forgotten(storage: Storage) -> None:
    assert await storage.preferences.of(1001) == {}
    await storage.preferences.choose(1001, "ar", "16:9")
    await storage.preferences.choose(1001, "n", "2")
    await storage.preferences.choose(1001, "ar", "9:16")
    await storage.preferences.choose(1002, "lang", "zh")
    assert await storage.preferences.of(1001) == {"ar": "9:16", "n": "2"}
    await storage.preferences.choose(1001, "n", None)
    assert await storage.preferences.of(1001) == {"ar": "9:16"}
    assert await storage.preferences.of(1002) == {"lang": "zh"}
