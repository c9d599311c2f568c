"""A slow or throttled Slack: every request is still answered within Slack's 3 seconds, a modal is never
opened with a trigger that ran out, and a form is saved once, with the person told how it went.

The app runs with its own Web API client here (slack/app.py make_client), retry handlers and all."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest
from sqlmodel import select

from pulsebot.slack import limits
from pulsebot.slack.app import BUSY
from pulsebot.slack.blocks.surveys import survey_form
from pulsebot.store.models import ActionStatus, Idea, Survey
from tests.conftest import ADMIN, MANAGER, PULSE_CHANNEL, SIGNING_SECRET, TEAM, Listeners, serving_app
from tests.listeners.views.test_idea_modal import modal_values
from tests.listeners.views.test_survey_form import state_of
from tests.loop.steps import drop, stored, submit_plan, team_with_a_closed_week
from tests.slack_requests import Reply, SlackRequests


@pytest.fixture
def listeners() -> Listeners:
    return Listeners()


@pytest.fixture
def app_slack(settings, sessions, engine, sender, fake_slack, listeners) -> Iterator[SlackRequests]:
    # No client: the app makes its own.
    with serving_app(settings, sessions, engine, sender=sender, listeners=listeners) as url:
        yield SlackRequests(f"{url}/slack/events", SIGNING_SECRET, fake_slack.response_url())


class Stopwatch:
    def __init__(self) -> None:
        self.started = time.monotonic()

    @property
    def seconds(self) -> float:
        return time.monotonic() - self.started


def test_a_modal_slack_throttles_is_not_opened_late_and_the_person_is_told(app_slack, fake_slack, listeners):
    fake_slack.throttle("views.open", retry_after=4)
    watch = Stopwatch()

    reply = app_slack.command("/idea", user=TEAM[0])

    assert reply.status == 200 and watch.seconds < limits.ACK_SECONDS
    (told,) = fake_slack.wait_for("response_url")
    assert told["text"] == BUSY and watch.seconds < limits.TRIGGER_SECONDS
    # Past the Retry-After, with nothing left to do: a retry would have come by now, too late for the trigger.
    fake_slack.wait_out_retry_after()
    listeners.wait_idle()
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


# --- every listener that opens a modal ---------------------------------------------------------------


def _open_plan_form_from_the_digest(app_slack, sessions) -> Reply:
    team_with_a_closed_week(sessions)
    return app_slack.click(action_id="action_plan", value="team-pulse", user=MANAGER, channel="D0MANAGER")


def _open_plan_form_with_the_command(app_slack, sessions) -> Reply:
    team_with_a_closed_week(sessions)
    return app_slack.command("/pulse", "action team-pulse", user=MANAGER)


def _open_survey_form_to_edit(app_slack, sessions) -> Reply:
    team_with_a_closed_week(sessions)
    return app_slack.command("/pulse", "edit team-pulse", user=ADMIN)


OPENERS = {
    "/idea": lambda app_slack, sessions: app_slack.command("/idea", user=TEAM[0]),
    "/pulse new": lambda app_slack, sessions: app_slack.command("/pulse", "new", user=ADMIN),
    "/pulse edit": _open_survey_form_to_edit,
    "/pulse action": _open_plan_form_with_the_command,
    "Plan an action": _open_plan_form_from_the_digest,
}


@pytest.mark.parametrize("opener", OPENERS)
def test_a_throttled_modal_is_answered_in_time_and_the_person_told(app_slack, fake_slack, sessions, opener):
    fake_slack.throttle("views.open", retry_after=4)

    reply = OPENERS[opener](app_slack, sessions)

    assert reply.status == 200 and reply.seconds < limits.ACK_SECONDS
    assert fake_slack.wait_for("response_url")[0]["text"] == BUSY
    assert fake_slack.calls_to("views.open") == []


@pytest.mark.parametrize("opener", OPENERS)
def test_a_modal_slack_is_slow_to_open_still_opens(app_slack, fake_slack, sessions, opener):
    fake_slack.slow("views.open", seconds=2)

    reply = OPENERS[opener](app_slack, sessions)

    assert reply.status == 200 and reply.seconds < limits.ACK_SECONDS
    assert fake_slack.wait_for("views.open")[0]["view"]["type"] == "modal"
    assert fake_slack.calls_to("response_url") == []


# --- every form submission, with each Slack method it uses throttled, or all of Slack slow ------------


def _plan(app_slack, sessions) -> Callable[[], int]:
    assert submit_plan(app_slack).body == ""
    return lambda: len(stored(sessions))


def _new_idea(app_slack, sessions) -> Callable[[], int]:
    reply = app_slack.submit(
        callback_id="idea_new_view", values=modal_values("Invoices in French"), user=TEAM[0]
    )
    assert reply.body == ""
    return lambda: _count(sessions, Idea)


def _new_survey(app_slack, sessions) -> Callable[[], int]:
    view = survey_form()
    values = state_of(view, name="new-team", channel=PULSE_CHANNEL, q1_kind="scale", q1_prompt="All good?")
    reply = app_slack.submit(callback_id=view["callback_id"], values=values, user=ADMIN)
    assert reply.body == ""
    return lambda: _count(sessions, Survey) - 1  # besides the team's own


def _drop(app_slack, sessions) -> Callable[[], int]:
    (action,) = stored(sessions)
    assert drop(app_slack, action_id=action.id, reason="Not needed after all").body == ""
    return lambda: sum(1 for action in stored(sessions) if action.status is ActionStatus.dropped)


def _an_action_planned(app_slack, fake_slack, sessions) -> None:
    assert submit_plan(app_slack).body == ""
    fake_slack.wait_for("chat.postMessage", 2)
    fake_slack.reset_calls()


SUBMISSIONS = {"plan": _plan, "idea": _new_idea, "survey": _new_survey, "drop": _drop}
SLACK_METHODS = ["users.info", "chat.postMessage", "conversations.members", "views.publish", "chat.update"]


@pytest.mark.parametrize("method", [*SLACK_METHODS, "all slow"])
@pytest.mark.parametrize("form", SUBMISSIONS)
def test_a_form_is_answered_in_time_and_saved_once_whatever_slack_is_slow_at(
    app_slack, fake_slack, sessions, form, method
):
    team_with_a_closed_week(sessions)
    app_slack.command("/pulse", "help", user=ADMIN)  # the app has met Slack once (auth.test) before
    if form == "drop":
        _an_action_planned(app_slack, fake_slack, sessions)
    if method == "all slow":
        fake_slack.latency = 2.0
    else:
        fake_slack.throttle(method, retry_after=3)
    watch = Stopwatch()

    saved = SUBMISSIONS[form](app_slack, sessions)

    assert watch.seconds < limits.ACK_SECONDS
    fake_slack.wait_for("chat.postMessage", timeout=20)  # the person hears how it went
    assert saved() == 1


def _count(sessions, model) -> int:
    with sessions() as session:
        return len(session.exec(select(model)).all())
