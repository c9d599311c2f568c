"""Per-person local time: one run, opened once; each person's DM goes out at 10:00 where they are."""

import pytest
from freezegun import freeze_time
from sqlmodel import select

from pulsebot import scheduling
from pulsebot.store.models import Delivery, DeliveryStatus, PulseRun
from tests.conftest import PULSE_CHANNEL, TEAM
from tests.scheduling.conftest import apply, utc

ALICE, BOB, CAROL, DAVE, ERIN = TEAM

SURVEY = f"""\
name: local
title: Tuesday pulse
channel: {PULSE_CHANNEL}
delivery: dm
per_person_local_time: true
schedule: "0 10 * * tue"
timezone: Europe/Berlin
open_days: 2
questions: [{{key: enps, kind: enps}}]
"""


@pytest.fixture
def people_around_the_world(fake_slack):
    fake_slack.add_user(BOB, tz="America/New_York")
    fake_slack.add_user(CAROL, tz="Asia/Tokyo")
    fake_slack.add_user(DAVE, tz=None)  # no time zone in Slack: the survey's is used
    # ALICE and ERIN are in Europe/Berlin.


def dm_recipients(fake_slack) -> list[str]:
    return [post["channel"] for post in fake_slack.calls_to("chat.postMessage")]


@pytest.mark.usefixtures("runtime", "people_around_the_world")
def test_each_person_gets_the_pulse_at_ten_in_their_own_time_zone(sessions, fake_slack):
    apply(sessions, SURVEY)

    with freeze_time(utc(2027, 3, 22, 20)):  # Tuesday 10:00 in UTC+14: the job fires
        scheduling.open_scheduled_run("local")
    assert dm_recipients(fake_slack) == []  # it is still Monday everywhere they are
    with sessions() as session:
        run = session.exec(select(PulseRun)).one()
        due = {d.user_id: d.due_at for d in session.exec(select(Delivery))}
    assert (run.run_date.isoformat(), run.opened_at) == ("2027-03-23", utc(2027, 3, 22, 20))
    assert due == {
        ALICE: utc(2027, 3, 23, 9),
        BOB: utc(2027, 3, 23, 14),
        CAROL: utc(2027, 3, 23, 1),
        DAVE: utc(2027, 3, 23, 9),
        ERIN: utc(2027, 3, 23, 9),
    }
    assert run.closes_at == utc(2027, 3, 25, 14)  # open_days after the last person got it

    for moment, expected in [
        (utc(2027, 3, 23, 0, 59), []),
        (utc(2027, 3, 23, 1), [CAROL]),
        (utc(2027, 3, 23, 9), [CAROL, ALICE, DAVE, ERIN]),
        (utc(2027, 3, 23, 13, 59), [CAROL, ALICE, DAVE, ERIN]),
        (utc(2027, 3, 23, 14), [CAROL, ALICE, DAVE, ERIN, BOB]),
        (utc(2027, 3, 23, 15), [CAROL, ALICE, DAVE, ERIN, BOB]),
    ]:
        if moment == utc(2027, 3, 23, 9):
            fake_slack.fail("chat.postMessage", "account_inactive")  # Alice's DM, first at 09:00, is refused
        with freeze_time(moment):
            scheduling.deliver_due_pulses()
        assert dm_recipients(fake_slack) == expected, moment

    with sessions() as session:
        deliveries = {d.user_id: d for d in session.exec(select(Delivery))}
    assert deliveries[ALICE].status is DeliveryStatus.failed  # refused once, not retried
    assert deliveries[ALICE].error == "account_inactive"
    assert {d.status for user, d in deliveries.items() if user != ALICE} == {DeliveryStatus.sent}
    sent = fake_slack.calls_to("chat.postMessage")[-1]
    buttons = [block for block in sent["blocks"] if block["type"] == "actions"]
    assert len(buttons[0]["elements"]) == 11  # eNPS 0–10
    assert "answered so far" not in str(sent["blocks"])  # a DM is not kept live, so no count


@pytest.mark.usefixtures("runtime", "people_around_the_world")
def test_sending_by_hand_reaches_everyone_at_once(sessions, fake_slack, client, settings):
    from pulsebot.slack.publish import send_pulse

    apply(sessions, SURVEY)

    with freeze_time(utc(2027, 3, 24, 12)):
        run = send_pulse(client, sessions, settings=settings, survey_name="local", now=utc(2027, 3, 24, 12))

    assert sorted(dm_recipients(fake_slack)) == sorted(TEAM)
    assert run.closes_at == utc(2027, 3, 26, 12)
