"""The /stats chart: readable buckets for short and long periods, a real PNG, bars never walls."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from PIL import Image

from bot import charts
from bot.charts import COLOURS, OTHER, bars_for, jobs_chart, nice_step

TODAY = date(2026, 11, 26)


def period(days: int) -> list[str]:
    return [(TODAY - timedelta(days=back)).isoformat() for back in range(days - 1, -1, -1)]


def busy(days: list[str]) -> dict[str, dict[str, int]]:
    return {day: {"done": 3, "failed": 1, "running": 1} for day in days}


@pytest.fixture
def no_cjk_font(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A machine without any CJK font: Pillow's own font only."""
    monkeypatch.setattr(charts, "CJK_FONT_GLOBS", ())
    charts.cjk_font_path.cache_clear()
    charts.font.cache_clear()
    yield
    monkeypatch.undo()
    charts.cjk_font_path.cache_clear()
    charts.font.cache_clear()


@pytest.mark.parametrize(
    ("days", "unit", "bars"),
    [(1, "day", 1), (7, "day", 7), (30, "day", 30), (31, "day", 31), (32, "week", 5),
     (120, "week", 18), (366, "month", 13)],
)  # fmt: skip
def test_long_periods_are_bucketed_into_weeks_then_months(days: int, unit: str, bars: int):
    found_unit, found = bars_for(period(days), busy(period(days)))
    assert (found_unit, len(found)) == (unit, bars)
    assert sum(bar.total for bar in found) == 5 * days  # nothing lost or counted twice


def test_states_that_are_not_final_are_one_in_progress_segment() -> None:
    _, (bar,) = bars_for(["2026-11-26"], {"2026-11-26": {"done": 2, "queued": 1, "running": 3}})
    assert bar.counts == {"done": 2, OTHER: 4}


def test_labels_name_the_first_day_of_each_bucket() -> None:
    _, weeks = bars_for(period(62), {})  # from Saturday 2026-09-26
    assert [weeks[0].label, weeks[1].label] == ["09-26", "09-28"]  # then Mondays
    _, months = bars_for(period(366), {})
    assert [months[0].label, months[-1].label] == ["2025-11", "2026-11"]


@pytest.mark.parametrize(("peak", "step"), [(1, 1), (5, 1), (6, 2), (11, 5), (26, 10), (990, 200)])
def test_gridlines_step_in_ones_twos_and_fives(peak: int, step: int) -> None:
    assert nice_step(peak) == step


def bar_widths(png: bytes, colour: tuple[int, int, int]) -> list[int]:
    """Widths of the runs of `colour` along the row just above the x axis."""
    image = Image.open(io.BytesIO(png)).convert("RGB")
    row = charts.SIZE[1] - charts.BOTTOM - 2
    widths: list[int] = []
    run = 0
    for x in range(image.width):
        if image.getpixel((x, row)) == colour:
            run += 1
        elif run:
            widths.append(run)
            run = 0
    return widths


@pytest.mark.parametrize("days", [1, 7, 30, 366])
@pytest.mark.parametrize("lang", ["en", "zh-hans"])
def test_chart_is_a_png_with_one_bar_per_bucket(days: int, lang: str) -> None:
    png = jobs_chart(period(days), busy(period(days)), lang)
    with Image.open(io.BytesIO(png)) as image:
        assert (image.format, image.size) == ("PNG", charts.SIZE)
    widths = bar_widths(png, COLOURS["done"])
    assert len(widths) == len(bars_for(period(days), {})[1])
    assert max(widths) <= charts.BAR_MAX_WIDTH + 1  # one day is a bar, not a wall


def test_chart_without_jobs_still_renders() -> None:
    png = jobs_chart(["2026-11-21"], {}, "en")
    assert Image.open(io.BytesIO(png)).format == "PNG"
    assert bar_widths(png, COLOURS["done"]) == []


def test_chinese_titles_fall_back_to_english_without_a_cjk_font(no_cjk_font: None) -> None:
    assert charts.drawable_language("zh-hans") == "en"
    assert Image.open(io.BytesIO(jobs_chart(period(7), {}, "zh"))).format == "PNG"


def test_chinese_titles_when_a_cjk_font_is_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(charts, "cjk_font_path", lambda: "/fonts/cjk.ttc")
    assert charts.drawable_language("zh-hans") == "zh"
    assert charts.drawable_language("de") == "en"
