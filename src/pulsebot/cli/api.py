"""`pulsebot api …`: the read-only API's tokens and the webhooks, made and removed by an admin here only.
A token's secret and a webhook's signing secret are printed once, when made; pulsebot cannot show them
again."""

from typing import Annotated

import typer

from pulsebot.cli.common import Team, existing, fail, out, settings_or_fail, workspace_of, wrapping_table
from pulsebot.clock import utc_now
from pulsebot.services.api import tokens, webhooks
from pulsebot.services.errors import Refusal
from pulsebot.store.db import session_factory, transaction
from pulsebot.store.scoping import scoped_sessions

group = typer.Typer(help="The read-only API's tokens and webhooks.", no_args_is_help=True)
token_group = typer.Typer(help="Tokens of the read-only API.", no_args_is_help=True)
webhook_group = typer.Typer(help="URLs told of idea, share and action changes.", no_args_is_help=True)
group.add_typer(token_group, name="token")
group.add_typer(webhook_group, name="webhook")


def _workspace(team: str):
    settings = settings_or_fail()
    engine = existing(settings)
    team_id = workspace_of(settings, engine, team)
    return settings, team_id, scoped_sessions(session_factory(engine), team_id)


@token_group.command("create")
def create(
    scope: Annotated[
        str, typer.Option("--scope", help=f"What it may read, comma-separated: {', '.join(tokens.SCOPES)}.")
    ],
    name: Annotated[
        str, typer.Option("--name", help="What will use it, e.g. “HR dashboard”.")
    ] = "API client",
    team: Team = "",
) -> None:
    """Make a token; it is printed once, and only its hash is kept."""
    try:
        scopes = tokens.parse_scopes(scope)
    except Refusal as refusal:
        fail(refusal.message, code=2)
    _, team_id, sessions = _workspace(team)
    try:
        with transaction(sessions) as session:
            made = tokens.create_token(session, name=name, scopes=scopes, now=utc_now(), team_id=team_id)
    except Refusal as refusal:
        fail(refusal.message, code=2)
    out.print(f"API token #{made.id} ({', '.join(scopes)}), shown only this once:", highlight=False)
    typer.echo(made.token)


@token_group.command("revoke")
def revoke(
    token_id: Annotated[int, typer.Argument(metavar="ID", help="The token's number.")], team: Team = ""
) -> None:
    """Revoke a token: every call with it is refused from now on."""
    _, team_id, sessions = _workspace(team)
    try:
        with transaction(sessions) as session:
            tokens.revoke_token(session, token_id=token_id, now=utc_now(), team_id=team_id)
    except Refusal as refusal:
        fail(refusal.message)
    out.print(f"API token #{token_id} revoked", highlight=False)


@token_group.command("list")
def list_tokens(team: Team = "") -> None:
    """The workspace's tokens: number, name, scopes, made, revoked (never their secrets)."""
    _, _, sessions = _workspace(team)
    with transaction(sessions) as session:
        rows = [(t.id, t.name, t.scopes, t.created_at, t.revoked_at) for t in tokens.tokens(session)]
    if not rows:
        out.print("no API tokens")
        return
    table = wrapping_table("id", "name", "scopes", "made", "revoked", title="pulsebot API tokens")
    for token_id, name, scopes, made, revoked in rows:
        table.add_row(
            str(token_id),
            name,
            scopes,
            f"{made:%Y-%m-%d %H:%M}",
            f"{revoked:%Y-%m-%d %H:%M}" if revoked else "",
        )
    out.print(table, soft_wrap=True)


@webhook_group.command("add")
def add(
    url: Annotated[str, typer.Argument(metavar="URL", help="Where to POST each event (https://).")],
    events: Annotated[
        str | None,
        typer.Option("--events", help=f"Only these, comma-separated: {', '.join(webhooks.EVENTS)}."),
    ] = None,
    team: Team = "",
) -> None:
    """Register a webhook; its signing secret is printed once."""
    try:
        kinds = webhooks.parse_events(events)
        url = webhooks.check_url(url)
    except Refusal as refusal:
        fail(refusal.message, code=2)
    settings, team_id, sessions = _workspace(team)
    if settings.anon_key is None:
        fail("PULSEBOT_ANON_KEY must be set: webhooks' signing secrets are derived from it", code=2)
    with transaction(sessions) as session:
        added = webhooks.add_webhook(
            session, url=url, events=kinds, key=settings.anon_key_bytes(), now=utc_now(), team_id=team_id
        )
    out.print(
        f"webhook #{added.id} ({', '.join(kinds)}); its signing secret, shown only this once:",
        highlight=False,
    )
    typer.echo(added.secret)


@webhook_group.command("remove")
def remove(webhook_id: Annotated[int, typer.Argument(metavar="ID")], team: Team = "") -> None:
    """Remove a webhook: nothing more is sent to it."""
    _, team_id, sessions = _workspace(team)
    try:
        with transaction(sessions) as session:
            webhooks.remove_webhook(session, webhook_id=webhook_id, now=utc_now(), team_id=team_id)
    except Refusal as refusal:
        fail(refusal.message)
    out.print(f"webhook #{webhook_id} removed", highlight=False)


@webhook_group.command("list")
def list_webhooks(team: Team = "") -> None:
    """The workspace's webhooks: number, URL, events, registered."""
    _, _, sessions = _workspace(team)
    with transaction(sessions) as session:
        rows = [(w.id, w.url, w.events, w.created_at) for w in webhooks.webhooks(session)]
    if not rows:
        out.print("no webhooks")
        return
    table = wrapping_table("id", "url", "events", "registered", title="pulsebot webhooks")
    for webhook_id, url, kinds, made in rows:
        table.add_row(str(webhook_id), url, kinds, f"{made:%Y-%m-%d %H:%M}")
    out.print(table, soft_wrap=True)
