"""`pulsebot digest …`: weekly manager digests."""

from typing import Annotated

import typer
from slack_sdk.errors import SlackApiError

from pulsebot.cli.common import Team, fail, migrated, out, reach_workspace, settings_or_fail
from pulsebot.clock import utc_now
from pulsebot.services.errors import Refusal
from pulsebot.services.results.analytics import ORG
from pulsebot.store.db import session_factory
from pulsebot.store.scoping import scoped_sessions

group = typer.Typer(help="Weekly manager digests.", no_args_is_help=True)


@group.command("send")
def send(
    survey: Annotated[
        str | None, typer.Argument(metavar="SURVEY", help="The survey's name; leave out for every team.")
    ] = None,
    team: Team = "",
) -> None:
    """DM the digest now: SURVEY's to its managers, or every team's to its managers and the
    organisation's to the admins (PULSEBOT_ADMINS)."""
    from pulsebot.slack.digest import send_digests

    settings = settings_or_fail()
    engine = migrated(settings)
    team_id, workspaces = reach_workspace(settings, engine, team)
    client, sessions = workspaces.client_for(team_id), scoped_sessions(session_factory(engine), team_id)
    try:
        sent = send_digests(client, sessions, settings, now=utc_now(), survey_name=survey)
    except Refusal as refusal:
        fail(refusal.message)
    except SlackApiError as error:
        fail(f"Slack refused {error.response.api_url.rsplit('/', 1)[-1]}: {error.response.get('error')}")
    if not sent:
        out.print("no one to send to: add `managers:` to the survey's YAML, or set PULSEBOT_ADMINS")
    for scope, user in sent:
        out.print(
            f"sent the {'organisation' if scope == ORG else scope} digest to {user}",
            highlight=False,
            soft_wrap=True,
        )
