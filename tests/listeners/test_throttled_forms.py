"""The rest of the modals and forms, with Slack throttled (429 with Retry-After) or slow (2 seconds): the
comment form of a pulse, declining an idea, the three ways into an anonymous reply, the share preview,
and dropping an action from App Home. Each click or form is answered within Slack's 3 seconds, a modal
opens or the person is told Slack is busy, and each form is written once.

The app runs with its own Web API client (slack/app.py make_client), retry handlers and all."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest
from sqlmodel import select

from pulsebot.slack import limits
from pulsebot.slack.app import BUSY
from pulsebot.store.models import Answer, Conversation, ConversationMessage, Idea, IdeaStatus, ResultsShare
from tests.conftest import IDEAS_CHANNEL, MANAGER, PULSE_CHANNEL, SIGNING_SECRET, TEAM, Listeners, serving_app
from tests.idea_steps import post_idea
from tests.listeners.test_throttled_slack import Stopwatch
from tests.loop.share_steps import click_share, last_week, submit_share, team_with_weeks
from tests.loop.steps import choose_in_home, stored, submit_plan, team_with_a_closed_week
from tests.pulse_steps import send_retro
from tests.reply_steps import AUTHORS, digest_with_comments
from tests.slack_requests import Reply, SlackRequests


@pytest.fixture
def listeners() -> Listeners:
    return Listeners()


@pytest.fixture
def app_slack(settings, sessions, engine, sender, fake_slack, listeners) -> Iterator[SlackRequests]:
    # No client: the app makes its own.
    with serving_app(settings, sessions, engine, sender=sender, listeners=listeners) as url:
        yield SlackRequests(f"{url}/slack/events", SIGNING_SECRET, fake_slack.response_url())


def settled(fake_slack, listeners) -> None:
    """Past every Retry-After Slack answered, and the app has nothing left to do: a retry, or anything
    written or sent late, would be in by now."""
    fake_slack.wait_out_retry_after()
    listeners.wait_idle()


# --- the modals: the click is answered at once; the modal opens, or the person is told Slack is busy ---


def _comment_button(app_slack, fake_slack, sessions, client, settings) -> Reply:
    send_retro(sessions, client, settings)
    (post,) = fake_slack.calls_to("chat.postMessage")
    button = post["blocks"][3]["elements"][0]
    fake_slack.reset_calls()
    return app_slack.click(
        action_id=button["action_id"], value=button["value"], user=TEAM[0], channel=PULSE_CHANNEL
    )


def _decline(app_slack, fake_slack, sessions, client, settings) -> Reply:
    post_idea(app_slack, fake_slack, "Refunds in one click", user=TEAM[0])
    fake_slack.reset_calls()
    return app_slack.choose(action_id="idea_status", value="1:declined", user=MANAGER, channel=IDEAS_CHANNEL)


def _reply_to_a_comment(app_slack, fake_slack, sessions, client, settings) -> Reply:
    refs = digest_with_comments(sessions, client, fake_slack, settings, manager=MANAGER)
    fake_slack.reset_calls()
    return app_slack.click(action_id="reply_comment", value=_heavy(refs), user=MANAGER, channel="D0")


def _reply_to_an_idea(app_slack, fake_slack, sessions, client, settings) -> Reply:
    post_idea(app_slack, fake_slack, "Refunds in one click", user=TEAM[0])
    fake_slack.reset_calls()
    return app_slack.click(action_id="reply_idea", value="1", user=MANAGER, channel=IDEAS_CHANNEL)


def _answer_back(as_author: bool):
    def click(app_slack, fake_slack, sessions, client, settings) -> Reply:
        conversation = _a_conversation(app_slack, fake_slack, sessions, client, settings)
        action_id, user = ("reply_author", AUTHORS[0]) if as_author else ("reply_manager", MANAGER)
        return app_slack.click(action_id=action_id, value=conversation, user=user, channel="D0")

    return click


def _share_preview(app_slack, fake_slack, sessions, client, settings) -> Reply:
    week = team_with_weeks(sessions, through=last_week(datetime.now(UTC)))
    return click_share(app_slack, week=week)


def _drop_from_home(app_slack, fake_slack, sessions, client, settings) -> Reply:
    team_with_a_closed_week(sessions)
    assert submit_plan(app_slack).body == ""
    fake_slack.wait_for("chat.postMessage", 2)
    fake_slack.reset_calls()
    (action,) = stored(sessions)
    return choose_in_home(app_slack, value=f"{action.id}:dropped")


OPENERS = {
    "comment button": _comment_button,
    "decline an idea": _decline,
    "reply to a comment": _reply_to_a_comment,
    "reply to an idea": _reply_to_an_idea,
    "manager answers back": _answer_back(as_author=False),
    "author answers back": _answer_back(as_author=True),
    "share preview": _share_preview,
    "drop from App Home": _drop_from_home,
}


@pytest.mark.parametrize("opener", OPENERS)
def test_a_throttled_modal_is_not_opened_late_and_the_person_is_told(
    app_slack, fake_slack, sessions, client, settings, opener
):
    fake_slack.throttle("views.open", retry_after=4)

    reply = OPENERS[opener](app_slack, fake_slack, sessions, client, settings)

    assert reply.status == 200 and reply.seconds < limits.ACK_SECONDS
    if opener == "drop from App Home":  # App Home has no response URL: told by DM
        (told,) = fake_slack.wait_for("chat.postMessage")
        assert told["channel"] == MANAGER
    else:
        (told,) = fake_slack.wait_for("response_url")
    assert told["text"] == BUSY
    assert fake_slack.calls_to("views.open") == [] and len(fake_slack.calls_to("views.open:429")) == 1


@pytest.mark.parametrize("opener", OPENERS)
def test_a_modal_slack_is_slow_to_open_still_opens(app_slack, fake_slack, sessions, client, settings, opener):
    fake_slack.slow("views.open", seconds=2)

    reply = OPENERS[opener](app_slack, fake_slack, sessions, client, settings)

    assert reply.status == 200 and reply.seconds < limits.ACK_SECONDS
    assert fake_slack.wait_for("views.open")[0]["view"]["type"] == "modal"
    assert fake_slack.calls_to("response_url") == []


# --- the forms: each Slack method the form uses throttled, or all of Slack slow -----------------------


def _comment(app_slack, fake_slack, sessions, client, settings) -> Callable[[], Reply]:
    run = send_retro(sessions, client, settings)
    question = run.questions[0]
    fake_slack.reset_calls()
    return lambda: app_slack.submit(
        callback_id="pulse_comment_view",
        private_metadata=f"{run.run_id}:{question.id}",
        values={"comment": {"text": {"type": "plain_text_input", "value": "Fewer meetings on Monday"}}},
        user=TEAM[0],
    )


def _comments_stored(sessions) -> int:
    return _count(sessions, select(Answer).where(Answer.comment == "Fewer meetings on Monday"))


def _decline_form(app_slack, fake_slack, sessions, client, settings) -> Callable[[], Reply]:
    post_idea(app_slack, fake_slack, "Refunds in one click", user=TEAM[0])
    fake_slack.reset_calls()
    return lambda: app_slack.submit(
        callback_id="idea_decline_view",
        user=MANAGER,
        private_metadata=json.dumps({"idea": 1, "channel": IDEAS_CHANNEL}),
        values={"reason": {"value": {"type": "plain_text_input", "value": "Not this year"}}},
    )


def _ideas_declined(sessions) -> int:
    return _count(sessions, select(Idea).where(Idea.status == IdeaStatus.declined))


def _reply_form(app_slack, fake_slack, sessions, client, settings) -> Callable[[], Reply]:
    refs = digest_with_comments(sessions, client, fake_slack, settings, manager=MANAGER)
    fake_slack.reset_calls()
    return lambda: _send_reply(app_slack, {"comment": _heavy(refs)}, "What would help most?", MANAGER)


def _messages_stored(sessions) -> int:
    return _count(sessions, select(ConversationMessage))


def _share_form(app_slack, fake_slack, sessions, client, settings) -> Callable[[], Reply]:
    week = team_with_weeks(sessions, through=last_week(datetime.now(UTC)))
    return lambda: submit_share(app_slack, week=week)


def _shares_stored(sessions) -> int:
    return _count(sessions, select(ResultsShare))


def _thanked(fake_slack) -> None:
    fake_slack.wait_for("chat.postMessage", timeout=20)


def _told_in_the_channel(fake_slack) -> None:
    fake_slack.wait_for("chat.postEphemeral", timeout=20)


def _sent(fake_slack) -> None:
    """The form itself says "Sent"; the reply goes out with the next relay sweep."""


def _told_by_dm(fake_slack) -> None:
    assert any(post["channel"] == MANAGER for post in fake_slack.wait_for("chat.postMessage", 2, timeout=20))


# form: (how to fill it in, the rows it writes, the Slack methods it uses, how the person hears the outcome)
FORMS = {
    "comment": (_comment, _comments_stored, ["chat.postMessage"], _thanked),
    "decline": (
        _decline_form,
        _ideas_declined,
        ["chat.update", "chat.postMessage", "chat.postEphemeral"],
        _told_in_the_channel,
    ),
    "reply": (_reply_form, _messages_stored, [], _sent),
    "share": (_share_form, _shares_stored, ["chat.postMessage"], _told_by_dm),
}
CASES = [(form, method) for form, (_, _, methods, _) in FORMS.items() for method in [*methods, "all slow"]]


@pytest.mark.parametrize(("form", "method"), CASES)
def test_a_form_is_answered_in_time_and_written_once_whatever_slack_is_slow_at(
    app_slack, fake_slack, sessions, client, settings, listeners, form, method
):
    fill_in, written, _, told = FORMS[form]
    submit = fill_in(app_slack, fake_slack, sessions, client, settings)
    if method == "all slow":
        fake_slack.latency = 2.0
    else:
        fake_slack.throttle(method, retry_after=3)
    watch = Stopwatch()

    reply = submit()

    assert reply.status == 200 and watch.seconds < limits.ACK_SECONDS
    assert reply.body == "" or reply.json["response_action"] == "update"  # closed, or "Sent"
    assert "errors" not in reply.body and "Not " not in reply.body
    told(fake_slack)
    settled(fake_slack, listeners)  # a second try of anything would be done by now
    assert written(sessions) == 1


def _a_conversation(app_slack, fake_slack, sessions, client, settings) -> str:
    refs = digest_with_comments(sessions, client, fake_slack, settings, manager=MANAGER)
    assert _send_reply(app_slack, {"comment": _heavy(refs)}, "What would help?", MANAGER).status == 200
    fake_slack.reset_calls()
    with sessions() as session:
        return session.exec(select(Conversation.id)).one()


def _send_reply(app_slack, target: dict, text: str, user: str) -> Reply:
    return app_slack.submit(
        callback_id="reply_view",
        values={"reply": {"text": {"type": "plain_text_input", "value": text}}},
        user=user,
        private_metadata=json.dumps(target),
    )


def _heavy(refs: dict[str, str]) -> str:
    return next(ref for text, ref in refs.items() if "heavy" in text)


def _count(sessions, query) -> int:
    with sessions() as session:
        return len(session.exec(query).all())


# --- rights read from Slack (PULSEBOT_SLACK_ADMINS, PULSEBOT_MANAGER_GROUP), asked before the ack ------

MANAGER_GROUP = "S0MANAGERS"
BUSY_RIGHTS = "Slack is busy right now, so pulsebot could not check your rights"
SLOW_AT = ["users.info throttled", "usergroups.users.list throttled", "users.info slow"]


@pytest.fixture
def slack_rights(settings, sessions, engine, sender, fake_slack, listeners) -> Iterator[SlackRequests]:
    """The app with admins and managers known to Slack alone: owners and admins of the workspace, and
    the members of its manager group."""
    fake_slack.add_usergroup(MANAGER_GROUP, [MANAGER])
    reading = settings.model_copy(
        update={"slack_admins": True, "managers": frozenset(), "manager_group": MANAGER_GROUP}
    )
    with serving_app(reading, sessions, engine, sender=sender, listeners=listeners) as url:
        yield SlackRequests(f"{url}/slack/events", SIGNING_SECRET, fake_slack.response_url())


def _make_slack_slow(fake_slack, slow_at: str) -> None:
    method, how = slow_at.split(" ")
    if how == "throttled":
        fake_slack.throttle(method, times=10, retry_after=3)
    else:
        fake_slack.slow(method, seconds=2)


def _slack_can_tell_in_time(slow_at: str, needs: str) -> bool:
    """Whether the rights the request needs can be made out in time: a survey manager's from the
    database, a manager's from the group (when usergroups.users.list answers)."""
    if needs == "survey manager":
        return True
    return needs == "manager" and not slow_at.startswith("usergroups")


RIGHTS_OPENERS = {
    "decline an idea": (_decline, "manager"),
    "reply to a comment": (_reply_to_a_comment, "survey manager"),  # who gets the digest may reply
    "reply to an idea": (_reply_to_an_idea, "manager"),
    "share preview": (_share_preview, "survey manager"),
}


@pytest.mark.parametrize("slow_at", SLOW_AT)
@pytest.mark.parametrize("opener", RIGHTS_OPENERS)
def test_a_modal_that_needs_rights_from_slack_opens_in_time_or_the_person_is_told(
    slack_rights, fake_slack, sessions, client, settings, listeners, opener, slow_at
):
    click, needs = RIGHTS_OPENERS[opener]
    _make_slack_slow(fake_slack, slow_at)

    reply = click(slack_rights, fake_slack, sessions, client, settings)  # what comes before it is slow too

    assert reply.status == 200 and reply.seconds < limits.ACK_SECONDS
    while not (fake_slack.calls_to("views.open") or fake_slack.calls_to("response_url")):
        trigger_age = time.monotonic() - reply.sent
        assert trigger_age < limits.TRIGGER_SECONDS, "neither opened nor told while the trigger lived"
        time.sleep(0.05)
    settled(fake_slack, listeners)  # a late retry would show by now
    if _slack_can_tell_in_time(slow_at, needs):
        assert len(fake_slack.calls_to("views.open")) == 1 and fake_slack.calls_to("response_url") == []
    else:
        (told,) = fake_slack.calls_to("response_url")
        assert told["text"].startswith(BUSY_RIGHTS) and fake_slack.calls_to("views.open") == []


RIGHTS_FORMS = {
    "comment": (_comment, _comments_stored, "not an admin"),
    "decline": (_decline_form, _ideas_declined, "manager"),
    "reply": (_reply_form, _messages_stored, "survey manager"),
    "share": (_share_form, _shares_stored, "survey manager"),
}


@pytest.mark.parametrize("slow_at", SLOW_AT)
@pytest.mark.parametrize("form", RIGHTS_FORMS)
def test_a_form_that_needs_rights_from_slack_is_answered_in_time_and_written_once_or_not_at_all(
    slack_rights, fake_slack, sessions, client, settings, listeners, form, slow_at
):
    fill_in, written, needs = RIGHTS_FORMS[form]
    submit = fill_in(slack_rights, fake_slack, sessions, client, settings)
    _make_slack_slow(fake_slack, slow_at)
    watch = Stopwatch()

    reply = submit()

    assert reply.status == 200 and watch.seconds < limits.ACK_SECONDS
    settled(fake_slack, listeners)  # nothing is written late
    # Whether someone is an admin, and so may not comment on a team whose results they see, only
    # users.info says.
    in_time = not slow_at.startswith("users.info") if needs == "not an admin" else None
    if in_time if in_time is not None else _slack_can_tell_in_time(slow_at, needs):
        assert BUSY_RIGHTS not in reply.body and written(sessions) == 1
    else:
        assert BUSY_RIGHTS in reply.body and written(sessions) == 0  # the form stays, with what was typed
