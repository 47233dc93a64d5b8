"""The message catalogue's texts by area, one `TEXTS` dict per module (en + zh).

`bot.messages` merges these with the shared flags' and every model spec's texts; `merge`
refuses a key defined twice, so one area can't silently replace another's text.
"""

from __future__ import annotations

from collections.abc import Mapping

Catalogue = dict[str, dict[str, str]]


def merge(*parts: Mapping[str, Mapping[str, str]]) -> Catalogue:
    """One catalogue from several; a key in two of them is a ValueError."""
    merged: Catalogue = {}
    for part in parts:
        for key, entry in part.items():
            if key in merged:
                raise ValueError(f"the text {key!r} is defined twice in the catalogue")
            merged[key] = dict(entry)
    return merged
