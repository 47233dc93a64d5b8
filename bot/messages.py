"""Every text a user can see, through one function (English always; Chinese where written).

`t(key, lang, **params)` picks the user's language, falls back to English, and fills the
`{named}` parameters. Keep texts plain (no parse mode) so user prompts never need escaping.
The texts live by area in `bot.texts` and, for each model, in its spec module; they are
merged here once, at import (a key defined twice stops the bot), and the limits they state
(`{n_range}`, `{models_edit}`...) are filled in from the registry (`bot.models.facts`).
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any, Final

from bot.models import registry
from bot.models.facts import facts, fill, said
from bot.texts import (
    account,
    admin,
    conversation,
    merge,
    outcomes,
    payments,
    public,
    requests,
    results,
    status,
)

DEFAULT_LANGUAGE: Final = "en"
LANGUAGES: Final = ("en", "zh")

# As written: the limits still `{named}`; MESSAGES is what users see.
TEMPLATES: Final = merge(
    requests.TEXTS,
    status.TEXTS,
    results.TEXTS,
    account.TEXTS,
    admin.TEXTS,
    payments.TEXTS,
    public.TEXTS,
    conversation.TEXTS,
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


# The reply language the user of the update being handled chose in /settings (None: their
# Telegram's). Set once per update (handlers/settings.py) and where a job is made, so every
# handler's `t(key, user.language_code)` follows the choice without threading it through.
# Each update runs in its own task (a copy of the context), so it never leaks to another
# user's update; job tasks are started by the scheduler and use the job's stored language.
# Timers (PTB's JobQueue) inherit the context of whichever update armed them, so a timer
# that speaks to a user sets that user's choice first (handlers/conversation.py, and
# start_generation for albums).
_chosen: ContextVar[str | None] = ContextVar("reply_language", default=None)


def choose_language(lang: str | None) -> None:
    """Replies for the rest of this update (and what it starts) are in `lang`."""
    _chosen.set(lang if lang in LANGUAGES else None)


def language_of(code: str | None) -> str:
    """Telegram's `language_code` ('zh-hans', 'en-US', ...) -> a catalogue language, unless
    the user chose one in /settings."""
    chosen = _chosen.get()
    if chosen is not None:
        return chosen
    if code and code.lower().startswith("zh"):
        return "zh"
    return DEFAULT_LANGUAGE
