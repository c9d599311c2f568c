"""The weekly limit holds when two runs open at the same moment: two surveys' runs, opened by two threads
(as two processes would on PostgreSQL), never send anyone more pulses in a week than the limit."""

import threading
from collections import Counter

from sqlmodel import select

from pulsebot.services.pulse.asking import AskingRules
from pulsebot.services.pulse.pulses import open_pulse_run
from pulsebot.store.db import transaction
from pulsebot.store.models import Delivery, PulseRun
from tests.asking.test_weekly_limit import add_surveys
from tests.conftest import TEAM
from tests.scheduling.conftest import utc

MONDAY = utc(2027, 3, 22, 10)
NEXT_WEEK = utc(2027, 3, 28, 22)  # Monday 00:00 in Berlin, where the team is
ONE_A_WEEK = AskingRules(per_week=1)


def test_two_runs_opening_at_once_stay_under_the_limit(sessions):
    add_surveys(sessions, "one", "two")
    opened = {name: threading.Event() for name in ("one", "two")}
    errors: list[BaseException] = []

    def open_run(name: str, other: str) -> None:
        try:
            with transaction(sessions) as session:
                open_pulse_run(
                    session, survey_name=name, audience=TEAM, now=MONDAY, min_group=5, rules=ONE_A_WEEK
                )
                opened[name].set()
                # Both runs' plans are made before either commits, unless the second waits for the
                # first's count: then this wait runs out and the first commits.
                opened[other].wait(timeout=1.5)
        except BaseException as error:  # reported by the test below, not lost in the thread
            errors.append(error)

    threads = [
        threading.Thread(target=open_run, args=("one", "two")),
        threading.Thread(target=open_run, args=("two", "one")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []

    with sessions() as session:
        runs = session.exec(select(PulseRun).order_by(PulseRun.held)).all()
        this_week = session.exec(select(Delivery.user_id).where(Delivery.due_at < NEXT_WEEK)).all()
    assert Counter(this_week) == Counter(TEAM)  # one pulse each this week, not two
    assert [run.held for run in runs] == [0, len(TEAM)]  # the second run waits for next week
