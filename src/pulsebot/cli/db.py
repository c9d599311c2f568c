"""`pulsebot db …`: the database schema."""

import typer
from sqlalchemy import inspect

from pulsebot.cli.common import out, reachable, settings_or_fail
from pulsebot.cli.common import upgrade as upgrade_schema
from pulsebot.store import migrate

group = typer.Typer(help="The database schema.", no_args_is_help=True)


@group.command("upgrade")
def upgrade() -> None:
    """Create or migrate the database schema to the latest revision, and say which it did."""
    settings = settings_or_fail()
    engine = reachable(settings)
    where = engine.url.render_as_string(hide_password=True)
    before = migrate.current_revision(engine)
    released = upgrade_schema(engine, settings)
    after = migrate.current_revision(engine)
    if before is None:
        tables = len(set(inspect(engine).get_table_names()) - {"alembic_version"})
        say(f"created pulsebot's {tables} tables in the database at {where} (schema revision {after})")
    elif before != after:
        say(f"migrated the database at {where} from schema revision {before} to {after}")
    else:
        say(f"the database at {where} is up to date (schema revision {after})")
    if released:  # runs closed by a version without the release step (services/results/release.py)
        say(f"released the figures of {released} closed pulse{'s' if released != 1 else ''}")


def say(line: str) -> None:
    out.print(line, highlight=False, soft_wrap=True)
