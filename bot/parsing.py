"""Reading generation commands (PRODUCT.md §2-§3). Pure: no I/O.

`split_command` finds the command in a message text or caption, `parse_command` turns its
arguments into a `ParsedCommand`, and `resolve_model` picks the Evolink model once the number
of photos is known. Commands, flags and models all come from `bot.models.registry`. Every
problem is a `CommandError` whose `key` and `params` name a text of `bot.messages`.

Errors are reported in this order: flags from left to right (unknown or not for this command,
missing value, given twice, bad value), then flag combinations the chosen model refuses
(`--ar` with `--size`, `--n` with `--model qwen`), then an empty prompt (the usage text), then
a prompt that is too long.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields, replace
from typing import Any, Final

from bot.evolink import limits
from bot.models import registry
from bot.models.flags import shown, size_for_aspect
from bot.models.spec import CommandError, Flag, ModelSpec
from bot.texts.plurals import Count

__all__ = [
    "CommandError",
    "ParsedCommand",
    "allowed_flags",
    "parse_command",
    "resolve_model",
    "size_for_aspect",
    "split_command",
]

_COMMAND_RE: Final = re.compile(
    r"/(?P<command>[A-Za-z0-9_]{1,32})(?:@(?P<bot>[A-Za-z0-9_]+))?(?=\s|\Z)(?P<rest>.*)", re.S
)
# A token starting with `--` (or a dash that a phone made of it) and a letter is a flag;
# a lone dash or a dash before anything else stays in the prompt.
_FLAG_RE: Final = re.compile(r"(?:--|—|–)(?P<name>[A-Za-z][A-Za-z0-9_-]*)(?P<rest>.*)", re.S)
_TOKEN_RE: Final = re.compile(r"\S+")


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
    """A generation command with its flags applied and its defaults filled in.

    Options only one model has (e.g. `/video`'s `aspect_ratio`) are in `extra`.
    """

    command: str
    prompt: str
    size: str | None = None  # "WxH", imagine only (from --size or --ar)
    n: int = 1
    n_given: bool = False
    raw: bool = False  # send prompt_extend: false
    model: str | None = None  # the --model alias; None: chosen by photo count
    duration: int = limits.DEFAULT_DURATION
    quality: str = limits.DEFAULT_QUALITY
    extra: dict[str, Any] = field(default_factory=dict)
    given: frozenset[str] = field(default=frozenset(), compare=False)  # flag names typed
    typed: tuple[str, ...] = field(default=(), compare=False)  # "--ar 16:9", as given

    def option(self, key: str) -> Any:
        """The value of an option, whichever field holds it (None when unset)."""
        return self.extra[key] if key in self.extra else getattr(self, key, None)


_OWN_FIELDS: Final = frozenset(f.name for f in fields(ParsedCommand))
# The option under which a job keeps the flags as the user typed them, for its caption.
TYPED_OPTION: Final = "typed"


def allowed_flags(command: str) -> str:
    """The flags of `command` as messages list them, e.g. "--ar, --size, --n, --raw"."""
    return ", ".join(f"--{name}" for name in registry.command_flags(command))


# --- the command -------------------------------------------------------------------------


def parse_command(command: str, args: str) -> ParsedCommand:
    """Apply the flags found anywhere in `args`; the other words are the prompt."""
    if command not in registry.COMMANDS:
        raise ValueError(f"not a generation command: {command!r}")
    known = registry.command_flags(command)
    tokens = list(_TOKEN_RE.finditer(args))
    values: dict[str, object] = {}  # flag name -> parsed value
    typed: list[str] = []
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
        flag = _flag_for(command, known, name, rest)
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
        typed.append(f"--{name}" if flag.parse is None else f"--{name} {shown(value)}")
    model = values.get("model")
    spec = registry.resolve(command, model if isinstance(model, str) else None, 0, frozenset())
    spec.check(values)
    parsed = _parsed(command, _prompt_of(command, args, kept), values, known)
    return replace(parsed, typed=tuple(typed))


def _flag_for(command: str, known: dict[str, Flag], name: str, rest: str) -> Flag:
    """The flag `--name` (with `rest` glued to it), or the error for an unknown one."""
    flag = known.get(name)
    takes_value = flag is not None and flag.parse is not None
    if flag is None or (rest and not (takes_value and rest[0] == "=")):
        # "--foo=1" shows as --foo; "--raw=yes" or "--ar:16:9" as typed.
        shown_flag = shown(f"--{name}" + ("" if flag is None and rest[:1] == "=" else rest))
        params = {"flag": shown_flag, "command": command, "allowed": allowed_flags(command)}
        raise CommandError("unknown_flag", params)
    return flag


def _prompt_of(command: str, args: str, kept: list[re.Match[str]]) -> str:
    prompt = _join(args, kept)
    if not prompt:
        raise CommandError(f"usage_{command}", {})
    if len(prompt) > limits.PROMPT_MAX_CHARS:
        raise CommandError(
            "prompt_too_long", {"length": len(prompt), "max": limits.PROMPT_MAX_CHARS}
        )
    return prompt


def _parsed(
    command: str, prompt: str, values: dict[str, object], known: dict[str, Flag]
) -> ParsedCommand:
    by_field: dict[str, Any] = {known[name].field: value for name, value in values.items()}
    own = {key: value for key, value in by_field.items() if key in _OWN_FIELDS}
    extra = {key: value for key, value in by_field.items() if key not in _OWN_FIELDS}
    return ParsedCommand(
        command=command,
        prompt=prompt,
        n_given="n" in values,
        extra=extra,
        given=frozenset(values),
        **own,
    )


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
    """The Evolink model for `parsed` with `photo_count` photos (ignored by text models)."""
    return resolve_spec(parsed, photo_count).name


def resolve_spec(parsed: ParsedCommand, photo_count: int) -> ModelSpec:
    """`resolve_model`, giving the whole spec."""
    spec = registry.resolve(parsed.command, parsed.model, photo_count, parsed.given)
    rule = spec.inputs
    if rule is None:
        return spec
    if photo_count < rule.min_images:
        raise CommandError(f"{parsed.command}_needs_photo", {})
    if photo_count > rule.max_images:
        raise CommandError("too_many_photos", _too_many(spec, photo_count))
    return spec


def _too_many(spec: ModelSpec, photo_count: int) -> dict[str, object]:
    assert spec.inputs is not None
    params: dict[str, object] = {
        "count": Count(photo_count, "photo"),
        "model": spec.label,
        "max": spec.inputs.max_images,
        "hint": "",
    }
    # Name a model that takes more photos even when it can't take all of them either: "wan
    # takes at most 2" alone leaves someone with 4 photos guessing that qwen takes 3.
    others = [s for s in registry.for_command(spec.command) if s is not spec and s.alias]
    helpful = [s for s in others if s.inputs and s.inputs.max_images > spec.inputs.max_images]
    helpful.sort(key=lambda s: (not registry.accepts(s, photo_count), s.order))
    if helpful:
        params["hint_key"] = f"hint_use_{helpful[0].label}"
    return params
