"""The organisation's page: a released period's segments × measures, read from the figures released when
the period ended (services/segments/segment_views.py), in the words of the CLI (segment_text.py), with
the segments' heatmap (segment_chart.py) drawn as SVG. Nothing is counted here: a period or table that
was not released is not found."""

from __future__ import annotations

import base64
import io
import re
import threading
from dataclasses import dataclass
from datetime import datetime

from cachetools import LRUCache
from matplotlib import rc_context
from sqlmodel import Session

from pulsebot.segment_chart import segment_heatmap_figure
from pulsebot.services.errors import NotFound
from pulsebot.services.segments import segment_text as words
from pulsebot.services.segments.periods import ENDED_AFTER, QUARTER, period_of
from pulsebot.services.segments.segment_groups import CROSS, LINE
from pulsebot.services.segments.segment_views import (
    SegmentTable,
    find_release,
    line_node_of,
    measure_name,
    released_periods,
    segment_table,
    tables_of,
    within_line,
)

DEFAULT_TABLE = "department"
ASKED_LENGTH = 60  # the most of a period or table asked for that a "not released" page repeats
# A released table never changes: each heatmap is kept, by its release, table and minimum, for the next look.
_charts: LRUCache = LRUCache(maxsize=64)
_charts_lock = threading.Lock()
_SIZE = re.compile(rb'<svg[^>]*?width="([\d.]+)pt"[^>]*?height="([\d.]+)pt"')


@dataclass(frozen=True)
class Cell:
    text: str
    hidden: bool


@dataclass(frozen=True)
class Row:
    key: str
    hidden: bool
    cells: tuple[Cell, ...]  # responses, then each measure


@dataclass(frozen=True)
class Heatmap:
    url: str  # a data: URL of the SVG
    width: float
    height: float
    title: str
    desc: str


@dataclass(frozen=True)
class OrganisationPage:
    period: str
    table: str
    title: str
    released: str
    periods: tuple[str, ...]  # every released period, newest first
    tables: tuple[str, ...]  # the tables of this period
    columns: tuple[str, ...]  # Responses, then each measure's name
    rows: tuple[Row, ...]
    reasons: tuple[str, ...]
    standouts: tuple[str, ...]
    heatmap: Heatmap | None
    node: str | None = None  # a leader's own node of the reporting line: the page shows it and those below


class NotLeading(Exception):
    """Someone not an admin with no node of the reporting line in the period asked for."""


class NotReleased(NotFound):
    """A period or table that was not released: the page says so, and which ones were."""

    def __init__(self, message: str, *, periods: tuple[str, ...] = (), tables: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.periods, self.tables = periods, tables


def table_name(asked: str | None) -> str:
    """`department x tenure`, `department*tenure` and `department × tenure` all name the crossing."""
    if not asked:
        return DEFAULT_TABLE
    parts = re.split(r"\s*[×*]\s*|\s+x\s+", asked.strip().lower())
    return CROSS.join(parts) if len(parts) == 2 else asked.strip().lower()


def organisation_page(
    session: Session, *, period: str | None, table: str | None, min_group: int, leader: str | None = None
) -> OrganisationPage:
    """The page of a released period's table; raises NotReleased for any other period or table. For a
    `leader` (not an admin): their own node of the reporting line and the nodes below it, and nothing else;
    NotLeading when the period has no node of theirs."""
    periods = tuple(release.period for release in released_periods(session))
    try:
        release = find_release(session, period=period[:ASKED_LENGTH] if period is not None else None)
    except NotFound as missing:
        raise NotReleased(missing.message, periods=periods) from None
    node = None
    if leader is not None:
        node = line_node_of(session, release=release, user=leader)
        if node is None:
            raise NotLeading(leader)
    tables = (LINE,) if node is not None else tuple(tables_of(session, release_id=release.id))
    name = LINE if node is not None and table is None else table_name(table)
    if name not in tables:
        raise NotReleased(
            f"{release.period} has no segments by “{name[:ASKED_LENGTH]}”; it has: {', '.join(tables)}.",
            periods=periods,
            tables=tables,
        )
    figures = segment_table(session, release=release, table=name, min_group=min_group)
    if node is not None:
        figures = within_line(figures, node)
    return OrganisationPage(
        period=release.period,
        table=name,
        title=f"Segments by {name}, {words.period_words(figures)}",
        released=words.released_words(figures),
        periods=periods,
        tables=tables,
        columns=("Responses", *(measure_name(measure) for measure in figures.measures)),
        rows=tuple(
            Row(
                key=row.key,
                hidden=row.hidden is not None,
                cells=(
                    Cell(words.people_text(row), row.hidden is not None),
                    *(_cell(measure, row.figure(measure)) for measure in figures.measures),
                ),
            )
            for row in figures.rows
        ),
        reasons=tuple(words.reasons(figures)),
        standouts=tuple(words.standout_lines(figures)),
        heatmap=_heatmap(figures, release_id=release.id, node=node)
        if figures.drivers and figures.rows
        else None,
        node=node,
    )


def _cell(measure: str, figure) -> Cell:
    return Cell(words.value_text(measure, figure), figure is not None and not figure.shown)


def _heatmap(table: SegmentTable, *, release_id: int, node: str | None) -> Heatmap:
    key = (release_id, table.table, table.min_group, node)
    with _charts_lock:
        found = _charts.get(key)
    if found is None:
        svg = heatmap_svg(table)
        size = _SIZE.search(svg)
        found = Heatmap(
            url="data:image/svg+xml;base64," + base64.b64encode(svg).decode(),
            width=float(size.group(1)) if size else 640.0,
            height=float(size.group(2)) if size else 480.0,
            title=f"Drivers by {table.table}, {words.period_words(table)}",
            desc=(
                "Each segment's mean of each driver (1–5), coloured from red below 2.5 to green from 4; "
                "hidden cells are grey and say why. The table above gives every figure."
            ),
        )
        with _charts_lock:
            _charts[key] = found
    return found


def heatmap_svg(table: SegmentTable) -> bytes:
    """The segments' heatmap as SVG, drawn as the team page's trend chart is (charts.trend_svg_chart):
    text kept as text, no creation date, so the same figures give the same bytes."""
    with rc_context({"svg.fonttype": "none", "svg.hashsalt": "pulsebot"}):
        figure = segment_heatmap_figure(table)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()


def not_released_yet(*, now: datetime, kind: str) -> str:
    """What the page says before the first release: when the first period can be released."""
    coming = period_of((now - ENDED_AFTER).date(), kind)
    released_from = coming.ends_on + ENDED_AFTER
    named = coming.label if kind == QUARTER else f"{coming.starts_on:%B %Y}"
    every = "quarter's" if kind == QUARTER else "month's"
    return (
        f"No period's segments are released yet. A {every} segments are released once it has ended "
        f"everywhere and every pulse of it has closed: {named}'s from {released_from.day} "
        f"{released_from:%b %Y} at the earliest."
    )
