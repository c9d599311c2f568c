"""Attacks through the dashboard: a manager differencing their team's page around single clicks on a pulse
still open (tests/test_attack_differencing.py, through the web page), and someone of one workspace asking
for another workspace's team (IDOR)."""

from __future__ import annotations

import pytest
from pydantic import SecretStr
from slack_sdk.oauth.installation_store.models.installation import Installation
from sqlmodel import select

from pulsebot.slack.installations import installation_store
from pulsebot.store.db import transaction
from pulsebot.store.models import AuditAction, AuditEntry
from pulsebot.store.scoping import scoped_sessions
from pulsebot.web import create_app
from tests.attack_steps import close_run, wait_for_answers
from tests.conftest import MANAGER, PINNED_NOW, TEAM
from tests.installing import ACME, GLOBEX, TOKENS, oauth_settings
from tests.pulse_steps import click_answer
from tests.test_attack_differencing import team_with_a_pulse_still_open_from_last_week
from tests.web.conftest import CLIENT_SECRET, WEB_URL
from tests.web.steps import sign_in, text_of
from tests.web.team_data import team_with_weeks

pytestmark = pytest.mark.clock


def test_refreshing_the_team_page_between_clicks_of_an_open_run_shows_nothing_move(
    visitor, fake_slack, slack, sessions, client, settings
):
    run = team_with_a_pulse_still_open_from_last_week(sessions, client, settings)
    sign_in(visitor, fake_slack, MANAGER)

    def look() -> str:
        page = visitor.get("/team/team-pulse?weeks=26")
        assert page.status_code == 200
        return text_of(page)

    before = look()
    assert "4.0" in before and "still open" in before  # the week before shows figures, so a move would show
    for count, (person, value) in enumerate(zip(TEAM[:2], [1, 5], strict=True), start=1):
        click_answer(slack, run, person, value)
        wait_for_answers(sessions, run.run_id, count)
        assert look() == before, f"the page moved after click {count}"

    close_run(client, sessions, run, settings=settings)
    closed = look()

    assert "Fewer than 5 people answered" in closed  # two answered: hidden, and said to be too small
    assert "3.0" not in closed and "2 of " not in closed  # (1 + 5) / 2, and the two who answered


def test_once_closed_a_run_that_reached_the_minimum_shows_on_the_page(
    visitor, fake_slack, slack, sessions, client, settings
):
    run = team_with_a_pulse_still_open_from_last_week(sessions, client, settings)
    sign_in(visitor, fake_slack, MANAGER)
    before = text_of(visitor.get("/team/team-pulse"))
    for count, (person, value) in enumerate(zip(TEAM, [1, 2, 1, 2, 1], strict=True), start=1):
        click_answer(slack, run, person, value)
        wait_for_answers(sessions, run.run_id, count)
        assert text_of(visitor.get("/team/team-pulse")) == before, f"the page moved after click {count}"

    close_run(client, sessions, run, settings=settings)
    closed = text_of(visitor.get("/team/team-pulse"))

    assert "<dd>1.4 ↓ 2.6</dd>" in closed and "100% (5 of 5)" in closed


@pytest.fixture
def two_workspaces(engine, sessions, fake_slack):
    """pulsebot installed in Acme and Globex; each has a team, managed by the same Slack user id."""
    settings = oauth_settings(
        engine,
        fake_slack,
        web_url=WEB_URL,
        web_client_secret=SecretStr(CLIENT_SECRET),
        openid_url=fake_slack.url,
        admins=frozenset(),
    )
    store = installation_store(settings, engine)
    for team_id in (ACME, GLOBEX):
        store.save(Installation(app_id="A0PULSE", team_id=team_id, user_id="U1", bot_token=TOKENS[team_id]))
    team_with_weeks(scoped_sessions(sessions, ACME), now=PINNED_NOW, name="acme-team", title="Acme team")
    team_with_weeks(
        scoped_sessions(sessions, GLOBEX), now=PINNED_NOW, name="globex-team", title="Globex team"
    )
    return create_app(settings, sessions)


def refusals(sessions) -> list[tuple[str, str, str]]:
    with transaction(sessions) as session:
        rows = session.exec(select(AuditEntry).where(AuditEntry.action == AuditAction.web_refused)).all()
        return [(row.team_id, row.actor, row.scope) for row in rows]


def test_another_workspaces_team_is_not_found_and_the_attempt_is_audited(
    two_workspaces, fake_slack, sessions
):
    acme = two_workspaces.test_client()
    sign_in(acme, fake_slack, MANAGER, team=ACME)

    assert acme.get("/team/acme-team").status_code == 200
    page = acme.get("/team/globex-team")

    assert page.status_code == 404 and "Globex" not in text_of(page)
    assert "Globex" not in text_of(acme.get("/"))
    assert refusals(sessions) == [
        (ACME, MANAGER, "web")
    ]  # in the asker's workspace, naming nothing of Globex
    globex = two_workspaces.test_client()
    sign_in(globex, fake_slack, MANAGER, team=GLOBEX)
    assert (
        globex.get("/team/globex-team").status_code == 200
        and globex.get("/team/acme-team").status_code == 404
    )


def test_a_workspace_that_removed_pulsebot_is_signed_out(two_workspaces, fake_slack, sessions, engine):
    acme = two_workspaces.test_client()
    sign_in(acme, fake_slack, MANAGER, team=ACME)
    store = installation_store(two_workspaces.extensions["pulsebot"].settings, engine)

    store.delete_all(enterprise_id=None, team_id=ACME)

    answer = acme.get("/team/acme-team")
    assert answer.status_code == 302 and "ended=rights" in answer.headers["Location"]
    assert sign_in(acme, fake_slack, MANAGER, team=ACME).status_code == 403
