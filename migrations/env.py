"""Alembic environment: the target is SQLModel.metadata; the URL comes from pulsebot's settings
unless the caller hands over a connection (tests, `pulsebot db upgrade`)."""

from alembic import context
from sqlmodel import SQLModel

import pulsebot.store.installations  # the installed workspaces' tables
import pulsebot.store.models  # noqa: F401  (registers the tables on SQLModel.metadata)
from pulsebot.config import load_settings
from pulsebot.store.db import make_engine

config = context.config
target_metadata = SQLModel.metadata


def run_with(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copying them
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    run_with(connection)
else:
    engine = make_engine(config.get_main_option("sqlalchemy.url") or load_settings().database_url)
    with engine.connect() as own_connection:
        run_with(own_connection)
    engine.dispose()
