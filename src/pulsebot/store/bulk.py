"""Insert many rows at once, in the session's transaction, as fast as each database takes them.

On PostgreSQL a COPY: 50,000 rows go in about a tenth of the time an INSERT per row takes (psycopg's
`executemany`), most of what is left being the foreign-key checks. On SQLite one prepared INSERT run for
every row, with plain tuples rather than SQLAlchemy's per-row parameter handling. Rows are written in
the order given.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import Table
from sqlmodel import Session


def insert_many(session: Session, table: Table, columns: Sequence[str], rows: Iterable[Sequence]) -> None:
    """Insert `rows` (each a value per column of `columns`, in that order) into `table`."""
    rows = list(rows)
    if not rows:
        return
    connection = session.connection()
    quote = connection.dialect.identifier_preparer.quote
    names = ", ".join(quote(column) for column in columns)
    if connection.dialect.name == "postgresql":
        driver = connection.connection.driver_connection  # the psycopg connection of this transaction
        with driver.cursor() as cursor, cursor.copy(f"COPY {quote(table.name)} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    places = ", ".join("?" for _ in columns)
    connection.exec_driver_sql(f"INSERT INTO {quote(table.name)} ({names}) VALUES ({places})", rows)
