"""What every `pulsebot` subcommand shares: one-line failures, settings, a reachable database."""

from __future__ import annotations

from typing import NoReturn

import typer
from rich.console import Console
from sqlalchemy import Engine

from pulsebot.config import ConfigError, Settings, load_settings
from pulsebot.store import migrate
from pulsebot.store.db import database_reachable, make_engine

out = Console()


def fail(message: str, code: int = 1) -> NoReturn:
    typer.echo(f"pulsebot: {message}", err=True)
    raise typer.Exit(code)


def settings_or_fail() -> Settings:
    try:
        return load_settings()
    except ConfigError as error:
        fail(str(error), code=2)


def reachable(settings: Settings, engine: Engine | None = None) -> Engine:
    engine = engine or make_engine(settings.database_url)
    if not database_reachable(engine):
        fail(f"cannot reach the database at {engine.url.render_as_string(hide_password=True)} (DATABASE_URL)")
    return engine


def migrated(settings: Settings) -> Engine:
    """A reachable database with the latest schema."""
    engine = reachable(settings)
    migrate.upgrade(engine)
    return engine
