"""A team's weekly aggregates as rows for a CSV file: figures only, never a person's answers.

A withheld week is a row that says `suppressed` and carries no figures; a week without a pulse says
`no_data`. Neither is written as zero.
"""

from __future__ import annotations

from collections.abc import Iterable

from pulsebot.services.results.analytics import Trend, WeekFigures
from pulsebot.services.results.drivers import TeamDrivers
from pulsebot.store.models import QuestionKind

FIXED_COLUMNS = (
    "survey",
    "week_start",
    "iso_week",
    "status",
    "respondents",
    "audience",
    "response_rate",
    "mood",
    "mood_change",
    "enps",
    "enps_change",
    "comments",
    "sentiment",
    "sentiment_change",
    "negative_share",
    "positive_share",
)


def export_rows(
    trend: Trend, rated_questions: Iterable[tuple[str, int]] = ()
) -> tuple[list[str], list[dict[str, str]]]:
    """The header and one row per week of the trend, oldest first.

    The survey's current rated questions (`rated_questions`, as key and version) always have a column,
    answered or not, so a file written before the first answers has the header of one written after;
    an earlier wording that still has weeks in the window adds its own column.
    """
    seen = [(question.key, question.version) for week in trend.weeks for question in week.questions]
    question_columns: dict[tuple[str, int], str] = {}
    for key, version in [*rated_questions, *seen]:
        name = key if version == 1 else f"{key}_v{version}"
        question_columns.setdefault((key, version), f"q_{name}")
    header = [*FIXED_COLUMNS, *question_columns.values()]
    rows = []
    for week in trend.weeks:
        row = {column: "" for column in header}
        iso = week.week.isocalendar()
        row.update(
            survey=trend.scope,
            week_start=week.week.isoformat(),
            iso_week=f"{iso.year}-W{iso.week:02d}",
            status=week.status.value,
        )
        if week.shown:
            row.update(_figures(week))
            for question in week.questions:
                if question.status.value == "shown":
                    value = question.enps if question.kind is QuestionKind.enps else question.mean
                    row[question_columns[(question.key, question.version)]] = _number(value)
        rows.append(row)
    return header, rows


def _figures(week: WeekFigures) -> dict[str, str]:
    return {
        "respondents": str(week.respondents),
        "audience": str(week.audience),
        "response_rate": _number(week.response_rate),
        "mood": _number(week.score),
        "mood_change": _number(week.score_change),
        "enps": _number(week.enps),
        "enps_change": _number(week.enps_change),
        "comments": str(week.comments),
        "sentiment": _number(week.sentiment),
        "sentiment_change": _number(week.sentiment_change),
        "negative_share": _number(week.negative_share),
        "positive_share": _number(week.positive_share),
    }


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:.3f}".rstrip("0").rstrip(".")


DRIVER_COLUMNS = (
    "survey",
    "window_runs",
    "first_run",
    "last_run",
    "driver",
    "item",
    "reversed",
    "status",
    "score",
    "change",
    "organisation",
    "answers",
    "people",
)


def driver_rows(team: TeamDrivers) -> tuple[list[str], list[dict[str, str]]]:
    """One row per driver and, under it, one per item of its window: a hidden driver says `suppressed`
    and carries no figures. An item's score is as answered; a driver's counts reversed items turned."""
    common = {
        "survey": team.scope,
        "window_runs": str(team.window_runs),
        "first_run": team.first_run.isoformat() if team.first_run else "",
        "last_run": team.last_run.isoformat() if team.last_run else "",
    }
    rows = []
    for driver in team.drivers:
        row = dict.fromkeys(DRIVER_COLUMNS, "") | common | {"driver": driver.driver}
        if not driver.shown:
            rows.append(row | {"status": "suppressed"})
            continue
        rows.append(
            row
            | {
                "status": "shown",
                "score": f"{driver.score:.2f}",
                "change": "" if driver.change is None else f"{driver.change:+.1f}",
                "organisation": "" if driver.org is None else f"{driver.org:.2f}",
                "answers": str(driver.answers),
                "people": str(driver.people),
            }
        )
        for item in driver.items:
            rows.append(
                row
                | {
                    "item": item.key,
                    "reversed": "yes" if item.reversed else "",
                    "status": "shown",
                    "score": f"{item.mean:.2f}",
                    "answers": str(item.answers),
                }
            )
    return list(DRIVER_COLUMNS), rows
