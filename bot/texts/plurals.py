"""Numbers with their nouns, worded per language: "1 credit", "2 credits", "2 个任务", "2nd".

A text never writes "credit(s)": it takes `{credits}` and the caller passes
`Count(amount, "credit")`, which `bot.messages.t` words in the reader's language (the same
way it words a `Choices`). English has two forms (CLDR "one" is exactly 1, written without
decimals: "1 credit", "1.5 credits"); Chinese has one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from bot.credits import format_credits

# noun -> language -> (one, other); "{n}" is the number as written.
NOUNS: Final[dict[str, dict[str, tuple[str, str]]]] = {
    "credit": {"en": ("{n} credit", "{n} credits"), "zh": ("{n} 点", "{n} 点")},
    "job": {"en": ("{n} job", "{n} jobs"), "zh": ("{n} 个任务", "{n} 个任务")},
    "day": {"en": ("{n} day", "{n} days"), "zh": ("{n} 天", "{n} 天")},
    "photo": {"en": ("{n} photo", "{n} photos"), "zh": ("{n} 张照片", "{n} 张照片")},
    "purchase": {"en": ("{n} purchase", "{n} purchases"), "zh": ("{n} 次购买", "{n} 次购买")},
    "picture": {"en": ("{n} picture", "{n} pictures"), "zh": ("{n} 张图片", "{n} 张图片")},
}


def plural_form(written: str, lang: str) -> int:
    """0 for the "one" form, 1 for "other". Only English distinguishes them here."""
    return 0 if lang == "en" and written == "1" else 1


@dataclass(frozen=True, slots=True)
class Count:
    """`n` (an int, or a number already written, like "1.5") with its noun."""

    n: int | str
    noun: str

    def spoken(self, lang: str) -> str:
        forms = NOUNS[self.noun].get(lang) or NOUNS[self.noun]["en"]
        written = str(self.n)
        return forms[plural_form(written, lang)].format(n=written)


def credit_count(hundredths: int) -> Count:
    """An amount of credits (kept in hundredths) as the texts say it: "1 credit", "2.5 credits"."""
    return Count(format_credits(hundredths), "credit")


def _english_ordinal(n: int) -> str:
    if 10 <= n % 100 <= 20:
        return f"{n}th"
    return f"{n}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th') }"


@dataclass(frozen=True, slots=True)
class Ordinal:
    """A place in a line: "1st", "2nd", "23rd" in English; the bare number in Chinese
    (whose texts say "第 {position} 位")."""

    n: int

    def spoken(self, lang: str) -> str:
        return _english_ordinal(self.n) if lang == "en" else str(self.n)
