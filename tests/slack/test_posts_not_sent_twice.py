"""A post outside the outbox is never sent again after Slack may have taken it: the fake Slack takes the
post (the message is in the conversation, the file shared, the reply shown), then answers 500 or drops
the connection, and pulsebot does not try again, serving one workspace or several (OAuth)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from pulsebot.services.survey.survey_file import parse_surveys
from pulsebot.services.survey.surveys import apply_survey
from pulsebot.store.db import transaction
from pulsebot.store.scoping import scoped_sessions
from tests.conftest import ADMIN, IDEAS_CHANNEL, PULSE_CHANNEL, SIGNING_SECRET, TEAM, serving_app
from tests.installing import install_each, oauth_settings, serve
from tests.loop.steps import team_with_a_closed_week
from tests.slack_requests import SlackRequests

TEAM_A, TOKEN_A = "T0ALPHA", "xoxb-alpha-0001-secret-token"
SETTLE = 2.0  # seconds for a retry to show, were there one (slack_sdk waits about a second before it)


@pytest.fixture(params=["one workspace", "several workspaces (OAuth)"])
def served(request, settings, sessions, engine, sender, fake_slack) -> Iterator[SimpleNamespace]:
    """The app with its own Web API clients, retry handlers and all; `sessions` see its workspace's rows."""
    if request.param == "one workspace":
        with serving_app(settings, sessions, engine, sender=sender) as url:
            yield SimpleNamespace(
                app=SlackRequests(f"{url}/slack/events", SIGNING_SECRET, fake_slack.response_url()),
                sessions=sessions,
            )
        return
    with serve(oauth_settings(engine, fake_slack, admins=frozenset({ADMIN})), sessions, engine) as server:
        install_each(server, fake_slack, {TEAM_A: TOKEN_A})
        app = server.requests_from(TEAM_A, fake_slack)
        yield SimpleNamespace(app=app, sessions=scoped_sessions(sessions, TEAM_A))


@pytest.mark.parametrize("failure", ["500 after taking it", "connection dropped after taking it"])
def test_a_post_slack_took_before_failing_is_not_posted_again(served, fake_slack, failure):
    if failure.startswith("500"):
        fake_slack.fail_with_status("chat.postMessage", 500, after_acting=True)
    else:
        fake_slack.hang_up_after_acting("chat.postMessage")

    assert served.app.command("/idea", "Refunds in one click", user=TEAM[0]).status == 200

    fake_slack.wait_for("response_url")  # the person is told the card did not go out as it should
    time.sleep(SETTLE)
    assert len(fake_slack.messages_in(IDEAS_CHANNEL)) == 1  # the card Slack took
    assert [call.method for call in fake_slack.calls if call.method.startswith("chat.postMessage")] == [
        "chat.postMessage:500" if failure.startswith("500") else "chat.postMessage:hung up"
    ]


@pytest.mark.clock  # last week's figures, released: the digest has its chart
def test_a_digest_chart_slack_shared_before_failing_is_not_shared_again(served, fake_slack):
    team_with_a_closed_week(served.sessions)
    fake_slack.fail_with_status("files.completeUploadExternal", 500, after_acting=True, times=5)

    assert served.app.command("/pulse", "digest team-pulse", user=ADMIN).text.startswith("Sending")

    fake_slack.wait_for("files.completeUploadExternal:500")
    time.sleep(SETTLE)
    assert len(fake_slack.calls_to("files.completeUploadExternal:500")) == 1
    assert fake_slack.calls_to("files.completeUploadExternal") == []


def test_a_reply_slack_showed_before_the_connection_dropped_is_not_shown_again(served, fake_slack):
    with transaction(served.sessions) as session:
        spec = parse_surveys(
            f"name: team-pulse\nchannel: {PULSE_CHANNEL}\nquestions: [{{key: enps, kind: enps}}]\n",
            source="s.yml",
        )[0]
        apply_survey(session, spec=spec, now=datetime.now(UTC))
    fake_slack.hang_up_after_acting("response_url")

    assert served.app.command("/pulse", "send team-pulse", user=ADMIN).text == "Sending “team-pulse” now…"

    (shown,) = fake_slack.wait_for("response_url")
    assert shown["text"].startswith("Posting “team-pulse”")
    time.sleep(SETTLE)
    assert len(fake_slack.calls_to("response_url")) == 1  # neither sent again nor followed by a "Sorry"
