"""Action plans: a team's manager plans what will be done about a driver, a question or a comment theme;
the team reads it in its channel and hears of each step; no one else can plan or move its actions."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from pulsebot.store.models import ActionStatus, AuditAction, AuditEntry, FocusKind, TeamAction
from tests.conftest import ADMIN, MANAGER, PULSE_CHANNEL, TEAM
from tests.loop.steps import (
    choose_in_home,
    drop,
    submit_plan,
    team_today,
    team_with_a_closed_week,
)


def modal_of(fake_slack) -> dict:
    return fake_slack.wait_for("views.open")[0]["view"]


def options_of(view: dict) -> dict[str, list[str]]:
    focus = next(block for block in view["blocks"] if block.get("block_id") == "focus")
    return {
        group["label"]["text"]: [option["value"] for option in group["options"]]
        for group in focus["element"]["option_groups"]
    }


def stored(sessions) -> list[TeamAction]:
    with sessions() as session:
        return list(session.exec(select(TeamAction).order_by(TeamAction.id)).all())


def audit_actions(sessions) -> list[AuditEntry]:
    with sessions() as session:
        return list(
            session.exec(
                select(AuditEntry).where(
                    AuditEntry.action.in_((AuditAction.action_created, AuditAction.action_changed))
                )
            ).all()
        )


# --- the form ----------------------------------------------------------------------------------------


def test_pulse_action_opens_the_form_with_the_team_s_questions_and_comment_themes(
    slack, fake_slack, sessions
):
    team_with_a_closed_week(sessions)

    reply = slack.command("/pulse", "action", user=MANAGER)

    assert reply.status == 200 and reply.text == ""
    view = modal_of(fake_slack)
    assert view["callback_id"] == "action_plan_view"
    groups = options_of(view)
    # Rated questions only (the text question is no focus), by key; the week's theme from its comments.
    assert groups["Questions"] == ["question:workload", "question:enps", "question:focus"]
    assert "theme:meetings" in groups["Comment themes"]
    assert "Drivers" not in groups  # the survey uses no library
    checkbox = next(block for block in view["blocks"] if block.get("block_id") == "visible")
    assert checkbox["element"]["initial_options"][0]["value"] == "visible"  # ticked by default


def test_the_digest_has_a_plan_button_that_opens_the_form(slack, fake_slack, sessions):
    team_with_a_closed_week(sessions)
    slack.command("/pulse", "digest", user=MANAGER)
    digest = fake_slack.wait_for("chat.postMessage")[0]
    loop = [block for block in digest["blocks"] if block.get("block_id") == "digest_loop"]
    assert [element["value"] for element in loop[0]["elements"]] == ["team-pulse"]
    assert digest["blocks"][digest["blocks"].index(loop[0]) + 1]["type"] == "divider"

    slack.click(action_id="action_plan", value="team-pulse", user=MANAGER, channel="D0MANAGER")

    assert "question:workload" in options_of(modal_of(fake_slack))["Questions"]


def test_the_organisation_s_digest_has_no_plan_button(slack, fake_slack, sessions):
    team_with_a_closed_week(sessions)

    slack.command("/pulse", "digest", user=ADMIN)

    org = fake_slack.wait_for("chat.postMessage")[0]  # an admin who manages no team: the organisation's
    assert "team-pulse title" in str(org["blocks"])  # its line for the team
    assert all(block.get("block_id") != "digest_loop" for block in org["blocks"])


def test_someone_who_manages_several_teams_is_asked_which(slack, fake_slack, sessions):
    team_with_a_closed_week(sessions)
    team_with_a_closed_week(sessions, name="other-team")

    reply = slack.command("/pulse", "action", user=MANAGER)

    assert reply.text.startswith("Which team is the action for?")
    assert "`/pulse action other-team`" in reply.text and "`/pulse action team-pulse`" in reply.text
    assert fake_slack.calls_to("views.open") == []


def test_someone_who_manages_no_team_is_refused(slack, fake_slack, sessions):
    team_with_a_closed_week(sessions)

    bare = slack.command("/pulse", "action", user=TEAM[0])
    named = slack.command("/pulse", "action team-pulse", user=TEAM[0])
    clicked = slack.click(action_id="action_plan", value="team-pulse", user=TEAM[0])

    assert bare.text.startswith("Action plans are for the managers of a team and for pulsebot admins.")
    assert named.text == "Only the managers of “team-pulse” and pulsebot admins can plan its team's actions."
    told = fake_slack.wait_for("response_url")[0]
    assert "Only the managers of “team-pulse”" in told["text"]
    assert fake_slack.calls_to("views.open") == []
