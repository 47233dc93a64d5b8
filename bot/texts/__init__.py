"""The message catalogue's texts by area, one `TEXTS` dict per module (en + zh).

`bot.messages` merges these with the shared flags' and every model spec's texts; `merge`
refuses a key defined twice, so one area can't silently replace another's text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Final

Catalogue = dict[str, dict[str, str]]

# How each language lists choices: (separator, last "or", last "and").
LIST_WORDS: Final = {"en": (", ", " or ", " and "), "zh": ("、", " 或 ", " 和 ")}


def spoken_list(values: Sequence[str], lang: str, conjunction: str = "or") -> str:
    """`values` as `lang` says them in a sentence: "5 or 10", "480p、720p 或 1080p"."""
    separator, either, both = LIST_WORDS.get(lang, LIST_WORDS["en"])
    if len(values) < 2:
        return "".join(values)
    last = either if conjunction == "or" else both
    return separator.join(values[:-1]) + last + values[-1]


def shortened(text: str, limit: int) -> str:
    """`text` cut to `limit` characters, an ellipsis showing the cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def merge(*parts: Mapping[str, Mapping[str, str]]) -> Catalogue:
    """One catalogue from several; a key in two of them is a ValueError."""
    merged: Catalogue = {}
    for part in parts:
        for key, entry in part.items():
            if key in merged:
                raise ValueError(f"the text {key!r} is defined twice in the catalogue")
            merged[key] = dict(entry)
    return merged
