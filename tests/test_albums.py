"""storage/albums.py on a real SQLite file: an album's command is started once, never twice."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

from storage import Storage
from storage.albums import AlbumCommand
from storage.models import Accepted, Limits, NewJob
from tests.conftest import ManualClock, open_storage

COMMAND = AlbumCommand(
    chat_id=7,
    media_group_id="g1",
    user_id=7,
    request_message_id=3,
    language="en",
    command="edit",
    args="blend these",
    message='{"message_id": 3}',
)


async def test_an_album_without_a_command_waits_for_nothing(storage: Storage) -> None:
    assert await storage.albums.item_arrived(7, "g1", 1.5) is False
    assert await storage.albums.claim(7, "g1") is None


async def test_a_quiet_album_is_claimed_once(storage: Storage) -> None:
    await storage.albums.expect(COMMAND, 1.5)
    assert await storage.albums.item_arrived(7, "g1", 1.5) is True
    claims = await asyncio.gather(*(storage.albums.claim(7, "g1") for _ in range(5)))
    taken = [claim for claim in claims if claim is not None]
    assert len(taken) == 1 and taken[0].request == COMMAND
    # Late items and a repeated caption do not wake a claimed album.
    assert await storage.albums.item_arrived(7, "g1", 1.5) is False
    assert await storage.albums.expect(replace(COMMAND, args="other"), 1.5) is False
    assert await storage.albums.claim(7, "g1") is None
    await storage.albums.handed_over(7, "g1")
    assert await storage.albums.reopen_after_restart() == []


async def test_an_album_keeps_its_first_command(storage: Storage) -> None:
    assert await storage.albums.expect(COMMAND, 1.5) is True
    assert await storage.albums.expect(replace(COMMAND, args="second"), 1.5) is False
    claimed = await storage.albums.claim(7, "g1")
    assert claimed is not None and claimed.request == COMMAND


async def test_each_item_pushes_the_deadline_back(
    tmp_path: Path, storage: Storage, clock: ManualClock
) -> None:
    await storage.albums.expect(COMMAND, 1.5)
    clock.advance(1.0)
    await storage.albums.item_arrived(7, "g1", 1.5)
    clock.advance(0.5)
    assert await storage.albums.reopen_after_restart() == [(COMMAND, 1.0)]
    clock.advance(60)
    assert await storage.albums.reopen_after_restart() == [(COMMAND, 0.0)]


async def test_after_a_restart_only_albums_without_a_job_wait_again(
    tmp_path: Path, clock: ManualClock
) -> None:
    storage = await open_storage(tmp_path / "bot.db", clock)
    started = replace(COMMAND, media_group_id="g2", request_message_id=9)
    for command in (COMMAND, started):
        await storage.albums.expect(command, 1.5)
        assert await storage.albums.claim(command.chat_id, command.media_group_id) is not None
    # The process died after queueing the job of g2 but before forgetting the album.
    new = NewJob(7, 7, "private", 9, "en", "edit", "m", "blend these", {}, [], 100)
    limits = Limits(max_active_per_user=2, max_active_total=20, max_queued_per_user=10)
    assert isinstance(await storage.jobs.accept(new, is_admin=False, limits=limits), Accepted)
    assert await storage.albums.job_started(started)
    assert not await storage.albums.job_started(COMMAND)
    await storage.close()

    storage = await open_storage(tmp_path / "bot.db", clock)
    assert await storage.albums.reopen_after_restart() == [(COMMAND, 1.5)]
    assert await storage.albums.claim(7, "g2") is None  # its job exists: never started twice
    assert await storage.albums.claim(7, "g1") is not None
    await storage.close()
