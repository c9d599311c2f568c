"""Insert rows, or update the ones whose key is already stored, in as few statements as the database
allows: INSERT … ON CONFLICT DO UPDATE, which SQLite and PostgreSQL both have.

The rows are written in the order given. For the answer tables that order is shuffled by the caller, since
a table's physical order must say nothing about the order of the clicks."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

ROWS_PER_STATEMENT = 500  # well under SQLite's limit on bound parameters


def upsert(
    session: Session, table: Table, rows: list[dict], *, key: Sequence[str], update: Sequence[str]
) -> None:
    """Write `rows` into `table`; a row whose `key` columns match a stored one replaces its `update`
    columns."""
    if not rows:
        return
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    for start in range(0, len(rows), ROWS_PER_STATEMENT):
        statement = dialect.insert(table).values(rows[start : start + ROWS_PER_STATEMENT])
        statement = statement.on_conflict_do_update(
            index_elements=list(key), set_={name: statement.excluded[name] for name in update}
        )
        session.connection().execute(statement)
