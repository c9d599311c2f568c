"""The `pulsebot` command: run the bot, migrate the database, manage surveys, send a pulse, digests.

Each subcommand group lives in its own module and adds itself to `cli` here.
"""

from __future__ import annotations

from importlib.metadata import version
from typing import Annotated

import typer
from sqlalchemy.exc import OperationalError

from pulsebot.cli import (
    actions,
    api,
    db,
    demo,
    digests,
    onboarding,
    people,
    privacy,
    pulses,
    reports,
    run,
    segments,
    surveys,
    web,
    workspaces,
)
from pulsebot.cli.common import fail
from pulsebot.cli.conventions import PulsebotGroup

cli = typer.Typer(
    cls=PulsebotGroup, help="pulsebot: continuous employee feedback for Slack.", no_args_is_help=True
)
cli.add_typer(db.group, name="db")
cli.add_typer(surveys.group, name="survey")
cli.add_typer(pulses.group, name="pulse")
cli.command("run")(run.run)
cli.command("web")(web.web)
cli.add_typer(digests.group, name="digest")
cli.command("report")(reports.report)
cli.command("export")(reports.export)
cli.command("heatmap")(reports.heatmap)
cli.command("segments")(segments.segments)
cli.command("forget")(privacy.forget)
cli.command("audit")(privacy.audit)
cli.command("demo")(demo.demo)
cli.command("actions")(actions.actions)
cli.add_typer(workspaces.group, name="workspace")
cli.add_typer(people.group, name="people")
cli.add_typer(api.group, name="api")
cli.command("onboarding")(onboarding.onboarding)
cli.add_typer(onboarding.group, name="exit")


def _print_version(wanted: bool) -> None:
    if wanted:
        typer.echo(f"pulsebot {version('pulsebot')}")
        raise typer.Exit()


@cli.callback()
def _options(
    show_version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_print_version, is_eager=True, help="Print pulsebot's version and exit."
        ),
    ] = False,
) -> None:
    """pulsebot: continuous employee feedback for Slack."""


def main() -> None:
    try:
        cli()
    except OperationalError as error:
        fail(f"database error: {error.orig}")
