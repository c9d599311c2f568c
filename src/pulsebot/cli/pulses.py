"""`pulsebot pulse …`: pulse runs."""

import logging
from typing import Annotated

import typer
from slack_sdk.errors import SlackApiError

from pulsebot import log_setup
from pulsebot.cli.common import Team, fail, migrated, out, reach_workspace, settings_or_fail
from pulsebot.clock import utc_now
from pulsebot.config import ConfigError
from pulsebot.services.errors import Refusal
from pulsebot.services.pulse.outbox import run_outcome
from pulsebot.store.db import session_factory, transaction

group = typer.Typer(help="Pulse runs.", no_args_is_help=True)


@group.command("send")
def send(
    survey: Annotated[str, typer.Argument(metavar="SURVEY", help="The survey's name.")], team: Team = ""
) -> None:
    """Open a pulse run of SURVEY now and post it in Slack."""
    from pulsebot.slack.app import make_outboxes
    from pulsebot.slack.publish import send_pulse
    from pulsebot.slack.workspaces import settings_for

    settings = settings_or_fail()
    try:
        settings.require("anon_key")
    except ConfigError as error:
        fail(str(error), code=2)
    engine = migrated(settings)
    team_id, workspaces = reach_workspace(settings, engine, team)
    # Paced like `pulsebot run`'s sender; if this is stopped half-way, a running bot finishes the job.
    outboxes = make_outboxes(settings, sessions=session_factory(engine), workspaces=workspaces)
    outbox = outboxes.for_team(team_id)  # the workspace's client, and sessions scoped to it
    client, sessions = outbox.client, outbox.sessions
    try:
        with log_setup.quieter("pulsebot.slack.outbox", logging.ERROR):  # refusals are summed up below
            run = send_pulse(
                client,
                sessions,
                settings=settings_for(settings, workspaces, team_id),  # the workspace's own admins too
                survey_name=survey,
                now=utc_now(),
                outbox=outbox,
            )
    except Refusal as refusal:
        fail(refusal.message)
    except SlackApiError as error:
        fail(f"Slack refused {error.response.api_url.rsplit('/', 1)[-1]}: {error.response.get('error')}")
    with transaction(sessions) as session:
        outcome = run_outcome(session, run_id=run.run_id)
    reasons = ", ".join(f"{reason}: {count}" for reason, count in sorted(outcome.errors.items()))
    if outcome.failed == run.audience:
        fail(
            f"Slack refused the pulse for all {run.audience} people ({reasons}); run {run.run_id} stays open"
        )
    out.print(f"sent “{run.title}” (run {run.run_id}) to {run.audience} people in channel {run.channel_id}")
    if outcome.failed:
        out.print(f"Slack refused it for {outcome.failed} of them ({reasons})")
    if outcome.pending:
        out.print(f"{outcome.pending} are due later or waiting for a retry; `pulsebot run` sends them")
