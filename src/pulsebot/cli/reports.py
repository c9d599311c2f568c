"""`pulsebot report` and `pulsebot export`: a team's weekly figures in the terminal, or as CSV."""

import csv
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from pulsebot.cli.common import Team, existing, fail, out, settings_or_fail, team_sessions
from pulsebot.clock import utc_now
from pulsebot.services.digest import digest_text as words
from pulsebot.services.errors import Refusal
from pulsebot.services.privacy import audit
from pulsebot.services.results.analytics import RATED, WeekStatus, team_trend
from pulsebot.services.results.export import export_rows
from pulsebot.services.survey.surveys import active_questions, find_survey
from pulsebot.store.db import transaction
from pulsebot.store.models import AuditAction

Survey = Annotated[str, typer.Argument(metavar="SURVEY", help="The survey's name.")]
Weeks = Annotated[
    int, typer.Option("--weeks", min=1, max=104, help="How many complete weeks back, ending with last week.")
]


def report(survey: Survey, weeks: Weeks = 12, team: Team = "") -> None:
    """Print SURVEY's weekly figures; weeks with too few answers stay hidden."""
    settings = settings_or_fail()
    trend, _ = _trend(
        settings, survey, weeks, team, action=AuditAction.report, detail=f"{weeks} weeks in the terminal"
    )
    table = Table(
        "week",
        "answered",
        "mood (1–5)",
        "eNPS",
        "comments",
        "sentiment",
        title=f"{trend.title} ({trend.timezone})",
        caption=(
            f"Weeks with fewer than {settings.min_group} people answering stay hidden, "
            "and so does a pulse until it has closed."
        ),
    )
    for week in trend.weeks:
        label = words.short_week(week.week)
        if week.status is WeekStatus.no_data:
            table.add_row(label, "no pulse", "", "", "", "", style="dim")
        elif not week.shown:
            table.add_row(label, words.withheld(week, settings.min_group), "", "", "", "", style="dim")
        else:
            table.add_row(
                label,
                f"{week.respondents} of {week.audience} ({words.percent(week.response_rate)})",
                _moved(words.score(week.score), words.moved(week.score, week.score_change, digits=1)),
                _moved(words.enps(week.enps), words.moved(week.enps, week.enps_change, digits=0)),
                str(week.comments),
                _moved(
                    words.sentiment(week.sentiment),
                    words.moved(week.sentiment, week.sentiment_change, digits=2),
                ),
            )
    out.print(table)
    latest = next((week for week in reversed(trend.weeks) if week.shown), None)
    if latest is not None and latest.questions:
        out.print(f"Questions, week of {words.short_week(latest.week)}:", highlight=False)
        for question in latest.questions:
            out.print(
                f"  {words.question_line(question, settings.min_group)}",
                markup=False,
                highlight=False,
                soft_wrap=True,
            )


def export(
    survey: Survey,
    csv_file: Annotated[Path, typer.Option("--csv", metavar="FILE", help="Where to write the CSV file.")],
    weeks: Weeks = 12,
    team: Team = "",
) -> None:
    """Write SURVEY's weekly aggregates to a CSV file (hidden weeks carry no figures)."""
    settings = settings_or_fail()
    trend, rated = _trend(
        settings, survey, weeks, team, action=AuditAction.export, detail=f"{weeks} weeks to {csv_file.name}"
    )
    header, rows = export_rows(trend, rated)
    try:
        with csv_file.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=header)
            writer.writeheader()
            writer.writerows(rows)
    except OSError as error:
        fail(f"{csv_file}: cannot write the file ({error.strerror})")
    shown = sum(1 for row in rows if row["status"] == WeekStatus.shown.value)
    out.print(
        f"wrote {len(rows)} weeks of “{trend.title}” to {csv_file} ({shown} with figures)",
        highlight=False,
        soft_wrap=True,
    )


def _trend(settings, survey: str, weeks: int, team: str, *, action: AuditAction, detail: str):
    engine = existing(settings)
    now = utc_now()
    try:
        with transaction(team_sessions(settings, engine, team)) as session:
            survey_id = find_survey(session, name=survey).id
            rated = [
                (question.key, question.version)
                for question in active_questions(session, survey_id=survey_id)
                if question.kind in RATED
            ]
            audit.record(session, actor=audit.CLI, action=action, scope=survey, now=now, detail=detail)
            trend = team_trend(
                session,
                survey_name=survey,
                now=now,
                min_group=settings.min_group,
                weeks=weeks,
                complete_only=True,
            )
            return trend, rated
    except Refusal as refusal:
        fail(refusal.message)


def _moved(value: str, change: str) -> str:
    return f"{value} {change}" if change else value
