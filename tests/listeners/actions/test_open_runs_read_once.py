"""A burst of clicks on one pulse reads what cannot change about it once per process, yet a pulse closed
or edited by another process is seen at the next click."""

from __future__ import annotations

import threading
import zoneinfo
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
from freezegun import freeze_time
from sqlalchemy import event, update
from sqlmodel import select

from pulsebot.services.pulse.answers import prepare_answer
from pulsebot.services.pulse.open_runs import OpenRuns
from pulsebot.services.survey.survey_file import parse_surveys
from pulsebot.services.survey.surveys import apply_survey
from pulsebot.slack.publish import send_pulse
from pulsebot.store.db import make_engine, session_factory, transaction
from pulsebot.store.models import Answer, PulseRun, RunStatus
from tests.conftest import ANON_KEY, PULSE_CHANNEL, SCALE_SURVEY, TEAM
from tests.pulse_steps import click_answer


class Statements:
    """The SQL statements sent to the database while counting."""

    def __init__(self) -> None:
        self.sent: list[str] = []
        self._lock = threading.Lock()

    def __call__(self, _connection, _cursor, statement, _parameters, _context, _many) -> None:
        with self._lock:
            self.sent.append(statement)


@contextmanager
def counting(engine) -> Iterator[Statements]:
    statements = Statements()
    event.listen(engine, "before_cursor_execute", statements)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", statements)


@contextmanager
def another_process(engine) -> Iterator:
    """Sessions of their own on the same database, as another replica has."""
    other = make_engine(engine.url.render_as_string(hide_password=False))
    try:
        yield session_factory(other)
    finally:
        other.dispose()


def clicked(slack, fake_slack, run, user: str, value: int, replies: int) -> str:
    """`user` clicks `value`; what they were told (the `replies`-th reply of the test)."""
    click_answer(slack, run, user, value)
    return fake_slack.wait_for("response_url", replies)[-1]["text"]


def test_a_second_click_on_the_same_pulse_sends_fewer_statements(slack, fake_slack, engine, sent_pulse):
    with counting(engine) as first:
        assert "Thanks, recorded *4*" in clicked(slack, fake_slack, sent_pulse, TEAM[0], 4, 1)
    with counting(engine) as second:
        assert "Thanks, recorded *2*" in clicked(slack, fake_slack, sent_pulse, TEAM[1], 2, 2)

    assert len(second.sent) < len(first.sent)
    # The survey and its questions were read by the first click alone; the run's state by both.
    assert not any("FROM question" in statement for statement in second.sent)
    assert sum("FROM pulse_run" in statement for statement in second.sent) >= 1


def test_a_pulse_closed_by_another_process_refuses_the_next_click_as_before(
    slack, fake_slack, sessions, engine, sent_pulse
):
    assert "Thanks, recorded" in clicked(slack, fake_slack, sent_pulse, TEAM[0], 4, 1)
    closed_at = datetime.now(UTC)
    with another_process(engine) as other, transaction(other) as session:
        session.exec(
            update(PulseRun)
            .where(PulseRun.id == sent_pulse.run_id)
            .values(status=RunStatus.closed, closed_at=closed_at)
        )

    told = clicked(slack, fake_slack, sent_pulse, TEAM[1], 2, 2)

    day = closed_at.astimezone(zoneinfo.ZoneInfo("Europe/Berlin")).strftime("%A %-d %B")
    assert told == f"This pulse closed on {day}; answers are no longer taken."
    with sessions() as session:
        assert [answer.value for answer in session.exec(select(Answer)).all()] == [4]


def test_a_click_after_the_closing_time_is_refused_though_no_one_closed_the_pulse(
    slack, fake_slack, sessions, sent_pulse
):
    assert "Thanks, recorded" in clicked(slack, fake_slack, sent_pulse, TEAM[0], 4, 1)

    with freeze_time(sent_pulse.closes_at + timedelta(seconds=1), tick=True):
        told = clicked(slack, fake_slack, sent_pulse, TEAM[1], 2, 2)

    assert told.startswith("This pulse closed on ")
    with sessions() as session:
        assert [answer.value for answer in session.exec(select(Answer)).all()] == [4]


@pytest.mark.clock
def test_a_survey_edited_by_another_process_is_read_afresh_at_the_next_click(
    slack, fake_slack, engine, sent_pulse
):
    # The pulse closes on Saturday 19 June at 12:00 in Berlin, which is already Sunday on Kiritimati.
    assert "until Saturday 19 June" in clicked(slack, fake_slack, sent_pulse, TEAM[0], 4, 1)
    edited = SCALE_SURVEY.format(channel=PULSE_CHANNEL).replace("Europe/Berlin", "Pacific/Kiritimati")
    with another_process(engine) as other, transaction(other) as session:
        apply_survey(session, spec=parse_surveys(edited, source="team.yml")[0], now=datetime.now(UTC))

    assert "until Sunday 20 June" in clicked(slack, fake_slack, sent_pulse, TEAM[1], 2, 2)


def test_the_process_keeps_a_bounded_number_of_open_pulses_and_none_past_its_closing_time(
    settings, sessions, client, fake_slack
):
    runs = OpenRuns(maxsize=2)
    now = datetime.now(UTC)
    sent = []
    for name in ("one", "two", "three"):
        survey = SCALE_SURVEY.format(channel=PULSE_CHANNEL).replace("team-pulse", name)
        with transaction(sessions) as session:
            apply_survey(session, spec=parse_surveys(survey, source=f"{name}.yml")[0], now=now)
        sent.append(send_pulse(client, sessions, settings=settings, survey_name=name, now=now))

    def answer(run, at: datetime) -> None:
        with transaction(sessions) as session:
            prepare_answer(
                session,
                run_id=run.run_id,
                question_id=run.questions[0].id,
                user_id=TEAM[0],
                value=3,
                key=ANON_KEY.encode(),
                now=at,
                runs=runs,
            )

    for run in sent:
        answer(run, now)
    assert len(runs) == 2

    later = sent[0].closes_at + timedelta(days=1)
    with transaction(sessions) as session:  # a run opened after the others closed
        survey = SCALE_SURVEY.format(channel=PULSE_CHANNEL).replace("team-pulse", "four")
        apply_survey(session, spec=parse_surveys(survey, source="four.yml")[0], now=later)
    answer(send_pulse(client, sessions, settings=settings, survey_name="four", now=later), later)
    assert len(runs) == 1  # the closed runs' entries, key material included, went with the new one's
