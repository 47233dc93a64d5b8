"""Every text a user can see, through one function (English always; Chinese where written).

`t(key, lang, **params)` picks the user's language, falls back to English, and fills the
`{named}` parameters. Keep texts plain (no parse mode) so user prompts never need escaping.
The texts live by area in `bot.texts` and, for each model, in its spec module; they are
merged here once, at import, and a key defined twice stops the bot.
"""

from __future__ import annotations

from typing import Any, Final

from bot.models import registry
from bot.texts import account, admin, merge, requests, results, status

DEFAULT_LANGUAGE: Final = "en"

MESSAGES: Final = merge(
    requests.TEXTS,
    status.TEXTS,
    results.TEXTS,
    account.TEXTS,
    admin.TEXTS,
    # Each model's texts (usage, help line, menu entry, price) live in its spec module.
    registry.texts(),
)


def t(key: str, lang: str | None = None, **params: Any) -> str:
    """The text for `key` in `lang` (falling back to English) with `params` filled in."""
    entry = MESSAGES[key]
    text = entry.get(language_of(lang)) or entry[DEFAULT_LANGUAGE]
    return text.format(**params) if params else text


def language_of(code: str | None) -> str:
    """Telegram's `language_code` ('zh-hans', 'en-US', ...) -> a catalogue language."""
    if code and code.lower().startswith("zh"):
        return "zh"
    return DEFAULT_LANGUAGE
