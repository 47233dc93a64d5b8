"""Saved defaults filling in a command (bot/defaults.py): pure, no I/O."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.defaults import (
    SETTINGS,
    apply_defaults,
    options_of,
    reply_language,
    valid,
    with_defaults,
)
from bot.models import registry
from bot.parsing import parse_command, resolve_spec, size_for_aspect

EVERYTHING = {"ar": "16:9", "n": "3", "quality": "1080p", "duration": "10", "raw": "on"}


def options(command: str, args: str, saved: dict[str, str], photos: int = 0) -> dict[str, object]:
    parsed = parse_command(command, args)
    return with_defaults(resolve_spec(parsed, photos), parsed, saved)


def test_nothing_saved_is_the_models_defaults() -> None:
    parsed = parse_command("video", "a boat")
    spec = resolve_spec(parsed, 0)
    assert with_defaults(spec, parsed, {}) == options_of(spec, parsed)


def test_the_saved_defaults_used_are_named_as_flags_for_the_caption() -> None:
    parsed = parse_command("imagine", "a fox --n 1")
    _, used = apply_defaults(resolve_spec(parsed, 0), parsed, EVERYTHING)
    assert used == ("--ar 16:9", "--raw")  # --n was typed: the saved 3 was not used
    parsed = parse_command("edit", "a hat --model qwen")
    _, used = apply_defaults(resolve_spec(parsed, 1), parsed, EVERYTHING)
    assert used == ()  # qwen has none of these flags


def test_each_model_takes_only_the_defaults_it_has_a_flag_for() -> None:
    assert options("imagine", "a fox", EVERYTHING) == {
        "size": size_for_aspect(16, 9),
        "n": 3,
        "raw": True,
    }
    assert options("video", "a boat", EVERYTHING) == {
        "aspect_ratio": "16:9",
        "duration": 10,
        "quality": "1080p",
        "raw": True,
    }
    assert options("animate", "waves", EVERYTHING, 1) == {
        "duration": 10,
        "quality": "1080p",
        "raw": True,
    }
    assert options("edit", "night", EVERYTHING, 1) == {"n": 3}
    # Three photos pick qwen, which makes one picture: the saved --n does not apply.
    assert options("edit", "merge", EVERYTHING, 3) == {}


def test_flags_typed_always_win() -> None:
    typed = options("imagine", "a fox --n 1 --size 1024x1024", EVERYTHING)
    assert typed == {"size": "1024x1024", "n": 1, "raw": True}
    assert options("video", "a boat --quality 480p --duration 5", EVERYTHING)["quality"] == "480p"


def test_a_default_the_model_refuses_with_what_was_typed_is_left_out() -> None:
    # 4:3 needs 720p or 1080p for /video; typed 480p wins and the saved ratio steps aside.
    saved = {"ar": "4:3"}
    assert options("video", "a boat --quality 480p", saved)["aspect_ratio"] == "16:9"
    assert options("video", "a boat", saved)["aspect_ratio"] == "4:3"
    # Saved together they clash: the first in /settings order (the ratio) is kept, the
    # quality that would break it steps aside; together they are never refused.
    assert options("video", "a boat", {"ar": "4:3", "quality": "480p"}) == {
        "aspect_ratio": "4:3",
        "duration": 5,
        "quality": "720p",
        "raw": False,
    }


def test_stored_values_are_checked_again() -> None:
    assert options("imagine", "a fox", {"n": "99", "ar": "banana"}) == options(
        "imagine", "a fox", {}
    )
    assert not valid("n", "99") and not valid("colour", "red") and valid("lang", "zh")
    assert reply_language({"lang": "zh"}) == "zh"
    assert reply_language({"lang": "fr"}) is None and reply_language({}) is None


@given(
    st.fixed_dictionaries(
        {},
        optional={s.key: st.sampled_from([*s.choices, "junk"]) for s in SETTINGS},
    ),
    st.sampled_from(registry.COMMANDS),
)
def test_any_saved_defaults_give_options_the_model_accepts(
    saved: dict[str, str], command: str
) -> None:
    photos = 0 if registry.default_for(command).inputs is None else 1
    parsed = parse_command(command, "something")
    spec = resolve_spec(parsed, photos)
    merged = with_defaults(spec, parsed, saved)
    assert set(merged) == set(spec.defaults)
    if command == "video" and merged["aspect_ratio"] in ("4:3", "3:4"):
        assert merged["quality"] != "480p"
