"""bot/credits.py: credit arithmetic in integer hundredths (PRODUCT.md §5)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.credits import (
    Split,
    format_credits,
    release_after_charge,
    split_charge,
    split_reservation,
    to_cents,
)

amounts = st.integers(min_value=0, max_value=10**7)


@pytest.mark.parametrize(
    ("credits", "cents"),
    [
        ("1.2", 120),
        ("1", 100),
        ("0.005", 1),
        ("0.004", 0),
        ("1.005", 101),
        ("-0.005", -1),
        ("10", 1000),
        ("0", 0),
        (Decimal("2.5"), 250),
        (Decimal("0.125"), 13),
        (5, 500),
        (0, 0),
        (1.2, 120),
        (0.1 + 0.2, 30),
    ],
)
def test_to_cents_rounds_half_up(credits, cents):
    assert to_cents(credits) == cents
    assert isinstance(to_cents(credits), int)


def test_to_cents_rejects_garbage():
    with pytest.raises(ArithmeticError):
        to_cents("one")


@pytest.mark.parametrize(
    ("cents", "text"),
    [
        (100, "1"),
        (120, "1.2"),
        (125, "1.25"),
        (5, "0.05"),
        (50, "0.5"),
        (0, "0"),
        (1000, "10"),
        (101, "1.01"),
        (-5, "-0.05"),
        (-120, "-1.2"),
        (-100, "-1"),
    ],
)
def test_format_credits(cents, text):
    assert format_credits(cents) == text


@given(st.integers(min_value=-(10**9), max_value=10**9))
def test_format_then_parse_round_trips(cents):
    text = format_credits(cents)
    assert to_cents(text) == cents
    assert not text.endswith(".") and not ("." in text and text.endswith("0"))


# --- reservation ------------------------------------------------------------------------


def test_reservation_takes_daily_first_then_bonus():
    assert split_reservation(300, daily_left=1000, bonus=500) == Split(300, 0)
    assert split_reservation(1200, daily_left=1000, bonus=500) == Split(1000, 200)
    assert split_reservation(200, daily_left=0, bonus=500) == Split(0, 200)


def test_reservation_exact_fit_and_short_by_one():
    assert split_reservation(1500, daily_left=1000, bonus=500) == Split(1000, 500)
    assert split_reservation(1501, daily_left=1000, bonus=500) is None
    assert split_reservation(1, daily_left=0, bonus=0) is None


def test_reservation_of_nothing():
    assert split_reservation(0, daily_left=0, bonus=0) == Split(0, 0)
    assert split_reservation(0, daily_left=1000, bonus=7) == Split(0, 0)


def test_negative_cost_is_a_bug():
    with pytest.raises(ValueError):
        split_reservation(-1, daily_left=1000, bonus=0)


@given(cost=amounts, daily_left=amounts, bonus=amounts)
def test_reservation_properties(cost, daily_left, bonus):
    split = split_reservation(cost, daily_left, bonus)
    if cost > daily_left + bonus:
        assert split is None
        return
    assert split is not None
    assert split.total == cost
    assert 0 <= split.daily <= daily_left
    assert 0 <= split.bonus <= bonus
    # Bonus is touched only once the daily credits are used up.
    assert split.bonus == 0 or split.daily == daily_left


# --- charge and release -----------------------------------------------------------------


def test_charge_within_reservation_uses_daily_first():
    reserved = Split(1000, 200)
    assert split_charge(500, reserved) == Split(500, 0)
    assert release_after_charge(500, reserved) == Split(500, 200)
    assert split_charge(1100, reserved) == Split(1000, 100)
    assert release_after_charge(1100, reserved) == Split(0, 100)


def test_full_charge_releases_nothing():
    reserved = Split(300, 200)
    assert split_charge(500, reserved) == reserved
    assert release_after_charge(500, reserved) == Split(0, 0)


def test_charge_above_reservation_is_capped():
    reserved = Split(300, 200)
    assert split_charge(9999, reserved) == reserved
    assert release_after_charge(9999, reserved) == Split(0, 0)


def test_nothing_charged_releases_everything():
    reserved = Split(300, 200)
    assert split_charge(0, reserved) == Split(0, 0)
    assert release_after_charge(0, reserved) == reserved
    assert split_charge(-50, reserved) == Split(0, 0)
    assert release_after_charge(-50, reserved) == reserved


def test_bonus_only_reservation():
    reserved = Split(0, 250)
    assert split_charge(100, reserved) == Split(0, 100)
    assert release_after_charge(100, reserved) == Split(0, 150)


@given(daily=amounts, bonus=amounts, charged=st.integers(min_value=-100, max_value=3 * 10**7))
def test_charge_and_release_add_up_to_the_reservation(daily, bonus, charged):
    reserved = Split(daily, bonus)
    used = split_charge(charged, reserved)
    back = release_after_charge(charged, reserved)
    assert used.daily >= 0 and used.bonus >= 0
    assert back.daily >= 0 and back.bonus >= 0
    assert used.daily + back.daily == reserved.daily
    assert used.bonus + back.bonus == reserved.bonus
    assert reserved.total == used.total + back.total
    assert used.total == max(0, min(charged, reserved.total))
    # Daily credits are consumed first, as they were reserved first.
    assert used.bonus == 0 or used.daily == reserved.daily
