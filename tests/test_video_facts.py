"""`bot.mp4` and what delivery declares for a video: the MP4's own duration and frame size,
or nothing at all for a file it cannot read (the video is delivered anyway)."""

from __future__ import annotations

import struct

import pytest

from bot.jobs.delivery import video_facts
from bot.mp4 import probe
from tests.fakes.evolink.media import ASSETS


@pytest.mark.parametrize(("name", "seconds"), [("video-5s.mp4", 5), ("video-10s.mp4", 10)])
def test_the_fake_evolink_videos_state_their_length_and_size(name: str, seconds: int) -> None:
    data = (ASSETS / name).read_bytes()
    assert video_facts(data) == probe(data) == (seconds, 160, 90)


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"not a video",
        struct.pack(">I4s", 8, b"mvhd"),  # an empty mvhd box
        struct.pack(">I4s", 12, b"moov") + struct.pack(">I", 99),  # truncated
        (ASSETS / "video-5s.mp4").read_bytes()[:200],
    ],
)
def test_an_unreadable_file_states_nothing(data: bytes) -> None:
    assert video_facts(data) is None
