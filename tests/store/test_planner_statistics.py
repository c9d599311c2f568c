"""The planner keeps no statistics of a sensitive column: every column that looks sensitive is declared
one way or the other (store/statistics.py), PostgreSQL's ANALYZE skips the sensitive ones, an upgrade
removes what an older database kept of them (as its owner, not a superuser), and SQLite's ANALYZE,
which pulsebot never runs, keeps counts only."""

from __future__ import annotations

import logging
import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import Engine, String, Text, text
from sqlalchemy.engine import make_url
from sqlalchemy.types import JSON, Enum
from sqlmodel import SQLModel, select

from pulsebot.store import migrate
from pulsebot.store.db import make_engine, older_transactions_gone, scrub, session_factory
from pulsebot.store.models import Person, RunCell, RunMember, RunSecret
from pulsebot.store.statistics import HARMLESS, HARMLESS_EVERYWHERE, NO_STATISTICS, scrub_statistics
from tests.conftest import PG_URL
from tests.pulse_data import make_team, people, run_week, scores
from tests.store.test_at_rest import NOW, leaver_s_traces
from tests.stored_bytes import STATISTICS_VIEWS, analyze, statistics_holding

# A column looks sensitive when it holds text, or when its name says it is about a person or an answer.
SOUNDS_PERSONAL = re.compile(
    r"user|author|actor|voter|respondent|owner|_by$|token|secret|state|comment|text|reason|detail|answer|"
    r"choice|value|sentiment|webhook"
)
LAST_MIGRATION_BEFORE = "0015"  # the schema of a database from before statistics were kept off
ATTEMPTED = ("pulse_run", "delivery", "conversation_message")  # tables with a column added since (0020)


def looks_sensitive(column) -> bool:
    holds_text = isinstance(column.type, String | Text | JSON) and not isinstance(column.type, Enum)
    return holds_text or bool(SOUNDS_PERSONAL.search(column.name))


def test_every_column_that_looks_sensitive_is_declared_sensitive_or_harmless():
    columns = {
        (table.name, column.name): column
        for table in SQLModel.metadata.tables.values()
        for column in table.columns
    }
    harmless = set().union(*HARMLESS.values())
    undeclared = {
        place
        for place, column in columns.items()
        if looks_sensitive(column)
        and place not in NO_STATISTICS | harmless
        and place[1] not in HARMLESS_EVERYWHERE
    }
    assert undeclared == set()
    assert (NO_STATISTICS | harmless) - columns.keys() == set()  # no stale name
    assert NO_STATISTICS & harmless == set()


def test_postgresql_keeps_no_statistics_of_any_sensitive_column(engine):
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no statistics target: see the test of what its statistics hold")
    with engine.connect() as connection:
        targets = connection.execute(
            text(
                "SELECT c.relname, a.attname, a.attstattarget FROM pg_attribute a "
                "JOIN pg_class c ON c.oid = a.attrelid WHERE c.relnamespace = current_schema()::regnamespace "
                "AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped"
            )
        ).all()
        # An expression index or an extended statistics object gets statistics of its own.
        own_statistics = connection.execute(
            text(
                "SELECT c.relname, a.attname, pg_describe_object(d.classid, d.objid, 0) FROM pg_depend d "
                "JOIN pg_class c ON c.oid = d.refobjid JOIN pg_attribute a "
                "  ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid "
                "WHERE d.refclassid = 'pg_class'::regclass "
                "AND c.relnamespace = current_schema()::regnamespace "
                "AND ((d.classid = 'pg_class'::regclass "
                "      AND d.objid IN (SELECT indexrelid FROM pg_index WHERE indexprs IS NOT NULL)) "
                "  OR d.classid = 'pg_statistic_ext'::regclass)"
            )
        ).all()
    kept = {(table, column) for table, column, target in targets if target != 0}
    assert NO_STATISTICS - {(table, column) for table, column, _ in targets} == set()  # all migrated
    assert NO_STATISTICS & kept == set()
    assert [found for found in own_statistics if found[:2] in NO_STATISTICS] == []


def test_sqlite_statistics_hold_counts_only_and_pulsebot_never_gathers_them(engine, sessions):
    if engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL's statistics are kept off the sensitive columns instead")
    leaver_s_traces(sessions)
    scrub(engine, ())

    def statistics_tables() -> set[str]:
        with engine.connect() as connection:
            query = "SELECT name FROM sqlite_master WHERE name LIKE 'sqlite_stat%'"
            return set(connection.exec_driver_sql(query).scalars())

    assert statistics_tables() == set()  # nothing pulsebot did ran ANALYZE
    # sqlite_stat4 (samples of index keys) exists only when SQLite is built with STAT4; this one is not.
    options = {row[0] for row in sqlite3.connect(":memory:").execute("PRAGMA compile_options")}
    assert "ENABLE_STAT4" not in options

    analyze(engine)  # as an operator might

    assert statistics_tables() == {"sqlite_stat1"}
    with engine.connect() as connection:
        stats = connection.exec_driver_sql("SELECT stat FROM sqlite_stat1").scalars().all()
    assert stats and all(re.fullmatch(r"\d+( \d+)*( unordered| noskipscan| sz=\d+)*", stat) for stat in stats)


@dataclass
class OwnedDatabase:
    owner: Engine  # pulsebot, as the owner of its tables and not a superuser
    superuser: Engine  # the attacker reading pg_stats and the raw pages, and the administrator


@contextmanager
def database_of_its_own(*, owns_database: bool) -> Iterator[OwnedDatabase]:
    """A database whose tables a non-superuser role owns; the role owns the database too if asked."""
    if not PG_URL:
        pytest.skip("no PostgreSQL")
    url = make_url(PG_URL)
    role, database = f"{url.database}_owner", f"{url.database}_owned"
    admin = make_engine(PG_URL).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
        connection.exec_driver_sql(f"DROP ROLE IF EXISTS {role}")
        connection.exec_driver_sql(f"CREATE ROLE {role} LOGIN")
        connection.exec_driver_sql(
            f"CREATE DATABASE {database} OWNER {role if owns_database else 'postgres'}"
        )
    superuser = make_engine(url.set(database=database).render_as_string(hide_password=False))
    with superuser.begin() as connection:
        connection.exec_driver_sql(f"ALTER SCHEMA public OWNER TO {role}")
    owner = make_engine(url.set(database=database, username=role).render_as_string(hide_password=False))
    try:
        yield OwnedDatabase(owner=owner, superuser=superuser)
    finally:
        owner.dispose()
        superuser.dispose()
        with admin.connect() as connection:
            connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
            connection.exec_driver_sql(f"DROP ROLE IF EXISTS {role}")
        admin.dispose()


LATER_TABLES = [Person.__table__, RunCell.__table__, RunMember.__table__]  # migration 0018's


def an_older_database_analyzed(owner: Engine) -> list[str]:
    """Three closed runs with a comment, stored and ANALYZEd before this version: what pg_statistic got."""
    migrate.upgrade(owner, LAST_MIGRATION_BEFORE)
    # Today's models write the rows: the columns and tables later migrations add are there while they are
    # written (a run reads its audience's attributes when it opens).
    with owner.begin() as connection:
        connection.exec_driver_sql("ALTER TABLE answer ADD COLUMN cell integer")
        connection.exec_driver_sql("ALTER TABLE question ADD COLUMN not_applicable boolean DEFAULT false")
        connection.exec_driver_sql("ALTER TABLE pulse_run ADD COLUMN held integer DEFAULT 0")
        connection.exec_driver_sql("ALTER TABLE run_figures ADD COLUMN held integer")
        connection.exec_driver_sql("ALTER TABLE run_figures ADD COLUMN held_total integer")  # 0032's
        connection.exec_driver_sql("ALTER TABLE survey ADD COLUMN language varchar(8)")  # migration 0026's
        SQLModel.metadata.create_all(connection, tables=LATER_TABLES)
        for table in ATTEMPTED:
            connection.exec_driver_sql(f"ALTER TABLE {table} ADD COLUMN attempted_at timestamptz")
    sessions = session_factory(owner)
    make_team(sessions, now=NOW - timedelta(days=90))
    audience = people(6)
    for days_ago in (60, 53, 46):
        run_week(
            sessions,
            survey="team-pulse",
            opened=NOW - timedelta(days=days_ago),
            audience=audience,
            answers=scores(audience, [3] * 6),
            comments={audience[days_ago % 6]: f"the rota is unfair to Zoltan ({days_ago})"},
        )
    analyze(owner)
    with sessions() as session:
        secrets = session.exec(select(RunSecret.secret)).all()
    with owner.begin() as connection:
        SQLModel.metadata.drop_all(connection, tables=LATER_TABLES)
        connection.exec_driver_sql("ALTER TABLE answer DROP COLUMN cell")
        connection.exec_driver_sql("ALTER TABLE question DROP COLUMN not_applicable")
        connection.exec_driver_sql("ALTER TABLE pulse_run DROP COLUMN held")
        connection.exec_driver_sql("ALTER TABLE run_figures DROP COLUMN held")
        connection.exec_driver_sql("ALTER TABLE run_figures DROP COLUMN held_total")
        connection.exec_driver_sql("ALTER TABLE survey DROP COLUMN language")
        for table in ATTEMPTED:
            connection.exec_driver_sql(f"ALTER TABLE {table} DROP COLUMN attempted_at")
    return [*secrets, *audience, "unfair to Zoltan"]


def test_an_upgrade_removes_what_the_statistics_kept_when_pulsebot_owns_its_database():
    with database_of_its_own(owns_database=True) as database:
        kept = an_older_database_analyzed(database.owner)
        assert all(statistics_holding(database.superuser, value) for value in kept)  # the attack works

        migrate.upgrade(database.owner)
        analyze(database.owner)

        assert {value: statistics_holding(database.superuser, value) for value in kept} == {
            value: [] for value in kept
        }


def test_a_table_owner_without_the_database_is_told_what_a_superuser_must_run(caplog):
    with database_of_its_own(owns_database=False) as database:
        kept = an_older_database_analyzed(database.owner)

        with caplog.at_level(logging.WARNING):
            migrate.upgrade(database.owner)

        assert "as a superuser, run VACUUM FULL pg_statistic in test_" in caplog.text
        # pg_stats shows nothing any more; the dead tuples may still be in pg_statistic's pages...
        assert not any(
            set(statistics_holding(database.superuser, value)) & set(STATISTICS_VIEWS) for value in kept
        )
        with database.superuser.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            # As pulsebot's own rewrite does: a transaction anywhere on the server that began before the
            # upgrade would keep the dead tuples alive through the rewrite.
            older_transactions_gone(connection, timeout=30)
            connection.exec_driver_sql("VACUUM FULL pg_statistic")  # ...until the superuser runs this
        assert all(statistics_holding(database.superuser, value) == [] for value in kept)


def test_rewriting_pg_statistic_waits_a_few_seconds_at_most(engine, caplog):
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no pg_statistic")
    with engine.connect() as planner:  # a long ANALYZE, say, holds a lock on the catalog
        planner.execute(text("LOCK TABLE pg_statistic IN ROW EXCLUSIVE MODE"))
        with caplog.at_level(logging.WARNING):
            assert scrub_statistics(engine) is False
        planner.rollback()
    assert "pg_statistic not rewritten" in caplog.text
