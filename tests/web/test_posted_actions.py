"""A team's managers change an action posted to the team's channel from the team's page: the dashboard
posts nothing itself, and the scheduler's `action-notices` tells the team as a change from the Home tab
does (its status in the channel, the post redrawn) and draws the changer's Home tab again."""

from __future__ import annotations

import html

import pytest
from sqlmodel import select

from pulsebot import scheduling
from pulsebot.services.privacy.forgetting import forget_person
from pulsebot.store.db import transaction
from pulsebot.store.models import ActionNotice, ActionStatus
from tests.conftest import ADMIN, MANAGER, PINNED_NOW
from tests.web.action_steps import DUE, POST_TS, SAME_ORIGIN, TEAM_CHANNEL, posted, stored
from tests.web.steps import csrf_token, sign_in, text_of
from tests.web.team_data import team_with_weeks

pytestmark = pytest.mark.clock
SLACK_WRITES = ("chat.postMessage", "chat.update", "views.publish")


@pytest.fixture
def team(sessions):
    return team_with_weeks(sessions, now=PINNED_NOW)


def change(visitor, action_id, token, what, **form):
    return visitor.post(
        f"/team/team-pulse/actions/{action_id}/{what}",
        data={"csrf_token": token, **form},
        headers=SAME_ORIGIN,
    )


def slack_writes(fake_slack) -> dict[str, list[dict]]:
    return {method: fake_slack.calls_to(method) for method in SLACK_WRITES}


def notices(sessions) -> list[ActionNotice]:
    with transaction(sessions) as session:
        return list(session.exec(select(ActionNotice)).all())


def test_a_posted_actions_new_status_reaches_its_channel_post_and_the_home_tab(
    visitor, fake_slack, sessions, team, jobs_runtime
):
    action_id = posted(sessions, by=MANAGER)
    sign_in(visitor, fake_slack, MANAGER)
    page = text_of(visitor.get("/team/team-pulse"))
    assert f'action="/team/team-pulse/actions/{action_id}/status"' in page
    assert "Posted to the team's channel: a new status is told there" in html.unescape(page)

    started = change(visitor, action_id, csrf_token(page), "status", status="in_progress")

    assert started.status_code == 303 and stored(sessions, action_id).status is ActionStatus.in_progress
    assert "within a minute pulsebot tells the team's channel" in html.unescape(
        text_of(visitor.get(started.headers["Location"]))
    )
    assert all(calls == [] for calls in slack_writes(fake_slack).values())  # the dashboard posts nothing

    scheduling.tell_action_notices()

    writes = slack_writes(fake_slack)
    (told,) = writes["chat.postMessage"]
    assert told["channel"] == TEAM_CHANNEL
    assert told["text"].startswith(":hammer_and_wrench: Started: Weekly backlog triage — <@U0MANAGER>")
    (redrawn,) = writes["chat.update"]
    assert (redrawn["channel"], redrawn["ts"]) == (TEAM_CHANNEL, POST_TS)
    assert ":hammer_and_wrench: In progress" in str(redrawn["blocks"])
    (home,) = writes["views.publish"]
    assert home["user_id"] == MANAGER and ":hammer_and_wrench: In progress" in str(home["view"]["blocks"])
    assert notices(sessions) == []  # told once
    scheduling.tell_action_notices()
    assert len(fake_slack.calls_to("chat.postMessage")) == 1


def test_two_moves_before_the_scheduler_runs_are_told_in_turn_and_an_edit_redraws_the_post(
    visitor, fake_slack, sessions, team, jobs_runtime
):
    action_id = posted(sessions, by=MANAGER)
    sign_in(visitor, fake_slack, ADMIN)
    token = csrf_token(text_of(visitor.get("/team/team-pulse")))

    assert change(visitor, action_id, token, "status", status="in_progress").status_code == 303
    assert change(visitor, action_id, token, "status", status="dropped", reason="Merged").status_code == 303
    scheduling.tell_action_notices()

    told = [call["text"] for call in fake_slack.calls_to("chat.postMessage")]
    assert told[0].startswith(":hammer_and_wrench: Started: Weekly backlog triage")
    assert told[1] == ":no_entry_sign: Dropped: Weekly backlog triage\nWhy: Merged"
    assert all(
        ":no_entry_sign: Dropped: Merged" in str(call["blocks"])
        for call in fake_slack.calls_to("chat.update")
    )
    assert {call["user_id"] for call in fake_slack.calls_to("views.publish")} == {ADMIN}


def test_an_edit_of_a_posted_action_redraws_its_post_and_tells_no_one(
    visitor, fake_slack, sessions, team, jobs_runtime
):
    action_id = posted(sessions, by=MANAGER)
    sign_in(visitor, fake_slack, MANAGER)
    token = csrf_token(text_of(visitor.get("/team/team-pulse")))
    same = {"owner": MANAGER, "due": DUE.isoformat()}

    assert change(visitor, action_id, token, "edit", text="Weekly backlog triage", **same).status_code == 303
    assert notices(sessions) == []  # nothing edited, nothing to redraw
    assert change(visitor, action_id, token, "edit", text="Fortnightly triage", **same).status_code == 303
    scheduling.tell_action_notices()

    assert fake_slack.calls_to("chat.postMessage") == []
    (redrawn,) = fake_slack.calls_to("chat.update")
    assert redrawn["ts"] == POST_TS and "*We will:* Fortnightly triage" in str(redrawn["blocks"])


def test_a_forgotten_changer_leaves_the_notice_and_the_team_still_hears(
    visitor, fake_slack, sessions, team, jobs_runtime
):
    action_id = posted(sessions, by=MANAGER)
    sign_in(visitor, fake_slack, MANAGER)
    token = csrf_token(text_of(visitor.get("/team/team-pulse")))
    assert change(visitor, action_id, token, "status", status="in_progress").status_code == 303

    with transaction(sessions) as session:
        forget_person(session, user_id=MANAGER, key=b"k" * 32, actor=MANAGER, now=PINNED_NOW)
    assert [notice.changed_by for notice in notices(sessions)] == [None]
    scheduling.tell_action_notices()

    assert [call["channel"] for call in fake_slack.calls_to("chat.postMessage")] == [TEAM_CHANNEL]
    assert fake_slack.calls_to("views.publish") == []
