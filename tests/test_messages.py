"""The message catalogue: complete, consistent between languages, within Telegram's limits."""

from __future__ import annotations

import string

import pytest

from bot.evolink import limits
from bot.messages import MESSAGES, TEMPLATES, language_of, t
from bot.models import qwen_image_edit, registry
from bot.models.facts import facts, fill_text
from bot.models.spec import Choices, Fact
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
from bot.texts.plurals import Count, Ordinal

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
    areas = (requests, status, results, account, admin, payments, public, conversation, outcomes)
    sizes = sum(len(area.TEXTS) for area in areas) + len(registry.texts())
    assert len(MESSAGES) == sizes


# --- limits stated from the registry (issue 8) ------------------------------------------------


@pytest.mark.parametrize("key", sorted(TEMPLATES))
def test_templates_name_the_same_facts_in_every_language(key: str) -> None:
    entry = TEMPLATES[key]
    for lang, text in entry.items():
        assert _fields(text) == _fields(entry["en"]), f"{key}/{lang} placeholders differ"


def _stated_values() -> list[str]:
    """The facts that look like limits ("1-4", "5|10", "768x768", "wan|qwen", "4:1")."""
    values = [value for value in facts().values() if isinstance(value, str)]
    return [value for value in values if len(value) >= 3 and not value.isdigit()]


@pytest.mark.parametrize("key", sorted(TEMPLATES))
def test_no_text_writes_a_limit_as_a_literal(key: str) -> None:
    for lang, text in TEMPLATES[key].items():
        for value in _stated_values():
            assert value not in text, f"{key}/{lang} writes {value!r}: use its placeholder"


def test_usage_help_and_menu_texts_are_complete_after_filling() -> None:
    for key in (k for k in MESSAGES if k.startswith(("usage_", "help_", "cmd_"))):
        for lang, text in MESSAGES[key].items():
            assert not _fields(text), f"{key}/{lang} still has {_fields(text)}"


def test_help_and_usage_state_what_the_registry_allows() -> None:
    n_range = f"--n {limits.N_MIN}-{limits.N_MAX}"
    assert n_range in t("help_imagine", "en") and n_range in t("usage_edit", "zh")
    models = "--model " + "|".join(registry.aliases("edit"))
    assert models in t("usage_edit", "en") and models in t("help_edit", "zh")
    assert f"{n_range} (wan only)" in t("help_edit", "en")
    assert f"{n_range}（仅 wan）" in t("help_edit", "zh")
    qwen = registry.by_name(qwen_image_edit.NAME).inputs
    assert qwen is not None and f"up to {qwen.max_images} photos" in t("hint_use_qwen", "en")
    qualities = "|".join(limits.VIDEO_QUALITIES)
    assert f"--quality {qualities}" in t("help_animate", "zh")
    assert "768x768 to 1440x1440" in t("usage_imagine", "en")


def test_choices_are_worded_per_language() -> None:
    aliases = Choices(registry.aliases("edit"))
    assert t("bad_model", "en", value="x", choices=aliases) == (
        "--model must be wan or qwen, not x."
    )
    assert "wan 或 qwen" in t("bad_model", "zh", value="x", choices=aliases)
    assert t("bad_quality", "en", value="4k").startswith("--quality must be 480p, 720p or 1080p")
    assert "16:9、9:16 和 1:1" in t("video_ar_quality", "zh", ar="4:3", quality="480p")


def test_filling_keeps_the_run_time_placeholders() -> None:
    known: dict[str, Fact] = {"n_range": "1-4", "pair": Choices(("a", "b"), "and")}
    assert fill_text("{value} {n_range} {pair} {x!r:>3}", known, "en") == (
        "{value} 1-4 a and b {x!r:>3}"
    )
    assert fill_text("{pair}", known, "zh") == "a 和 b"


# --- plural forms and places in line (issue 11) ---------------------------------------------


def test_counts_take_the_plural_form_english_needs() -> None:
    assert [Count(n, "credit").spoken("en") for n in ("1", "1.5", "0", "2")] == [
        "1 credit",
        "1.5 credits",
        "0 credits",
        "2 credits",
    ]
    assert Count(1, "job").spoken("en") == "1 job" and Count(3, "day").spoken("en") == "3 days"
    assert Count(1, "job").spoken("zh") == Count(2, "job").spoken("zh").replace("2", "1")
    assert [Ordinal(n).spoken("en") for n in (1, 2, 3, 4, 11, 12, 13, 21, 102, 111)] == [
        "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "102nd", "111th"
    ]  # fmt: skip
    assert Ordinal(2).spoken("zh") == "2"
    assert t("queue_full", "en", count=Count(1, "job")).startswith("You already have 1 job ")


def test_no_english_text_hedges_a_plural() -> None:
    for key, entry in MESSAGES.items():
        assert "(s)" not in entry["en"], key
