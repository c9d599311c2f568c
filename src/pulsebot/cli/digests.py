"""`pulsebot digest …`: weekly manager digests."""

from typing import Annotated

import typer
from slack_sdk.errors import SlackApiError

from pulsebot.cli.common import fail, migrated, out, settings_or_fail
from pulsebot.clock import utc_now
from pulsebot.config import ConfigError
from pulsebot.services.analytics import ORG
from pulsebot.services.errors import Refusal
from pulsebot.store.db import session_factory

group = typer.Typer(help="Weekly manager digests.", no_args_is_help=True)


@group.command("send")
def send(
    survey: Annotated[str | None, typer.Argument(help="The survey's name; leave out for every team.")] = None,
) -> None:
    """DM the digest now: SURVEY's to its managers, or every team's to its managers and the
    organisation's to the admins (PULSEBOT_ADMINS)."""
    from pulsebot.slack.app import make_client
    from pulsebot.slack.digest import send_digests

    settings = settings_or_fail()
    try:
        client = make_client(settings)
    except ConfigError as error:
        fail(str(error), code=2)
    engine = migrated(settings)
    try:
        sent = send_digests(client, session_factory(engine), settings, now=utc_now(), survey_name=survey)
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
