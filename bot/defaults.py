"""A user's saved defaults (/settings, PRODUCT.md §4a) and how they fill in a command. Pure.

Each setting is stored as the text its flag would take (`"16:9"`, `"2"`, `"1080p"`, `"on"`),
so a default goes through the same parsing and the same model checks as the flag typed by
hand. `with_defaults` applies one only where the chosen model has that flag, the command did
not give it, and the model's checks accept it together with what was given (a saved `4:3`
does not break a `/video --quality 480p`); flags in the command always win.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from bot.evolink import limits
from bot.models import registry
from bot.models.spec import CommandError, ModelSpec
from bot.parsing import ParsedCommand


@dataclass(frozen=True, slots=True)
class Setting:
    """One row of /settings: its stored name and the values a button can pick."""

    key: str
    choices: tuple[str, ...]


# The ratios both /imagine and /video take (4:3 and 3:4 need 720p or 1080p for /video).
RATIOS: Final = ("1:1", "16:9", "9:16", "4:3", "3:4")
REPLY_LANGUAGES: Final = ("en", "zh")
LANGUAGE_KEY: Final = "lang"
SETTINGS: Final = (
    Setting("ar", RATIOS),
    Setting("n", tuple(str(n) for n in range(limits.N_MIN, limits.N_MAX + 1))),
    Setting("quality", limits.VIDEO_QUALITIES),
    Setting("duration", tuple(str(d) for d in limits.VIDEO_DURATIONS)),
    Setting("raw", ("on",)),
    Setting(LANGUAGE_KEY, REPLY_LANGUAGES),
)
BY_KEY: Final = {setting.key: setting for setting in SETTINGS}
# The settings that stand for a flag of the same name (all but the reply language).
FLAG_KEYS: Final = tuple(s.key for s in SETTINGS if s.key != LANGUAGE_KEY)


def valid(key: str, value: str) -> bool:
    """A value a /settings button may save (button data is never trusted)."""
    setting = BY_KEY.get(key)
    return setting is not None and value in setting.choices


def options_of(spec: ModelSpec, parsed: ParsedCommand) -> dict[str, object]:
    """The options a job of `spec` keeps: the flags given, the spec's defaults for the rest."""
    return {
        key: default if parsed.option(key) is None else parsed.option(key)
        for key, default in spec.defaults.items()
    }


def with_defaults(
    spec: ModelSpec, parsed: ParsedCommand, saved: Mapping[str, str]
) -> dict[str, object]:
    """`options_of`, with the user's saved defaults where the command gave no flag."""
    return apply_defaults(spec, parsed, saved)[0]


def apply_defaults(
    spec: ModelSpec, parsed: ParsedCommand, saved: Mapping[str, str]
) -> tuple[dict[str, object], tuple[str, ...]]:
    """`with_defaults`, and the saved defaults it used as flags (`--ar 16:9`), so a result's
    caption can name every option the job ran with, typed or saved."""
    options = options_of(spec, parsed)
    used: list[str] = []
    known = registry.command_flags(parsed.command)
    given = {name: parsed.option(known[name].field) for name in parsed.given if name in known}
    own = {flag.name: flag for flag in spec.flags}
    for key in FLAG_KEYS:
        flag, text = own.get(key), saved.get(key)
        if flag is None or text is None or key in given or not valid(key, text):
            continue
        try:
            value = True if flag.parse is None else flag.parse(text)
            trial = {**given, key: value}
            spec.check(trial)
        except CommandError:
            continue  # this model can't take it with what was typed: the model default stays
        given, options[flag.field] = trial, value
        used.append(f"--{key}" if flag.parse is None else f"--{key} {text}")
    return options, tuple(used)


def reply_language(saved: Mapping[str, str]) -> str | None:
    """The language the user chose for replies, or None: their Telegram's."""
    chosen = saved.get(LANGUAGE_KEY)
    return chosen if chosen in REPLY_LANGUAGES else None
