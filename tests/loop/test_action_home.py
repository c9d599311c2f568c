"""App Home's "Actions": a manager sees their teams' actions with a status menu and a "Plan an action"
button per team; an admin sees every team's; anyone else sees nothing of them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from pulsebot.store.models import ActionStatus, TeamAction
from tests.conftest import ADMIN, MANAGER, TEAM
from tests.idea_steps import next_call
from tests.loop.steps import click_in_home, submit_plan, team_with_a_closed_week

pytestmark = pytest.mark.clock


def home_blocks(slack, fake_slack, user: str) -> list[dict]:
    event = {"type": "app_home_opened", "user": user, "channel": "D0HOME", "tab": "home"}
    return next_call(fake_slack, "views.publish", lambda: slack.event(event))["view"]["blocks"]


def actions_part(blocks: list[dict]) -> list[dict]:
    headers = [i for i, block in enumerate(blocks) if block["type"] == "header"]
    start = next((i for i in headers if blocks[i]["text"]["text"] == "Actions"), None)
    if start is None:
        return []
    end = next((i for i in headers if i > start), len(blocks))
    return blocks[start + 1 : end]


def two_teams_with_actions(slack, fake_slack, sessions) -> None:
    """team-pulse (MANAGER): an open action, one done last week, one dropped two months ago;
    other-team (U0OTHER): one open action."""
    team_with_a_closed_week(sessions)
    team_with_a_closed_week(sessions, name="other-team", managers=("U0OTHER",), channel="C0OTHER")
    fake_slack.add_user("U0OTHER")
    for text in ("Open one", "Done last week", "Dropped long ago"):
        assert submit_plan(slack, text=text, visible=False).body == ""
    assert (
        submit_plan(slack, user="U0OTHER", survey="other-team", text="Other team's", visible=False).body == ""
    )
    fake_slack.wait_for("chat.postMessage", 4)
    now = datetime.now(UTC)
    with sessions() as session:
        by_text = {action.text: action for action in session.exec(select(TeamAction)).all()}
        by_text["Done last week"].status = ActionStatus.done
        by_text["Done last week"].finished_at = now - timedelta(days=7)
        by_text["Dropped long ago"].status = ActionStatus.dropped
        by_text["Dropped long ago"].status_reason = "No longer needed"
        by_text["Dropped long ago"].finished_at = now - timedelta(days=60)
        session.add_all(by_text.values())
        session.commit()
    fake_slack.reset_calls()


def test_a_manager_sees_their_team_s_actions_with_a_status_menu_and_a_plan_button(
    slack, fake_slack, sessions
):
    two_teams_with_actions(slack, fake_slack, sessions)

    part = actions_part(home_blocks(slack, fake_slack, MANAGER))

    text = str(part)
    assert "Open one" in text and "Done last week" in text
    assert "Dropped long ago" not in text  # finished more than 30 days ago
    assert "Other team's" not in text
    plan = [block["accessory"] for block in part if block.get("accessory", {}).get("type") == "button"]
    assert [(button["action_id"], button["value"]) for button in plan] == [("action_plan", "team-pulse")]
    open_line = next(block for block in part if "Open one" in block["text"]["text"])
    assert "<@U0ALICE>" in open_line["text"]["text"] and "Planned" in open_line["text"]["text"]
    assert "about: My workload this week was manageable." in open_line["text"]["text"]
    menu = open_line["accessory"]
    assert menu["action_id"] == "action_status"
    assert [option["text"]["text"] for option in menu["options"]] == ["Start", "Drop…"]
    done_line = next(block for block in part if "Done last week" in block["text"]["text"])
    assert "accessory" not in done_line  # done is final: no menu


def test_an_admin_sees_every_team_s_actions(slack, fake_slack, sessions):
    two_teams_with_actions(slack, fake_slack, sessions)

    part = actions_part(home_blocks(slack, fake_slack, ADMIN))

    text = str(part)
    assert "Open one" in text and "Other team's" in text
    assert not any(block.get("accessory", {}).get("type") == "button" for block in part)  # manages none


def test_someone_who_manages_no_team_sees_no_actions(slack, fake_slack, sessions):
    two_teams_with_actions(slack, fake_slack, sessions)

    blocks = home_blocks(slack, fake_slack, TEAM[0])

    assert actions_part(blocks) == [] and "Open one" not in str(blocks)


def test_the_plan_button_in_app_home_opens_the_form_and_the_home_is_redrawn_after(
    slack, fake_slack, sessions
):
    team_with_a_closed_week(sessions)

    click_in_home(slack, action_id="action_plan", value="team-pulse")
    view = fake_slack.wait_for("views.open")[0]["view"]
    assert '"from": "home"' in view["private_metadata"]
    submit_plan(slack, source="home", text="Planned from home", visible=False)

    published = fake_slack.wait_for("views.publish")[0]
    assert "Planned from home" in str(actions_part(published["view"]["blocks"]))
