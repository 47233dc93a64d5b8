"""Every model the bot offers, found by looking for `SPEC` in the modules of `bot.models`.

The registry checks the specs when it is imported (unique names, one default model per
command, unique `--model` aliases, every text key in English and Chinese), so a broken or
missing description stops the bot at start-up instead of falling back to another model.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Final

from bot.evolink.limits import ImageInputLimits
from bot.models import flags
from bot.models.spec import Flag, ModelSpec
from bot.texts import Catalogue, merge

_NOT_SPECS: Final = frozenset({"spec", "flags", "registry", "facts"})


class UnknownModel(KeyError):
    """A model (or command) name no spec describes."""


def _discover() -> tuple[ModelSpec, ...]:
    import bot.models as package

    found = []
    for module in pkgutil.iter_modules(package.__path__):
        if module.name in _NOT_SPECS:
            continue
        spec = getattr(importlib.import_module(f"bot.models.{module.name}"), "SPEC", None)
        if not isinstance(spec, ModelSpec):
            raise TypeError(f"bot.models.{module.name} has no ModelSpec named SPEC")
        found.append(spec)
    # A command's default model first, then the others, each group in menu order.
    return tuple(sorted(found, key=lambda s: (s.order, s.name)))


ALL: Final = _discover()
_BY_NAME: Final = {spec.name: spec for spec in ALL}
NAMES: Final = tuple(_BY_NAME)
COMMANDS: Final = tuple(dict.fromkeys(spec.command for spec in ALL))
INPUT_LIMITS: Final[dict[str, ImageInputLimits]] = {
    spec.name: spec.inputs for spec in ALL if spec.inputs is not None
}


def by_name(name: str) -> ModelSpec:
    """The spec of an Evolink model; UnknownModel (a KeyError) for any other name."""
    try:
        return _BY_NAME[name]
    except KeyError:
        raise UnknownModel(name) from None


def for_command(command: str) -> tuple[ModelSpec, ...]:
    """The models a command reaches, its default first."""
    specs = tuple(s for s in ALL if s.command == command)
    if not specs:
        raise UnknownModel(command)
    return tuple(sorted(specs, key=lambda s: not s.default_for_command))


def default_for(command: str) -> ModelSpec:
    return for_command(command)[0]


def aliases(command: str) -> tuple[str, ...]:
    return tuple(s.alias for s in for_command(command) if s.alias is not None)


def command_flags(command: str) -> dict[str, Flag]:
    """Every flag of the command's models, `--model` first when it has a choice."""
    found = {"model": flags.model_flag(aliases(command))} if len(aliases(command)) > 1 else {}
    for spec in for_command(command):
        for flag in spec.flags:
            found.setdefault(flag.name, flag)
    return found


def accepts(spec: ModelSpec, photo_count: int) -> bool:
    rule = spec.inputs
    return rule is not None and rule.min_images <= photo_count <= rule.max_images


def resolve(
    command: str, model_flag: str | None, photo_count: int, given: frozenset[str] = frozenset()
) -> ModelSpec:
    """The model for `command`: the one `--model` names, else the first that takes this many
    photos and every flag given, else the default (whose checks then explain the problem)."""
    specs = for_command(command)
    if model_flag is not None:
        named = [s for s in specs if s.alias == model_flag]
        if not named:
            raise UnknownModel(f"/{command} --model {model_flag}")
        return named[0]
    if specs[0].inputs is None:
        return specs[0]
    for spec in specs:
        if accepts(spec, photo_count) and given - {"model"} <= spec.flag_names:
            return spec
    return specs[0]


def texts() -> Catalogue:
    """The catalogue entries the shared flags and every spec bring (each key once)."""
    return merge(flags.TEXTS, *(spec.texts for spec in ALL))


def _required_keys(spec: ModelSpec) -> list[str]:
    keys = [f"price_{spec.label}"]
    if spec.default_for_command:
        keys += [f"usage_{spec.command}", f"cmd_{spec.command}", f"help_{spec.command}"]
        keys += [f"{spec.command}_needs_photo"] if spec.inputs is not None else []
    return keys


def _validate() -> None:
    if len(_BY_NAME) != len(ALL):
        raise ValueError("two specs name the same Evolink model")
    known = texts()
    for command in COMMANDS:
        specs = for_command(command)
        if sum(s.default_for_command for s in specs) != 1:
            raise ValueError(f"/{command} needs exactly one default model")
        if len(set(aliases(command))) != len(aliases(command)):
            raise ValueError(f"/{command} has two models with the same --model alias")
    for spec in ALL:
        for key in _required_keys(spec):
            if set(known.get(key, {})) < {"en", "zh"}:
                raise ValueError(f"{spec.name} lacks the text {key!r} in English and Chinese")


_validate()
