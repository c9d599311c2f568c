"""`pulsebot pulse …`: pulse runs."""

from typing import Annotated

import typer
from slack_sdk.errors import SlackApiError

from pulsebot.cli.common import fail, migrated, out, settings_or_fail
from pulsebot.clock import utc_now
from pulsebot.config import ConfigError
from pulsebot.services.errors import Refusal
from pulsebot.store.db import session_factory

group = typer.Typer(help="Pulse runs.", no_args_is_help=True)


@group.command("send")
def send(survey: Annotated[str, typer.Argument(help="The survey's name.")]) -> None:
    """Open a pulse run of SURVEY now and post it in Slack."""
    from pulsebot.slack.app import make_client
    from pulsebot.slack.publish import send_pulse

    settings = settings_or_fail()
    try:
        client = make_client(settings)
        settings.require("anon_key")
    except ConfigError as error:
        fail(str(error), code=2)
    engine = migrated(settings)
    try:
        run = send_pulse(client, session_factory(engine), survey_name=survey, now=utc_now())
    except Refusal as refusal:
        fail(refusal.message)
    except SlackApiError as error:
        fail(f"Slack refused {error.response.api_url.rsplit('/', 1)[-1]}: {error.response.get('error')}")
    out.print(f"sent “{run.title}” (run {run.run_id}) to {run.audience} people in channel {run.channel_id}")
