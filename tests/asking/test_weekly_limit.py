"""The weekly limit: nobody is sent more than PULSEBOT_PULSES_PER_WEEK pulses in a week of theirs, across
every survey; a pulse over the limit waits for the person's first working moment of a week with room,
while its run is open, and is not sent them at all when the run closes first."""

from collections import Counter
from zoneinfo import ZoneInfo

import pytest
from freezegun import freeze_time
from sqlmodel import select

from pulsebot import scheduling
from pulsebot.services.errors import Invalid
from pulsebot.slack.publish import send_pulse
from pulsebot.store.models import PulseRun
from tests.asking.conftest import due_times
from tests.conftest import PULSE_CHANNEL, TEAM
from tests.scheduling.conftest import apply, utc

ALICE, BOB, CAROL, DAVE, ERIN = TEAM  # in Europe/Berlin
GUILD = "C0GUILD"
GUILD_PEOPLE = [ALICE, "U0GUILD1", "U0GUILD2", "U0GUILD3", "U0GUILD4"]


def add_surveys(sessions, *names: str, channel: str = PULSE_CHANNEL, open_days: int = 10) -> None:
    for name in names:
        apply(
            sessions,
            f"""\
name: {name}
title: {name} pulse
channel: {channel}
delivery: dm
timezone: Europe/Berlin
open_days: {open_days}
questions: [{{key: workload, kind: scale, prompt: My workload was manageable.}}]
""",
        )


def opened(client, sessions, settings, survey: str, at):
    with freeze_time(at):
        return send_pulse(client, sessions, settings=settings, survey_name=survey, now=at)


@pytest.mark.usefixtures("office_runtime")
def test_the_limit_holds_across_three_surveys(sessions, client, fake_slack, office_settings):
    add_surveys(sessions, "one", "two", "three")
    sent: list[tuple[str, object]] = []

    def deliver(at) -> list[str]:
        fake_slack.reset_calls()
        with freeze_time(at):
            scheduling.deliver_due_pulses()
        people = sorted(post["channel"] for post in fake_slack.calls_to("chat.postMessage"))
        sent.extend((person, at) for person in people)
        return people

    def open_at(survey: str, at) -> tuple[PulseRun, list[str]]:
        fake_slack.reset_calls()
        view = opened(client, sessions, office_settings, survey, at)
        people = sorted(post["channel"] for post in fake_slack.calls_to("chat.postMessage"))
        sent.extend((person, at) for person in people)
        with sessions() as session:
            return session.get(PulseRun, view.run_id), people

    one, first = open_at("one", utc(2027, 3, 22, 10))  # Monday
    two, second = open_at("two", utc(2027, 3, 23, 10))  # Tuesday
    three, third = open_at("three", utc(2027, 3, 24, 10))  # Wednesday: a third pulse this week
    assert (first, second, third) == (sorted(TEAM), sorted(TEAM), [])
    assert (one.held, two.held, three.held) == (0, 0, 5)
    # Monday 29 March, 09:00 in Berlin (summer time since Sunday): the first working moment with room.
    assert set(due_times(sessions, three.id).values()) == {utc(2027, 3, 29, 7)}

    assert deliver(utc(2027, 3, 26, 17)) == []  # Friday
    assert deliver(utc(2027, 3, 29, 6, 59)) == []
    assert deliver(utc(2027, 3, 29, 7)) == sorted(TEAM)

    # The next week already holds the held pulse: one more fits, the one after that waits again.
    _, again = open_at("one", utc(2027, 3, 29, 10))
    two_again, later = open_at("two", utc(2027, 3, 30, 10))
    assert (again, later, two_again.held) == (sorted(TEAM), [], 5)

    weeks = Counter(
        (person, (at.astimezone(ZoneInfo("Europe/Berlin")).isocalendar()[1])) for person, at in sent
    )
    assert weeks == {(person, week): 2 for person in TEAM for week in (12, 13)}


@pytest.mark.usefixtures("office_runtime")
def test_a_pulse_the_run_closes_before_is_not_sent_and_that_person_is_not_asked(
    sessions, client, fake_slack, office_settings
):
    fake_slack.add_channel(GUILD, GUILD_PEOPLE)
    add_surveys(sessions, "guild-a", "guild-b", channel=GUILD)
    add_surveys(sessions, "team", open_days=2)
    opened(client, sessions, office_settings, "guild-a", utc(2027, 3, 22, 10))
    opened(client, sessions, office_settings, "guild-b", utc(2027, 3, 23, 10))
    fake_slack.reset_calls()

    run = opened(client, sessions, office_settings, "team", utc(2027, 3, 24, 10))

    # Alice had her two pulses this week and the run closes on Friday: she is neither sent it nor asked.
    assert sorted(post["channel"] for post in fake_slack.calls_to("chat.postMessage")) == sorted(TEAM[1:])
    assert run.audience == 4
    with sessions() as session:
        assert session.get(PulseRun, run.run_id).held == 1

    # A run nobody could be sent in time is not opened at all, with one line saying why.
    add_surveys(sessions, "guild-c", channel=GUILD, open_days=2)
    with pytest.raises(Invalid, match="within the weekly limit"):
        opened(client, sessions, office_settings, "guild-c", utc(2027, 3, 24, 11))
    with sessions() as session:
        assert len(session.exec(select(PulseRun)).all()) == 3
