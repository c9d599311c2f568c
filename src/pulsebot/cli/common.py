"""What every `pulsebot` subcommand shares: one-line failures, settings, a reachable database."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.table import Column, Table
from sqlalchemy import Engine, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from pulsebot.clock import utc_now
from pulsebot.config import ConfigError, Settings, load_settings
from pulsebot.services.results import release
from pulsebot.store import migrate
from pulsebot.store.db import SessionFactory, database_reachable, make_engine, session_factory, transaction
from pulsebot.store.scoping import SINGLE_WORKSPACE, scoped_sessions


class Output:
    """Where commands print what they found. Each print measures the terminal (or COLUMNS) anew: a console
    made once, when pulsebot is imported, would keep the COLUMNS the process started with for good, and
    a process often inherits one it did not ask for (GNU readline exports COLUMNS=80 to the programs
    started by one that imported it without a terminal), so a table would wrap at 80 columns though
    COLUMNS says 200 when the command runs."""

    def print(self, *objects: Any, **options: Any) -> None:
        Console().print(*objects, **options)


out = Output()


def wrapping_table(*headers: str, **options) -> Table:
    """A table whose cells wrap, and whose long words fold, to fit the terminal rather than being cut
    short with "…"."""
    return Table(*(Column(header, overflow="fold") for header in headers), **options)


def fail(message: str, code: int = 1) -> NoReturn:
    """Stop with exit status `code` (2 for a usage mistake, 1 for a failure), each line of `message`
    (one, or one per problem found, as in a survey file) beginning `pulsebot:`."""
    typer.echo("\n".join(f"pulsebot: {line}" for line in message.splitlines()), err=True)
    raise typer.Exit(code)


def settings_or_fail() -> Settings:
    try:
        return load_settings()
    except ConfigError as error:
        fail(str(error), code=2)


def reachable(settings: Settings, engine: Engine | None = None) -> Engine:
    engine = engine or make_engine(settings.database_url)
    if not database_reachable(engine):
        fail(why_unreachable(engine))
    return engine


def why_unreachable(engine: Engine, setting: str = "DATABASE_URL") -> str:
    """One line naming why the database does not answer, in the database's own words: a database that
    does not exist on a server that does answer, a user it does not know, a refused password."""
    where = engine.url.render_as_string(hide_password=True)
    try:
        with engine.connect():
            return f"the database at {where} ({setting}) answered only now; try again"
    except DBAPIError as error:
        reason = _own_reason(error)
    name = engine.url.database
    if engine.dialect.name == "postgresql" and reason == f'database "{name}" does not exist':
        return (
            f'the database "{name}" does not exist on {engine.url.host}:{engine.url.port or 5432} '
            f"({setting}): create it (createdb {name}) or name one that exists"
        )
    return f"cannot reach the database at {where} ({setting}): {reason}"


def _own_reason(error: DBAPIError) -> str:
    """PostgreSQL's reason without psycopg's preamble ("connection failed: connection to server at …
    failed: FATAL:"), which names the server the line already names."""
    if error.orig is None:
        return type(error).__name__
    reason = " ".join(str(error.orig).split())
    return reason.rpartition("FATAL: ")[2] if "FATAL: " in reason else reason


def migrated(settings: Settings) -> Engine:
    """A reachable database with the latest schema."""
    engine = reachable(settings)
    upgrade(engine, settings)
    return engine


def upgrade(engine: Engine, settings: Settings) -> int:
    """Bring the schema up to date, then release the figures of every closed run that has none: the runs
    closed before the release step existed, or by a pass that failed after closing them. Returns how
    many runs it released."""
    migrate.upgrade(engine)
    with transaction(session_factory(engine)) as session:
        return len(release.release_closed_runs(session, min_group=settings.min_group, now=utc_now()))


def existing(settings: Settings) -> Engine:
    """For a command that only reads: a database pulsebot has already set up, brought to the latest schema.

    Opening an SQLite file that is not there would create an empty one (a typo in DATABASE_URL, or the
    wrong folder, would leave a stray `pulsebot.db` behind and report "no survey"), so say so instead.
    """
    url = make_url(settings.database_url)
    where = url.render_as_string(hide_password=True)
    first_step = "run `pulsebot db upgrade` first"
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        path = Path(url.database)
        if not path.is_file():
            fail(f"no database at {path.resolve()} (DATABASE_URL); {first_step}")
    engine = reachable(settings)
    if not inspect(engine).has_table("alembic_version"):
        fail(f"no pulsebot tables in the database at {where} (DATABASE_URL); {first_step}")
    upgrade(engine, settings)
    return engine


Team = Annotated[
    str,
    typer.Option(
        "--team",
        metavar="TEAM",
        help="The workspace (its Slack team id, T…) when pulsebot serves several; "
        "leave out for the one of SLACK_BOT_TOKEN.",
    ),
]
TEAM_ID = re.compile(r"[TE][A-Z0-9]{2,19}")


def team_sessions(settings: Settings, engine: Engine, team: str) -> SessionFactory:
    """Sessions that see one workspace's data: `--team`'s when pulsebot serves several, otherwise the
    one workspace's."""
    return scoped_sessions(session_factory(engine), workspace_of(settings, engine, team))


def workspace_of(settings: Settings, engine: Engine, team: str, *, installed=None) -> str:
    """The workspace `--team` names, checked; the one workspace's when there is one."""
    if not settings.oauth:
        if team:
            fail("--team: pulsebot serves one workspace here (SLACK_BOT_TOKEN); leave --team out", code=2)
        return SINGLE_WORKSPACE
    teams = (installed or _installed(settings, engine)).team_ids()
    if not team:
        fail(f"--team: pulsebot serves several workspaces; name one of: {', '.join(teams) or 'none yet'}")
    if not TEAM_ID.fullmatch(team):
        fail(f"--team: {team!r} is not a Slack team id (like T0123ABCD)", code=2)
    if team not in teams:
        fail(f"--team: pulsebot is not installed in {team} (installed: {', '.join(teams) or 'none yet'})")
    return team


def reach_workspace(settings: Settings, engine: Engine, team: str):
    """For a command that talks to Slack: `--team`'s workspace (checked as `workspace_of` does) and the
    workspaces served, the installed ones or the one of SLACK_BOT_TOKEN, built once for both."""
    from pulsebot.slack.app import make_client
    from pulsebot.slack.workspaces import SingleWorkspace

    installed = _installed(settings, engine) if settings.oauth else None
    team_id = workspace_of(settings, engine, team, installed=installed)
    if installed is not None:
        return team_id, installed
    try:
        return team_id, SingleWorkspace(make_client(settings))
    except ConfigError as error:
        fail(str(error), code=2)


def _installed(settings: Settings, engine: Engine):
    from pulsebot.slack.installations import installed_workspaces

    try:
        return installed_workspaces(settings, engine)
    except ConfigError as error:
        fail(str(error), code=2)
