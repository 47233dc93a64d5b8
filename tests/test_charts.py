"""The /stats chart is a real PNG with one bar slot per day of the period."""

from __future__ import annotations

import io

from PIL import Image

from bot.charts import jobs_chart


def test_chart_is_a_png_covering_every_day() -> None:
    days = [f"2026-11-{d:02d}" for d in range(15, 22)]
    per_day = {"2026-11-17": {"done": 3, "failed": 1}, "2026-11-21": {"done": 2, "queued": 1}}
    data = jobs_chart(days, per_day, "Jobs per day, last 7 day(s)")
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG"
    assert image.size == (800, 400)
    image.load()
    colours = image.convert("RGB").getcolors(maxcolors=1 << 16)
    assert colours is not None and len(colours) > 3  # bars and text, not a blank picture


def test_chart_without_jobs_still_renders() -> None:
    data = jobs_chart(["2026-11-21"], {}, "Jobs per day, last 1 day(s)")
    assert Image.open(io.BytesIO(data)).format == "PNG"
