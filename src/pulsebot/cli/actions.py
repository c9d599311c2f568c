"""`pulsebot actions`: every team's action plans, with their owners, due dates and statuses."""

from typing import Annotated

import typer
from rich.table import Table
from sqlmodel import select

from pulsebot.cli.common import TEAM_ID, existing, fail, out, settings_or_fail, team_sessions
from pulsebot.services.loop.actions import LABELS, actions_of
from pulsebot.store.db import transaction
from pulsebot.store.models import ActionStatus, Survey

STATUS_NAMES = {status.value.replace("_", "-"): status for status in ActionStatus}


def actions(
    team: Annotated[
        str | None,
        typer.Option("--team", metavar="NAME", help="Only this team's actions (its survey's name)."),
    ] = None,
    status: Annotated[
        str | None,
        typer.Option(
            "--status",
            metavar="STATUS",
            help="Only actions with this status: planned, in-progress, done or dropped.",
        ),
    ] = None,
    workspace: Annotated[
        str,
        typer.Option(
            "--workspace",
            metavar="TEAM_ID",
            help="The workspace (its Slack team id, T…) when pulsebot serves several; "
            "leave out for the one of SLACK_BOT_TOKEN.",
        ),
    ] = "",
) -> None:
    """List every team's actions: team, what it is about, what will be done, owner, due date, status."""
    wanted = None
    if status is not None:
        wanted = STATUS_NAMES.get(status.strip().lower().replace("_", "-"))
        if wanted is None:
            fail(f"--status: “{status}” is not a status; use one of: {', '.join(STATUS_NAMES)}", code=2)
    settings = settings_or_fail()
    # `--team` is the team here, so the workspace checks' own words (which say `--team`) come after these.
    if settings.oauth and not workspace:
        fail("--workspace: pulsebot serves several workspaces; name one (its Slack team id, T…)", code=2)
    if workspace and not TEAM_ID.fullmatch(workspace):
        fail(f"--workspace: {workspace!r} is not a Slack team id (like T0123ABCD)", code=2)
    engine = existing(settings)
    with transaction(team_sessions(settings, engine, workspace)) as session:
        if team is not None and session.exec(select(Survey.id).where(Survey.name == team)).first() is None:
            fail(f"--team: there is no team (survey) called “{team}”", code=2)
        lines = actions_of(
            session,
            survey_names=None if team is None else [team],
            statuses=None if wanted is None else (wanted,),
        )
    if not lines:
        out.print("no actions" + (f" for {team}" if team else "") + (f" {status}" if status else ""))
        return
    table = Table("team", "about", "what", "owner", "due", "status", title="pulsebot actions")
    for line in lines:
        state = LABELS[line.status] + (f": {line.reason}" if line.reason else "")
        if not line.visible:
            state += " (managers only)"
        table.add_row(
            line.survey_name,
            f"{line.focus_kind.value}: {line.focus_label}",
            line.text,
            line.owner_id,
            line.due_on.isoformat(),
            state,
        )
    out.print(table, soft_wrap=True)
