"""The limits and choices texts state, as `{name}` placeholders filled from the registry.

A usage or help text writes `--n {n_range}` or `--model {models_edit}`, never the numbers,
so a text can't drift from what the parser accepts. `fill` puts the facts into every text
of the catalogue once, at import; the `{params}` a text gets at run time are left alone.
"""

from __future__ import annotations

import math
import string
from collections.abc import Mapping
from fractions import Fraction

from bot.evolink import limits
from bot.models import registry
from bot.models.spec import Choices, Fact, ModelSpec
from bot.texts import Catalogue
from bot.texts.plurals import Count, Ordinal


def _square(pixels: int) -> str:
    side = math.isqrt(pixels)
    return f"{side}x{side}"


def _ratio(value: float) -> str:
    ratio = Fraction(value).limit_denominator(100)
    return f"{ratio.numerator}:{ratio.denominator}"


def _shared() -> dict[str, Fact]:
    durations = tuple(str(d) for d in limits.VIDEO_DURATIONS)
    return {
        "n_range": f"{limits.N_MIN}-{limits.N_MAX}",
        "durations": "|".join(durations),
        "durations_or": Choices(durations),
        "qualities": "|".join(limits.VIDEO_QUALITIES),
        "qualities_or": Choices(limits.VIDEO_QUALITIES),
        "size_min": _square(limits.SIZE_MIN_PIXELS),
        "size_max": _square(limits.SIZE_MAX_PIXELS),
        "ratio_min": _ratio(limits.SIZE_MIN_RATIO),
        "ratio_max": _ratio(limits.SIZE_MAX_RATIO),
        "ratio_times": f"{limits.SIZE_MAX_RATIO:g}",
    }


def _photos(spec: ModelSpec) -> dict[str, Fact]:
    if spec.inputs is None:
        return {}
    low, high = spec.inputs.min_images, spec.inputs.max_images
    return {
        f"photos_{spec.label}": str(high) if low == high else f"{low}-{high}",
        f"max_photos_{spec.label}": str(high),
    }


def facts() -> dict[str, Fact]:
    """Every fact a text may name: shared limits, `--model` choices, photo counts, spec facts."""
    found = _shared()
    for command in registry.COMMANDS:
        if len(registry.aliases(command)) > 1:
            found[f"models_{command}"] = "|".join(registry.aliases(command))
    for spec in registry.ALL:
        for name, value in (_photos(spec) | dict(spec.facts)).items():
            if name in found:
                raise ValueError(f"{spec.name} states the fact {name!r} another spec states")
            found[name] = value
    return found


def said(value: object, lang: str) -> object:
    """A fact or param as `lang` writes it (a `Choices` becomes "a, b or c", a `Count`
    "2 credits", an `Ordinal` "2nd")."""
    return value.spoken(lang) if isinstance(value, Choices | Count | Ordinal) else value


def _escaped(text: str) -> str:
    return text.replace("{", "{{").replace("}", "}}")


def _field(name: str, conversion: str | None, spec: str | None) -> str:
    return (
        "{" + name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}"
    )


def fill_text(text: str, known: Mapping[str, Fact], lang: str) -> str:
    """`text` with the facts it names written in; other placeholders kept as they were."""
    pieces = []
    for literal, name, spec, conversion in string.Formatter().parse(text):
        pieces.append(_escaped(literal))
        if name is not None and name in known:
            pieces.append(_escaped(str(said(known[name], lang))))
        elif name is not None:
            pieces.append(_field(name, conversion, spec))
    return "".join(pieces)


def fill(catalogue: Catalogue, known: Mapping[str, Fact]) -> Catalogue:
    return {
        key: {lang: fill_text(text, known, lang) for lang, text in entry.items()}
        for key, entry in catalogue.items()
    }
