"""What one Evolink model is to the bot: `ModelSpec`, its flags, its price rule.

A spec module builds one `ModelSpec`; the parser, handlers, engine, pricing, help, menu and
the fake Evolink all read it, so a model is described in exactly one place.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal, Protocol

from bot.evolink.limits import ImageInputLimits
from bot.evolink.models import GenerationRequest
from bot.texts import spoken_list

Options = Mapping[str, Any]
Texts = Mapping[str, Mapping[str, str]]  # key -> language -> text
# Evolink bills video per second at 720p; 480p costs half, 1080p double (PRODUCT.md §5).
QUALITY_FACTOR: Mapping[str, float] = {"480p": 0.5, "720p": 1.0, "1080p": 2.0}


class CommandError(Exception):
    """A user mistake; `key` and `params` name and fill a text of `bot.messages`.

    A `reason_key` or `hint_key` param names a sub-text that fills `{reason}` or `{hint}`
    (rendered by `handlers.common.text_for`).
    """

    def __init__(self, key: str, params: Mapping[str, object] | None = None) -> None:
        super().__init__(key)
        self.key = key
        self.params: dict[str, object] = dict(params or {})


@dataclass(frozen=True, slots=True)
class Choices:
    """Values a text lists in a sentence ("5 or 10"), worded per language when filled in."""

    values: tuple[str, ...]
    conjunction: Literal["or", "and"] = "or"

    def spoken(self, lang: str) -> str:
        return spoken_list(self.values, lang, self.conjunction)


# A value texts state: verbatim ("1-4", "wan|qwen") or a list worded per language.
Fact = str | Choices


@dataclass(frozen=True, slots=True)
class Flag:
    """One `--name [value]` a command accepts."""

    name: str
    field: str  # the option it sets
    parse: Callable[[str], object] | None  # None: a switch that takes no value
    example: str = ""


class PriceRule(Protocol):
    """How a model's rate (hundredths of a credit) turns into a reservation and a charge."""

    def reserve(self, rate: int, options: Options) -> int: ...

    def charge(self, rate: int, options: Options, produced: int) -> int: ...

    def unit(self, command: str) -> str:
        """What one rate buys, for the operator's documentation ("`/imagine` picture")."""
        ...


@dataclass(frozen=True, slots=True)
class PerImage:
    """`rate` per picture; `count_option` names the option saying how many (None: one)."""

    count_option: str | None = "n"

    def reserve(self, rate: int, options: Options) -> int:
        count = int(options.get(self.count_option, 1)) if self.count_option else 1
        return rate * count

    def charge(self, rate: int, options: Options, produced: int) -> int:
        return rate * produced

    def unit(self, command: str) -> str:
        return f"`/{command}` picture"


@dataclass(frozen=True, slots=True)
class PerVideoSecond:
    """`rate` per 5 s at 720p, scaled by quality; charged on the seconds produced."""

    def reserve(self, rate: int, options: Options) -> int:
        return round(per_second(rate, options["quality"]) * options["duration"])

    def charge(self, rate: int, options: Options, produced: int) -> int:
        seconds = options.get("produced_seconds") or options["duration"]
        return round(per_second(rate, options["quality"]) * float(seconds))

    def unit(self, command: str) -> str:
        return f"5 s of `/{command}` video at 720p (480p half, 1080p double)"


def per_second(rate: int, quality: str) -> float:
    return rate / 5 * QUALITY_FACTOR[quality]


RequestBuilder = Callable[[str, Options, list[str], str | None], GenerationRequest]


def _no_check(values: Options) -> None:
    return None


@dataclass(frozen=True, slots=True)
class ModelSpec:
    """Everything the bot knows about one Evolink model.

    `defaults` names the options a job of this model keeps (and their values when no flag
    gives them); `build(prompt, options, image_urls, callback_url)` makes the strict request.
    `check` sees the flags given (by name) and refuses combinations this model can't take.
    Text keys: `usage_<command>`, `cmd_<command>`, `help_<command>` and, for photo models,
    `<command>_needs_photo` come with a command's default model; `price_<label>` with every
    model. `texts` holds them (en + zh) and joins the catalogue of `bot.messages`.
    """

    name: str  # Evolink's model identifier
    command: str
    label: str  # the short name users see ("wan", "qwen", "animate")
    kind: Literal["image", "video"]
    flags: tuple[Flag, ...]
    defaults: Options
    build: RequestBuilder
    price: PriceRule
    # The Settings field generated for its price in credits (env var: the name upper-cased,
    # e.g. COST_TEXT_TO_IMAGE) and that field's default; `bot.config` builds it.
    cost_setting: str
    default_cost: Decimal
    order: int  # place in menus, /help and the price list
    texts: Texts
    inputs: ImageInputLimits | None = None  # None: a text-only model
    alias: str | None = None  # the `--model` value that picks it
    default_for_command: bool = True
    check: Callable[[Options], None] = field(default=_no_check)
    # Values only this model's texts state, as `{name}` placeholders (see bot.models.facts).
    facts: Mapping[str, Fact] = field(default_factory=dict)

    @property
    def flag_names(self) -> frozenset[str]:
        return frozenset(flag.name for flag in self.flags)
