"""Reading `/imagine`, `/edit` and `/animate` commands (PRODUCT.md §2-§3). Pure: no I/O.

`split_command` finds the command in a message text or caption, `parse_command` turns its
arguments into a `ParsedCommand`, and `resolve_model` picks the Evolink model once the number
of photos is known. Every problem is a `CommandError` whose `key` and `params` name a text of
`bot.messages` (see `CommandError.text`).

Errors are reported in this order: flags from left to right (unknown or not for this command,
missing value, given twice, bad value), then flag combinations (`--ar` with `--size`, `--n`
with `--model qwen`), then an empty prompt (the usage text), then a prompt that is too long.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal

from bot.evolink import limits
from bot.messages import t

CommandName = Literal["imagine", "edit", "animate"]
COMMANDS: Final[tuple[CommandName, ...]] = ("imagine", "edit", "animate")

_COMMAND_RE: Final = re.compile(
    r"/(?P<command>[A-Za-z0-9_]{1,32})(?:@(?P<bot>[A-Za-z0-9_]+))?(?=\s|\Z)(?P<rest>.*)", re.S
)
# A token starting with `--` (or a dash that a phone made of it) and a letter is a flag;
# a lone dash or a dash before anything else stays in the prompt.
_FLAG_RE: Final = re.compile(r"(?:--|—|–)(?P<name>[A-Za-z][A-Za-z0-9_-]*)(?P<rest>.*)", re.S)
_TOKEN_RE: Final = re.compile(r"\S+")
_SIZE_RE: Final = re.compile(r"(\d+)[xX×](\d+)")
_AR_RE: Final = re.compile(r"(\d+)[:：](\d+)")  # the full-width colon comes from Chinese IMEs


def split_command(text: str, bot_username: str) -> tuple[str, str] | None:
    """`("imagine", "a cat")` for "/imagine@OurBot a cat"; None when no command is ours."""
    match = _COMMAND_RE.match(text)
    if match is None:
        return None
    addressed = match["bot"]
    if addressed is not None and addressed.lower() != bot_username.lstrip("@").lower():
        return None
    return match["command"].lower(), match["rest"].strip()


@dataclass(frozen=True)
class ParsedCommand:
    """A generation command with its flags applied and its defaults filled in."""

    command: CommandName
    prompt: str
    size: str | None = None  # "WxH", imagine only (from --size or --ar)
    n: int = 1
    n_given: bool = False
    raw: bool = False  # send prompt_extend: false
    model: Literal["wan", "qwen"] | None = None  # edit only; None: chosen by photo count
    duration: int = limits.DEFAULT_DURATION
    quality: str = limits.DEFAULT_QUALITY


class CommandError(Exception):
    """A user mistake; `key` and `params` name and fill a text of `bot.messages`.

    A `reason_key` or `hint_key` param names a sub-text that fills `{reason}` or `{hint}`.
    """

    def __init__(self, key: str, params: Mapping[str, object] | None = None) -> None:
        super().__init__(key)
        self.key = key
        self.params: dict[str, object] = dict(params or {})

    def text(self, lang: str | None = None) -> str:
        """The message for the user, sub-texts included."""
        params = dict(self.params)
        for slot in ("reason", "hint"):
            sub_key = params.pop(f"{slot}_key", None)
            if sub_key is not None:
                params[slot] = t(str(sub_key), lang, **params)
        return t(self.key, lang, **params)


# --- flag values -------------------------------------------------------------------------


def _parse_n(value: str) -> int:
    if re.fullmatch(r"\d+", value) and limits.N_MIN <= int(value) <= limits.N_MAX:
        return int(value)
    raise CommandError("bad_n", {"value": value, "min": limits.N_MIN, "max": limits.N_MAX})


def _parse_size(value: str) -> str:
    match = _SIZE_RE.fullmatch(value)
    if match is None:
        raise CommandError("bad_size", {"value": value, "reason_key": "size_reason_format"})
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


def _parse_ar(value: str) -> str:
    match = _AR_RE.fullmatch(value)
    if match is None or not _ratio_ok(int(match[1]), int(match[2])):
        raise CommandError("bad_ar", {"value": value})
    return size_for_aspect(int(match[1]), int(match[2]))


def _parse_duration(value: str) -> int:
    match = re.fullmatch(r"(\d+)[sS]?", value)
    if match is None or int(match[1]) not in limits.VIDEO_DURATIONS:
        raise CommandError("bad_duration", {"value": value})
    return int(match[1])


def _parse_quality(value: str) -> str:
    quality = value.lower() + ("p" if value.isdigit() else "")
    if quality not in limits.VIDEO_QUALITIES:
        raise CommandError("bad_quality", {"value": value})
    return quality


def _parse_model(value: str) -> str:
    if value.lower() not in ("wan", "qwen"):
        raise CommandError("bad_model", {"value": value})
    return value.lower()


@dataclass(frozen=True)
class _Flag:
    commands: frozenset[str]
    field: str  # the ParsedCommand field it sets
    parse: Callable[[str], object] | None  # None: a switch that takes no value
    example: str = ""


# In the order the usage texts list them.
_FLAGS: Final[dict[str, _Flag]] = {
    "ar": _Flag(frozenset({"imagine"}), "size", _parse_ar, "--ar 16:9"),
    "size": _Flag(frozenset({"imagine"}), "size", _parse_size, "--size 1280x720"),
    "model": _Flag(frozenset({"edit"}), "model", _parse_model, "--model qwen"),
    "n": _Flag(frozenset({"imagine", "edit"}), "n", _parse_n, "--n 2"),
    "duration": _Flag(frozenset({"animate"}), "duration", _parse_duration, "--duration 10"),
    "quality": _Flag(frozenset({"animate"}), "quality", _parse_quality, "--quality 1080p"),
    "raw": _Flag(frozenset({"imagine", "animate"}), "raw", None),
}


def allowed_flags(command: str) -> str:
    """The flags of `command` as messages list them, e.g. "--ar, --size, --n, --raw"."""
    return ", ".join(f"--{name}" for name, flag in _FLAGS.items() if command in flag.commands)


# --- the command -------------------------------------------------------------------------


def parse_command(command: str, args: str) -> ParsedCommand:
    """Apply the flags found anywhere in `args`; the other words are the prompt."""
    if command not in COMMANDS:
        raise ValueError(f"not a generation command: {command!r}")
    tokens = list(_TOKEN_RE.finditer(args))
    values: dict[str, object] = {}  # flag name -> parsed value
    kept: list[re.Match[str]] = []
    position = 0
    while position < len(tokens):
        token = tokens[position]
        position += 1
        flag_match = _FLAG_RE.fullmatch(token[0])
        if flag_match is None:
            kept.append(token)
            continue
        name, rest = flag_match["name"].lower(), flag_match["rest"]
        flag = _FLAGS.get(name)
        known = flag is not None and command in flag.commands
        takes_value = flag is not None and flag.parse is not None
        if flag is None or not known or (rest and not (takes_value and rest[0] == "=")):
            # "--foo=1" shows as --foo; "--raw=yes" or "--ar:16:9" as typed.
            shown = f"--{name}" + ("" if not known and rest[:1] == "=" else rest)
            params = {"flag": shown, "command": command, "allowed": allowed_flags(command)}
            raise CommandError("unknown_flag", params)
        value = rest[1:]
        if flag.parse is not None and not rest:
            next_is_value = position < len(tokens) and not _FLAG_RE.fullmatch(tokens[position][0])
            value = tokens[position][0] if next_is_value else ""
            position += next_is_value
        if flag.parse is not None and not value:
            raise CommandError("flag_needs_value", {"flag": f"--{name}", "example": flag.example})
        if name in values:
            raise CommandError("duplicate_flag", {"flag": f"--{name}"})
        values[name] = True if flag.parse is None else flag.parse(value)

    if "ar" in values and "size" in values:
        raise CommandError("size_and_ar", {})
    if values.get("model") == "qwen" and "n" in values:
        raise CommandError("n_not_for_qwen", {})
    prompt = _join(args, kept)
    if not prompt:
        raise CommandError(f"usage_{command}", {})
    if len(prompt) > limits.PROMPT_MAX_CHARS:
        raise CommandError(
            "prompt_too_long", {"length": len(prompt), "max": limits.PROMPT_MAX_CHARS}
        )
    fields: dict[str, Any] = {_FLAGS[name].field: value for name, value in values.items()}
    return ParsedCommand(command=command, prompt=prompt, n_given="n" in values, **fields)


def _join(text: str, words: list[re.Match[str]]) -> str:
    """The words with single spaces, keeping line breaks (at most a blank line) between them."""
    parts: list[str] = []
    for previous, word in zip([None, *words], words, strict=False):
        if previous is not None:
            breaks = text.count("\n", previous.end(), word.start())
            parts.append("\n" * min(breaks, 2) if breaks else " ")
        parts.append(word[0])
    return "".join(parts)


def resolve_model(parsed: ParsedCommand, photo_count: int) -> str:
    """The Evolink model for `parsed` with `photo_count` photos; photos are ignored by /imagine."""
    if parsed.command == "imagine":
        return limits.TEXT_TO_IMAGE
    if parsed.command == "animate":
        model = limits.IMAGE_TO_VIDEO
    elif parsed.model == "qwen" or (
        parsed.model is None and photo_count == 3 and not parsed.n_given
    ):
        model = limits.QWEN_EDIT
    else:
        model = limits.IMAGE_TO_IMAGE
    if photo_count < 1:
        raise CommandError(f"{parsed.command}_needs_photo", {})
    most = limits.INPUT_LIMITS[model].max_images
    if photo_count > most:
        params: dict[str, object] = {
            "count": photo_count,
            "model": limits.MODEL_LABELS[model],
            "max": most,
            "hint": "",
        }
        if model == limits.IMAGE_TO_IMAGE and photo_count == 3:
            params["hint_key"] = "hint_use_qwen"
        raise CommandError("too_many_photos", params)
    return model
