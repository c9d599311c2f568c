"""A slow or throttled Slack: every request is still answered within Slack's 3 seconds, a modal is never
opened with a trigger that ran out, and a form is saved once, with the person told how it went.

The app runs with its own Web API client here (slack/app.py make_client), retry handlers and all."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from pulsebot.slack import limits
from pulsebot.slack.app import BUSY
from tests.conftest import MANAGER, PULSE_CHANNEL, SIGNING_SECRET, TEAM, serving_app
from tests.loop.steps import submit_plan, team_with_a_closed_week
from tests.slack_requests import SlackRequests


@pytest.fixture
def app_slack(settings, sessions, engine, sender, fake_slack) -> Iterator[SlackRequests]:
    with serving_app(settings, sessions, engine, sender=sender) as url:  # no client: the app makes its own
        yield SlackRequests(f"{url}/slack/events", SIGNING_SECRET, fake_slack.response_url())


class Stopwatch:
    def __init__(self) -> None:
        self.started = time.monotonic()

    @property
    def seconds(self) -> float:
        return time.monotonic() - self.started


def test_a_modal_slack_throttles_is_not_opened_late_and_the_person_is_told(app_slack, fake_slack):
    fake_slack.throttle("views.open", retry_after=4)
    watch = Stopwatch()

    reply = app_slack.command("/idea", user=TEAM[0])

    assert reply.status == 200 and watch.seconds < limits.ACK_SECONDS
    (told,) = fake_slack.wait_for("response_url")
    assert told["text"] == BUSY and watch.seconds < limits.TRIGGER_SECONDS
    time.sleep(4.5)  # past the Retry-After: a retry would have come by now, too late for the trigger
    assert fake_slack.calls_to("views.open") == []
    assert len(fake_slack.calls_to("views.open:429")) == 1


def test_a_post_slack_may_have_taken_is_not_posted_again(app_slack, fake_slack, sessions):
    team_with_a_closed_week(sessions)
    fake_slack.fail_with_status("chat.postMessage", 503)  # the action's post to the team's channel

    assert submit_plan(app_slack).body == ""

    (dm,) = fake_slack.wait_for("chat.postMessage")
    assert dm["channel"] == MANAGER and "I could not post it in <#G0PULSE>" in dm["text"]
    assert len(fake_slack.calls_to("chat.postMessage:503")) == 1
    assert fake_slack.posts_to(PULSE_CHANNEL) == []  # not posted a second time, blind
