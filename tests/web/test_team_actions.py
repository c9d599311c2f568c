"""A team's managers edit an action and move it along its workflow from the team's page, with the rules of
Slack's form and App Home's status menu (services/loop/actions.py); Slack's Home tab shows the change."""

from __future__ import annotations

import html
from datetime import timedelta

import pytest
from sqlmodel import select

from pulsebot.store.db import transaction
from pulsebot.store.models import ActionStatus, AuditAction, AuditEntry, TeamAction
from tests.conftest import MANAGER, PINNED_NOW
from tests.home_steps import open_home
from tests.web.action_steps import DUE, SAME_ORIGIN, planned, stored
from tests.web.steps import csrf_token, sign_in, text_of
from tests.web.team_data import team_with_weeks

pytestmark = pytest.mark.clock


@pytest.fixture
def team(sessions):
    return team_with_weeks(sessions, now=PINNED_NOW)


def audited(sessions, action) -> list[tuple[str, str]]:
    with transaction(sessions) as session:
        rows = session.exec(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id))
        return [(row.actor, row.detail) for row in rows.all()]


def move(visitor, action_id, token, **form):
    return visitor.post(
        f"/team/team-pulse/actions/{action_id}/status",
        data={"csrf_token": token, **form},
        headers=SAME_ORIGIN,
    )


def edit(visitor, action_id, token, **form):
    return visitor.post(
        f"/team/team-pulse/actions/{action_id}/edit", data={"csrf_token": token, **form}, headers=SAME_ORIGIN
    )


def test_a_manager_moves_an_action_along_its_workflow_and_slack_shows_it(
    visitor, fake_slack, slack, sessions, team
):
    action_id = planned(sessions, by=MANAGER)
    sign_in(visitor, fake_slack, MANAGER)
    page = text_of(visitor.get("/team/team-pulse"))
    token = csrf_token(page)
    assert f'action="/team/team-pulse/actions/{action_id}/status"' in page
    assert '<option value="in_progress" >In progress</option>' in page and 'value="done"' not in page

    started = move(visitor, action_id, token, status="in_progress")

    assert started.status_code == 303 and started.headers["Location"].endswith(f"#action-{action_id}")
    after = html.unescape(text_of(visitor.get(started.headers["Location"])))
    assert "“Weekly backlog triage” · about My workload this week was manageable. · in progress" in after
    assert "Changed." in after
    assert stored(sessions, action_id).status is ActionStatus.in_progress
    # Slack's Home tab, where a manager finds their teams' actions, reads the same action
    assert ":hammer_and_wrench: In progress" in open_home(slack, fake_slack, MANAGER)

    done = move(visitor, action_id, token, status="done")

    assert done.status_code == 303 and stored(sessions, action_id).status is ActionStatus.done
    finished = text_of(visitor.get("/team/team-pulse"))
    assert f'actions/{action_id}/status"' not in finished  # done is final: nothing more to change
    assert [detail for _, detail in audited(sessions, AuditAction.action_changed)] == [
        f"action #{action_id}: planned → in_progress",
        f"action #{action_id}: in_progress → done",
    ]


def test_the_workflows_rules_are_slacks_and_each_mistake_is_named(visitor, fake_slack, sessions, team):
    action_id = planned(sessions, by=MANAGER)
    sign_in(visitor, fake_slack, MANAGER)
    token = csrf_token(text_of(visitor.get("/team/team-pulse")))

    skipped = move(visitor, action_id, token, status="done")
    unknown = move(visitor, action_id, token, status="shipped")
    no_reason = move(visitor, action_id, token, status="dropped", reason="   ")

    assert skipped.status_code == unknown.status_code == no_reason.status_code == 422
    assert "A planned action cannot be marked done." in html.unescape(text_of(skipped))
    assert "Choose its new status from the list." in text_of(unknown)
    assert "Say why it is dropped" in text_of(no_reason) and '<details class="change" open>' in text_of(
        no_reason
    )
    assert stored(sessions, action_id).status is ActionStatus.planned

    dropped = move(visitor, action_id, token, status="dropped", reason="The team chose another step")
    again = move(visitor, action_id, token, status="in_progress")

    assert dropped.status_code == 303
    kept = stored(sessions, action_id)
    assert (kept.status, kept.status_reason) == (ActionStatus.dropped, "The team chose another step")
    assert again.status_code == 422 and "already dropped: that is final" in text_of(again)


def test_a_manager_edits_an_action_with_the_planning_forms_rules(visitor, fake_slack, sessions, team):
    action_id = planned(sessions, by=MANAGER)
    sign_in(visitor, fake_slack, MANAGER)
    token = csrf_token(text_of(visitor.get("/team/team-pulse")))

    wrong = edit(visitor, action_id, token, text=" ", owner="U0STRANGER", due="2020-01-01")

    assert wrong.status_code == 422
    body = html.unescape(text_of(wrong))
    for sentence in (
        "Say what will be done.",
        "Choose who owns it from the list.",
        "The due date has passed",
    ):
        assert sentence in body
    assert stored(sessions, action_id).text == "Weekly backlog triage"

    with transaction(sessions) as session:  # its owner was reminded of the due date it had
        session.get(TeamAction, action_id).reminded_before = True
    later = (DUE + timedelta(days=7)).isoformat()
    saved = edit(visitor, action_id, token, text="  Fortnightly   backlog triage ", owner=MANAGER, due=later)

    assert saved.status_code == 303
    kept = stored(sessions, action_id)
    assert (kept.text, kept.owner_id, kept.due_on.isoformat()) == (
        "Fortnightly backlog triage",
        MANAGER,
        later,
    )
    assert audited(sessions, AuditAction.action_changed) == [
        (MANAGER, f"action #{action_id}: text, due date edited")
    ]
    assert "“Fortnightly backlog triage”" in html.unescape(text_of(visitor.get("/team/team-pulse")))
