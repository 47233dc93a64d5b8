"""Every text a user can see, through one function (English always; Chinese where written).

`t(key, lang, **params)` picks the user's language, falls back to English, and fills the
`{named}` parameters. Keep texts plain (no parse mode) so user prompts never need escaping.
The texts live by area in `bot.texts` and, for each model, in its spec module; they are
merged here once, at import (a key defined twice stops the bot), and the limits they state
(`{n_range}`, `{models_edit}`...) are filled in from the registry (`bot.models.facts`).
"""

from __future__ import annotations

from typing import Any, Final

from bot.models import registry
from bot.models.facts import facts, fill, said
from bot.texts import account, admin, merge, outcomes, requests, results, status

DEFAULT_LANGUAGE: Final = "en"

# As written: the limits still `{named}`; MESSAGES is what users see.
TEMPLATES: Final = merge(
    requests.TEXTS,
    status.TEXTS,
    results.TEXTS,
    account.TEXTS,
    admin.TEXTS,
    outcomes.TEXTS,
    # Each model's texts (usage, help line, menu entry, price) live in its spec module.
    registry.texts(),
)
MESSAGES: Final = fill(TEMPLATES, facts())


def t(key: str, lang: str | None = None, **params: Any) -> str:
    """The text for `key` in `lang` (falling back to English) with `params` filled in.

    A `Choices` param is worded in the user's language ("wan or qwen").
    """
    language = language_of(lang)
    entry = MESSAGES[key]
    text = entry.get(language) or entry[DEFAULT_LANGUAGE]
    if not params:
        return text
    return text.format(**{name: said(value, language) for name, value in params.items()})


def language_of(code: str | None) -> str:
    """Telegram's `language_code` ('zh-hans', 'en-US', ...) -> a catalogue language."""
    if code and code.lower().startswith("zh"):
        return "zh"
    return DEFAULT_LANGUAGE
