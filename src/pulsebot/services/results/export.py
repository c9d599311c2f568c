"""A team's weekly aggregates as rows for a CSV file: figures only, never a person's answers.

A withheld week is a row that says `suppressed` and carries no figures; a week without a pulse says
`no_data`. Neither is written as zero.
"""

from __future__ import annotations

from collections.abc import Iterable

from pulsebot.services.results.analytics import Trend, WeekFigures
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
