"""The trend chart: PNG bytes, with withheld weeks as gaps, never as points."""

import math
from datetime import date, timedelta

from pulsebot.charts import ChartWeek, chart_weeks, digest_chart, trend_figure, trend_png

START = date(2026, 1, 5)


def weeks() -> list[ChartWeek]:
    return [
        ChartWeek(week=START, hidden=False, mood=3.8, enps=20, sentiment=0.2),
        ChartWeek(week=START + timedelta(weeks=1), hidden=True, mood=1.0, enps=-100, sentiment=-1.0),
        ChartWeek(week=START + timedelta(weeks=2), hidden=False),  # no pulse that week
        ChartWeek(week=START + timedelta(weeks=3), hidden=False, mood=3.2, enps=-5, sentiment=-0.1),
    ]


def test_hidden_weeks_are_gaps_even_if_a_value_were_passed():
    figure = trend_figure(weeks(), title="Team", min_group=5)

    mood, enps, sentiment, answered = (
        next(line.get_ydata() for line in ax.get_lines() if len(line.get_ydata()) == 4) for ax in figure.axes
    )
    assert all(math.isnan(value) for value in answered)  # no response rate was passed
    for series, first, last in ((mood, 3.8, 3.2), (enps, 20, -5), (sentiment, 0.2, -0.1)):
        assert series[0] == first and series[3] == last
        assert math.isnan(series[1]) and math.isnan(series[2])
    assert "fewer than 5 people answered" in figure.get_supxlabel()


def test_the_chart_is_a_png():
    png = trend_png(weeks(), title="Team", min_group=5)

    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 10_000


def test_a_digest_s_hidden_week_reaches_the_chart_as_a_gap(sessions):
    from tests.services.test_digests import MONDAY, TEAM, digest_of, steady_then_fall

    steady_then_fall(sessions, last_week_people=TEAM[:4])
    digest = digest_of(sessions, now=MONDAY + timedelta(weeks=4))

    chart = chart_weeks(digest)

    assert [(week.hidden, week.mood) for week in chart[-4:]] == [
        (False, 4.0),
        (False, 4.0),
        (False, 4.0),
        (True, None),
    ]
    assert digest_chart(digest).startswith(b"\x89PNG")


def test_the_heatmap_s_colours_change_at_the_thresholds_written_on_its_colour_bar():
    from datetime import date

    from pulsebot.heatmap_chart import SCORE_COLOURS, THRESHOLDS, band_colour, heatmap_figure
    from pulsebot.services.results.heatmap import Cell, CellStatus, Heatmap

    colours = [SCORE_COLOURS(index) for index in range(SCORE_COLOURS.N)]
    assert len(colours) == len(THRESHOLDS) - 1
    # each threshold starts its colour; just below it, the one before
    for threshold in THRESHOLDS[1:-1]:
        assert band_colour(threshold) == band_colour(threshold + 0.4) != band_colour(threshold - 0.1)
    # a cell is coloured as the figure it reads: 3.46 reads "3.5", coloured as 3.5, not as 3.4
    assert band_colour(3.46) == band_colour(3.5) != band_colour(3.44) == band_colour(3.4)
    assert band_colour(1.0) != band_colour(5.0)

    grid = Heatmap(
        drivers=("workload",),
        teams=(("support", "Support"),),
        cells={("support", "workload"): Cell(CellStatus.shown, score=3.46, people=9)},
        through=date(2026, 11, 30),
    )
    figure = heatmap_figure(grid, min_group=5)
    colour_bar = figure.axes[-1]
    written = [label.get_text() for label in colour_bar.get_yticklabels()]
    assert written == ["1", "2.5", "3", "3.5", "4", "5"]
    assert [text.get_text() for text in figure.axes[0].texts] == ["3.5"]


def test_the_heatmap_labels_each_row_with_the_team_s_title_as_the_digests_name_it():
    """Every row reads the survey's title, which the organisation's digest lists each team by (its
    "Teams" lines) and each team's digest is headed with; never the survey's name (an identifier)."""
    from datetime import date

    from pulsebot.heatmap_chart import heatmap_figure
    from pulsebot.services.results.heatmap import Cell, CellStatus, Heatmap

    grid = Heatmap(
        drivers=("workload",),
        teams=(("billing", "Billing pulse"), ("support-team", "Customer Support pulse")),
        cells={
            ("billing", "workload"): Cell(CellStatus.shown, score=3.9, people=10),
            ("support-team", "workload"): Cell(CellStatus.suppressed),
        },
        through=date(2026, 11, 30),
    )
    rows = [label.get_text() for label in heatmap_figure(grid, min_group=5).axes[0].get_yticklabels()]
    assert rows == ["Billing pulse", "Customer Support pulse"]
