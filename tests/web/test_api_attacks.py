"""Attacks on the API: a token of one workspace reads nothing of another (its teams, their weeks, their
ideas and actions are as unknown as ones that never were), and a token of a workspace no longer served
is refused."""

from __future__ import annotations

import pytest

from pulsebot.services.idea.ideas import post_idea
from pulsebot.store.db import transaction
from pulsebot.store.scoping import scoped_sessions
from pulsebot.web import create_app
from tests.conftest import ANON_KEY, PINNED_NOW
from tests.web.api_steps import Served, bearer, make_token
from tests.web.team_data import team_with_weeks

pytestmark = pytest.mark.clock
A, B = "T0AAAA", "T0BBBB"


@pytest.fixture
def two_workspaces(web_settings, sessions):
    """Workspace A has team-a, workspace B team-b and an idea; the dashboard serves both."""
    team_with_weeks(scoped_sessions(sessions, A), now=PINNED_NOW, name="team-a", title="Team A")
    team_with_weeks(scoped_sessions(sessions, B), now=PINNED_NOW, name="team-b", title="Team B")
    with transaction(scoped_sessions(sessions, B)) as session:
        post_idea(session, user_id="U0BEE", text="B's own idea", key=ANON_KEY.encode(), now=PINNED_NOW)
    return create_app(web_settings, sessions, workspaces=Served(A, B)).test_client()


def test_a_token_of_workspace_a_cannot_read_workspace_b(two_workspaces, sessions):
    token = make_token(sessions, team_id=A)
    headers = bearer(token)

    listed = two_workspaces.get("/api/v1/teams", headers=headers).get_json()
    b_weeks = two_workspaces.get("/api/v1/teams/team-b/weeks", headers=headers)
    b_drivers = two_workspaces.get("/api/v1/teams/team-b/drivers", headers=headers)
    b_actions = two_workspaces.get("/api/v1/actions?team=team-b", headers=headers)
    ideas = two_workspaces.get("/api/v1/ideas", headers=headers).get_json()

    assert [team["name"] for team in listed["data"]] == ["team-a"]
    for answer in (b_weeks, b_drivers, b_actions):
        assert answer.status_code == 404 and answer.get_json()["error"] == "not_found"
    assert ideas["data"] == [] and ideas["total"] == 0
    assert two_workspaces.get("/api/v1/teams/team-a/weeks", headers=headers).status_code == 200


def test_a_token_of_a_workspace_no_longer_served_is_refused(web_settings, sessions):
    team_with_weeks(scoped_sessions(sessions, A), now=PINNED_NOW, name="team-a")
    token = make_token(sessions, team_id=A)
    visitor = create_app(web_settings, sessions, workspaces=Served(B)).test_client()

    answer = visitor.get("/api/v1/teams/team-a/weeks", headers=bearer(token))

    assert answer.status_code == 403 and answer.get_json()["error"] == "wrong_workspace"


def test_another_workspace_s_token_id_with_this_workspace_s_secret_is_refused(two_workspaces, sessions):
    """A token is its row and its secret together: one workspace's secret does not open another's row."""
    token_a = make_token(sessions, team_id=A)
    token_b = make_token(sessions, team_id=B)
    id_b = token_b.split("_")[1]
    forged = f"pbt_{id_b}_{token_a.split('_', 2)[2]}"

    answer = two_workspaces.get("/api/v1/teams/team-b/weeks", headers=bearer(forged))

    assert answer.status_code == 401 and answer.get_json()["error"] == "invalid_token"
