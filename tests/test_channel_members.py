"""A survey channel's members: read from Slack in full the first time a run needs them, kept by Slack's
signed events to the app afterwards (so the next run's audience follows who joined, left, was deactivated
or became a Slack admin, with no conversations.members read), and read again slowly, paced and going on
from its last page, when the last read is a day old."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from slack_sdk.errors import SlackApiError
from sqlmodel import select

from pulsebot import scheduling
from pulsebot.services.people.workspace_people import UNKEPT_AFTER
from pulsebot.services.privacy import retention
from pulsebot.services.survey.survey_file import parse_surveys
from pulsebot.services.survey.surveys import apply_survey
from pulsebot.slack.channel_members import reconcile_channel
from pulsebot.slack.pacing import Pacer
from pulsebot.slack.publish import send_pulse
from pulsebot.store.db import transaction
from pulsebot.store.models import ChannelMember, Delivery
from tests.attack_steps import close_run, forget_me
from tests.conftest import PULSE_CHANNEL, SCALE_SURVEY, TEAM

NEWCOMER = "U0NEWCOMER"
OWNER = "U0OWNER"
QUICK = 1000.0  # Slack calls a second in the tests that are not about the pace


def until(check: Callable[[], bool], timeout: float = 10.0) -> None:
    """Events are handled after their ack: wait for what the listener does."""
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "the event was not handled in time"
        time.sleep(0.05)


def user(user_id: str, **flags) -> dict:
    return {"id": user_id, "name": user_id.lower(), "tz": "Europe/Berlin", "is_bot": False, **flags}


def stored(sessions) -> dict[str, ChannelMember]:
    with sessions() as session:
        return {row.user_id: row for row in session.exec(select(ChannelMember))}


class Runs:
    """The team's survey, and its runs one after the other, each closed before the next opens."""

    def __init__(self, client, sessions, settings) -> None:
        self.client, self.sessions, self.settings = client, sessions, settings
        self.now = datetime.now(UTC)
        self.last = None
        with transaction(sessions) as session:
            spec = parse_surveys(SCALE_SURVEY.format(channel=PULSE_CHANNEL), source="team.yml")[0]
            apply_survey(session, spec=spec, now=self.now)

    def next_audience(self) -> list[str]:
        if self.last is not None:
            close_run(self.client, self.sessions, self.last, settings=self.settings)
            self.now = self.last.closes_at + timedelta(hours=1)
        self.last = send_pulse(
            self.client, self.sessions, settings=self.settings, survey_name="team-pulse", now=self.now
        )
        with transaction(self.sessions) as session:
            query = select(Delivery.user_id).where(Delivery.run_id == self.last.run_id)
            return sorted(session.exec(query).all())


@pytest.fixture
def runs(client, sessions, settings) -> Runs:
    return Runs(client, sessions, settings)


def test_the_first_run_reads_the_channel_and_the_next_ones_read_the_table(runs, fake_slack):
    assert runs.next_audience() == sorted(TEAM)  # no bot
    assert len(fake_slack.calls_to("conversations.members")) == 1
    fake_slack.reset_calls()

    assert runs.next_audience() == sorted(TEAM)
    assert fake_slack.calls_to("conversations.members") == [] and fake_slack.calls_to("users.info") == []


def test_joining_and_leaving_the_channel_move_the_next_run_s_audience(runs, slack, sessions, fake_slack):
    runs.next_audience()
    fake_slack.add_user(NEWCOMER, tz="America/New_York")
    fake_slack.reset_calls()

    slack.event({"type": "member_joined_channel", "user": NEWCOMER, "channel": PULSE_CHANNEL})
    slack.event({"type": "member_left_channel", "user": TEAM[0], "channel": PULSE_CHANNEL})
    until(lambda: NEWCOMER in stored(sessions) and TEAM[0] not in stored(sessions))

    assert runs.next_audience() == sorted([*TEAM[1:], NEWCOMER])
    assert [call["user"] for call in fake_slack.calls_to("users.info")] == [NEWCOMER]  # its time zone
    assert stored(sessions)[NEWCOMER].tz == "America/New_York"
    assert fake_slack.calls_to("conversations.members") == []


def test_a_bot_joining_or_a_channel_no_survey_uses_stores_nobody(runs, slack, sessions, fake_slack):
    runs.next_audience()
    fake_slack.add_user("U0HELPER", is_bot=True)
    fake_slack.reset_calls()

    slack.event({"type": "member_joined_channel", "user": "U0HELPER", "channel": PULSE_CHANNEL})
    slack.event({"type": "member_joined_channel", "user": NEWCOMER, "channel": "C0RANDOM"})
    until(lambda: len(fake_slack.calls_to("users.info")) >= 1)
    time.sleep(0.3)

    assert set(stored(sessions)) == set(TEAM)
    assert [call["user"] for call in fake_slack.calls_to("users.info")] == ["U0HELPER"]


def test_profile_events_keep_time_zones_and_deactivations(runs, slack, sessions):
    runs.next_audience()

    slack.event({"type": "user_profile_changed", "user": user(TEAM[1], tz="Asia/Tokyo")})
    slack.event({"type": "user_change", "user": user(TEAM[2], deleted=True)})
    until(lambda: stored(sessions)[TEAM[1]].tz == "Asia/Tokyo" and TEAM[2] not in stored(sessions))

    assert runs.next_audience() == sorted(set(TEAM) - {TEAM[2]})


def test_a_member_made_a_slack_owner_is_no_longer_asked(runs, slack, sessions, settings, fake_slack):
    """With PULSEBOT_SLACK_ADMINS, a workspace owner sees every team's results: one who sits in the channel
    must not answer its pulse, or their own answer would be among what they read. The table must learn
    of the new role from the event, since no run reads Slack's profiles any more."""
    settings.slack_admins = True
    fake_slack.add_user(OWNER)
    fake_slack.add_channel(PULSE_CHANNEL, [*TEAM, OWNER, "UBOT"])
    assert OWNER in runs.next_audience()

    fake_slack.users[OWNER]["is_owner"] = True
    slack.event({"type": "user_profile_changed", "user": user(OWNER, is_owner=True)})
    until(lambda: stored(sessions)[OWNER].runs_slack)

    assert runs.next_audience() == sorted(TEAM)


def test_a_day_later_a_paced_read_reconciles_what_no_event_said(runs, client, sessions, fake_slack):
    people = [f"U1{number:05d}" for number in range(430)]
    fake_slack.add_channel(PULSE_CHANNEL, [*TEAM, *people, "UBOT"])
    assert len(runs.next_audience()) == len(TEAM) + 430
    fake_slack.add_user(NEWCOMER)
    fake_slack.add_channel(PULSE_CHANNEL, [*TEAM[1:], *people, NEWCOMER, "UBOT"])  # no events came
    fake_slack.reset_calls()
    fake_slack.fail("conversations.members", "fatal_error", after=1)  # Slack fails the second page
    later = datetime.now(UTC) + timedelta(days=1, minutes=1)

    assert not reconcile_channel(client, sessions, PULSE_CHANNEL)  # not a day old yet: no read
    assert fake_slack.calls_to("conversations.members") == []
    with pytest.raises(SlackApiError):
        reconcile_channel(client, sessions, PULSE_CHANNEL, now=later, pacer=Pacer(QUICK))
    assert TEAM[0] in stored(sessions)  # what was read is kept meanwhile
    assert reconcile_channel(client, sessions, PULSE_CHANNEL, now=later)  # on from the second page

    cursors = [call.get("cursor") for call in fake_slack.calls_to("conversations.members")]
    assert cursors == [None, "200", "200", "400"]
    times = fake_slack.times_of("conversations.members")[2:] + fake_slack.times_of("users.info")
    assert all(b - a >= 0.55 for a, b in itertools.pairwise(sorted(times))), "Tier 4: 100 a minute"
    # Only those not stored have their profile read: the newcomer, and the bot (never stored).
    assert [call["user"] for call in fake_slack.calls_to("users.info")] == [NEWCOMER, "UBOT"]
    assert set(stored(sessions)) == {*TEAM[1:], *people, NEWCOMER}
    assert runs.next_audience() == sorted([*TEAM[1:], *people, NEWCOMER])


def test_the_job_drops_channels_no_survey_uses(runs, jobs_runtime, sessions, fake_slack):
    runs.next_audience()
    with transaction(sessions) as session:
        spec = parse_surveys(SCALE_SURVEY.format(channel="G0OTHER"), source="team.yml")[0]
        apply_survey(session, spec=spec, now=runs.now)
    fake_slack.reset_calls()

    scheduling.read_survey_channels()

    assert stored(sessions) == {}
    assert fake_slack.calls_to("conversations.members") == []


def test_forget_me_and_retention_remove_channel_members(runs, slack, sessions, fake_slack):
    runs.next_audience()

    forget_me(slack, fake_slack, TEAM[0])
    assert set(stored(sessions)) == set(TEAM[1:])

    outcome = retention.run_retention(
        sessions, days=730, min_group=5, now=datetime.now(UTC) + UNKEPT_AFTER + timedelta(hours=1)
    )
    assert outcome.channel_members == len(TEAM[1:])
    assert stored(sessions) == {}
    assert runs.next_audience() == sorted(TEAM)  # read in full again when a run needs it
