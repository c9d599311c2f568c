"""What the database keeps of the order things were written in, beyond the rows themselves.

SQLite's write-ahead log holds every page a commit changed until a checkpoint copies them into the
database file; replayed commit by commit, it would show which rows each transaction wrote. After a batch
of answers the log is checkpointed and truncated, so it keeps no history of who wrote what when.
(PostgreSQL's own log is the server's; its rows carry the writing transaction's id, which a batch
shares with every answer in it.)
"""

from __future__ import annotations

from sqlalchemy import text

from pulsebot.store.db import SessionFactory


def forget_write_history(sessions: SessionFactory) -> None:
    with sessions() as session:
        connection = session.connection()
        if connection.dialect.name == "sqlite":
            # Best effort: a reader still on an older snapshot makes it a partial checkpoint, and the
            # next batch's truncates the rest.
            connection.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))


def scrub_tables(sessions: SessionFactory, tables: list[str]) -> None:
    """Make rows just deleted or overwritten unreadable from the files: PostgreSQL keeps their old
    versions as dead tuples until VACUUM; SQLite (secure_delete) zeroes them, and its log is emptied."""
    with sessions() as session:
        engine = session.get_bind()
    if engine.dialect.name == "sqlite":
        forget_write_history(sessions)
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        for table in tables:
            connection.execute(text(f'VACUUM "{table}"'))
