"""Someone who joins the workspace gets their first pulse in their Slack language: `team_join` carries no
locale, so theirs is read at once with users.info (include_locale), not at the next daily read."""

from __future__ import annotations

import pytest

from pulsebot.services.people.languages import language_for
from pulsebot.slack.pacing import Pacer
from pulsebot.slack.publish import send_pulse
from pulsebot.slack.workspace_people import read_directory
from pulsebot.store.db import transaction
from tests.attack_steps import apply_yaml
from tests.conftest import PINNED_NOW, PULSE_CHANNEL, TEAM
from tests.pulses.test_languages import asked, dm_of, headings
from tests.test_directory import QUICK, until, user

pytestmark = pytest.mark.clock

NEWCOMER = "U0NEWBIE"
SURVEY = f"""\
name: team-pulse
title: Weekly team pulse
channel: {PULSE_CHANNEL}
delivery: dm
timezone: Europe/Berlin
library: [workload]
questions_per_pulse: 1
enps: off
"""


def spoken(sessions, person: str) -> str:
    with transaction(sessions) as session:
        return language_for(session, user_id=person, survey_language=None)


def test_a_newcomers_first_pulse_is_in_their_slack_language(slack, settings, fake_slack, sessions, client):
    read_directory(client, sessions, pacer=Pacer(QUICK))  # today's read is done: the next is tomorrow
    fake_slack.add_user(NEWCOMER)
    fake_slack.users[NEWCOMER]["locale"] = "de-DE"
    fake_slack.add_channel(PULSE_CHANNEL, [*TEAM, NEWCOMER])
    fake_slack.reset_calls()

    slack.event({"type": "team_join", "user": user(NEWCOMER)})  # as Slack sends it: no locale
    until(lambda: spoken(sessions, NEWCOMER) == "de")
    (read,) = fake_slack.calls_to("users.info")
    assert read["user"] == NEWCOMER and read["include_locale"] in (True, "true", "1")
    assert fake_slack.calls_to("users.list") == []

    apply_yaml(sessions, SURVEY, now=PINNED_NOW)
    run = send_pulse(client, sessions, settings=settings, survey_name="team-pulse", now=PINNED_NOW)
    item, german, _, _ = asked(run)
    assert german != item.text
    assert f"*1. {german}*" in headings(dm_of(fake_slack, NEWCOMER))
    # The others' Slack gives no locale: English.
    assert f"*1. {item.text}*" in headings(dm_of(fake_slack, TEAM[0]))


def test_a_joining_bot_or_a_newcomer_slack_does_not_know_yet_costs_no_error(
    slack, fake_slack, sessions, client
):
    read_directory(client, sessions, pacer=Pacer(QUICK))
    fake_slack.reset_calls()
    slack.event({"type": "team_join", "user": user("U0APPBOT", is_bot=True)})
    slack.event({"type": "team_join", "user": user("U0GHOST")})  # users.info: user_not_found
    until(lambda: len(fake_slack.calls_to("users.info")) == 1)
    assert fake_slack.calls_to("users.info")[0]["user"] == "U0GHOST"
    until(lambda: spoken(sessions, "U0GHOST") == "en")
