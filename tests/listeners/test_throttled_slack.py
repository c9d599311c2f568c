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
from tests.loop.steps import stored, submit_plan, team_with_a_closed_week
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


@pytest.mark.parametrize("slow_slack", ["throttled", "slow"])
def test_the_planning_form_is_answered_in_time_and_saved_once_when_slack_is_slow_to_say_who_the_owner_is(
    app_slack, fake_slack, sessions, slow_slack
):
    team_with_a_closed_week(sessions)
    if slow_slack == "throttled":
        fake_slack.throttle("users.info", retry_after=3)
    else:
        fake_slack.slow("users.info", seconds=2)
    watch = Stopwatch()

    reply = submit_plan(app_slack)

    assert reply.status == 200 and reply.body == "" and watch.seconds < limits.ACK_SECONDS
    (told,) = fake_slack.wait_for("chat.postMessage", 2)[1:]  # the team's post, then the manager's DM
    assert told["channel"] == MANAGER and told["text"].startswith("Planned for *team-pulse title*")
    assert len(stored(sessions)) == 1


def test_a_mistake_pulsebot_can_see_is_shown_on_its_field_even_while_slack_is_throttled(
    app_slack, fake_slack, sessions
):
    team_with_a_closed_week(sessions)
    fake_slack.throttle("users.info", retry_after=3)
    watch = Stopwatch()

    reply = submit_plan(app_slack, text="   ")

    assert watch.seconds < limits.ACK_SECONDS
    assert reply.json == {"response_action": "errors", "errors": {"text": "Say what will be done."}}
    assert stored(sessions) == []


def test_an_owner_slack_names_a_bot_after_the_ack_is_told_to_the_manager_with_what_they_wrote(
    app_slack, fake_slack, sessions
):
    team_with_a_closed_week(sessions)
    fake_slack.add_user("U0HELPER", is_bot=True)
    fake_slack.throttle("users.info", retry_after=2)

    assert submit_plan(app_slack, owner="U0HELPER", text="Fewer meetings").body == ""

    (told,) = fake_slack.wait_for("chat.postMessage")
    assert told["channel"] == MANAGER
    assert told["text"] == (
        "Your action was not planned: A bot cannot own an action: choose a person.\n"
        "What you wrote:\n> Fewer meetings\n`/pulse action team-pulse` opens the form again."
    )
    assert stored(sessions) == []
