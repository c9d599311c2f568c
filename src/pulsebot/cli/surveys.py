"""`pulsebot survey …`: surveys as code."""

import enum
from importlib import resources
from pathlib import Path
from typing import Annotated

import typer

from pulsebot.cli.common import (
    Team,
    existing,
    fail,
    migrated,
    out,
    reach_workspace,
    settings_or_fail,
    team_sessions,
    wrapping_table,
)
from pulsebot.clock import utc_now
from pulsebot.services.survey.audience import managers_in_channel_line
from pulsebot.services.survey.survey_file import SurveyFileError, load_survey_file
from pulsebot.services.survey.surveys import apply_survey, list_surveys, survey_summary
from pulsebot.store.db import transaction

group = typer.Typer(help="Surveys: define them in YAML, list them.", no_args_is_help=True)


@group.command("apply")
def apply(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="A YAML file with `surveys:` or one survey.")],
    team: Team = "",
) -> None:
    """Create or update surveys from a YAML file (idempotent: surveys are matched by name)."""
    try:
        specs = load_survey_file(file)
    except SurveyFileError as error:
        fail(str(error))
    settings = settings_or_fail()
    engine = migrated(settings)
    sessions = team_sessions(settings, engine, team)
    with transaction(sessions) as session:
        outcomes = [(spec.name, apply_survey(session, spec=spec, now=utc_now())) for spec in specs]
        rotations = [survey_summary(session, name=spec.name).rotation_line for spec in specs]
    for name, outcome in outcomes:
        out.print(f"{name}: {outcome.value}")
    for line in filter(None, rotations):
        out.print(line, highlight=False, soft_wrap=True)
    for spec in specs:
        if spec.managers and (line := _managers_in_channel(settings, engine, team, sessions, spec)):
            out.print(line, highlight=False, soft_wrap=True)


def _managers_in_channel(settings, engine, team: str, sessions, spec) -> str | None:
    """Whether the survey's managers sit in its channel, read from Slack; a line saying why not if it
    cannot be read (the survey is saved either way)."""
    from slack_sdk.errors import SlackApiError

    from pulsebot.slack.channel_members import survey_channel_members
    from pulsebot.slack.directory import admins_among
    from pulsebot.slack.workspaces import settings_for

    unchecked = f"{spec.name}: could not read {spec.channel}'s members to check for its managers"
    if not settings.oauth and settings.slack_bot_token is None:
        return f"{unchecked} (no SLACK_BOT_TOKEN)"
    team_id, workspaces = reach_workspace(settings, engine, team)
    try:
        client = workspaces.client_for(team_id)
        members = survey_channel_members(client, sessions, spec.channel)
        admins = admins_among(
            client,
            settings_for(settings, workspaces, team_id),
            members.zones,
            slack_admins=members.slack_admins,
        )
    except SlackApiError as error:
        return f"{unchecked} ({error.response.get('error')})"
    except OSError:
        return f"{unchecked} (Slack could not be reached)"
    with transaction(sessions) as session:
        return managers_in_channel_line(
            session, survey_name=spec.name, members=members.zones, min_group=settings.min_group, admins=admins
        )


@group.command("list")
def list_(team: Team = "") -> None:
    """List the surveys with their channel, schedule and state."""
    settings = settings_or_fail()
    engine = existing(settings)
    with transaction(team_sessions(settings, engine, team)) as session:
        surveys = list_surveys(session)
    if not surveys:
        out.print("no surveys yet: define one in YAML and run `pulsebot survey apply FILE.yml`")
        return
    table = wrapping_table(
        "name", "title", "channel", "delivery", "schedule", "time zone", "questions", "state"
    )
    for s in surveys:
        state = "paused" if s.paused else "active"
        table.add_row(
            s.name, s.title, s.channel_id, s.delivery, s.schedule or "-", s.timezone, str(s.questions), state
        )
    out.print(table)


class Template(enum.StrEnum):
    engagement = "engagement"
    cx = "cx"
    wellbeing = "wellbeing"


@group.command("init")
def init(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="Where to write the starter survey.")],
    template: Annotated[
        Template, typer.Option(help="engagement: every driver; cx: serving customers; wellbeing: workload")
    ] = Template.engagement,
) -> None:
    """Write a commented starter survey built on the question library (an existing file is kept)."""
    text = resources.files("pulsebot.library").joinpath("templates", f"{template.value}.yml").read_text()
    try:
        with file.open("x", encoding="utf-8") as written:
            written.write(text)
    except FileExistsError:
        fail(f"{file} already exists; choose another name or remove it first")
    except OSError as error:
        fail(f"{file}: cannot write the file ({error.strerror})")
    out.print(
        f"wrote {file}: put your channel's id in `channel:`, then `pulsebot survey apply {file}`",
        highlight=False,
        soft_wrap=True,
    )
