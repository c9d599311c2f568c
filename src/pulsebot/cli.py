"""The `pulsebot` command: run the bot, migrate the database, manage surveys, send a pulse."""

from __future__ import annotations

import contextlib
import logging
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.table import Table
from slack_sdk.errors import SlackApiError
from sqlalchemy.exc import OperationalError

from pulsebot.config import ConfigError, Settings, load_settings
from pulsebot.services.errors import Refusal
from pulsebot.services.survey_file import SurveyFileError, load_survey_file
from pulsebot.services.surveys import apply_survey, list_surveys
from pulsebot.store import migrate
from pulsebot.store.db import database_reachable, make_engine, session_factory, transaction

cli = typer.Typer(help="pulsebot: continuous employee feedback for Slack.", no_args_is_help=True)
db_cli = typer.Typer(help="The database schema.", no_args_is_help=True)
survey_cli = typer.Typer(help="Surveys: define them in YAML, list them.", no_args_is_help=True)
pulse_cli = typer.Typer(help="Pulse runs.", no_args_is_help=True)
cli.add_typer(db_cli, name="db")
cli.add_typer(survey_cli, name="survey")
cli.add_typer(pulse_cli, name="pulse")
out = Console()


def fail(message: str, code: int = 1) -> NoReturn:
    typer.echo(f"pulsebot: {message}", err=True)
    raise typer.Exit(code)


def _settings() -> Settings:
    try:
        return load_settings()
    except ConfigError as error:
        fail(str(error), code=2)


def _engine(settings: Settings, engine=None):
    engine = engine or make_engine(settings.database_url)
    if not database_reachable(engine):
        fail(f"cannot reach the database at {engine.url.render_as_string(hide_password=True)} (DATABASE_URL)")
    return engine


def _now():
    from pulsebot.slack.app import utc_now

    return utc_now()


@db_cli.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the database schema to the latest revision."""
    engine = _engine(_settings())
    migrate.upgrade(engine)
    out.print(f"database at {engine.url.render_as_string(hide_password=True)} is up to date")


@survey_cli.command("apply")
def survey_apply(
    file: Annotated[Path, typer.Argument(help="A YAML file with `surveys:` or one survey.")],
) -> None:
    """Create or update surveys from a YAML file (idempotent: surveys are matched by name)."""
    try:
        specs = load_survey_file(file)
    except SurveyFileError as error:
        fail(str(error))
    engine = _engine(_settings())
    migrate.upgrade(engine)
    with transaction(session_factory(engine)) as session:
        outcomes = [(spec.name, apply_survey(session, spec=spec, now=_now())) for spec in specs]
    for name, outcome in outcomes:
        out.print(f"{name}: {outcome.value}")


@survey_cli.command("list")
def survey_list() -> None:
    """List the surveys with their channel, schedule and state."""
    engine = _engine(_settings())
    migrate.upgrade(engine)
    with transaction(session_factory(engine)) as session:
        surveys = list_surveys(session)
    if not surveys:
        out.print("no surveys yet: define one in YAML and run `pulsebot survey apply FILE.yml`")
        return
    table = Table("name", "title", "channel", "delivery", "schedule", "time zone", "questions", "state")
    for s in surveys:
        state = "paused" if s.paused else "active"
        table.add_row(
            s.name, s.title, s.channel_id, s.delivery, s.schedule or "-", s.timezone, str(s.questions), state
        )
    out.print(table)


@pulse_cli.command("send")
def pulse_send(survey: Annotated[str, typer.Argument(help="The survey's name.")]) -> None:
    """Open a pulse run of SURVEY now and post it in Slack."""
    from pulsebot.slack.app import make_client
    from pulsebot.slack.publish import send_pulse

    settings = _settings()
    try:
        client = make_client(settings)
        settings.require("anon_key")
    except ConfigError as error:
        fail(str(error), code=2)
    engine = _engine(settings)
    migrate.upgrade(engine)
    try:
        run = send_pulse(client, session_factory(engine), survey_name=survey, now=_now())
    except Refusal as refusal:
        fail(refusal.message)
    except SlackApiError as error:
        fail(f"Slack refused {error.response.api_url.rsplit('/', 1)[-1]}: {error.response.get('error')}")
    out.print(f"sent “{run.title}” (run {run.run_id}) to {run.audience} people in channel {run.channel_id}")


@cli.command("run")
def run() -> None:
    """Run the bot: Socket Mode when SLACK_APP_TOKEN is set, otherwise HTTP on PULSEBOT_PORT."""
    from pulsebot.slack.app import create_app

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = _settings()
    engine = make_engine(settings.database_url)
    try:
        app = create_app(settings, sessions=session_factory(engine))
    except ConfigError as error:
        fail(str(error), code=2)
    _engine(settings, engine)
    migrate.upgrade(engine)
    try:
        app.client.auth_test()
    except SlackApiError as error:
        fail(f"Slack refused SLACK_BOT_TOKEN: {error.response.get('error')}", code=2)
    if settings.slack_app_token is not None:
        from slack_bolt.adapter.socket_mode import SocketModeHandler

        SocketModeHandler(app, settings.slack_app_token.get_secret_value()).start()
        return
    from pulsebot.slack.server import make_http_server, wsgi_app

    server = make_http_server(wsgi_app(app, healthy=lambda: database_reachable(engine)), port=settings.port)
    logging.getLogger("pulsebot").info("listening on :%d (POST /slack/events, GET /healthz)", settings.port)
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()


def main() -> None:
    try:
        cli()
    except OperationalError as error:
        fail(f"database error: {error.orig}")
