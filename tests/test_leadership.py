"""The scheduler lock on PostgreSQL: one holder at a time; the next takes over when the holder stops or
loses its connection, and a holder without its connection stops its scheduler."""

import pytest
from sqlalchemy import text

from pulsebot.leadership import LOCK_KEY, SchedulerLeader
from tests.conftest import PG_URL
from tests.test_run import wait_until

pytestmark = [
    pytest.mark.skipif(not PG_URL, reason="no PostgreSQL"),
    pytest.mark.parametrize("engine", ["postgresql"], indirect=True),
]


class StandInScheduler:
    running = True

    def shutdown(self, wait: bool = True) -> None:
        self.running = False


@pytest.fixture
def leaders(engine):
    made: list[SchedulerLeader] = []

    def make() -> SchedulerLeader:
        made.append(SchedulerLeader(engine, StandInScheduler, every=0.1).start())
        return made[-1]

    yield make
    for leader in made:
        leader.stop()


def test_one_holder_at_a_time_and_the_next_takes_over_when_it_stops(leaders):
    first, second = leaders(), leaders()

    assert (first.leading, second.leading) == (True, False)
    scheduler = first.scheduler
    first.stop()
    assert not scheduler.running
    wait_until(lambda: second.leading, timeout=5)


def test_a_holder_whose_connection_is_cut_stops_its_scheduler_and_one_holder_follows(leaders, engine):
    first, second = leaders(), leaders()
    scheduler = first.scheduler

    with engine.connect() as connection:
        connection.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_locks "
                "WHERE locktype = 'advisory' AND ((classid::bigint << 32) | objid::bigint) = :key "
                # The lock is this database's: a run beside this one on the same server holds its own.
                "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
            ),
            {"key": LOCK_KEY},
        )
        connection.commit()

    wait_until(lambda: not scheduler.running, timeout=5)
    # Whichever asks first gets the lock again (the cut-off one may, with a new connection): one only.
    wait_until(lambda: first.leading or second.leading, timeout=5)
    assert first.leading != second.leading
    assert first.scheduler is not scheduler
