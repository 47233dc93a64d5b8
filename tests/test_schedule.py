"""The poll schedule: nothing before half the estimate, steady checks while the task may
finish, a slow safety net when Evolink calls back, never silly."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.jobs.schedule import (
    INTERVAL,
    JITTER,
    MAX_INTERVAL,
    SAFETY_FIRST,
    SAFETY_INTERVAL,
    jittered,
    next_poll_delay,
    next_safety_delay,
)


def test_no_check_before_half_the_estimate() -> None:
    assert next_poll_delay(0, 30) == 15 + INTERVAL
    assert next_poll_delay(10, 30) == pytest.approx(5 + INTERVAL)


def test_steady_checks_while_the_task_may_finish() -> None:
    assert next_poll_delay(15, 30) == INTERVAL
    assert next_poll_delay(59, 30) == INTERVAL
    assert next_poll_delay(200, 120, video=True) == INTERVAL


def test_past_twice_the_estimate_it_backs_off_slowly() -> None:
    assert INTERVAL < next_poll_delay(70, 30) < next_poll_delay(120, 30) <= MAX_INTERVAL


def test_without_an_estimate_it_assumes_evolinks_typical_times() -> None:
    assert next_poll_delay(10, None) == next_poll_delay(10, 30)
    assert next_poll_delay(10, None, video=True) == next_poll_delay(10, 180)


def test_with_callbacks_polling_is_a_slow_safety_net() -> None:
    assert next_safety_delay(0, 5) == SAFETY_FIRST
    assert next_safety_delay(0, 120, video=True) == 240
    assert next_safety_delay(SAFETY_FIRST, 5) == SAFETY_INTERVAL


def test_jitter_stays_within_its_share() -> None:
    assert jittered(10, 0) == 10 * (1 - JITTER)
    assert jittered(10, 0.5) == 10
    assert jittered(10, 0.999999) < 10 * (1 + JITTER)


@given(
    elapsed=st.floats(min_value=0, max_value=4000),
    estimated=st.none() | st.floats(min_value=0, max_value=4000),
    video=st.booleans(),
)
def test_every_delay_is_positive_and_bounded(elapsed, estimated, video) -> None:
    delay = next_poll_delay(elapsed, estimated, video=video)
    assert 0 < delay <= max(MAX_INTERVAL, 0.5 * 4000 + INTERVAL)
    assert next_safety_delay(elapsed, estimated, video=video) > 0
