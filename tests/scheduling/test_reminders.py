"""Reminders: at most two, by DM, only to people who have answered nothing, saying whether, never what."""

from datetime import timedelta

import pytest
from freezegun import freeze_time
from sqlmodel import select

from pulsebot import scheduling
from pulsebot.services.pulse.answers import record_answer
from pulsebot.slack.publish import send_pulse
from pulsebot.store.db import transaction
from pulsebot.store.models import Delivery
from tests.conftest import ANON_KEY, PULSE_CHANNEL, TEAM
from tests.scheduling.conftest import apply, utc

ALICE, BOB, CAROL, DAVE, ERIN = TEAM
OPENED = utc(2027, 3, 23, 9)

SURVEY = f"""\
name: team-pulse
title: Weekly team pulse
channel: {PULSE_CHANNEL}
timezone: Europe/Berlin
open_days: 3
reminders: ["24h", "2h before close"]
questions: [{{key: workload, kind: scale, prompt: My workload was manageable.}}]
"""


@pytest.fixture
def run(sessions, client, settings, fake_slack):
    apply(sessions, SURVEY)
    with freeze_time(OPENED):
        run = send_pulse(client, sessions, settings=settings, survey_name="team-pulse", now=OPENED)
    fake_slack.reset_calls()
    return run


def answer(sessions, run, user_id: str, at) -> None:
    with transaction(sessions) as session:
        record_answer(
            session,
            run_id=run.run_id,
            question_id=run.questions[0].id,
            user_id=user_id,
            value=2,
            key=ANON_KEY.encode(),
            now=at,
        )


def reminded_at(fake_slack, moment) -> list[str]:
    before = len(fake_slack.calls_to("chat.postMessage"))
    with freeze_time(moment):
        scheduling.send_due_reminders()
    return sorted(post["channel"] for post in fake_slack.calls_to("chat.postMessage")[before:])


@pytest.mark.usefixtures("runtime")
def test_only_people_who_answered_nothing_are_reminded_and_never_more_than_twice(run, sessions, fake_slack):
    answer(sessions, run, ALICE, OPENED + timedelta(hours=1))

    assert reminded_at(fake_slack, OPENED + timedelta(hours=23, minutes=59)) == []
    assert reminded_at(fake_slack, OPENED + timedelta(hours=24)) == [BOB, CAROL, DAVE, ERIN]
    assert reminded_at(fake_slack, OPENED + timedelta(hours=25)) == []  # once per reminder time
    answer(sessions, run, BOB, OPENED + timedelta(hours=30))
    assert reminded_at(fake_slack, run.closes_at - timedelta(hours=2)) == [CAROL, DAVE, ERIN]
    assert reminded_at(fake_slack, run.closes_at - timedelta(minutes=1)) == []

    with sessions() as session:
        sent = {d.user_id: d.reminders_sent for d in session.exec(select(Delivery))}
    # Every row counts every reminder time, answered or not: the rows say nothing of who had answered.
    assert sent == dict.fromkeys((ALICE, BOB, CAROL, DAVE, ERIN), 2)
    text = fake_slack.calls_to("chat.postMessage")[0]["text"]
    closes = int(run.closes_at.timestamp())
    assert (
        f"*Weekly team pulse* is open until <!date^{closes}^{{date_long_pretty}} at {{time}}|"
        "Friday 26 March, 10:00 (Europe/Berlin)> and you have not answered yet." in text
    )
    assert f"answer in <#{PULSE_CHANNEL}>" in text
    assert "*whether* you answered, never *what*" in text


@pytest.mark.usefixtures("runtime")
def test_after_a_long_outage_people_get_one_reminder_not_two_at_once(run, sessions, fake_slack):
    assert reminded_at(fake_slack, run.closes_at - timedelta(hours=1)) == sorted(TEAM)

    with sessions() as session:
        assert {d.reminders_sent for d in session.exec(select(Delivery))} == {2}
    assert reminded_at(fake_slack, run.closes_at - timedelta(minutes=30)) == []


@pytest.mark.usefixtures("runtime")
def test_no_reminder_once_the_pulse_has_closed(run, fake_slack):
    assert reminded_at(fake_slack, run.closes_at + timedelta(minutes=5)) == []
