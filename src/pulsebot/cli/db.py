"""`pulsebot db …`: the database schema."""

import typer

from pulsebot.cli.common import migrated, out, settings_or_fail

group = typer.Typer(help="The database schema.", no_args_is_help=True)


@group.command("upgrade")
def upgrade() -> None:
    """Create or migrate the database schema to the latest revision."""
    engine = migrated(settings_or_fail())
    out.print(f"database at {engine.url.render_as_string(hide_password=True)} is up to date")
