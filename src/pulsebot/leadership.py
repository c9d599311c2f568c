"""One scheduler among many replicas: whoever holds a PostgreSQL advisory lock runs it.

APScheduler 3 runs each job once per running scheduler, so with several `pulsebot run` processes on
one PostgreSQL exactly one may run it. Each process tries `pg_try_advisory_lock` on a connection of
its own, kept open (in autocommit, so it never idles inside a transaction) for as long as it holds the
lock. The others try again every few seconds; when the holder dies its connection closes, PostgreSQL
releases the lock, and the next try takes over. A holder that loses its connection stops its
scheduler at once: it can no longer be sure it is the only one. On SQLite there is one process, which
runs the scheduler without any of this.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from apscheduler.schedulers.base import BaseScheduler
from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import SQLAlchemyError

log = logging.getLogger(__name__)

# pg_try_advisory_lock's key: any constant the application owns ("pulsebot" in ASCII, trimmed to 63 bits).
LOCK_KEY = 0x70756C7365626F74 & 0x7FFFFFFFFFFFFFFF
RETRY_SECONDS = 3.0


class SchedulerLeader:
    """Runs `start_scheduler()` while this process holds the lock, and stops it if the lock is lost."""

    def __init__(
        self, engine: Engine, start_scheduler: Callable[[], BaseScheduler], *, every: float = RETRY_SECONDS
    ) -> None:
        self.engine = engine
        self.start_scheduler = start_scheduler
        self.every = every
        self.scheduler: BaseScheduler | None = None
        self._connection: Connection | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="scheduler-leader", daemon=True)

    def start(self) -> SchedulerLeader:
        self._step()  # the first try is made at once, so a lone process schedules from its first second
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(self.every + 5)
        self._step_down()

    @property
    def leading(self) -> bool:
        return self.scheduler is not None

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            self._step()

    def _step(self) -> None:
        if self.scheduler is None:
            if self._acquire():
                log.info("this process holds the scheduler lock: it runs the scheduler")
                self.scheduler = self.start_scheduler()
        elif not self._still_held():
            log.error("lost the database connection holding the scheduler lock: scheduler stopped")
            self._step_down()

    def _acquire(self) -> bool:
        try:
            if self._connection is None:
                self._connection = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
            held = self._connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": LOCK_KEY})
            return bool(held.scalar())
        except SQLAlchemyError as error:
            log.warning("could not ask for the scheduler lock: %s", error)
            self._close()
            return False

    def _still_held(self) -> bool:
        try:
            self._connection.execute(text("SELECT 1"))
        except SQLAlchemyError:
            return False
        return True

    def _step_down(self) -> None:
        if self.scheduler is not None:
            self.scheduler.shutdown(wait=False)
            self.scheduler = None
        self._close()  # closing the connection releases the lock

    def _close(self) -> None:
        if self._connection is not None:
            try:
                self._connection.invalidate()  # never hand a lock-holding connection back to the pool
                self._connection.close()
            except SQLAlchemyError:
                pass
            self._connection = None
