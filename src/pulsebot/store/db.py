"""Engine and session factory for SQLite (embedded) and PostgreSQL (production, replicas)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, event, text
from sqlalchemy.engine import make_url
from sqlmodel import Session, create_engine

SessionFactory = Callable[[], Session]


def normalise_url(url: str) -> str:
    """Accept the plain `postgresql://` and `postgres://` URLs hosting providers hand out; use psycopg 3."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url.removeprefix("postgres://")
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


def make_engine(url: str) -> Engine:
    url = normalise_url(url)
    if make_url(url).get_backend_name() == "sqlite":
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 15})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "savepoint", _sqlite_begin_before_savepoint)
        return engine
    # A database that does not answer at all (rather than refusing) must not hold a request past
    # Slack's 3 seconds: give up connecting after 2, so the person hears "try again in a minute".
    connect_args = {} if "connect_timeout" in url else {"connect_timeout": 2}
    return create_engine(url, pool_pre_ping=True, connect_args=connect_args)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets the web handlers read while the sender writes; foreign keys are off by default in SQLite.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=15000")
    # Deleted rows (a destroyed answer key, a forgotten person) are overwritten, not left in free pages.
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


def _sqlite_begin_before_savepoint(connection, _name) -> None:
    # Python's sqlite3 begins a transaction only at the first INSERT/UPDATE/DELETE. A SAVEPOINT taken
    # before that (an answer's or a vote's upsert) would open a transaction of its own that its RELEASE
    # commits at once, so a unit of work cut off after it would stay half-written. Begin the real
    # transaction first; IMMEDIATE takes the write lock now (waiting up to busy_timeout for it).
    dbapi_connection = connection.connection.dbapi_connection
    if not dbapi_connection.in_transaction:
        dbapi_connection.execute("BEGIN IMMEDIATE")


def session_factory(engine: Engine) -> SessionFactory:
    def new_session() -> Session:
        return Session(engine, expire_on_commit=False)

    return new_session


@contextmanager
def transaction(sessions: SessionFactory) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error."""
    with sessions() as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def database_reachable(engine: Engine) -> bool:
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception:  # any driver error means "not reachable" for a health check
        return False
    return True
