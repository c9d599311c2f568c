"""Rights come from configuration only: installing pulsebot makes no one an admin, the open install
page cannot fill the database, and a deployment serving one workspace serves no other team."""

from __future__ import annotations

import html
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from freezegun import freeze_time
from sqlalchemy import func, insert, select
from sqlmodel import select as sql_select

from pulsebot.slack.installations import ADMINS_NOTE
from pulsebot.slack.workspaces import OTHER_WORKSPACE
from pulsebot.store.installations import OAUTH_STATES, OAuthStates
from pulsebot.store.models import Idea, SeenRequest
from tests.conftest import ADMIN, SIGNING_SECRET
from tests.installing import Server, install, oauth_settings, serve, start_install
from tests.slack_requests import SlackRequests

ACME = "T0ACME"
INSTALLER = "U0PLAINMEMBER"


@pytest.fixture
def server(engine, fake_slack, sessions) -> Iterator[Server]:
    settings = oauth_settings(engine, fake_slack, admins=frozenset({ADMIN}))
    with serve(settings, sessions, engine) as running:
        yield running


def test_installing_makes_no_one_an_admin_and_the_page_says_how_admins_are_set(server, fake_slack):
    page = install(server, fake_slack, team_id=ACME, token="xoxb-acme", code="c1", installer=INSTALLER)
    assert page.status == 200 and "Thank you!" in page.body
    assert html.escape(ADMINS_NOTE) in page.body
    assert 'http-equiv="refresh"' not in page.body  # the installer gets to read it

    acme = server.requests_from(ACME, fake_slack)
    refused = acme.command("/pulse", "list", user=INSTALLER)
    assert refused.text == "Only pulsebot admins can list the surveys. Ask one of them (PULSEBOT_ADMINS)."
    assert acme.command("/pulse", "list", user=ADMIN).text.startswith("No surveys yet")

    digest = acme.command("/pulse", "digest", user=INSTALLER)
    assert "Digests are for the managers of a team and for pulsebot admins" in digest.text


def pending_states(engine) -> int:
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(OAUTH_STATES)).scalar_one()


def test_visits_to_the_install_page_leave_a_bounded_number_of_pending_links(
    server, engine, fake_slack, monkeypatch
):
    monkeypatch.setattr(OAuthStates, "MAX_PENDING", 10)
    with engine.begin() as connection:  # a link that expired an hour ago, never used
        connection.execute(
            insert(OAUTH_STATES).values(state="old", expire_at=datetime.now(UTC) - timedelta(hours=1))
        )

    for _ in range(25):
        assert server.get("/slack/install").status == 200

    assert pending_states(engine) == 10
    with engine.connect() as connection:
        assert "old" not in set(connection.execute(select(OAUTH_STATES.c.state)).scalars())
    # The newest links still work.
    fake_slack.add_install("c2", ACME, "xoxb-acme", INSTALLER)
    state, cookie = start_install(server)
    page = server.get(f"/slack/oauth_redirect?code=c2&state={state}", cookie=cookie)
    assert page.status == 200 and "Thank you!" in page.body


def test_one_workspace_served_refuses_a_signed_request_from_another_team(bot_url, fake_slack, sessions):
    other = SlackRequests(f"{bot_url}/slack/events", SIGNING_SECRET, fake_slack.response_url(), "T0OTHER")

    listed = other.command("/pulse", "list", user=ADMIN)
    idea = other.command("/idea", "Other team's idea, which must not land here", user=ADMIN)

    assert listed.status == 200 and listed.text == OTHER_WORKSPACE
    assert idea.text == OTHER_WORKSPACE
    assert fake_slack.calls_to("chat.postMessage") == []
    with sessions() as session:
        assert session.exec(sql_select(Idea)).all() == []
        assert session.exec(sql_select(SeenRequest)).all() == []  # refused before anything was noted

    same = SlackRequests(f"{bot_url}/slack/events", SIGNING_SECRET, fake_slack.response_url(), ACME)
    assert same.command("/pulse", "list", user=ADMIN).text.startswith("No surveys yet")


SLACK_ADMIN = "U0SLACKADMIN"


def test_slack_s_own_admins_are_pulsebot_admins_only_when_configured(settings, fake_slack, request):
    fake_slack.add_user(SLACK_ADMIN, is_admin=True)
    slack = request.getfixturevalue("slack")
    refused = "Only pulsebot admins can list the surveys. Ask one of them (PULSEBOT_ADMINS)."

    assert slack.command("/pulse", "list", user=SLACK_ADMIN).text == refused  # off by default

    settings.slack_admins = True
    assert slack.command("/pulse", "list", user=SLACK_ADMIN).text.startswith("No surveys yet")
    assert slack.command("/pulse", "list", user="U0ALICE").text == refused  # a plain member still is not


def test_someone_no_longer_a_slack_admin_loses_the_rights_within_a_minute(settings, fake_slack, request):
    settings.slack_admins = True
    fake_slack.add_user(SLACK_ADMIN, is_admin=True)
    slack = request.getfixturevalue("slack")
    with freeze_time(datetime.now(UTC), tick=True) as clock:
        assert slack.command("/pulse", "list", user=SLACK_ADMIN).text.startswith("No surveys yet")
        fake_slack.users[SLACK_ADMIN]["is_admin"] = False
        clock.tick(61)
        assert slack.command("/pulse", "list", user=SLACK_ADMIN).text.startswith("Only pulsebot admins")
