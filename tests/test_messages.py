"""The message catalogue: complete, consistent between languages, within Telegram's limits."""

from __future__ import annotations

import string

import pytest

from bot.messages import MESSAGES, language_of, t
from bot.models import registry
from bot.texts import account, admin, merge, requests, results, status

TELEGRAM_TEXT_LIMIT = 4096


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("key", sorted(MESSAGES))
def test_every_text_has_english_and_matching_placeholders(key: str) -> None:
    entry = MESSAGES[key]
    assert entry.get("en"), f"{key} has no English text"
    for lang, text in entry.items():
        assert _fields(text) == _fields(entry["en"]), f"{key}/{lang} placeholders differ"


@pytest.mark.parametrize("key", sorted(MESSAGES))
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_texts_fit_telegram_with_long_values(key: str, lang: str) -> None:
    # Fill every placeholder with a long value: the worst case the bot formats is a
    # 200-character piece (prompts in /jobs are cut to 60, URLs are short).
    values = dict.fromkeys(_fields(MESSAGES[key]["en"]), "x" * 200)
    assert 1 <= len(t(key, lang, **values)) <= TELEGRAM_TEXT_LIMIT


def test_language_choice_falls_back_to_english() -> None:
    assert language_of("zh-hans") == "zh"
    assert language_of("en-US") == "en"
    assert language_of(None) == "en"
    assert language_of("de") == "en"
    assert t("btn_again", "de") == MESSAGES["btn_again"]["en"]


def test_failures_say_nothing_was_charged() -> None:
    for key in (k for k in MESSAGES if k.startswith("err_")):
        assert "Nothing was charged" in MESSAGES[key]["en"], key


def test_a_key_defined_twice_is_refused() -> None:
    with pytest.raises(ValueError, match="btn_again"):
        merge(results.TEXTS, {"btn_again": {"en": "Again"}})
    assert merge({"a": {"en": "A"}}, {"b": {"en": "B"}}) == {"a": {"en": "A"}, "b": {"en": "B"}}


def test_the_catalogue_is_the_areas_plus_the_registry() -> None:
    areas = (requests, status, results, account, admin)
    sizes = sum(len(area.TEXTS) for area in areas) + len(registry.texts())
    assert len(MESSAGES) == sizes
