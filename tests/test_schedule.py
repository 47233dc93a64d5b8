"""The poll schedule: little while Evolink works, promptly near the estimate, never silly."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.jobs.schedule import FIRST_POLL, MAX_INTERVAL, MIN_INTERVAL, next_poll_delay


def test_first_check_comes_after_a_short_wait() -> None:
    assert next_poll_delay(0, 30) == FIRST_POLL
    assert next_poll_delay(0.5, 30) == FIRST_POLL - 0.5


def test_long_estimates_are_checked_rarely_then_promptly_near_the_end() -> None:
    early = next_poll_delay(5, 120, video=True)
    late = next_poll_delay(115, 120, video=True)
    assert early == MAX_INTERVAL  # a quarter of 115 s left, capped
    assert late == MIN_INTERVAL
    assert next_poll_delay(20, 30) == 2.5  # a quarter of the 10 s left


def test_past_the_estimate_it_backs_off_slowly() -> None:
    assert next_poll_delay(31, 30) < next_poll_delay(120, 30) <= MAX_INTERVAL


def test_without_an_estimate_it_assumes_evolinks_typical_times() -> None:
    assert next_poll_delay(10, None) == next_poll_delay(10, 30)
    assert next_poll_delay(10, None, video=True) == next_poll_delay(10, 180)


@given(
    elapsed=st.floats(min_value=0, max_value=4000),
    estimated=st.none() | st.floats(min_value=0, max_value=4000),
    video=st.booleans(),
)
def test_every_delay_is_positive_and_bounded(elapsed, estimated, video) -> None:
    delay = next_poll_delay(elapsed, estimated, video=video)
    assert 0 < delay <= MAX_INTERVAL
