"""A released period's segments × drivers as PNG: each cell coloured by its segment's driver mean, hidden
cells grey and labelled with why (too few, remainder, …), drawn on the teams' heatmap grid
(heatmap_chart.py). It draws released figures only (services/segments/segment_views.py)."""

from __future__ import annotations

from matplotlib.figure import Figure

from pulsebot.heatmap_chart import GridCell, grid_figure, png_of
from pulsebot.services.segments.segment_text import WHY, period_words
from pulsebot.services.segments.segment_views import SegmentTable, measure_name


def segment_heatmap_figure(table: SegmentTable) -> Figure:
    cells = {}
    for r, row in enumerate(table.rows):
        for c, driver in enumerate(table.drivers):
            figure = row.figure(driver)
            if figure is None:
                continue  # not asked: a dash
            cells[r, c] = GridCell(score=figure.value) if figure.shown else GridCell(hidden=figure.hidden)
    used = [why for why in WHY if any(cell.hidden == why for cell in cells.values())]
    reasons = "".join(f"\n{why}: {WHY[why].format(min_group=table.min_group)}" for why in used)
    return grid_figure(
        rows=[row.key for row in table.rows],
        columns=[measure_name(driver) for driver in table.drivers],
        cells=cells,
        title=f"Drivers by {table.table}, {period_words(table)}",
        footnote="A dash: not asked."
        + (f" Grey cells are hidden, labelled why:{reasons}" if reasons else ""),
    )


def segment_heatmap_png(table: SegmentTable) -> bytes:
    return png_of(segment_heatmap_figure(table))
