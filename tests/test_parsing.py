"""bot.parsing: command splitting, flags, prompt rules and model choice (PRODUCT.md §2-§3)."""

from __future__ import annotations

import string
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.defaults import options_of
from bot.evolink import limits
from bot.messages import MESSAGES
from bot.models import (
    qwen_image_edit,
    registry,
    wan25_image_to_image,
    wan25_image_to_video,
    wan25_text_to_image,
)
from bot.models.spec import Choices
from bot.parsing import (
    CommandError,
    ParsedCommand,
    parse_command,
    resolve_model,
    size_for_aspect,
    split_command,
)
from bot.texts.plurals import Count
from handlers.common import text_for

IMAGINE_FLAGS = "--ar, --size, --n, --raw"
EDIT_FLAGS = "--model, --n"
ANIMATE_FLAGS = "--duration, --quality, --raw"


def error_of(command: str, args: str) -> CommandError:
    with pytest.raises(CommandError) as caught:
        parse_command(command, args)
    return caught.value


# --- split_command -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/imagine a cat", ("imagine", "a cat")),
        ("/imagine@EvoBot a cat", ("imagine", "a cat")),
        ("/imagine@evobot a cat", ("imagine", "a cat")),
        ("/IMAGINE@EVOBOT  a cat  ", ("imagine", "a cat")),
        ("/edit@OtherBot make it red", None),
        ("/imagine@", None),
        ("a cat /imagine", None),
        (" /imagine a cat", None),
        ("", None),
        ("/", None),
        ("/imagine", ("imagine", "")),
        ("/animate@EvoBot", ("animate", "")),
        ("/imagine\na cat\nsecond line", ("imagine", "a cat\nsecond line")),
        ("/imagine\ta cat", ("imagine", "a cat")),
        ("/imaginea cat", ("imaginea", "cat")),
        ("/imagine, a cat", None),
        ("/start", ("start", "")),
        ("/help_me@EvoBot now", ("help_me", "now")),
        ("/" + "x" * 33, None),
    ],
)
def test_split_command(text: str, expected: tuple[str, str] | None) -> None:
    assert split_command(text, "EvoBot") == expected


def test_split_command_accepts_username_with_at() -> None:
    assert split_command("/edit@EvoBot x", "@evobot") == ("edit", "x")


# --- valid flags -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("command", "args", "expected"),
    [
        ("imagine", "a cat", ParsedCommand("imagine", "a cat")),
        ("imagine", "a cat --n 1", ParsedCommand("imagine", "a cat", n=1, n_given=True)),
        ("imagine", "a cat --n 4", ParsedCommand("imagine", "a cat", n=4, n_given=True)),
        ("imagine", "a cat --raw", ParsedCommand("imagine", "a cat", raw=True)),
        ("imagine", "a cat --size 768x768", ParsedCommand("imagine", "a cat", size="768x768")),
        ("imagine", "cat --size 1440x1440", ParsedCommand("imagine", "cat", size="1440x1440")),
        ("imagine", "cat --size 2560x640", ParsedCommand("imagine", "cat", size="2560x640")),
        ("imagine", "cat --size 640x2560", ParsedCommand("imagine", "cat", size="640x2560")),
        ("imagine", "cat --size 1280X720", ParsedCommand("imagine", "cat", size="1280x720")),
        ("imagine", "cat --size 1280×720", ParsedCommand("imagine", "cat", size="1280x720")),
        ("imagine", "cat --ar 1:1", ParsedCommand("imagine", "cat", size="1280x1280")),
        ("imagine", "cat --ar 16:9", ParsedCommand("imagine", "cat", size="1712x960")),
        ("imagine", "cat --ar 9:16", ParsedCommand("imagine", "cat", size="960x1712")),
        ("imagine", "cat --ar 4:1", ParsedCommand("imagine", "cat", size="2560x640")),
        ("imagine", "cat --ar 1:4", ParsedCommand("imagine", "cat", size="640x2560")),
        ("imagine", "cat --ar 16：9", ParsedCommand("imagine", "cat", size="1712x960")),
        ("edit", "red --model wan", ParsedCommand("edit", "red", model="wan")),
        ("edit", "red --model qwen", ParsedCommand("edit", "red", model="qwen")),
        ("edit", "red --model QWEN", ParsedCommand("edit", "red", model="qwen")),
        ("edit", "red --n 3", ParsedCommand("edit", "red", n=3, n_given=True)),
        (
            "edit",
            "red --model wan --n 2",
            ParsedCommand("edit", "red", n=2, n_given=True, model="wan"),
        ),
        ("animate", "waves", ParsedCommand("animate", "waves", duration=5, quality="720p")),
        ("animate", "waves --duration 5", ParsedCommand("animate", "waves", duration=5)),
        ("animate", "waves --duration 10", ParsedCommand("animate", "waves", duration=10)),
        ("animate", "waves --duration 10s", ParsedCommand("animate", "waves", duration=10)),
        ("animate", "waves --quality 480p", ParsedCommand("animate", "waves", quality="480p")),
        ("animate", "waves --quality 1080P", ParsedCommand("animate", "waves", quality="1080p")),
        ("animate", "waves --quality 720", ParsedCommand("animate", "waves", quality="720p")),
        ("animate", "waves --raw", ParsedCommand("animate", "waves", raw=True)),
    ],
)
def test_valid_flags(command: str, args: str, expected: ParsedCommand) -> None:
    assert parse_command(command, args) == expected


def test_defaults() -> None:
    parsed = parse_command("animate", "waves")
    assert (parsed.size, parsed.n, parsed.n_given, parsed.raw, parsed.model) == (
        None,
        1,
        False,
        False,
        None,
    )
    assert (parsed.duration, parsed.quality) == (limits.DEFAULT_DURATION, limits.DEFAULT_QUALITY)


@pytest.mark.parametrize(
    "args",
    [
        "--n 2 --ar 16:9 --raw a lighthouse at dusk",
        "a lighthouse --n 2 at --ar 16:9 dusk --raw",
        "a lighthouse at dusk --raw --ar 16:9 --n 2",
        "a lighthouse at dusk --n=2 --ar=16:9 --raw",
        "a lighthouse at dusk —n 2 –ar 16:9 —raw",
        "a lighthouse at dusk --N 2 --AR 16:9 --Raw",
        "a   lighthouse\tat  dusk --n 2 --ar 16:9 --raw",
    ],
)
def test_flags_anywhere(args: str) -> None:
    expected = ParsedCommand(
        "imagine", "a lighthouse at dusk", size="1712x960", n=2, n_given=True, raw=True
    )
    assert parse_command("imagine", args) == expected


@pytest.mark.parametrize(
    ("args", "prompt"),
    [
        ("line one\nline two --raw", "line one\nline two"),
        ("para one\n\n\n\npara two", "para one\n\npara two"),
        ("one --ar 1:1\ntwo", "one\ntwo"),
        ("a cat — sitting – still", "a cat — sitting – still"),
        ("a cat -- sitting", "a cat -- sitting"),
        ("a cat -n 2", "a cat -n 2"),
        ("猫——在睡觉 —在", "猫——在睡觉 —在"),
    ],
)
def test_prompt_text_kept(args: str, prompt: str) -> None:
    assert parse_command("imagine", args).prompt == prompt


# --- flag errors -------------------------------------------------------------------------

# (command, args, key, params); every row is also checked against the message catalogue.
ERROR_CASES: list[tuple[str, str, str, dict[str, object]]] = [
    # --n
    ("imagine", "cat --n 0", "bad_n", {"value": "0", "min": 1, "max": 4}),
    ("imagine", "cat --n 5", "bad_n", {"value": "5", "min": 1, "max": 4}),
    ("imagine", "cat --n two", "bad_n", {"value": "two", "min": 1, "max": 4}),
    ("imagine", "cat --n -1", "bad_n", {"value": "-1", "min": 1, "max": 4}),
    ("imagine", "cat --n 1.5", "bad_n", {"value": "1.5", "min": 1, "max": 4}),
    ("edit", "cat --n 9", "bad_n", {"value": "9", "min": 1, "max": 4}),
    # --size
    (
        "imagine",
        "cat --size 767x768",
        "bad_size",
        {
            "value": "767x768",
            "reason_key": "size_reason_pixels",
            "width": 767,
            "height": 768,
            "pixels": 589056,
        },
    ),
    (
        "imagine",
        "cat --size 1441x1440",
        "bad_size",
        {
            "value": "1441x1440",
            "reason_key": "size_reason_pixels",
            "width": 1441,
            "height": 1440,
            "pixels": 2075040,
        },
    ),
    (
        "imagine",
        "cat --size 2561x640",
        "bad_size",
        {
            "value": "2561x640",
            "reason_key": "size_reason_ratio",
            "width": 2561,
            "height": 640,
            "pixels": 1639040,
        },
    ),
    (
        "imagine",
        "cat --size 100x100",
        "bad_size",
        {
            "value": "100x100",
            "reason_key": "size_reason_pixels",
            "width": 100,
            "height": 100,
            "pixels": 10000,
        },
    ),
    (
        "imagine",
        "cat --size 0x1280",
        "bad_size",
        {
            "value": "0x1280",
            "reason_key": "size_reason_pixels",
            "width": 0,
            "height": 1280,
            "pixels": 0,
        },
    ),
    (
        "imagine",
        "cat --size 1280*1280",
        "bad_size",
        {"value": "1280*1280", "reason_key": "size_reason_format"},
    ),
    (
        "imagine",
        "cat --size big",
        "bad_size",
        {"value": "big", "reason_key": "size_reason_format"},
    ),
    (
        "imagine",
        "cat --size 16:9",
        "bad_size",
        {"value": "16:9", "reason_key": "size_reason_format"},
    ),
    # --ar
    ("imagine", "cat --ar 9:1", "bad_ar", {"value": "9:1"}),
    ("imagine", "cat --ar 1:9", "bad_ar", {"value": "1:9"}),
    ("imagine", "cat --ar 0:1", "bad_ar", {"value": "0:1"}),
    ("imagine", "cat --ar 1:0", "bad_ar", {"value": "1:0"}),
    ("imagine", "cat --ar abc", "bad_ar", {"value": "abc"}),
    ("imagine", "cat --ar 16/9", "bad_ar", {"value": "16/9"}),
    ("imagine", "cat --ar 1280x720", "bad_ar", {"value": "1280x720"}),
    ("imagine", "cat --ar 16:9 --size 1280x720", "size_and_ar", {}),
    ("imagine", "--size 1280x720 cat --ar 1:1", "size_and_ar", {}),
    # --duration, --quality
    ("animate", "waves --duration 7", "bad_duration", {"value": "7"}),
    ("animate", "waves --duration 0", "bad_duration", {"value": "0"}),
    ("animate", "waves --duration five", "bad_duration", {"value": "five"}),
    ("animate", "waves --quality 4k", "bad_quality", {"value": "4k"}),
    ("animate", "waves --quality 360p", "bad_quality", {"value": "360p"}),
    ("animate", "waves --quality hd", "bad_quality", {"value": "hd"}),
    ("animate", "waves --quality 720i", "bad_quality", {"value": "720i"}),
    # --model
    (
        "edit",
        "red --model dalle",
        "bad_model",
        {"value": "dalle", "choices": Choices(("wan", "qwen"))},
    ),
    ("edit", "red --model qwen --n 2", "n_not_for_qwen", {}),
    ("edit", "--n=2 red —model QWEN", "n_not_for_qwen", {}),
    # unknown flags and flags of another command
    (
        "imagine",
        "cat --v 6",
        "unknown_flag",
        {"flag": "--v", "command": "imagine", "allowed": IMAGINE_FLAGS},
    ),
    (
        "imagine",
        "cat —Stylize=100",
        "unknown_flag",
        {"flag": "--stylize", "command": "imagine", "allowed": IMAGINE_FLAGS},
    ),
    (
        "imagine",
        "cat --duration 10",
        "unknown_flag",
        {"flag": "--duration", "command": "imagine", "allowed": IMAGINE_FLAGS},
    ),
    (
        "imagine",
        "cat --model qwen",
        "unknown_flag",
        {"flag": "--model", "command": "imagine", "allowed": IMAGINE_FLAGS},
    ),
    (
        "edit",
        "red --raw",
        "unknown_flag",
        {"flag": "--raw", "command": "edit", "allowed": EDIT_FLAGS},
    ),
    (
        "edit",
        "red --ar 1:1",
        "unknown_flag",
        {"flag": "--ar", "command": "edit", "allowed": EDIT_FLAGS},
    ),
    (
        "animate",
        "waves --n 2",
        "unknown_flag",
        {"flag": "--n", "command": "animate", "allowed": ANIMATE_FLAGS},
    ),
    (
        "animate",
        "waves --N=2",
        "unknown_flag",
        {"flag": "--n", "command": "animate", "allowed": ANIMATE_FLAGS},
    ),
    (
        "imagine",
        "cat --raw=yes",
        "unknown_flag",
        {"flag": "--raw=yes", "command": "imagine", "allowed": IMAGINE_FLAGS},
    ),
    (
        "imagine",
        "cat --ar:16:9",
        "unknown_flag",
        {"flag": "--ar:16:9", "command": "imagine", "allowed": IMAGINE_FLAGS},
    ),
    (
        "imagine",
        "--bogus --raw",
        "unknown_flag",
        {"flag": "--bogus", "command": "imagine", "allowed": IMAGINE_FLAGS},
    ),
    # missing values
    ("imagine", "cat --n", "flag_needs_value", {"flag": "--n", "example": "--n 2"}),
    ("imagine", "cat --n --raw", "flag_needs_value", {"flag": "--n", "example": "--n 2"}),
    ("imagine", "cat --n=", "flag_needs_value", {"flag": "--n", "example": "--n 2"}),
    ("imagine", "cat --ar", "flag_needs_value", {"flag": "--ar", "example": "--ar 16:9"}),
    (
        "imagine",
        "cat --size —n 2",
        "flag_needs_value",
        {"flag": "--size", "example": "--size 1280x720"},
    ),
    ("edit", "red --model", "flag_needs_value", {"flag": "--model", "example": "--model qwen"}),
    (
        "animate",
        "waves --duration --raw",
        "flag_needs_value",
        {"flag": "--duration", "example": "--duration 10"},
    ),
    (
        "animate",
        "waves --quality",
        "flag_needs_value",
        {"flag": "--quality", "example": "--quality 1080p"},
    ),
    # duplicates
    ("imagine", "cat --n 2 --n 3", "duplicate_flag", {"flag": "--n"}),
    ("imagine", "--raw cat —RAW", "duplicate_flag", {"flag": "--raw"}),
    ("imagine", "--ar 1:1 cat --ar 1:1", "duplicate_flag", {"flag": "--ar"}),
    ("edit", "red --model wan --model=qwen", "duplicate_flag", {"flag": "--model"}),
    ("animate", "waves --duration 5 --duration 10", "duplicate_flag", {"flag": "--duration"}),
    # empty prompt -> usage
    ("imagine", "", "usage_imagine", {}),
    ("imagine", "--ar 16:9 --n 2", "usage_imagine", {}),
    ("edit", "  \n ", "usage_edit", {}),
    ("edit", "--model qwen", "usage_edit", {}),
    ("animate", "--duration 10 --raw", "usage_animate", {}),
    # prompt length
    ("imagine", "x" * 2001, "prompt_too_long", {"length": 2001, "max": 2000}),
    ("edit", "x" * 2001 + " --n 2", "prompt_too_long", {"length": 2001, "max": 2000}),
    ("animate", "ab " * 667 + "c", "prompt_too_long", {"length": 2002, "max": 2000}),
    # error order: flags left to right, then combinations, then the prompt
    ("imagine", "--n 9 --foo", "bad_n", {"value": "9", "min": 1, "max": 4}),
    (
        "imagine",
        "--foo --n 9",
        "unknown_flag",
        {"flag": "--foo", "command": "imagine", "allowed": IMAGINE_FLAGS},
    ),
    ("imagine", "--ar 1:1 --size 800x800", "size_and_ar", {}),
    ("imagine", "x" * 2001 + " --n 7", "bad_n", {"value": "7", "min": 1, "max": 4}),
]


@pytest.mark.parametrize(("command", "args", "key", "params"), ERROR_CASES)
def test_errors(command: str, args: str, key: str, params: dict[str, object]) -> None:
    error = error_of(command, args)
    assert (error.key, error.params) == (key, params)


@pytest.mark.parametrize(
    ("command", "flag"), [("imagine", "--raw"), ("edit", "--n 1"), ("animate", "--raw")]
)
def test_prompt_at_limit(command: str, flag: str) -> None:
    prompt = "x" * limits.PROMPT_MAX_CHARS
    assert parse_command(command, f"{flag} {prompt}").prompt == prompt
    assert error_of(command, prompt + "y").params == {"length": 2001, "max": 2000}


def test_prompt_limit_counts_characters_not_bytes() -> None:
    prompt = "猫" * limits.PROMPT_MAX_CHARS
    assert parse_command("imagine", prompt).prompt == prompt


def test_not_a_generation_command() -> None:
    with pytest.raises(ValueError):
        parse_command("start", "x")


# --- size_for_aspect ---------------------------------------------------------------------


@given(st.integers(1, 10_000), st.integers(1, 10_000))
def test_size_for_aspect_is_allowed_and_close(w: int, h: int) -> None:
    ratio = Fraction(w, h)
    if not Fraction(1, 4) <= ratio <= 4:
        with pytest.raises(ValueError):
            size_for_aspect(w, h)
        return
    width, height = (int(side) for side in size_for_aspect(w, h).split("x"))
    assert limits.size_problem(width, height) is None
    assert width % 16 == 0 and height % 16 == 0
    assert abs(Fraction(width, height) / ratio - 1) <= Fraction(3, 100)


@given(st.fractions(Fraction(1, 4), Fraction(4), max_denominator=500))
def test_size_for_aspect_whole_range(ratio: Fraction) -> None:
    width, height = (
        int(s) for s in size_for_aspect(ratio.numerator, ratio.denominator).split("x")
    )
    assert limits.size_problem(width, height) is None
    assert abs(Fraction(width, height) / ratio - 1) <= Fraction(3, 100)


# --- resolve_model -----------------------------------------------------------------------

ONE_PHOTO: dict[str, object] = {"model": "animate", "max": 1, "hint": ""}
WAN_HINT: dict[str, object] = {
    "count": Count(3, "photo"),
    "model": "wan",
    "max": 2,
    "hint": "",
    "hint_key": "hint_use_qwen",
}

# (command, args, photos, model or (error key, params))
MODEL_CASES: list[tuple[str, str, int, str | tuple[str, dict[str, object]]]] = [
    ("imagine", "cat", 0, wan25_text_to_image.NAME),
    ("imagine", "cat", 2, wan25_text_to_image.NAME),
    ("edit", "red", 0, ("edit_needs_photo", {})),
    ("edit", "red", 1, wan25_image_to_image.NAME),
    ("edit", "red", 2, wan25_image_to_image.NAME),
    ("edit", "red", 3, qwen_image_edit.NAME),
    # 4 photos: qwen can't take them either, but "wan takes 2" alone hides that qwen takes 3.
    ("edit", "red", 4, ("too_many_photos", {**WAN_HINT, "count": Count(4, "photo")})),
    ("edit", "red --model wan", 0, ("edit_needs_photo", {})),
    ("edit", "red --model wan", 1, wan25_image_to_image.NAME),
    ("edit", "red --model wan", 2, wan25_image_to_image.NAME),
    ("edit", "red --model wan", 3, ("too_many_photos", WAN_HINT)),
    ("edit", "red --model qwen", 0, ("edit_needs_photo", {})),
    ("edit", "red --model qwen", 1, qwen_image_edit.NAME),
    ("edit", "red --model qwen", 2, qwen_image_edit.NAME),
    ("edit", "red --model qwen", 3, qwen_image_edit.NAME),
    (
        "edit",
        "red --model qwen",
        4,
        ("too_many_photos", {"count": Count(4, "photo"), "model": "qwen", "max": 3, "hint": ""}),
    ),
    ("edit", "red --n 2", 1, wan25_image_to_image.NAME),
    ("edit", "red --n 2", 2, wan25_image_to_image.NAME),
    ("edit", "red --n 1", 3, ("too_many_photos", WAN_HINT)),
    ("edit", "red --n 2 --model wan", 2, wan25_image_to_image.NAME),
    ("animate", "waves", 0, ("animate_needs_photo", {})),
    ("animate", "waves", 1, wan25_image_to_video.NAME),
    (
        "animate",
        "waves",
        2,
        (
            "too_many_photos",
            {"count": Count(2, "photo"), "model": "animate", "max": 1, "hint": ""},
        ),
    ),
]


@pytest.mark.parametrize(("command", "args", "photos", "expected"), MODEL_CASES)
def test_resolve_model(
    command: str, args: str, photos: int, expected: str | tuple[str, dict[str, object]]
) -> None:
    parsed = parse_command(command, args)
    if isinstance(expected, str):
        assert resolve_model(parsed, photos) == expected
        return
    with pytest.raises(CommandError) as caught:
        resolve_model(parsed, photos)
    assert (caught.value.key, caught.value.params) == expected


# --- every error is a text of the catalogue -------------------------------------------------


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def _raised() -> list[CommandError]:
    errors = [error_of(command, args) for command, args, _, _ in ERROR_CASES]
    for command, args, photos, expected in MODEL_CASES:
        if not isinstance(expected, str):
            with pytest.raises(CommandError) as caught:
                resolve_model(parse_command(command, args), photos)
            errors.append(caught.value)
    return errors


@pytest.mark.parametrize("error", _raised(), ids=lambda error: error.key)
def test_error_keys_exist_and_format(error: CommandError) -> None:
    params = dict(error.params)
    subs = {
        slot: params.pop(f"{slot}_key") for slot in ("reason", "hint") if f"{slot}_key" in params
    }
    used: set[str] = set()
    for slot, sub_key in subs.items():
        for text in MESSAGES[str(sub_key)].values():
            assert _placeholders(text) <= params.keys(), (sub_key, text)
            used |= _placeholders(text)
        params[slot] = "…"
    for lang, text in MESSAGES[error.key].items():
        assert _placeholders(text) <= params.keys(), (error.key, lang)
        used |= _placeholders(text)
        text.format(**params)
    if not subs:  # a sub-key's params serve whichever sub-text it names
        assert params.keys() <= used, f"unused params for {error.key}"
    for lang in ("en", "zh"):
        assert "{" not in text_for(error.key, lang, error.params)


# --- /video (wan2.5-text-to-video) ----------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "ratio"),
    [
        ("cat", "16:9"),  # the default, from the spec
        ("cat --ar 9:16", "9:16"),
        ("cat --ar 1:1", "1:1"),
        ("cat --ar 4：3", "4:3"),
    ],
)
def test_video_aspect_ratios(args: str, ratio: str) -> None:
    parsed = parse_command("video", args)
    assert resolve_model(parsed, 0) == "wan2.5-text-to-video"
    spec = registry.by_name("wan2.5-text-to-video")
    assert options_of(spec, parsed)["aspect_ratio"] == ratio


@pytest.mark.parametrize(
    ("args", "key"),
    [
        ("cat --ar 4:3 --quality 480p", "video_ar_quality"),
        ("cat --quality 480p --ar 3:4", "video_ar_quality"),
        ("cat --ar 21:9", "bad_video_ar"),
        ("cat --ar " + "9" * 309 + ":1", "bad_video_ar"),
        ("cat --size 1280x720", "unknown_flag"),
        ("", "usage_video"),
    ],
)
def test_video_refusals(args: str, key: str) -> None:
    assert error_of("video", args).key == key


def test_video_flags_listed() -> None:
    assert error_of("video", "cat --n 2").params["allowed"] == (
        "--ar, --duration, --quality, --raw"
    )


# --- bounded inputs (issue 9 item 6) -----------------------------------------------------

HUGE = "9" * 309


@pytest.mark.parametrize(
    ("command", "args", "key"),
    [
        ("imagine", f"cat --ar {HUGE}:1", "bad_ar"),
        ("imagine", f"cat --ar 1:{HUGE}", "bad_ar"),
        ("imagine", f"cat --size {HUGE}x{HUGE}", "bad_size"),
        ("imagine", f"cat --n {HUGE}", "bad_n"),
        ("animate", f"cat --duration {HUGE}", "bad_duration"),
        ("animate", f"cat --duration {HUGE}s", "bad_duration"),
        ("video", f"cat --ar {HUGE}:{HUGE}", "bad_video_ar"),
        ("imagine", "cat --n ²", "bad_n"),
        ("imagine", "cat --ar ١٦:٩", "bad_ar"),
    ],
)
def test_huge_numbers_are_refused_before_conversion(command: str, args: str, key: str) -> None:
    assert error_of(command, args).key == key


@pytest.mark.parametrize(
    ("command", "args"),
    [
        ("imagine", "cat --" + "x" * 4000),
        ("imagine", "cat --raw=" + "y" * 4000),
        ("imagine", "cat --ar " + "z" * 4000),
        ("imagine", "cat --size " + "z" * 4000),
        ("imagine", "cat --n " + "7" * 4000),
        ("edit", "cat --model " + "q" * 4000),
        ("animate", "cat --quality " + "h" * 4000),
        ("animate", "cat --duration " + "d" * 4000),
        ("video", "cat --ar " + "1" * 4000),
    ],
)
def test_echoed_values_are_shortened_and_replies_fit_telegram(command: str, args: str) -> None:
    error = error_of(command, args)
    echoed = [str(v) for k, v in error.params.items() if k in ("value", "flag")]
    assert echoed and all(len(value) <= 64 for value in echoed)
    for lang in ("en", "zh"):
        assert len(text_for(error.key, lang, error.params)) <= 4096
