"""The organisation's heatmap: teams × drivers, each cell coloured by the team's driver score, as PNG; and
the grid it is drawn on, which the segments' heatmap (segment_chart.py) shares.

A hidden cell (too few answered) is grey and says "hidden"; a driver a team's survey does not ask is
left white with a dash. Drawn like the trend chart (charts.py): matplotlib's object API on Agg.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import BoundaryNorm, ListedColormap, to_hex
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from pulsebot.charts import HIDDEN_BAND, INK, MUTED
from pulsebot.services.results.heatmap import CellStatus, Heatmap, drawn_teams
from pulsebot.services.survey.library import driver_name

SCORE_COLOURS = ListedColormap(["#d62828", "#f77f00", "#fcbf49", "#90be6d", "#2a9d8f"])
# Where each colour begins: below 2.5 red, then orange, amber from 3, light green from 3.5, green from 4;
# the colour bar's ticks are these thresholds, written on it.
THRESHOLDS = (1.0, 2.5, 3.0, 3.5, 4.0, 5.0)
BANDS = BoundaryNorm(THRESHOLDS, SCORE_COLOURS.N)


def shown_score(score: float) -> float:
    """The score as its cell writes it (one decimal); its colour is that figure's, so a cell reading 3.5
    is light green like every other 3.5, whatever the unrounded score."""
    return round(score + 1e-9, 1)


def band_colour(score: float) -> str:
    """The colour of a cell that reads `score`."""
    return to_hex(SCORE_COLOURS(BANDS(shown_score(score))))


def heatmap_png(grid: Heatmap, *, min_group: int) -> bytes:
    return png_of(heatmap_figure(grid, min_group=min_group))


def heatmap_figure(grid: Heatmap, *, min_group: int) -> Figure:
    """The grid, or for a large organisation the teams at both ends of it (services/results/heatmap.py),
    so the picture stays readable and quick to draw however many teams there are."""
    drawn = drawn_teams(grid)
    cells = {}
    for r, (name, _title) in enumerate(drawn.teams):
        for c, driver in enumerate(grid.drivers):
            cell = grid.cells[name, driver]
            if cell.status is CellStatus.shown:
                cells[r, c] = GridCell(score=cell.score)
            elif cell.status is CellStatus.suppressed:
                cells[r, c] = GridCell(hidden="hidden")
    heading = f"Drivers by team, each over its last pulses to {grid.through:%-d %b %Y}"
    if not drawn.all:
        heading += (
            f"\nThe {drawn.lowest} teams with the lowest average driver score and the "
            f"{len(drawn.teams) - drawn.lowest} with the highest, of {drawn.of:,}"
        )
    figure = grid_figure(
        rows=[title for _, title in drawn.teams],
        columns=[driver_name(d) for d in grid.drivers],
        cells=cells,
        title=heading,
        footnote=(
            f"Grey cells are hidden: fewer than {min_group} people answered. "
            "A dash: the team is not asked it."
        ),
    )
    if 0 < drawn.lowest < len(drawn.teams):  # a line where the lowest end and the highest meet
        figure.axes[0].axhline(drawn.lowest - 0.5, color=INK, linewidth=2)
    return figure


@dataclass(frozen=True)
class GridCell:
    """A shown score, or a hidden cell (grey) with its label; a cell left out of the grid is a dash."""

    score: float | None = None
    hidden: str | None = None


def grid_figure(
    *,
    rows: Sequence[str],
    columns: Sequence[str],
    cells: Mapping[tuple[int, int], GridCell],
    title: str,
    footnote: str,
) -> Figure:
    """Rows × columns of 1–5 scores, each cell coloured by the figure it shows (the teams' heatmap, and the
    segments' in services/segments)."""
    height, width = len(rows), len(columns)
    figure = Figure(figsize=(2.2 + 1.05 * width, 1.8 + 0.32 * height), dpi=100, layout="constrained")
    FigureCanvasAgg(figure)
    ax = figure.subplots()
    values = np.full((height, width), np.nan)
    for r in range(height):
        for c in range(width):
            cell = cells.get((r, c))
            if cell is not None and cell.score is not None:
                values[r, c] = shown_score(cell.score)
            elif cell is not None:
                ax.add_patch(_box(c, r, HIDDEN_BAND))
                ax.text(c, r, cell.hidden or "hidden", ha="center", va="center", color=MUTED, fontsize=7)
            else:
                ax.text(c, r, "–", ha="center", va="center", color=MUTED, fontsize=8)
    image = ax.imshow(np.ma.masked_invalid(values), cmap=SCORE_COLOURS, norm=BANDS, aspect="auto")
    for r, c in zip(*np.nonzero(~np.isnan(values)), strict=True):
        ax.text(c, r, f"{values[r, c]:.1f}", ha="center", va="center", color=INK, fontsize=8)
    ax.set_xticks(range(width), list(columns), rotation=35, ha="right", fontsize=8)
    ax.set_yticks(range(height), list(rows), fontsize=8)
    ax.tick_params(colors=INK, length=0)
    for side in ax.spines.values():
        side.set_visible(False)
    ax.set_xlim(-0.5, width - 0.5)
    ax.set_ylim(height - 0.5, -0.5)
    colour_bar = figure.colorbar(image, ax=ax, fraction=0.04, pad=0.01, ticks=THRESHOLDS)
    colour_bar.ax.set_yticklabels([f"{threshold:g}" for threshold in THRESHOLDS], fontsize=7, color=INK)
    colour_bar.set_label("Driver score (1–5)", color=INK, fontsize=8)
    figure.suptitle(title, color=INK, fontsize=11, fontweight="bold")
    figure.supxlabel(footnote, color=MUTED, fontsize=8)
    return figure


def png_of(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def _box(column: int, row: int, colour: str) -> Rectangle:
    return Rectangle((column - 0.5, row - 0.5), 1, 1, color=colour, linewidth=0, zorder=0)
