"""The digest's trend chart: mood, eNPS, comment sentiment and response rate per week, as PNG bytes.

Drawn with matplotlib's object API on the Agg canvas (no display, no pyplot state, safe in threads).
A withheld week is a gap with a grey band, never a point; a week without a pulse is simply empty. The
title gives the weeks' dates with the year, and the week the digest is about is marked, so a chart
forwarded on its own still says what it shows.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from matplotlib import rc_context
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from pulsebot.i18n import ENGLISH, N_, Translator
from pulsebot.services.digest.digests import Digest

INK = "#1d3557"
MUTED = "#6c757d"
HIDDEN_BAND = "#e9ecef"
MARKED_BAND = "#fff3bf"
SERIES_COLOURS = {"mood": "#1d3557", "enps": "#7b2cbf", "sentiment": "#2a9d8f", "answered": "#e76f51"}
# name, axis label (in the reader's language where drawn), axis limits, reference line, how the latest
# value is written (its decimals, signed or not; "%" for a rate)
PANELS = (
    ("mood", N_("Mood (1–5)"), (1, 5), 3.0, (1, False)),
    ("enps", "eNPS", (-100, 100), 0.0, (0, True)),
    ("sentiment", N_("Comment sentiment"), (-1, 1), 0.0, (2, True)),
    ("answered", N_("Answered (%)"), (0, 100), None, None),
)


@dataclass(frozen=True)
class ChartWeek:
    week: date
    hidden: bool  # withheld under the anonymity threshold
    mood: float | None = None
    enps: float | None = None
    sentiment: float | None = None
    answered: float | None = None  # the response rate, in percent


def date_range(first_week: date, last_week: date, tr: Translator = ENGLISH) -> str:
    """`31 Aug – 22 Nov 2026` (Monday of the first week to Sunday of the last), the year on both ends when
    they differ."""
    end = last_week + timedelta(days=6)
    start = tr.short_day(first_week) + (f" {first_week.year}" if first_week.year != end.year else "")
    return f"{start} – {tr.short_day(end)} {end.year}"


def trend_figure(
    weeks: Sequence[ChartWeek],
    *,
    title: str,
    min_group: int,
    marked: date | None = None,
    tr: Translator = ENGLISH,
) -> Figure:
    """The chart, its words in its reader's language (`tr`); `marked` is the Monday of the week to
    highlight (the digest's)."""
    _ = tr.gettext
    figure = Figure(figsize=(8, 8), dpi=110, layout="constrained")
    FigureCanvasAgg(figure)
    if weeks:
        title = f"{title}\n{date_range(weeks[0].week, weeks[-1].week, tr)}"
    figure.suptitle(title, color=INK, fontsize=13, fontweight="bold")
    axes = figure.subplots(len(PANELS), 1, sharex=True)
    x = list(range(len(weeks)))
    marked_index = next((i for i, week in enumerate(weeks) if week.week == marked), None)
    for ax, (name, label, limits, reference, number) in zip(axes, PANELS, strict=True):
        values = [math.nan if w.hidden or getattr(w, name) is None else getattr(w, name) for w in weeks]
        if marked_index is not None:
            ax.axvspan(marked_index - 0.45, marked_index + 0.45, color=MARKED_BAND, zorder=0, linewidth=0)
        for index, week in enumerate(weeks):
            if week.hidden:
                ax.axvspan(index - 0.45, index + 0.45, color=HIDDEN_BAND, zorder=0, linewidth=0)
                if ax is axes[0]:
                    ax.text(
                        index,
                        sum(limits) / 2,
                        _("hidden"),
                        rotation=90,
                        ha="center",
                        va="center",
                        color=MUTED,
                        fontsize=8,
                    )
        if reference is not None:
            ax.axhline(reference, color=MUTED, linewidth=0.6, linestyle=":", zorder=1)
        ax.plot(x, values, color=SERIES_COLOURS[name], linewidth=2, marker="o", markersize=5, zorder=3)
        last = next((i for i in range(len(values) - 1, -1, -1) if not math.isnan(values[i])), None)
        if last is not None:
            ax.annotate(
                tr.percent(values[last] / 100)
                if number is None
                else tr.fixed(values[last], number[0], signed=number[1]),
                (last, values[last]),
                xytext=(6, 6),
                textcoords="offset points",
                color=SERIES_COLOURS[name],
                fontsize=9,
                fontweight="bold",
            )
        ax.set_ylim(*_padded(limits))
        ax.set_ylabel(_(label), color=INK, fontsize=9)
        ax.tick_params(colors=MUTED, labelsize=8)
        ax.grid(axis="y", color=HIDDEN_BAND, linewidth=0.8)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        for side in ("left", "bottom"):
            ax.spines[side].set_color(HIDDEN_BAND)
    # Up to 26 weeks (the digest's longest) every week is labelled; a longer trend every few weeks.
    step = 1 if len(weeks) <= 26 else math.ceil(len(weeks) / 13)
    labels = [tr.short_day(w.week) if (len(weeks) - 1 - i) % step == 0 else "" for i, w in enumerate(weeks)]
    axes[-1].set_xticks(x, labels, rotation=0)
    axes[-1].set_xlim(-0.6, len(weeks) - 0.4)
    notes = []
    if marked_index is not None:
        axes[-1].get_xticklabels()[marked_index].set_fontweight("bold")
        notes.append(_("Highlighted: the week of {day}.").format(day=tr.short_day(weeks[marked_index].week)))
    if any(week.hidden for week in weeks):
        notes.append(
            _("Grey weeks are hidden: fewer than {min_group} people answered.").format(min_group=min_group)
        )
    if notes:
        figure.supxlabel("  ".join(notes), color=MUTED, fontsize=8)
    return figure


def trend_png(
    weeks: Sequence[ChartWeek],
    *,
    title: str,
    min_group: int,
    marked: date | None = None,
    tr: Translator = ENGLISH,
) -> bytes:
    figure = trend_figure(weeks, title=title, min_group=min_group, marked=marked, tr=tr)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


@dataclass(frozen=True)
class SvgChart:
    """The trend chart as SVG, with where each week's column is drawn, so a page can lay a label over it."""

    svg: bytes
    width: float  # in the SVG's units (points), as its viewBox gives them
    height: float
    columns: tuple[
        tuple[float, float, float, float], ...
    ]  # each week's (x, y, width, height), top-left origin


def trend_svg_chart(
    weeks: Sequence[ChartWeek], *, title: str, min_group: int, marked: date | None = None
) -> SvgChart:
    """The same chart as `trend_png`, as SVG for the web dashboard: text kept as text (smaller, and
    readable by a screen reader's find), no creation date, so the same figures give the same bytes."""
    with rc_context({"svg.fonttype": "none", "svg.hashsalt": "pulsebot"}):
        figure = trend_figure(weeks, title=title, min_group=min_group, marked=marked)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    # The layout is settled once drawn; the axes' places, as fractions of the figure, hold at any dpi.
    width, height = (inches * 72 for inches in figure.get_size_inches())
    top, bottom = figure.axes[0].get_position(), figure.axes[-1].get_position()
    low, high = figure.axes[-1].get_xlim()
    per_week = bottom.width / (high - low) * width
    columns = tuple(
        (
            (bottom.x0 + (index - 0.5 - low) / (high - low) * bottom.width) * width,
            (1 - top.y1) * height,
            per_week,
            (top.y1 - bottom.y0) * height,
        )
        for index in range(len(weeks))
    )
    return SvgChart(svg=buffer.getvalue(), width=width, height=height, columns=columns)


def chart_weeks(digest: Digest) -> list[ChartWeek]:
    return [
        ChartWeek(
            week=week.week,
            hidden=week.suppressed,
            mood=week.score if week.shown else None,
            enps=week.enps if week.shown else None,
            sentiment=week.sentiment if week.shown else None,
            answered=100 * week.response_rate if week.shown and week.response_rate is not None else None,
        )
        for week in digest.trend
    ]


def digest_chart(digest: Digest, tr: Translator = ENGLISH) -> bytes | None:
    """The digest's trend chart in its reader's language, or None when not one week of it may be shown."""
    if not digest.has_chart_points:
        return None
    weeks = len(digest.trend)
    title = tr.ngettext("{title}: the last week", "{title}: the last {count} weeks", weeks).format(
        title=digest.title, count=weeks
    )
    return trend_png(chart_weeks(digest), title=title, min_group=digest.min_group, marked=digest.week, tr=tr)


def _padded(limits: tuple[float, float]) -> tuple[float, float]:
    low, high = limits
    pad = (high - low) * 0.06
    return low - pad, high + pad
