"""`pulsebot actions`: every team's action plans, with their owners, due dates and statuses."""

from typing import Annotated

import typer
from sqlmodel import select

from pulsebot.cli.common import Team, existing, fail, out, settings_or_fail, team_sessions, wrapping_table
from pulsebot.services.loop.actions import LABELS, actions_of
from pulsebot.store.db import transaction
from pulsebot.store.models import ActionStatus, Survey

STATUS_NAMES = {status.value.replace("_", "-"): status for status in ActionStatus}


def actions(
    survey: Annotated[
        str | None,
        typer.Argument(metavar="SURVEY", help="Only this team's actions (its survey's name)."),
    ] = None,
    status: Annotated[
        str | None,
        typer.Option(
            "--status",
            metavar="STATUS",
            help="Only actions with this status: planned, in-progress, done or dropped.",
        ),
    ] = None,
    team: Team = "",
) -> None:
    """List every team's actions (or SURVEY's): team, what it is about, what will be done, owner, due date,
    status."""
    wanted = None
    if status is not None:
        wanted = STATUS_NAMES.get(status.strip().lower().replace("_", "-"))
        if wanted is None:
            fail(f"--status: “{status}” is not a status; use one of: {', '.join(STATUS_NAMES)}", code=2)
    settings = settings_or_fail()
    engine = existing(settings)
    with transaction(team_sessions(settings, engine, team)) as session:
        known = survey is None or session.exec(select(Survey.id).where(Survey.name == survey)).first()
        if not known:
            fail(f"SURVEY: there is no survey called “{survey}”")
        lines = actions_of(
            session,
            survey_names=None if survey is None else [survey],
            statuses=None if wanted is None else (wanted,),
        )
    if not lines:
        out.print("no actions" + (f" for {survey}" if survey else "") + (f" {status}" if status else ""))
        return
    table = wrapping_table("team", "about", "what", "owner", "due", "status", title="pulsebot actions")
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
