"""`pulsebot report` and `pulsebot export`: a team's weekly figures in the terminal, or as CSV."""

import csv
from datetime import timedelta
from pathlib import Path
from typing import Annotated

import typer

from pulsebot.cli.common import Team, existing, fail, out, settings_or_fail, team_sessions, wrapping_table
from pulsebot.clock import utc_now
from pulsebot.services.digest import digest_text as words
from pulsebot.services.digest import driver_text
from pulsebot.services.errors import Refusal
from pulsebot.services.loop.participation import Line, participation_effect
from pulsebot.services.privacy import audit
from pulsebot.services.results.analytics import ORG, RATED, WeekStatus, team_trend
from pulsebot.services.results.drivers import TeamDrivers, driver_scores
from pulsebot.services.results.export import driver_rows, export_rows
from pulsebot.services.results.heatmap import (
    drawn_teams,
    enps_lines,
    heatmap_rows,
    organisation_heatmap,
    what_moves_enps,
)
from pulsebot.services.survey.surveys import active_questions, find_survey
from pulsebot.store.db import transaction
from pulsebot.store.models import AuditAction

Survey = Annotated[str, typer.Argument(metavar="SURVEY", help="The survey's name.")]
OptionalSurvey = Annotated[
    str | None,
    typer.Argument(metavar="SURVEY", help="The survey's name (leave it out with --participation)."),
]
Weeks = Annotated[
    int, typer.Option("--weeks", min=1, max=104, help="How many complete weeks back, ending with last week.")
]


def report(
    survey: OptionalSurvey = None,
    weeks: Weeks = 12,
    team: Team = "",
    participation: Annotated[
        bool,
        typer.Option(
            "--participation",
            help="Instead of one team: every team's response rate before and after it first shared "
            "its results with the team, and the teams that never did (shown weeks only).",
        ),
    ] = False,
) -> None:
    """Print SURVEY's weekly figures (weeks with too few answers stay hidden), or with --participation
    the response rate of the teams before and after they shared their results."""
    if participation:
        if survey is not None:
            fail("--participation covers every team: leave SURVEY out", code=2)
        print_participation(weeks, team)
        return
    if survey is None:
        fail("name a SURVEY (pulsebot survey list shows them), or use --participation", code=2)
    settings = settings_or_fail()
    trend, _, drivers = _trend(
        settings, survey, weeks, team, action=AuditAction.report, detail=f"{weeks} weeks in the terminal"
    )
    table = wrapping_table(
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
    if drivers is not None:
        _print_drivers(drivers, settings.min_group)


def _print_drivers(drivers: TeamDrivers, min_group: int) -> None:
    table = wrapping_table(
        "driver",
        "score (1–5)",
        "organisation",
        "people",
        "items",
        title=f"Drivers over {driver_text.window(drivers)}",
        caption=f"A driver answered by fewer than {min_group} people in a closed pulse stays hidden.",
    )
    for driver in drivers.drivers:
        if not driver.shown:
            table.add_row(driver.name, "hidden", "", "", "", style="dim")
            continue
        change = driver_text.arrow(driver.change, digits=1)
        table.add_row(
            driver.name,
            _moved(f"{driver.score:.1f}", change),
            "" if driver.org is None else f"{driver.org:.1f}",
            f"at least {driver.people}",
            str(len(driver.items)),
        )
    out.print(table)


def export(
    survey: Survey,
    csv_file: Annotated[Path, typer.Option("--csv", metavar="FILE", help="Where to write the CSV file.")],
    weeks: Weeks = 12,
    team: Team = "",
    drivers_file: Annotated[
        Path | None,
        typer.Option("--drivers", metavar="FILE", help="Also write the driver scores, one row each, here."),
    ] = None,
) -> None:
    """Write SURVEY's weekly aggregates to a CSV file (hidden weeks carry no figures)."""
    settings = settings_or_fail()
    trend, rated, drivers = _trend(
        settings, survey, weeks, team, action=AuditAction.export, detail=f"{weeks} weeks to {csv_file.name}"
    )
    if drivers_file is not None and drivers is None:
        fail(f"“{survey}” does not use the question library, so it has no driver scores (--drivers)")
    header, rows = export_rows(trend, rated)
    _write_csv(csv_file, header, rows)
    shown = sum(1 for row in rows if row["status"] == WeekStatus.shown.value)
    out.print(
        f"wrote {len(rows)} weeks of “{trend.title}” to {csv_file} ({shown} with figures)",
        highlight=False,
        soft_wrap=True,
    )
    if drivers_file is not None:
        header, rows = driver_rows(drivers)
        _write_csv(drivers_file, header, rows)
        out.print(
            f"wrote {len(drivers.shown)} of {len(drivers.drivers)} drivers of “{trend.title}” "
            f"to {drivers_file}",
            highlight=False,
            soft_wrap=True,
        )


def _write_csv(path: Path, header: list[str], rows: list[dict[str, str]]) -> None:
    try:
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=header)
            writer.writeheader()
            writer.writerows(rows)
    except OSError as error:
        fail(f"{path}: cannot write the file ({error.strerror})")


def _trend(settings, survey: str, weeks: int, team: str, *, action: AuditAction, detail: str):
    engine = existing(settings)
    now = utc_now()
    try:
        with transaction(team_sessions(settings, engine, team)) as session:
            survey_id = find_survey(session, name=survey).id
            rated = [
                (question.key, question.version)
                for question in active_questions(session, survey_id=survey_id)
                if question.kind in RATED and not question.from_library  # an item: only when a week asked it
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
            # The drivers' window ends with the report's last week, like the digest's.
            through = trend.weeks[-1].week + timedelta(days=6)
            scores = driver_scores(
                session, min_group=settings.min_group, through=through, survey_names=[survey]
            )
            return trend, rated, scores.teams.get(survey)
    except Refusal as refusal:
        fail(refusal.message)


def _moved(value: str, change: str) -> str:
    return f"{value} {change}" if change else value


def heatmap(
    png_file: Annotated[
        Path | None, typer.Option("--png", metavar="FILE", help="Write the heatmap as PNG here.")
    ] = None,
    csv_file: Annotated[
        Path | None, typer.Option("--csv", metavar="FILE", help="Write its cells as CSV here.")
    ] = None,
    team: Team = "",
) -> None:
    """The organisation's drivers by team (hidden cells stay hidden), and what moves eNPS."""
    from pulsebot.heatmap_chart import heatmap_png  # matplotlib is slow to import: only this needs it

    settings = settings_or_fail()
    engine = existing(settings)
    now = utc_now()
    with transaction(team_sessions(settings, engine, team)) as session:
        audit.record(
            session, actor=audit.CLI, action=AuditAction.report, scope=ORG, now=now, detail="driver heatmap"
        )
        grid = organisation_heatmap(session, min_group=settings.min_group, through=now.date())
        links = what_moves_enps(session, min_group=settings.min_group, through=now.date())
    if not grid.teams:
        fail("no survey uses the question library, so there are no drivers to map")
    if png_file is not None:
        try:
            png_file.write_bytes(heatmap_png(grid, min_group=settings.min_group))
        except OSError as error:
            fail(f"{png_file}: cannot write the file ({error.strerror})")
    if csv_file is not None:
        _write_csv(csv_file, *heatmap_rows(grid))
    out.print(
        f"{len(grid.teams)} teams × {len(grid.drivers)} drivers: {grid.shown_cells} cells shown, "
        f"the rest hidden or not asked",
        highlight=False,
        soft_wrap=True,
    )
    for written in filter(None, (png_file, csv_file)):
        out.print(f"wrote {written}", highlight=False, soft_wrap=True)
    drawn = drawn_teams(grid)
    if png_file is not None and not drawn.all:
        out.print(
            f"The PNG shows the {drawn.lowest} teams with the lowest average driver score and the "
            f"{len(drawn.teams) - drawn.lowest} with the highest, of {drawn.of:,}; the CSV has every team.",
            highlight=False,
            soft_wrap=True,
        )
    out.print("What moves eNPS:", highlight=False)
    for line in enps_lines(links):
        out.print(f"  {line}", markup=False, highlight=False, soft_wrap=True)


def print_participation(weeks: int, team: str) -> None:
    """`report --participation`: the response rate before and after each team first shared its results."""
    settings = settings_or_fail()
    now = utc_now()
    with transaction(team_sessions(settings, existing(settings), team)) as session:
        audit.record(
            session,
            actor=audit.CLI,
            action=AuditAction.report,
            scope=ORG,
            now=now,
            detail=f"participation before and after sharing, {weeks} weeks in the terminal",
        )
        effect = participation_effect(session, now=now, min_group=settings.min_group, weeks=weeks)
    window = f"{words.short_week(effect.first_week)} – {words.short_week(effect.last_week)}"
    if effect.sharing is None:
        out.print(
            f"No team has shared its results with the team in the weeks of {window}, "
            "so there is nothing to compare yet.",
            highlight=False,
            soft_wrap=True,
        )
        return
    table = wrapping_table(
        "team",
        "first shared",
        "before: answered",
        "after: answered",
        "change",
        title=f"Response rate before and after sharing results, weeks of {window}",
        caption=(
            f"Only shown weeks count (closed pulses with at least {settings.min_group} answering); "
            f"{_team_weeks(effect.hidden_weeks)} hidden, left out on both sides. Before: the weeks up to and "
            "including the first week shared; after: the weeks since."
        ),
    )
    for line in (*effect.teams, effect.sharing, effect.never):
        if line is not None:
            table.add_row(*_participation_row(line), style="bold" if line.teams is not None else None)
    out.print(table)


def _participation_row(line: Line) -> tuple[str, ...]:
    label = line.label
    if line.teams is not None:
        label += f" ({line.teams} team{'s' if line.teams != 1 else ''})"
    split = "each team's own"
    if line.split is not None:
        split = f"week of {words.short_week(line.split)}"
        split += " (the first team's)" if line.teams is not None else ""
    change = line.change_points
    return (
        label,
        split,
        _side(line.before),
        _side(line.after),
        "–" if change is None else f"{change:+.0f} pts",
    )


def _team_weeks(count: int) -> str:
    return "1 team-week" if count == 1 else f"{count} team-weeks"


def _side(side) -> str:
    if not side.weeks:
        return "no shown week"
    weeks = "1 week" if side.weeks == 1 else f"{side.weeks} weeks"
    return f"{words.percent(side.rate)} ({side.respondents} of {side.audience}, {weeks})"
