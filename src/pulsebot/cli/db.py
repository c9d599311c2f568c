"""`pulsebot db …`: the database schema."""

import typer
from sqlalchemy import inspect

from pulsebot.cli.common import out, reachable, settings_or_fail
from pulsebot.store import migrate

group = typer.Typer(help="The database schema.", no_args_is_help=True)


@group.command("upgrade")
def upgrade() -> None:
    """Create or migrate the database schema to the latest revision, and say which it did."""
    engine = reachable(settings_or_fail())
    where = engine.url.render_as_string(hide_password=True)
    before = migrate.current_revision(engine)
    migrate.upgrade(engine)
    after = migrate.current_revision(engine)
    if before is None:
        tables = len(set(inspect(engine).get_table_names()) - {"alembic_version"})
        say(f"created pulsebot's {tables} tables in the database at {where} (schema revision {after})")
    elif before != after:
        say(f"migrated the database at {where} from schema revision {before} to {after}")
    else:
        say(f"the database at {where} is up to date (schema revision {after})")


def say(line: str) -> None:
    out.print(line, highlight=False, soft_wrap=True)
