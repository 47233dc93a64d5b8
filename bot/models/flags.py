"""The flags several models share, each with its validation (PRODUCT.md §2).

Every number a user types is length-checked before it is converted, and every value echoed
back in an error is shortened (`shown`), so no input can overflow or exceed Telegram's limits.
"""

from __future__ import annotations

import math
import re
from typing import Final

from bot.evolink import limits
from bot.models.spec import Choices, CommandError, Flag
from bot.texts import shortened

MAX_DIGITS: Final = 6  # no size, ratio, count or duration we accept needs more
ECHO_MAX: Final = 64  # characters of a user's value quoted back in an error

_SIZE_RE: Final = re.compile(rf"([0-9]{{1,{MAX_DIGITS}}})[xX×]([0-9]{{1,{MAX_DIGITS}}})")
# The full-width colon comes from Chinese IMEs.
_AR_RE: Final = re.compile(rf"([0-9]{{1,{MAX_DIGITS}}})[:：]([0-9]{{1,{MAX_DIGITS}}})")
_DURATION_RE: Final = re.compile(rf"([0-9]{{1,{MAX_DIGITS}}})[sS]?")


def shown(value: str) -> str:
    """`value` as an error quotes it: at most ECHO_MAX characters."""
    return shortened(value, ECHO_MAX)


def parse_n(value: str) -> int:
    short_number = value.isascii() and value.isdigit() and len(value) <= MAX_DIGITS
    if short_number and limits.N_MIN <= int(value) <= limits.N_MAX:
        return int(value)
    raise CommandError("bad_n", {"value": shown(value), "min": limits.N_MIN, "max": limits.N_MAX})


def parse_size(value: str) -> str:
    match = _SIZE_RE.fullmatch(value)
    if match is None:
        raise CommandError("bad_size", {"value": shown(value), "reason_key": "size_reason_format"})
    width, height = int(match[1]), int(match[2])
    if limits.size_problem(width, height) is None:
        return f"{width}x{height}"
    pixels = width * height
    if limits.SIZE_MIN_PIXELS <= pixels <= limits.SIZE_MAX_PIXELS:
        reason = "size_reason_ratio"
    else:
        reason = "size_reason_pixels"
    params = {"value": value, "reason_key": reason, "width": width, "height": height}
    raise CommandError("bad_size", {**params, "pixels": pixels})


def _ratio_ok(w: int, h: int) -> bool:
    return w > 0 and h > 0 and limits.SIZE_MIN_RATIO <= w / h <= limits.SIZE_MAX_RATIO


def size_for_aspect(w: int, h: int) -> str:
    """An allowed "WxH" of about `limits.AR_TARGET_PIXELS` pixels with the ratio w:h."""
    if not _ratio_ok(w, h):
        raise ValueError(f"aspect ratio {w}:{h} is outside 1:4..4:1")
    ratio = w / h
    exact_width = math.sqrt(limits.AR_TARGET_PIXELS * ratio)
    width, height = 16 * round(exact_width / 16), 16 * round(exact_width / ratio / 16)
    # Rounding moves each side by < 1.3%, far from the pixel bounds; these guards on the
    # ratio bounds are never needed for ratios with terms up to 700 (checked), but are cheap.
    while width / height > limits.SIZE_MAX_RATIO:
        width -= 16
    while width / height < limits.SIZE_MIN_RATIO:
        height -= 16
    assert limits.size_problem(width, height) is None, (w, h, width, height)
    return f"{width}x{height}"


def aspect_terms(value: str) -> tuple[int, int] | None:
    """(w, h) for "W:H" with short whole numbers, else None."""
    match = _AR_RE.fullmatch(value)
    return None if match is None else (int(match[1]), int(match[2]))


def parse_ar_size(value: str) -> str:
    terms = aspect_terms(value)
    if terms is None or not _ratio_ok(*terms):
        raise CommandError("bad_ar", {"value": shown(value)})
    return size_for_aspect(*terms)


def parse_duration(value: str) -> int:
    match = _DURATION_RE.fullmatch(value)
    if match is None or int(match[1]) not in limits.VIDEO_DURATIONS:
        raise CommandError("bad_duration", {"value": shown(value)})
    return int(match[1])


def parse_quality(value: str) -> str:
    quality = value.lower() + ("p" if value.isdigit() else "")
    if quality not in limits.VIDEO_QUALITIES:
        raise CommandError("bad_quality", {"value": shown(value)})
    return quality


AR_SIZE = Flag("ar", "size", parse_ar_size, "--ar 16:9")
SIZE = Flag("size", "size", parse_size, "--size 1280x720")
N = Flag("n", "n", parse_n, "--n 2")
DURATION = Flag("duration", "duration", parse_duration, "--duration 10")
QUALITY = Flag("quality", "quality", parse_quality, "--quality 1080p")
RAW = Flag("raw", "raw", None)


def model_flag(aliases: tuple[str, ...]) -> Flag:
    """`--model` choosing between a command's models by their aliases."""

    def parse(value: str) -> str:
        if value.lower() not in aliases:
            raise CommandError("bad_model", {"value": shown(value), "choices": Choices(aliases)})
        return value.lower()

    return Flag("model", "model", parse, f"--model {aliases[-1]}")


# The flags' error texts (en + zh); the registry adds them to the catalogue. Limits are
# `{named}` facts (bot.models.facts), filled in once; `{value}` and `{choices}` per error.
TEXTS: Final = {
    "bad_n": {
        "en": "--n must be a whole number from {min} to {max}, not {value}.",
        "zh": "--n 必须是 {min} 到 {max} 之间的整数，而不是 {value}。",
    },
    "bad_size": {
        "en": "--size {value} is not allowed: {reason}. Use WIDTHxHEIGHT with between "
        "{size_min} and {size_max} pixels in total and a side ratio of at most {ratio_max}, "
        "for example --size 1280x720.",
        "zh": "--size {value} 不可用：{reason}。请使用 宽x高，总像素在 {size_min} 到 {size_max} "
        "之间，边长比不超过 {ratio_max}，例如 --size 1280x720。",
    },
    "size_reason_format": {"en": "write it as WIDTHxHEIGHT", "zh": "格式应为 宽x高"},
    "size_reason_pixels": {
        "en": "{width}x{height} is {pixels} pixels",
        "zh": "{width}x{height} 共 {pixels} 像素",
    },
    "size_reason_ratio": {
        "en": "the sides differ by more than {ratio_times} times",
        "zh": "边长相差超过 {ratio_times} 倍",
    },
    "bad_ar": {
        "en": "--ar {value} is not allowed. Use W:H with a ratio between {ratio_min} and "
        "{ratio_max}, for example --ar 16:9.",
        "zh": "--ar {value} 不可用。请使用 宽:高，比例在 {ratio_min} 到 {ratio_max} 之间，"
        "例如 --ar 16:9。",
    },
    "size_and_ar": {
        "en": "Use either --ar or --size, not both.",
        "zh": "--ar 和 --size 只能用一个。",
    },
    "bad_duration": {
        "en": "--duration must be {durations_or} (seconds), not {value}.",
        "zh": "--duration 只能是 {durations_or}（秒），而不是 {value}。",
    },
    "bad_quality": {
        "en": "--quality must be {qualities_or}, not {value}.",
        "zh": "--quality 只能是 {qualities_or}，而不是 {value}。",
    },
    "bad_model": {
        "en": "--model must be {choices}, not {value}.",
        "zh": "--model 只能是 {choices}，而不是 {value}。",
    },
}
