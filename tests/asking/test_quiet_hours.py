"""Quiet hours and holidays: no pulse or reminder lands outside a person's working hours in their own time
zone, or on a public holiday where they are; each goes out at their next working moment."""

import pytest
from freezegun import freeze_time
from sqlmodel import select

from pulsebot import scheduling
from pulsebot.slack.workspace_people import on_person_event, read_directory
from pulsebot.store.models import DirectoryPerson, PulseRun
from tests.asking.conftest import due_times, located, sent_to
from tests.conftest import PULSE_CHANNEL, TEAM
from tests.scheduling.conftest import apply, utc

ALICE, BOB, CAROL, DAVE, ERIN = TEAM  # all in Europe/Berlin unless a test moves them


def survey(name: str, schedule: str, *, extra: str = "") -> str:
    return f"""\
name: {name}
title: {name} pulse
channel: {PULSE_CHANNEL}
delivery: dm
schedule: "{schedule}"
timezone: Europe/Berlin
open_days: 5
{extra}questions: [{{key: workload, kind: scale, prompt: My workload was manageable.}}]
"""


def the_run(sessions) -> PulseRun:
    with sessions() as session:
        return session.exec(select(PulseRun)).one()


def delivered_at(fake_slack, moment) -> list[str]:
    fake_slack.reset_calls()
    with freeze_time(moment):
        scheduling.deliver_due_pulses()
    return sent_to(fake_slack)


@pytest.mark.usefixtures("office_runtime")
def test_no_pulse_at_three_in_the_morning_in_berlin(sessions, fake_slack):
    apply(sessions, survey("early", "0 3 * * wed"))

    with freeze_time(utc(2027, 3, 24, 2)):  # Wednesday 03:00 in Berlin (CET): the job fires
        scheduling.open_scheduled_run("early")
    assert sent_to(fake_slack) == []
    run = the_run(sessions)
    assert set(due_times(sessions, run.id).values()) == {utc(2027, 3, 24, 8)}  # 09:00 in Berlin

    assert delivered_at(fake_slack, utc(2027, 3, 24, 7, 59)) == []
    assert delivered_at(fake_slack, utc(2027, 3, 24, 8)) == sorted(TEAM)


@pytest.mark.usefixtures("office_runtime")
def test_none_on_christmas_day_for_someone_in_germany_and_sent_at_nine_the_next_working_day(
    sessions, fake_slack
):
    located(sessions, {ALICE: "Berlin", BOB: "Lisbon"})  # Lisbon maps to no country: no holidays
    apply(sessions, survey("monday", "0 10 * * mon"))

    with freeze_time(utc(2028, 12, 25, 9)):  # Monday 25 December 2028, 10:00 in Berlin
        scheduling.open_scheduled_run("monday")
    assert sent_to(fake_slack) == sorted([BOB, CAROL, DAVE, ERIN])  # only the person in Germany waits
    assert due_times(sessions, the_run(sessions).id)[ALICE] == utc(2028, 12, 27, 8)

    # 26 December is a holiday in Berlin too; Wednesday 09:00 local is her next working moment.
    assert delivered_at(fake_slack, utc(2028, 12, 26, 10)) == []
    assert delivered_at(fake_slack, utc(2028, 12, 27, 7, 59)) == []
    assert delivered_at(fake_slack, utc(2028, 12, 27, 8)) == [ALICE]


@pytest.mark.usefixtures("office_runtime")
def test_a_reminder_waits_for_the_next_working_moment_in_each_persons_time_zone(sessions, client, fake_slack):
    fake_slack.add_user(BOB, tz="America/New_York")
    read_directory(client, sessions)  # the directory keeps each person's Slack time zone
    apply(sessions, survey("friday", "0 17 * * fri", extra='reminders: ["2h"]\n'))
    with freeze_time(utc(2027, 3, 19, 16)):  # Friday 17:00 in Berlin, 12:00 in New York
        scheduling.open_scheduled_run("friday")
    assert sent_to(fake_slack) == sorted(TEAM)
    fake_slack.add_user(BOB, tz="Europe/Berlin")  # Slack says nothing more: the directory is what counts

    def reminded_at(moment) -> list[str]:
        fake_slack.reset_calls()
        with freeze_time(moment):
            scheduling.send_due_reminders()
        return sent_to(fake_slack)

    # Friday 19:00 in Berlin, after hours; 14:00 in New York, within them.
    assert reminded_at(utc(2027, 3, 19, 18)) == [BOB]
    assert reminded_at(utc(2027, 3, 20, 10)) == []  # Saturday
    assert reminded_at(utc(2027, 3, 22, 7, 59)) == []
    assert reminded_at(utc(2027, 3, 22, 8)) == sorted([ALICE, CAROL, DAVE, ERIN])  # Monday 09:00 in Berlin
    assert reminded_at(utc(2027, 3, 22, 13)) == []  # each once


def test_the_directory_keeps_each_persons_time_zone_from_slack(sessions, client, fake_slack):
    fake_slack.add_user(BOB, tz="America/New_York")
    read_directory(client, sessions)
    on_person_event(sessions, user={**fake_slack.users[CAROL], "tz": "Asia/Tokyo"})  # she moved
    with sessions() as session:
        zones = dict(session.exec(select(DirectoryPerson.user_id, DirectoryPerson.tz)).all())
    assert (zones[ALICE], zones[BOB], zones[CAROL]) == ("Europe/Berlin", "America/New_York", "Asia/Tokyo")
