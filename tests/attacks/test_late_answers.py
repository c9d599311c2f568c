"""Attack: read a closed pulse twice and subtract.

A click just before the close waits in the mixing window. Were its batch written after the close, every
view of the run would change a few seconds after it first appeared ("6 of 12, 3.0", then "7 of 12, 2.7":
the late answer was a 1), and whoever saw who clicked last would know what they said. A run's figures
appear once, when it closes; an answer whose batch comes after that is refused in words and stored
nowhere. The same holds for a round of "Is this helping?"."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from freezegun import freeze_time
from sqlmodel import select
from typer.testing import CliRunner

from pulsebot.cli import cli
from pulsebot.services.pulse.answer_keys import respondent_token
from pulsebot.services.pulse.closing import close_due_runs
from pulsebot.store.db import transaction
from pulsebot.store.models import ActionCheck, ActionCheckAnswer, Answer, PulseRun, RunStatus
from tests.conftest import ADMIN, ANON_KEY
from tests.crowd import CROWD, Crowd
from tests.idea_steps import next_call
from tests.loop.steps import run_job
from tests.loop.test_is_this_helping import answer, shared_action

KEY = ANON_KEY.encode()
LATE_WORDS = "closed before your answer was saved"
ON_TIME, LATE = CROWD[:6], CROWD[6]
ALIKE = (2, 3, 3, 3, 3, 4)  # a mean of 3.0 whose spread the rule for distributions lets a view show


def views(crowd: Crowd, fake_slack, cli_env) -> dict[str, str]:
    """What an admin reads of the crowd's pulse: App Home, the digest, the terminal report."""
    event = {"type": "app_home_opened", "user": ADMIN, "channel": "D0HOME", "tab": "home"}
    home = next_call(fake_slack, "views.publish", lambda: crowd.slack.event(event))["view"]["blocks"]
    # The teams' figures, not the audit log under them, which lists each of these views as it happens.
    figures = [block["text"]["text"] for block in home if "mood (1–5)" in str(block)]
    digest = next_call(
        fake_slack,
        "chat.postMessage",
        lambda: crowd.slack.command("/pulse", "digest crowd-pulse", user=ADMIN),
    )
    report = CliRunner().invoke(
        cli, ["report", "crowd-pulse", "--weeks", "2"], env={**cli_env, "COLUMNS": "160"}
    )
    assert report.exit_code == 0, report.output
    return {"home": "\n".join(figures), "digest": str(digest["blocks"]), "report": report.stdout}


def test_a_closed_pulse_reads_the_same_before_and_after_a_late_window(
    crowd: Crowd, fake_slack, sessions, client, settings, cli_env
):
    for person, value in zip(ON_TIME, ALIKE, strict=True):
        crowd.click(person, 0, value)
    crowd.wait_pending(len(ON_TIME))
    crowd.mixer.flush()
    fake_slack.wait_for("response_url", len(ON_TIME))
    crowd.click(LATE, 0, 1)  # before the close: checked, and waiting in the window
    crowd.wait_pending(1)

    # The week is complete by then, so the digest and the report show it too.
    with freeze_time(crowd.run.closes_at + timedelta(days=7), tick=True):
        run_job("close_due_runs", at=crowd.run.closes_at, client=client, sessions=sessions, settings=settings)
        at_close = views(crowd, fake_slack, cli_env)
        crowd.mixer.flush()  # the late window
        told = fake_slack.wait_for("response_url", len(ON_TIME) + 1)[-1]["text"]
        later = views(crowd, fake_slack, cli_env)

    assert all("6 of 12" in view and "3.0" in view for view in at_close.values())
    assert later == at_close
    assert LATE_WORDS in told.lower() and "Thanks" not in told
    with sessions() as session:
        token = respondent_token(session, key=KEY, run_id=crowd.run.run_id, user_id=LATE)
        stored = session.exec(select(Answer.respondent, Answer.value)).all()
    assert len(stored) == len(ON_TIME) and token not in {respondent for respondent, _ in stored}
    assert sorted(value for _, value in stored) == sorted(ALIKE)


def test_a_closed_round_keeps_out_an_answer_from_a_late_window(
    crowd: Crowd, fake_slack, sessions, client, settings
):
    shared_action(sessions)
    run_job("ask_if_actions_help", at=datetime.now(UTC), client=client, sessions=sessions, settings=settings)
    with sessions() as session:
        check = session.exec(select(ActionCheck)).one()
        check_id, closes_at = check.id, check.closes_at
    for person, said in zip(ON_TIME, ("yes", "yes", "no", "yes", "no", "yes"), strict=True):
        answer(crowd, check_id, person, said)
    crowd.wait_pending(len(ON_TIME))
    crowd.mixer.flush()
    fake_slack.wait_for("response_url", len(ON_TIME))
    answer(crowd, check_id, LATE, "no")
    crowd.wait_pending(1)

    run_job("ask_if_actions_help", at=closes_at, client=client, sessions=sessions, settings=settings)
    (update,) = fake_slack.calls_to("chat.update")
    crowd.mixer.flush()
    told = fake_slack.wait_for("response_url", len(ON_TIME) + 1)[-1]["text"]

    assert "6 answered" in update["text"]
    assert LATE_WORDS in told.lower()
    with sessions() as session:
        closed = session.get(ActionCheck, check_id)
        assert (closed.answered, closed.yes, closed.no) == (6, 4, 2)
        assert session.exec(select(ActionCheckAnswer)).all() == []


@contextmanager
def writes_held(engine, table: str) -> Iterator[None]:
    """Another transaction holds up writing `table` (PostgreSQL) or the whole file (SQLite) a moment,
    as a busy database does: a window's batch is caught between reading and writing."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection, connection.begin():
            connection.exec_driver_sql(f"LOCK TABLE {table} IN EXCLUSIVE MODE")  # reads go on
            yield
        return
    raw = engine.raw_connection()
    try:
        raw.driver_connection.execute("BEGIN IMMEDIATE")
        yield
        raw.driver_connection.execute("ROLLBACK")
    finally:
        raw.close()


def waiting_for_lock(engine, table: str) -> None:
    """Until a statement waits to write `table` (PostgreSQL says so; for SQLite, give it a moment)."""
    waiting_for_a_lock(engine, f"relation = '{table}'::regclass")


def waiting_for_a_lock(engine, which: str = "TRUE") -> None:
    """Until a statement of this database waits for a lock (PostgreSQL says so; for SQLite, give it a
    moment)."""
    if engine.dialect.name != "postgresql":
        time.sleep(0.5)
        return
    waiting = (
        "SELECT count(*) FROM pg_locks JOIN pg_stat_activity USING (pid) "
        f"WHERE NOT granted AND datname = current_database() AND {which}"
    )
    deadline = time.monotonic() + 10
    with engine.connect() as connection:
        while not connection.exec_driver_sql(waiting).scalar():
            assert time.monotonic() < deadline, "nothing waits for a lock"
            time.sleep(0.02)
            connection.rollback()


def race(engine, table: str, write: Callable[[], None], close: Callable[[], None]) -> None:
    """A window's batch is on its way to the database when the close runs, on another thread (or
    another replica); both finish once the database lets them."""
    with writes_held(engine, table):
        writer = threading.Thread(target=write)
        writer.start()
        waiting_for_lock(engine, table)
        closer = threading.Thread(target=close)
        closer.start()
        closer.join(0.5)
    writer.join(20)
    closer.join(20)
    assert not writer.is_alive() and not closer.is_alive()


def test_a_close_racing_a_window_never_changes_what_it_showed(
    crowd: Crowd, fake_slack, sessions, client, settings, engine
):
    for person in ON_TIME:
        crowd.click(person, 0, 3)
    crowd.wait_pending(len(ON_TIME))
    crowd.mixer.flush()
    fake_slack.wait_for("response_url", len(ON_TIME))
    crowd.click(LATE, 0, 1)
    crowd.wait_pending(1)
    shown: list[int] = []  # how many answered, read the moment the run is found closed

    def close() -> None:
        run_job("close_due_runs", at=crowd.run.closes_at, client=client, sessions=sessions, settings=settings)
        with sessions() as session:
            if session.get(PulseRun, crowd.run.run_id).status is RunStatus.closed and not shown:
                shown.append(len(session.exec(select(Answer)).all()))

    race(engine, "answer", crowd.mixer.flush, close)
    close()  # the next minute's close, if the first found the run busy
    told = fake_slack.wait_for("response_url", len(ON_TIME) + 1)[-1]["text"]

    with sessions() as session:
        token = respondent_token(session, key=KEY, run_id=crowd.run.run_id, user_id=LATE)
        stored = session.exec(select(Answer.respondent)).all()
    assert shown == [len(stored)]
    if told.startswith("Thanks"):  # written before the close: counted from the start
        assert token in stored and len(stored) == len(ON_TIME) + 1
    else:
        assert LATE_WORDS in told.lower() and token not in stored


def test_a_round_closing_while_a_window_is_written_counts_whoever_it_thanked(
    crowd: Crowd, fake_slack, sessions, client, settings, engine
):
    shared_action(sessions)
    run_job("ask_if_actions_help", at=datetime.now(UTC), client=client, sessions=sessions, settings=settings)
    with sessions() as session:
        check = session.exec(select(ActionCheck)).one()
        check_id, closes_at = check.id, check.closes_at
    for person, said in zip(ON_TIME, ("yes", "yes", "no", "yes", "no", "yes"), strict=True):
        answer(crowd, check_id, person, said)
    crowd.wait_pending(len(ON_TIME))
    crowd.mixer.flush()
    fake_slack.wait_for("response_url", len(ON_TIME))
    answer(crowd, check_id, LATE, "no")
    crowd.wait_pending(1)

    def close() -> None:
        run_job("ask_if_actions_help", at=closes_at, client=client, sessions=sessions, settings=settings)

    race(engine, "action_check_answer", crowd.mixer.flush, close)
    close()
    told = fake_slack.wait_for("response_url", len(ON_TIME) + 1)[-1]["text"]

    with sessions() as session:
        closed = session.get(ActionCheck, check_id)
        assert closed.status is RunStatus.closed
        assert session.exec(select(ActionCheckAnswer)).all() == []
    thanked = told.startswith("Thanks")
    assert (closed.answered, closed.yes, closed.no) == (len(ON_TIME) + thanked, 4, 2 + thanked)
    assert thanked or LATE_WORDS in told.lower()


def test_a_window_written_while_the_close_commits_is_refused(crowd: Crowd, fake_slack, sessions, engine):
    """The other way round: the close has the run when the batch arrives, and commits after the batch
    read whether the run was open. The batch must read that only once the close is in."""
    for person in ON_TIME:
        crowd.click(person, 0, 3)
    crowd.wait_pending(len(ON_TIME))
    crowd.mixer.flush()
    fake_slack.wait_for("response_url", len(ON_TIME))
    crowd.click(LATE, 0, 1)
    crowd.wait_pending(1)

    writer = threading.Thread(target=crowd.mixer.flush)
    with transaction(sessions) as session:
        assert close_due_runs(session, now=crowd.run.closes_at, admins=(), min_group=5) == [crowd.run.run_id]
        writer.start()
        waiting_for_a_lock(engine)
    writer.join(20)
    told = fake_slack.wait_for("response_url", len(ON_TIME) + 1)[-1]["text"]

    assert LATE_WORDS in told.lower()
    with sessions() as session:
        token = respondent_token(session, key=KEY, run_id=crowd.run.run_id, user_id=LATE)
        stored = session.exec(select(Answer.respondent)).all()
    assert len(stored) == len(ON_TIME) and token not in stored
