"""What a database reader finds in the files themselves, below SQL: the SQLite database and WAL bytes,
or every PostgreSQL page of a table, its indexes and its TOAST (read with pageinspect); and what the
planner's statistics keep of a value once the ANALYZE autovacuum runs has seen it."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError


def where_found(engine: Engine, needle: str, tables: tuple[str, ...]) -> list[str]:
    """The files (SQLite) or relations (PostgreSQL) whose raw bytes contain `needle`."""
    if engine.dialect.name == "sqlite":
        path = Path(engine.url.database)
        files = [path, Path(f"{path}-wal")]
        return [file.name for file in files if file.exists() and needle.encode() in file.read_bytes()]
    return [relation for relation in _relations(engine, tables) if _pages_hold(engine, relation, needle)]


def analyze(engine: Engine) -> None:
    """The ANALYZE autovacuum runs on PostgreSQL once a table has changed enough (the test server has
    autovacuum off), or an operator runs on SQLite."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("ANALYZE")


# The catalogs where ANALYZE keeps values: per column (with the rows' dead versions) and per extended
# statistics object, each with its TOAST table.
STATISTICS_CATALOGS = ("pg_statistic", "pg_statistic_ext_data")
STATISTICS_VIEWS = ("pg_stats", "pg_stats_ext", "pg_stats_ext_exprs")


def statistics_holding(engine: Engine, needle: str) -> list[str]:
    """Where the planner's statistics keep `needle`: on PostgreSQL the views that show them and every raw
    page of their catalogs, dead tuples included; on SQLite the sqlite_stat tables and, below SQL, the
    files they are stored in."""
    if engine.dialect.name == "sqlite":
        with engine.connect() as connection:
            tables = connection.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE name LIKE 'sqlite_stat%'"
            ).scalars()
            found = [
                table
                for table in list(tables)
                if any(needle in str(row) for row in connection.exec_driver_sql(f"SELECT * FROM {table}"))
            ]
        return found + where_found(engine, needle, ())
    with engine.connect() as connection:
        found = [
            view
            for view in STATISTICS_VIEWS
            if connection.execute(
                text(f"SELECT count(*) FROM {view} s WHERE strpos(s::text, :needle) > 0"), {"needle": needle}
            ).scalar()
        ]
    catalogs = _relations(engine, STATISTICS_CATALOGS)
    return found + [relation for relation in catalogs if _pages_hold(engine, relation, needle)]


def _relations(engine: Engine, tables: tuple[str, ...]) -> list[str]:
    try:
        with engine.begin() as connection:
            connection.execute(text("CREATE EXTENSION IF NOT EXISTS pageinspect"))
    except DBAPIError as error:
        pytest.skip(f"pageinspect is not available to read raw pages: {error.orig}")
    relations = []
    with engine.connect() as connection:
        for table in tables:
            relations += (
                connection.execute(
                    text(
                        "SELECT c.oid::regclass::text FROM pg_class c WHERE c.oid = CAST(:t AS regclass) "
                        "OR c.oid IN (SELECT indexrelid FROM pg_index WHERE indrelid = CAST(:t AS regclass)) "
                        "OR c.oid = (SELECT reltoastrelid FROM pg_class WHERE oid = CAST(:t AS regclass)) "
                        "OR c.oid IN (SELECT indexrelid FROM pg_index WHERE indrelid = "
                        "  (SELECT reltoastrelid FROM pg_class WHERE oid = CAST(:t AS regclass)))"
                    ),
                    {"t": table},
                )
                .scalars()
                .all()
            )
    return relations


def _pages_hold(engine: Engine, relation: str, needle: str) -> bool:
    with engine.connect() as connection:
        return (
            connection.execute(
                text(
                    "SELECT count(*) FROM generate_series(0, (pg_relation_size(CAST(:r AS regclass)) "
                    "  / current_setting('block_size')::int)::int - 1) AS block "
                    "WHERE position(CAST(:needle AS bytea) IN get_raw_page(CAST(:r AS text), block::int)) > 0"
                ),
                {"r": relation, "needle": needle},
            ).scalar()
            > 0
        )
