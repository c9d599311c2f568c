"""Attacks on the team page's action forms: another team's action behind this team's address (IDOR), one
posted to its channel, another workspace's action, a form without the session's token or from another
site, and a member sending it."""

from __future__ import annotations

import pytest
from sqlmodel import select

from pulsebot import scheduling
from pulsebot.store.db import transaction
from pulsebot.store.models import ActionNotice, ActionStatus, AuditAction, AuditEntry
from pulsebot.store.scoping import scoped_sessions
from tests.conftest import MANAGER, PINNED_NOW
from tests.installing import ACME, GLOBEX
from tests.web.action_steps import DUE, SAME_ORIGIN, planned, posted, stored
from tests.web.steps import csrf_token, sign_in, text_of
from tests.web.team_data import team_with_weeks
from tests.web.test_web_attacks import two_workspaces  # noqa: F401 (the fixture)

pytestmark = pytest.mark.clock
SALES_BOSS = "U0SALESBOSS"


@pytest.fixture
def team(sessions):
    return team_with_weeks(sessions, now=PINNED_NOW)


@pytest.fixture
def sales_action(sessions, team) -> int:
    team_with_weeks(
        sessions, now=PINNED_NOW, name="sales", title="Sales", managers=(SALES_BOSS,), channel="G0SALES"
    )
    return planned(sessions, survey="sales", by=SALES_BOSS, text="Sales only plan")


def refused(sessions) -> list[tuple[str, str, str]]:
    with transaction(sessions) as session:
        rows = session.exec(select(AuditEntry).where(AuditEntry.action == AuditAction.web_refused)).all()
        return [(row.actor, row.scope, row.detail) for row in rows]


def both_forms(visitor, team: str, action_id: int, token: str | None, headers=SAME_ORIGIN) -> list:
    token_field = {} if token is None else {"csrf_token": token}
    return [
        visitor.post(
            f"/team/{team}/actions/{action_id}/status",
            data={**token_field, "status": "dropped", "reason": "Taken over"},
            headers=headers,
        ),
        visitor.post(
            f"/team/{team}/actions/{action_id}/edit",
            data={**token_field, "text": "Taken over", "owner": MANAGER, "due": DUE.isoformat()},
            headers=headers,
        ),
    ]


def unchanged(sessions, action_id: int, text: str) -> bool:
    action = stored(sessions, action_id)
    return (action.status, action.text) == (ActionStatus.planned, text)


def test_another_teams_action_behind_ones_own_team_is_not_found_and_audited(
    visitor, fake_slack, sessions, sales_action
):
    sign_in(visitor, fake_slack, MANAGER)
    token = csrf_token(text_of(visitor.get("/team/team-pulse")))

    own_address = both_forms(visitor, "team-pulse", sales_action, token)
    its_address = both_forms(visitor, "sales", sales_action, token)
    no_such = both_forms(visitor, "team-pulse", sales_action + 1000, token)

    answers = own_address + its_address + no_such
    assert {answer.status_code for answer in answers} == {404}
    assert len({text_of(answer) for answer in answers}) == 1  # another team's action reads as none at all
    assert "Sales only plan" not in text_of(answers[0])
    assert unchanged(sessions, sales_action, "Sales only plan")
    scopes = [(actor, scope) for actor, scope, _ in refused(sessions)]
    assert scopes == [(MANAGER, "team-pulse")] * 2 + [(MANAGER, "sales")] * 2 + [(MANAGER, "team-pulse")] * 2
    assert f"action #{sales_action} is not one of this team's" in refused(sessions)[0][2]


def test_another_teams_posted_action_is_not_found_and_its_channel_hears_nothing(
    visitor, fake_slack, sessions, team, jobs_runtime
):
    team_with_weeks(
        sessions, now=PINNED_NOW, name="sales", title="Sales", managers=(SALES_BOSS,), channel="G0SALES"
    )
    sales_posted = posted(sessions, survey="sales", by=SALES_BOSS, text="Sales shared plan")
    sign_in(visitor, fake_slack, MANAGER)
    token = csrf_token(text_of(visitor.get("/team/team-pulse")))

    answers = both_forms(visitor, "team-pulse", sales_posted, token) + both_forms(
        visitor, "sales", sales_posted, token
    )
    scheduling.tell_action_notices()

    assert {answer.status_code for answer in answers} == {404}
    assert unchanged(sessions, sales_posted, "Sales shared plan")
    assert [(actor, scope) for actor, scope, _ in refused(sessions)] == [(MANAGER, "team-pulse")] * 2 + [
        (MANAGER, "sales")
    ] * 2
    with transaction(sessions) as session:
        assert session.exec(select(ActionNotice)).all() == []
    assert fake_slack.calls_to("chat.postMessage") == fake_slack.calls_to("chat.update") == []


def test_another_workspaces_action_is_not_found(two_workspaces, fake_slack, sessions):  # noqa: F811
    globex_action = planned(
        scoped_sessions(sessions, GLOBEX), survey="globex-team", by=MANAGER, text="Globex plan"
    )
    acme = two_workspaces.test_client()
    sign_in(acme, fake_slack, MANAGER, team=ACME)  # the same user id manages Globex's team
    token = csrf_token(text_of(acme.get("/team/acme-team")))

    answers = both_forms(acme, "acme-team", globex_action, token) + both_forms(
        acme, "globex-team", globex_action, token
    )

    assert {answer.status_code for answer in answers} == {404}
    assert unchanged(scoped_sessions(sessions, GLOBEX), globex_action, "Globex plan")
    with transaction(sessions) as session:
        rows = session.exec(select(AuditEntry).where(AuditEntry.action == AuditAction.web_refused)).all()
        assert [(row.team_id, row.scope) for row in rows] == [(ACME, "acme-team")] * 2 + [(ACME, "web")] * 2


@pytest.mark.parametrize("token", [None, "", "not-the-token"])
def test_a_form_without_the_sessions_token_changes_no_action(visitor, fake_slack, sessions, team, token):
    action_id = planned(sessions, by=MANAGER)
    sign_in(visitor, fake_slack, MANAGER)

    answers = both_forms(visitor, "team-pulse", action_id, token)

    assert all(answer.status_code == 403 and "security token" in text_of(answer) for answer in answers)
    assert unchanged(sessions, action_id, "Weekly backlog triage")


@pytest.mark.parametrize("site", ["cross-site", "same-site"])
def test_a_form_from_another_site_changes_no_action_even_with_the_token(
    visitor, fake_slack, sessions, team, site
):
    action_id = planned(sessions, by=MANAGER)
    sign_in(visitor, fake_slack, MANAGER)
    token = csrf_token(text_of(visitor.get("/team/team-pulse")))

    answers = both_forms(visitor, "team-pulse", action_id, token, headers={"Sec-Fetch-Site": site})

    assert all(answer.status_code == 403 and "another site" in text_of(answer) for answer in answers)
    assert unchanged(sessions, action_id, "Weekly backlog triage")


def test_a_member_sending_the_forms_changes_nothing_and_is_audited(visitor, fake_slack, sessions, team):
    action_id = planned(sessions, by=MANAGER)
    member = team[0]
    sign_in(visitor, fake_slack, member)
    token = csrf_token(text_of(visitor.get("/me")))

    answers = both_forms(visitor, "team-pulse", action_id, token)

    assert {answer.status_code for answer in answers} == {404}
    assert "Weekly backlog triage" not in text_of(answers[0])
    assert unchanged(sessions, action_id, "Weekly backlog triage")
    assert [(actor, scope) for actor, scope, _ in refused(sessions)] == [(member, "team-pulse")] * 2
