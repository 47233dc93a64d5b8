"""The fakes' soak knobs: seeded random faults, random 429s and the retry_after counter."""

from __future__ import annotations

from tests.fakes.evolink import RandomFaults
from tests.fakes.telegram import RandomFlood, RetryAfterWindows


def test_random_faults_repeat_with_their_seed_and_spare_public_downloads() -> None:
    def draws(seed: int) -> list[str]:
        faults = RandomFaults(0.5, seed=seed)
        picked = [faults.draw("/v1/tasks/t") for _ in range(200)]
        return [f"{f.kind}:{f.status}:{f.after_processing}" if f else "-" for f in picked]

    assert draws(4) == draws(4)
    assert draws(4) != draws(5)
    assert 60 < sum(d != "-" for d in draws(4)) < 140
    assert RandomFaults(1.0).draw("/results/t/0.png") is None


def test_random_flood_rate_is_roughly_kept() -> None:
    flood = RandomFlood(0.1, seed=1)
    assert 50 < sum(flood.hit() for _ in range(1000)) < 150


def test_calls_inside_a_retry_after_window_are_counted_after_the_grace() -> None:
    windows = RetryAfterWindows(grace=0.2)
    windows.opened(42, retry_after=1, now=10.0)
    windows.note_call(42, 10.1)  # may have been on its way already
    windows.note_call(42, 10.5)  # inside: counted
    windows.note_call(7, 10.5)  # another chat
    windows.note_call(42, 11.0)  # the window has passed
    assert windows.calls_inside == 1
    windows.opened(None, retry_after=2, now=20.0)  # global flood: every chat waits
    windows.note_call(7, 21.0)
    assert windows.calls_inside == 2
