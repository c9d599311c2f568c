"""The digest's trend chart: mood, eNPS and comment sentiment per week, as PNG bytes.

Drawn with matplotlib's object API on the Agg canvas (no display, no pyplot state, safe in threads).
A withheld week is a gap with a grey band, never a point; a week without a pulse is simply empty.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from pulsebot.services.digests import Digest

INK = "#1d3557"
MUTED = "#6c757d"
HIDDEN_BAND = "#e9ecef"
SERIES_COLOURS = {"mood": "#1d3557", "enps": "#7b2cbf", "sentiment": "#2a9d8f"}


@dataclass(frozen=True)
class ChartWeek:
    week: date
    hidden: bool  # withheld under the anonymity threshold
    mood: float | None = None
    enps: float | None = None
    sentiment: float | None = None


def trend_figure(weeks: Sequence[ChartWeek], *, title: str, min_group: int) -> Figure:
    figure = Figure(figsize=(8, 6.4), dpi=110, layout="constrained")
    FigureCanvasAgg(figure)
    figure.suptitle(title, color=INK, fontsize=13, fontweight="bold")
    axes = figure.subplots(3, 1, sharex=True)
    x = list(range(len(weeks)))
    panels = (
        ("mood", "Mood (1–5)", (1, 5), 3.0, "{:.1f}"),
        ("enps", "eNPS", (-100, 100), 0.0, "{:+.0f}"),
        ("sentiment", "Comment sentiment", (-1, 1), 0.0, "{:+.2f}"),
    )
    for ax, (name, label, limits, reference, number) in zip(axes, panels, strict=True):
        values = [math.nan if w.hidden or getattr(w, name) is None else getattr(w, name) for w in weeks]
        for index, week in enumerate(weeks):
            if week.hidden:
                ax.axvspan(index - 0.45, index + 0.45, color=HIDDEN_BAND, zorder=0, linewidth=0)
                if ax is axes[0]:
                    ax.text(
                        index,
                        sum(limits) / 2,
                        "hidden",
                        rotation=90,
                        ha="center",
                        va="center",
                        color=MUTED,
                        fontsize=8,
                    )
        ax.axhline(reference, color=MUTED, linewidth=0.6, linestyle=":", zorder=1)
        ax.plot(x, values, color=SERIES_COLOURS[name], linewidth=2, marker="o", markersize=5, zorder=3)
        last = next((i for i in range(len(values) - 1, -1, -1) if not math.isnan(values[i])), None)
        if last is not None:
            ax.annotate(
                number.format(values[last]),
                (last, values[last]),
                xytext=(6, 6),
                textcoords="offset points",
                color=SERIES_COLOURS[name],
                fontsize=9,
                fontweight="bold",
            )
        ax.set_ylim(*_padded(limits))
        ax.set_ylabel(label, color=INK, fontsize=9)
        ax.tick_params(colors=MUTED, labelsize=8)
        ax.grid(axis="y", color=HIDDEN_BAND, linewidth=0.8)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        for side in ("left", "bottom"):
            ax.spines[side].set_color(HIDDEN_BAND)
    axes[-1].set_xticks(x, [f"{w.week.day} {w.week:%b}" for w in weeks], rotation=0)
    axes[-1].set_xlim(-0.6, len(weeks) - 0.4)
    if any(week.hidden for week in weeks):
        figure.supxlabel(
            f"Grey weeks are hidden: fewer than {min_group} people answered.", color=MUTED, fontsize=8
        )
    return figure


def trend_png(weeks: Sequence[ChartWeek], *, title: str, min_group: int) -> bytes:
    figure = trend_figure(weeks, title=title, min_group=min_group)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def chart_weeks(digest: Digest) -> list[ChartWeek]:
    return [
        ChartWeek(
            week=week.week,
            hidden=week.suppressed,
            mood=week.score if week.shown else None,
            enps=week.enps if week.shown else None,
            sentiment=week.sentiment if week.shown else None,
        )
        for week in digest.trend
    ]


def digest_chart(digest: Digest) -> bytes | None:
    """The digest's trend chart, or None when not one week of it may be shown."""
    if not digest.has_chart_points:
        return None
    title = f"{digest.title}: the last {len(digest.trend)} weeks"
    return trend_png(chart_weeks(digest), title=title, min_group=digest.min_group)


def _padded(limits: tuple[float, float]) -> tuple[float, float]:
    low, high = limits
    pad = (high - low) * 0.06
    return low - pad, high + pad
