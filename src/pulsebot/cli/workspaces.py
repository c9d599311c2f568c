"""`pulsebot workspace …`: hand the single-workspace data to the workspace it came from; seal the stored
tokens again with a new key."""

from typing import Annotated

import typer

from pulsebot.cli.common import fail, migrated, out, settings_or_fail, workspace_of
from pulsebot.clock import utc_now
from pulsebot.config import ConfigError, Settings
from pulsebot.services.errors import Refusal
from pulsebot.services.privacy.workspace_move import (
    adopt_single_workspace_data,
    describe_rows,
    single_workspace_rows,
)
from pulsebot.store.db import session_factory, transaction

group = typer.Typer(help="The workspaces pulsebot serves.", no_args_is_help=True)


@group.command("adopt")
def adopt(
    team: Annotated[
        str,
        typer.Option(
            "--team", help="The installed workspace (its Slack team id, T…) that SLACK_BOT_TOKEN served."
        ),
    ] = "",
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask before moving.")] = False,
) -> None:
    """Move the surveys, pulses, answers, ideas and conversations written while pulsebot served one
    workspace (SLACK_BOT_TOKEN) to that workspace, now installed through /slack/install."""
    settings = _serving_several("its data is already its own")
    engine = migrated(settings)
    team_id = workspace_of(settings, engine, team)
    with transaction(session_factory(engine)) as session:
        waiting = single_workspace_rows(session)
    if not waiting:
        out.print("nothing to move: there is no data of a single-workspace setup")
        return
    out.print(f"to move to {team_id}: {describe_rows(waiting)}", highlight=False, soft_wrap=True)
    if not yes and not typer.confirm(f"Move all of it to {team_id}? It cannot be split up again"):
        fail("nothing moved")
    try:
        with transaction(session_factory(engine)) as session:
            moved = adopt_single_workspace_data(session, team_id=team_id, now=utc_now())
    except Refusal as refusal:
        fail(refusal.message)
    out.print(f"moved to {team_id}: {describe_rows(moved)}", highlight=False, soft_wrap=True)


@group.command("rekey")
def rekey() -> None:
    """Seal every stored workspace token again with PULSEBOT_TOKEN_KEY. To change the key: set the new
    one as PULSEBOT_TOKEN_KEY and the old one as PULSEBOT_PREVIOUS_TOKEN_KEY, run this, then remove
    PULSEBOT_PREVIOUS_TOKEN_KEY."""
    from pulsebot.slack.installations import installation_store
    from pulsebot.store.installations import TokenKeyError

    settings = _serving_several("no Slack token is stored")
    engine = migrated(settings)
    try:
        resealed = installation_store(settings, engine).reseal_tokens()
    except ConfigError as error:
        fail(str(error), code=2)
    except TokenKeyError as error:
        fail(str(error))
    done = f"sealed {resealed} stored token(s) again with PULSEBOT_TOKEN_KEY"
    if settings.previous_token_key is not None:
        done += "; PULSEBOT_PREVIOUS_TOKEN_KEY can be removed now"
    out.print(done, highlight=False, soft_wrap=True)


def _serving_several(otherwise: str) -> Settings:
    settings = settings_or_fail()
    if not settings.oauth:
        fail(f"pulsebot serves one workspace here (SLACK_BOT_TOKEN): {otherwise}", code=2)
    return settings
