"""The `/stats` chart: jobs per day by outcome, as a PNG (headless matplotlib)."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")  # no display on a server; must be chosen before pyplot is imported

import matplotlib.pyplot as plt
from matplotlib.ticker import MaxNLocator

OUTCOME_COLOURS = {"done": "#3a9d5d", "failed": "#d0453a", "cancelled": "#9a9a9a"}


def jobs_chart(days: list[str], per_day: dict[str, dict[str, int]], title: str) -> bytes:
    """Stacked bars, one per day of the period (days without jobs show as empty)."""
    per_day = {day: per_day.get(day, {}) for day in days}
    figure, axes = plt.subplots(figsize=(8, 4), dpi=100)
    try:
        bottom = [0] * len(days)
        for outcome, colour in OUTCOME_COLOURS.items():
            counts = [per_day[day].get(outcome, 0) for day in days]
            axes.bar(days, counts, bottom=bottom, color=colour, label=outcome)
            bottom = [b + c for b, c in zip(bottom, counts, strict=True)]
        other = [
            sum(v for k, v in per_day[day].items() if k not in OUTCOME_COLOURS) for day in days
        ]
        axes.bar(days, other, bottom=bottom, color="#4a7bd0", label="in progress")
        axes.set_title(title)
        axes.set_ylabel("jobs")
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        axes.legend(loc="upper left")
        axes.tick_params(axis="x", labelrotation=45)
        figure.tight_layout()
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
        return buffer.getvalue()
    finally:
        plt.close(figure)
