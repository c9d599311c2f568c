"""Engine and session factory for SQLite (embedded) and PostgreSQL (production, replicas)."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session, create_engine, select

SessionFactory = Callable[[], Session]

log = logging.getLogger(__name__)

# The database holds who was asked, who wrote which idea and the comments: readable by its owner only.
PRIVATE_FILE_MODE = 0o600
# How long a rewrite (VACUUM FULL) may wait for its exclusive lock before a plain VACUUM is done instead.
REWRITE_LOCK_TIMEOUT = "5s"
SNAPSHOT_WAIT = 5.0  # seconds a rewrite waits for transactions older than the delete to end
LOCK_NOT_AVAILABLE = "55P03"  # PostgreSQL's error code when lock_timeout runs out


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
        database = make_url(url).database
        _make_private(database, create=False)  # an existing file now; a new one when first opened
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 15})
        event.listen(engine, "do_connect", lambda *_: _make_private(database, create=True))
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
    # Deleted rows are overwritten with zeros rather than left in free pages (forget-me, retention,
    # a destroyed answer key).
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


def _make_private(database: str | None, *, create: bool) -> None:
    """Tighten an existing SQLite file (and its WAL and shared memory) to 0600, or with `create`, create
    a missing one 0600 before SQLite opens it. Only connecting creates it, so a command that stops
    before it touches the database (Slack unreachable, say) leaves no file behind.

    SQLite creates the -wal and -shm files with the database file's own mode, so a private database
    file is enough for the ones made later."""
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    path = Path(database)
    try:
        if create:
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, PRIVATE_FILE_MODE))
    except FileExistsError:
        pass
    except FileNotFoundError:  # its directory is missing: leave the clear error to SQLite
        return
    for file in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        if file.exists() and file.stat().st_mode & 0o777 != PRIVATE_FILE_MODE:
            file.chmod(PRIVATE_FILE_MODE)


def _sqlite_begin_before_savepoint(connection, _name) -> None:
    # Python's sqlite3 begins a transaction only at the first INSERT/UPDATE/DELETE. A SAVEPOINT taken
    # before that (an answer's or a vote's upsert) would open a transaction of its own that its RELEASE
    # commits at once, so a unit of work cut off after it would stay half-written. Begin the real
    # transaction first; IMMEDIATE takes the write lock now (waiting up to busy_timeout for it).
    _sqlite_begin_immediate(connection.connection.dbapi_connection)


def _sqlite_begin_immediate(dbapi_connection) -> None:
    if not dbapi_connection.in_transaction:
        dbapi_connection.execute("BEGIN IMMEDIATE")


def write_lock(session: Session) -> None:
    """On SQLite, take the database's write lock now, before this transaction reads what its writes
    depend on (whether a run is still open), so no other writer can change it in between. SQLite reads
    outside a transaction until the first write otherwise. PostgreSQL needs row locks instead
    (`SELECT … FOR UPDATE` / `FOR KEY SHARE`), taken by the caller on the rows it depends on."""
    if session.get_bind().dialect.name == "sqlite":
        _sqlite_begin_immediate(session.connection().connection.dbapi_connection)


def lock_still_open(
    session: Session, id_column, status_column, ids: Sequence, *, open_status
) -> tuple[set, set]:
    """Of the rows `ids` (a pulse's runs, "Is this helping?" rounds), those still open, locked until this
    transaction ends against the close that takes them with FOR UPDATE, and those that no longer exist.

    The lock is KEY SHARE on PostgreSQL: the one each answer's foreign key takes anyway, so the row records
    nothing it would not have; on SQLite, the database's write lock (write_lock)."""
    write_lock(session)
    if not ids:
        return set(), set()
    still_open = set(
        session.exec(
            select(id_column)
            .where(id_column.in_(ids), status_column == open_status)
            .order_by(id_column)
            .with_for_update(read=True, key_share=True)
        ).all()
    )
    closed = [row_id for row_id in ids if row_id not in still_open]
    present = set(session.exec(select(id_column).where(id_column.in_(closed))).all()) if closed else set()
    return still_open, {row_id for row_id in closed if row_id not in present}


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


def add_once(session: Session, row: object) -> bool:
    """Add `row` unless a row with its key is already stored (another replica, or a double click, wrote it
    a moment ago): True when this call added it. Only the row's own savepoint is undone otherwise, so the
    rest of the transaction stands."""
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        return False
    return True


def database_reachable(engine: Engine) -> bool:
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception:  # any driver error means "not reachable" for a health check
        return False
    return True


def engine_of(sessions: SessionFactory) -> Engine:
    with sessions() as session:
        return session.get_bind()


def older_transactions_gone(connection, timeout: float = SNAPSHOT_WAIT) -> bool:
    """Wait (a few seconds at most) until no transaction that began before now is still running.

    A rewrite keeps a deleted row while any transaction older than the delete might still see it, and
    "older" is judged over the whole server: a transaction in another database that was running when
    the delete committed holds the cut-off back as much as one in this database does."""
    now = connection.exec_driver_sql("SELECT pg_current_xact_id()::text::bigint").scalar() % 2**32
    older = (
        "SELECT count(*) FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND "
        f"(backend_xid::text::bigint < {now} OR backend_xmin::text::bigint < {now})"
    )
    deadline = time.monotonic() + timeout
    while connection.exec_driver_sql(older).scalar():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def scrub(engine: Engine, tables: Iterable[str], *, rewrite: bool = False) -> bool:
    """Leave no copy of deleted or changed rows of `tables` where a database reader could find it.

    PostgreSQL keeps a deleted row as a dead tuple until VACUUM, and VACUUM only marks its space free:
    the bytes stay in the page until a new row lands on them. So each table is VACUUMed (outside a
    transaction, as PostgreSQL requires), or with `rewrite` VACUUM FULLed into fresh files, which leaves
    nothing of the removed rows in the table or its indexes. A rewrite locks the table while it runs; if
    it cannot have the lock within a few seconds, a plain VACUUM is done instead and a warning logged.

    SQLite zeroes deleted rows in place (secure_delete) but keeps earlier page images in the WAL: the
    WAL is checkpointed into the database and truncated, for the whole database (`tables` is not needed).

    False if something is left for a later scrub (a rewrite done as a plain VACUUM, a WAL not truncated).
    """
    if engine.dialect.name == "sqlite":
        with engine.connect() as connection:
            busy = connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").scalar()
        if busy:  # a reader still holds an older snapshot; the next scrub truncates it
            log.warning("the SQLite WAL could not be truncated yet: a read was in progress")
        return not busy
    complete = True
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        if rewrite and not older_transactions_gone(connection):
            # VACUUM FULL copies a deleted row that a snapshot taken before the delete may still see.
            log.warning("a transaction older than the delete is still open; its rows may survive the rewrite")
            complete = False
        for table in tables:
            name = connection.dialect.identifier_preparer.quote(table)
            if rewrite:
                connection.exec_driver_sql(f"SET lock_timeout = '{REWRITE_LOCK_TIMEOUT}'")
                try:
                    connection.exec_driver_sql(f"VACUUM FULL {name}")
                    continue
                except OperationalError as error:
                    if getattr(error.orig, "sqlstate", None) != LOCK_NOT_AVAILABLE:
                        raise
                    log.warning("%s not rewritten (%s); vacuumed instead", table, error.orig)
                    complete = False
                finally:
                    connection.exec_driver_sql("RESET lock_timeout")
            connection.exec_driver_sql(f"VACUUM {name}")
    return complete
