"""The `/stats` chart: jobs per day, week or month by outcome, as a PNG drawn with Pillow.

Long periods are bucketed (days up to a month, weeks up to ~4 months, months beyond) so bars
stay wide enough to read; bar widths are capped and date labels thinned so they never overlap.
Texts come from the message catalogue in the admin's language when a font with CJK glyphs is
installed, else in English (Pillow's own font has none, and tofu boxes help nobody).
Rendering is CPU work of a few tens of milliseconds: callers run it in a thread.
"""

from __future__ import annotations

import functools
import glob
import io
import math
from dataclasses import dataclass, field
from datetime import date, timedelta

from PIL import Image, ImageDraw, ImageFont

from bot.messages import language_of, t
from bot.texts.plurals import Count

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont

SIZE = (800, 400)
LEFT, RIGHT, TOP, BOTTOM = 56, 20, 78, 40  # plot margins: y labels, -, title+legend, x labels
OTHER = "other"  # any state that is not final yet
COLOURS = {
    "done": (58, 157, 93),
    "failed": (208, 69, 58),
    "cancelled": (154, 154, 154),
    OTHER: (74, 123, 208),
}
INK, GRID, MUTED = (40, 40, 40), (228, 228, 228), (110, 110, 110)
DAILY_UP_TO, WEEKLY_UP_TO = 31, 120  # days in the period
BAR_MAX_WIDTH = 48  # px: one day alone is a bar, not a wall
# Fonts with CJK glyphs in the usual places (Debian/Ubuntu, Alpine, macOS, Windows); first wins.
CJK_FONT_GLOBS: tuple[str, ...] = (
    "/usr/share/fonts/**/NotoSansCJK*-Regular.tt[co]",
    "/usr/share/fonts/**/NotoSans*CJK*.tt[cfo]",
    "/usr/share/fonts/**/NotoSansSC*.[ot]tf",
    "/usr/share/fonts/**/wqy-microhei.ttc",
    "/usr/share/fonts/**/wqy-zenhei.ttc",
    "/usr/share/fonts/**/DroidSansFallback*.ttf",
    "/usr/local/share/fonts/**/*CJK*.tt[cfo]",
    "/System/Library/Fonts/PingFang.ttc",
    "/System/Library/Fonts/STHeiti Light.ttc",
    "C:/Windows/Fonts/msyh.ttc",
)


@dataclass
class Bar:
    """One bucket of the period: its x label and job counts per outcome."""

    label: str
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def unit_for(days: int) -> str:
    """The bucket a period is drawn in: 'day', 'week' or 'month'."""
    if days <= DAILY_UP_TO:
        return "day"
    return "week" if days <= WEEKLY_UP_TO else "month"


def _bucket_of(day: date, unit: str) -> date:
    """The first day of the bucket `day` falls in (weeks start on Monday)."""
    if unit == "week":
        return day - timedelta(days=day.weekday())
    return day.replace(day=1) if unit == "month" else day


def _label(first_day: date, unit: str) -> str:
    return first_day.strftime("%Y-%m" if unit == "month" else "%m-%d")


def bars_for(days: list[str], per_day: dict[str, dict[str, int]]) -> tuple[str, list[Bar]]:
    """Bucket the period's days (ISO dates, oldest first) and sum their jobs by outcome."""
    unit = unit_for(len(days))
    bars: dict[date, Bar] = {}
    for iso in days:
        day = date.fromisoformat(iso)
        bar = bars.setdefault(_bucket_of(day, unit), Bar(_label(day, unit)))
        for state, count in per_day.get(iso, {}).items():
            outcome = state if state in COLOURS else OTHER
            bar.counts[outcome] = bar.counts.get(outcome, 0) + count
    return unit, list(bars.values())


@functools.cache
def cjk_font_path() -> str | None:
    """The first installed font with CJK glyphs, if any."""
    for pattern in CJK_FONT_GLOBS:
        found = sorted(glob.glob(pattern, recursive=True))
        if found:
            return found[0]
    return None


@functools.cache
def font(size: int) -> Font:
    path = cjk_font_path()
    return ImageFont.truetype(path, size) if path else ImageFont.load_default(size=size)


def drawable_language(lang: str | None) -> str:
    """The admin's catalogue language, or English when no installed font can draw it."""
    language = language_of(lang)
    return language if language == "en" or cjk_font_path() else "en"


def nice_step(peak: int, ticks: int = 5) -> int:
    """A 1-2-5 gridline step giving at most `ticks` lines up to `peak`."""
    magnitude = 1
    while True:
        for multiple in (1, 2, 5):
            if peak <= multiple * magnitude * ticks:
                return multiple * magnitude
        magnitude *= 10


@dataclass(frozen=True)
class Plot:
    """The plotting box in pixels and the count at its top edge."""

    x0: int
    y0: int
    x1: int
    y1: int
    top: int

    def y(self, value: float) -> float:
        return self.y1 - value / self.top * (self.y1 - self.y0)


def _header(draw: ImageDraw.ImageDraw, title: str, lang: str) -> None:
    draw.text((LEFT, 12), title, fill=INK, font=font(20))
    x = LEFT
    for outcome, colour in COLOURS.items():
        key = "chart_other" if outcome == OTHER else f"stats_outcome_{outcome}"
        text = t(key, lang)
        draw.rectangle((x, 48, x + 11, 59), fill=colour)
        draw.text((x + 16, 54), text, fill=INK, font=font(14), anchor="lm")
        x += 16 + int(draw.textlength(text, font=font(14))) + 22


def _y_axis(draw: ImageDraw.ImageDraw, plot: Plot, step: int, lang: str) -> None:
    for value in range(0, plot.top + 1, step):
        y = round(plot.y(value))
        draw.line((plot.x0, y, plot.x1, y), fill=GRID if value else MUTED)
        draw.text((plot.x0 - 8, y), str(value), fill=MUTED, font=font(13), anchor="rm")
    label = t("chart_axis_jobs", lang)
    draw.text((plot.x0 - 8, plot.y0 - 8), label, fill=MUTED, font=font(13), anchor="rs")


def _bars(draw: ImageDraw.ImageDraw, plot: Plot, bars: list[Bar]) -> None:
    slot = (plot.x1 - plot.x0) / len(bars)
    half = max(1.0, min(slot * 0.72, BAR_MAX_WIDTH) / 2)
    for index, bar in enumerate(bars):
        centre = plot.x0 + slot * (index + 0.5)
        base = 0
        for outcome, colour in COLOURS.items():
            count = bar.counts.get(outcome, 0)
            if count:
                upper = min(plot.y(base + count), plot.y(base) - 1)  # at least a pixel
                draw.rectangle((centre - half, upper, centre + half, plot.y(base)), fill=colour)
                base += count
        total = str(bar.total)
        if bar.total and draw.textlength(total, font=font(12)) < slot:
            draw.text((centre, plot.y(base) - 3), total, fill=INK, font=font(12), anchor="ms")


def _x_labels(draw: ImageDraw.ImageDraw, plot: Plot, bars: list[Bar]) -> None:
    """Every k-th label, counted back from the newest so the current bucket is always named."""
    slot = (plot.x1 - plot.x0) / len(bars)
    widest = max(draw.textlength(bar.label, font=font(13)) for bar in bars)
    every = math.ceil((widest + 10) / slot)
    for index, bar in enumerate(bars):
        if (len(bars) - 1 - index) % every == 0:
            centre = plot.x0 + slot * (index + 0.5)
            draw.text((centre, plot.y1 + 8), bar.label, fill=MUTED, font=font(13), anchor="mt")


def jobs_chart(days: list[str], per_day: dict[str, dict[str, int]], lang: str | None) -> bytes:
    """Stacked bars by outcome over the period `days` (ISO dates, oldest first), as a PNG."""
    lang = drawable_language(lang)
    unit, bars = bars_for(days, per_day)
    peak = max([bar.total for bar in bars] + [1])
    step = nice_step(peak)
    plot = Plot(LEFT, TOP, SIZE[0] - RIGHT, SIZE[1] - BOTTOM, step * math.ceil(peak / step))
    image = Image.new("RGB", SIZE, "white")
    draw = ImageDraw.Draw(image)
    _header(draw, t(f"chart_title_{unit}", lang, days=Count(len(days), "day")), lang)
    _y_axis(draw, plot, step, lang)
    _bars(draw, plot, bars)
    _x_labels(draw, plot, bars)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
