"""Attack: read the operator's logs, at DEBUG, through a pulse's whole life.

A DM pulse goes out (Slack refuses one DM), two people answer through the real app, one is deactivated
so Slack refuses their reminders (`user_disabled`), the reminders go out twice with one more answer in
between, and the run closes. Whoever reads the logs must learn neither who was sent what (no record
names a recipient), nor who had or had not answered, nor how many had while the run was open: the two
reminder passes log the same words although three, then two, had not answered."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest
from freezegun import freeze_time

from pulsebot import scheduling
from pulsebot.slack.publish import send_pulse
from tests.conftest import PULSE_CHANNEL, TEAM
from tests.pulse_steps import click_answer
from tests.scheduling.conftest import apply

SURVEY = f"""\
name: dm-pulse
title: Weekly team pulse
channel: {PULSE_CHANNEL}
delivery: dm
open_days: 3
reminders: ["24h", "2h before close"]
questions: [{{key: workload, kind: scale, prompt: My workload was manageable.}}]
"""

pytestmark = pytest.mark.usefixtures("jobs_runtime")


def logged(records: list[logging.LogRecord]) -> list[str]:
    return [record.getMessage() + (record.exc_text or "") + (record.stack_info or "") for record in records]


def answer(slack, fake_slack, run, user: str) -> None:
    answered = len(fake_slack.calls_to("response_url"))
    assert click_answer(slack, run, user, 4).status == 200
    fake_slack.wait_for("response_url", answered + 1)


def reminders_at(moment: datetime, caplog) -> list[str]:
    """What the reminder job logs at `moment`, as the set of distinct lines an operator reads."""
    first = len(caplog.records)
    with freeze_time(moment):
        scheduling.send_due_reminders()
    return sorted(set(logged(caplog.records[first:])))


def test_the_logs_name_no_recipient_and_count_nothing_of_an_open_run(
    slack, fake_slack, sessions, client, settings, caplog
):
    caplog.set_level(logging.DEBUG)
    apply(sessions, SURVEY)
    opened = datetime.now(UTC)
    fake_slack.fail("chat.postMessage", "messages_tab_disabled")  # the first pulse DM is refused for good
    run = send_pulse(client, sessions, settings=settings, survey_name="dm-pulse", now=opened)
    refused, *delivered = [post["channel"] for post in fake_slack.calls_to("chat.postMessage")]
    first, second, third, disabled = delivered
    assert sorted([refused, *delivered]) == sorted(TEAM)

    answer(slack, fake_slack, run, first)
    fake_slack.add_user(disabled, deleted=True)  # deactivated after the pulse reached them
    posted = len(fake_slack.calls_to("chat.postMessage"))
    while_three_had_not = reminders_at(opened + timedelta(hours=24), caplog)
    reminded = [post["channel"] for post in fake_slack.calls_to("chat.postMessage")[posted:]]
    answer(slack, fake_slack, run, second)
    posted = len(fake_slack.calls_to("chat.postMessage"))
    while_two_had_not = reminders_at(run.closes_at - timedelta(hours=2), caplog)
    reminded_again = [post["channel"] for post in fake_slack.calls_to("chat.postMessage")[posted:]]
    with freeze_time(run.closes_at + timedelta(minutes=1)):
        scheduling.close_due_runs()

    assert sorted(reminded) == sorted([second, third, disabled])  # the scenario is what it says
    assert sorted(reminded_again) == sorted([third, disabled])
    lines = logged(caplog.records)
    named = [line for line in lines if any(user in line for user in TEAM)]
    assert named == []
    assert while_three_had_not == while_two_had_not
    # What went wrong is still said, without whom it happened to.
    assert any("user_disabled" in line for line in while_two_had_not)
    assert any("messages_tab_disabled" in line for line in lines)
