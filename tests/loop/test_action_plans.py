"""Action plans: a team's manager plans what will be done about a driver, a question or a comment theme;
the team reads it in its channel and hears of each step; no one else can plan or move its actions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from pulsebot.store.models import ActionStatus, AuditAction, AuditEntry, FocusKind, TeamAction
from tests.conftest import ADMIN, MANAGER, PULSE_CHANNEL, TEAM
from tests.loop.steps import (
    choose_in_home,
    drop,
    modal_of,
    options_of,
    stored,
    submit_plan,
    team_today,
    team_with_a_closed_week,
)

pytestmark = pytest.mark.clock


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
    assert [element["action_id"] for element in loop[0]["elements"]] == [
        "share_results_now",
        "share_results",
        "action_plan",
    ]
    assert loop[0]["elements"][2]["value"] == "team-pulse"
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


def test_an_admin_who_manages_no_team_is_asked_which_of_all_teams(slack, fake_slack, sessions):
    team_with_a_closed_week(sessions)
    team_with_a_closed_week(sessions, name="other-team", managers=("U0OTHER",))

    reply = slack.command("/pulse", "action", user=ADMIN)
    named = slack.command("/pulse", "action other-team", user=ADMIN)

    assert "`/pulse action other-team`" in reply.text and "`/pulse action team-pulse`" in reply.text
    assert (
        named.text == "" and fake_slack.wait_for("views.open")[0]["view"]["callback_id"] == "action_plan_view"
    )


def test_someone_who_manages_no_team_is_refused(slack, fake_slack, sessions):
    team_with_a_closed_week(sessions)

    bare = slack.command("/pulse", "action", user=TEAM[0])
    named = slack.command("/pulse", "action team-pulse", user=TEAM[0])
    slack.click(action_id="action_plan", value="team-pulse", user=TEAM[0])

    assert bare.text.startswith("Action plans are for the managers of a team and for pulsebot admins.")
    assert named.text == "Only the managers of “team-pulse” and pulsebot admins can plan its team's actions."
    told = fake_slack.wait_for("response_url")[0]
    assert "Only the managers of “team-pulse”" in told["text"]
    assert fake_slack.calls_to("views.open") == []


# --- planning ----------------------------------------------------------------------------------------


def test_a_planned_action_is_stored_audited_and_posted_to_the_team(slack, fake_slack, sessions):
    team_with_a_closed_week(sessions)
    due = team_today() + timedelta(days=10)

    reply = submit_plan(
        slack, focus="theme:meetings", text="  No meetings on <!channel> Wednesdays ", due=due
    )

    assert reply.status == 200 and reply.body == ""
    post, told = fake_slack.wait_for("chat.postMessage", 2)
    assert post["channel"] == PULSE_CHANNEL
    blocks = str(post["blocks"])
    assert "*We will:* No meetings on &lt;!channel&gt; Wednesdays — <@U0ALICE>" in blocks
    assert f"by {due.day} {due:%b} · about: meetings" in blocks
    assert "Planned" in blocks
    assert told["channel"] == MANAGER
    assert f"The team can read it in <#{PULSE_CHANNEL}>." in told["text"]
    (action,) = stored(sessions)
    assert (action.focus_kind, action.focus_key, action.focus_label) == (
        FocusKind.theme,
        "meetings",
        "meetings",
    )
    assert action.text == "No meetings on <!channel> Wednesdays"  # stored as typed, escaped when shown
    assert (action.owner_id, action.due_on, action.visible) == ("U0ALICE", due, True)
    assert (action.status, action.created_by, action.started_on) == (
        ActionStatus.planned,
        MANAGER,
        team_today(),
    )
    assert (action.channel_id, action.message_ts) == (
        PULSE_CHANNEL,
        fake_slack.messages_in(PULSE_CHANNEL)[0]["ts"],
    )
    (entry,) = audit_actions(sessions)
    assert (entry.action, entry.actor, entry.scope) == (AuditAction.action_created, MANAGER, "team-pulse")


def test_an_action_the_team_does_not_see_is_not_posted(slack, fake_slack, sessions):
    team_with_a_closed_week(sessions)

    submit_plan(slack, visible=False)

    told = fake_slack.wait_for("chat.postMessage")[0]
    assert told["channel"] == MANAGER and "it was not posted to the team" in told["text"]
    assert fake_slack.posts_to(PULSE_CHANNEL) == []
    (action,) = stored(sessions)
    assert (action.visible, action.channel_id) == (False, None)


def test_a_channel_pulsebot_is_not_in_is_told_to_the_manager_and_the_action_kept(slack, fake_slack, sessions):
    team_with_a_closed_week(sessions)
    fake_slack.fail("chat.postMessage", "not_in_channel")

    submit_plan(slack)

    told = fake_slack.wait_for("chat.postMessage", 2)[1]
    assert told["channel"] == MANAGER
    assert "pulsebot is not a member of that channel" in told["text"]
    assert "The action is kept all the same." in told["text"]
    (action,) = stored(sessions)
    assert action.channel_id is None and action.status is ActionStatus.planned


def test_each_bad_input_is_a_field_error_and_nothing_is_written(slack, fake_slack, sessions):
    team_with_a_closed_week(sessions)
    fake_slack.add_user("U0GONE", deleted=True)
    today = team_today()
    cases = [
        ({"text": "   "}, "text", "Say what will be done."),
        ({"text": "x" * 301}, "text", "Keep it to 300 characters"),
        ({"due": today - timedelta(days=1)}, "due", "The due date has passed"),
        ({"due": today + timedelta(days=366)}, "due", "within a year"),
        ({"owner": "U0NOBODY"}, "owner", "not in this workspace"),
        ({"owner": "U0GONE"}, "owner", "deactivated"),
        ({"owner": "UBOT"}, "owner", "A bot cannot own an action"),
        ({"focus": "question:not-a-question"}, "focus", "Choose what it is about from the list"),
        ({"focus": "theme:laptop"}, "focus", "Choose what it is about from the list"),  # one comment only
        ({"focus": "nonsense"}, "focus", "Choose what it is about from the list"),
    ]
    for values, field, words in cases:
        reply = submit_plan(slack, **values)
        assert reply.json["response_action"] == "errors", values
        assert words in reply.json["errors"][field], (values, reply.json)

    assert stored(sessions) == [] and audit_actions(sessions) == []
    assert fake_slack.calls_to("chat.postMessage") == []


def test_every_wrong_field_is_shown_at_once(slack, fake_slack, sessions):
    team_with_a_closed_week(sessions)

    reply = submit_plan(
        slack, text=" ", owner="U0NOBODY", due=team_today() - timedelta(days=2), focus="nonsense"
    )

    errors = reply.json["errors"]
    assert set(errors) == {"text", "owner", "due", "focus"}
    assert "not in this workspace" in errors["owner"] and "has passed" in errors["due"]
    assert stored(sessions) == []


def test_today_and_a_year_ahead_are_both_fine(slack, fake_slack, sessions):
    team_with_a_closed_week(sessions)

    assert submit_plan(slack, due=team_today()).body == ""
    assert submit_plan(slack, due=team_today() + timedelta(days=365)).body == ""

    assert len(stored(sessions)) == 2


def test_a_forged_form_from_someone_who_manages_no_team_is_refused(slack, fake_slack, sessions):
    team_with_a_closed_week(sessions)

    reply = submit_plan(slack, user=TEAM[0])

    assert reply.json["response_action"] == "update"
    assert "Only the managers of “team-pulse” and pulsebot admins" in str(reply.json["view"])
    assert stored(sessions) == [] and fake_slack.calls_to("chat.postMessage") == []


def test_a_manager_cannot_plan_for_another_team_nor_use_its_focus(slack, fake_slack, sessions):
    team_with_a_closed_week(sessions)
    team_with_a_closed_week(sessions, name="other-team", managers=("U0OTHER",), channel="C0OTHER")

    # Another team's form, forged: refused whatever its focus.
    forged = submit_plan(slack, survey="other-team")
    # Their own team's form with a focus only the other team has: refused on the field.
    fake_slack.add_user("U0OTHER")
    other = submit_plan(slack, user="U0OTHER", survey="other-team", focus="theme:meetings")
    assert other.body == ""  # the other team's own manager may
    own_with_foreign = submit_plan(slack, focus="theme:something-else-entirely")

    fake_slack.wait_for("chat.postMessage", 2)  # the other team's post, then its manager's DM
    assert forged.json["response_action"] == "update"
    assert "Only the managers of “other-team”" in str(forged.json["view"])
    assert own_with_foreign.json["errors"]["focus"].startswith("Choose what it is about from the list")
    assert [(action.created_by, action.channel_id) for action in stored(sessions)] == [("U0OTHER", "C0OTHER")]


def test_an_admin_may_plan_for_any_team(slack, fake_slack, sessions):
    team_with_a_closed_week(sessions)

    reply = submit_plan(slack, user=ADMIN, focus="question:enps")

    assert reply.body == ""
    (action,) = stored(sessions)
    assert (action.created_by, action.focus_key) == (ADMIN, "enps")


# --- the status workflow -----------------------------------------------------------------------------


def planned_action(slack, fake_slack, sessions) -> TeamAction:
    team_with_a_closed_week(sessions)
    submit_plan(slack)
    fake_slack.wait_for("chat.postMessage", 2)
    fake_slack.reset_calls()
    (action,) = stored(sessions)
    return action


def test_an_action_is_started_then_done_and_the_team_hears_of_each_step(slack, fake_slack, sessions):
    action = planned_action(slack, fake_slack, sessions)

    choose_in_home(slack, value=f"{action.id}:in_progress")
    started = fake_slack.wait_for("chat.postMessage")[0]
    first_update = fake_slack.wait_for("chat.update")[0]
    fake_slack.wait_for("views.publish")
    choose_in_home(slack, value=f"{action.id}:done")
    done = fake_slack.wait_for("chat.postMessage", 2)[1]
    second_update = fake_slack.wait_for("chat.update", 2)[1]

    assert started["channel"] == PULSE_CHANNEL
    assert started["text"].startswith(":hammer_and_wrench: Started: No meetings on Wednesday afternoons")
    assert (first_update["channel"], first_update["ts"]) == (action.channel_id, action.message_ts)
    assert "In progress" in str(first_update["blocks"])
    assert done["text"] == ":white_check_mark: Done: No meetings on Wednesday afternoons"
    assert "Done" in str(second_update["blocks"])
    (finished,) = stored(sessions)
    assert finished.status is ActionStatus.done and finished.finished_at is not None
    changes = [
        entry.detail for entry in audit_actions(sessions) if entry.action is AuditAction.action_changed
    ]
    assert changes == [
        f"action #{action.id}: planned → in_progress",
        f"action #{action.id}: in_progress → done",
    ]


def test_dropping_asks_for_a_reason_the_team_reads(slack, fake_slack, sessions):
    action = planned_action(slack, fake_slack, sessions)

    choose_in_home(slack, value=f"{action.id}:dropped")
    modal = fake_slack.wait_for("views.open")[0]["view"]
    empty = drop(slack, action_id=action.id, reason="  ")
    dropped = drop(slack, action_id=action.id, reason="The <b>team</b> moved to another floor")

    assert modal["callback_id"] == "action_drop_view"
    assert "The team will read this." in str(modal["blocks"])
    assert empty.json["response_action"] == "errors" and "Say why" in empty.json["errors"]["reason"]
    assert dropped.body == ""
    post = fake_slack.wait_for("chat.postMessage")[0]
    assert post["channel"] == PULSE_CHANNEL
    assert post["text"].endswith("Why: The &lt;b&gt;team&lt;/b&gt; moved to another floor")
    update = fake_slack.wait_for("chat.update")[0]
    assert "Dropped: The &lt;b&gt;team&lt;/b&gt; moved to another floor" in str(update["blocks"])
    (finished,) = stored(sessions)
    assert (finished.status, finished.status_reason) == (
        ActionStatus.dropped,
        "The <b>team</b> moved to another floor",
    )
    assert finished.finished_at is not None


def test_done_and_dropped_are_final_and_steps_cannot_be_skipped(slack, fake_slack, sessions):
    action = planned_action(slack, fake_slack, sessions)

    choose_in_home(slack, value=f"{action.id}:done")  # planned cannot jump to done
    skipped = fake_slack.wait_for("chat.postMessage")[0]
    drop(slack, action_id=action.id, reason="Not needed after all")
    fake_slack.wait_for("chat.update")
    choose_in_home(slack, value=f"{action.id}:in_progress")
    final = fake_slack.wait_for("chat.postMessage", 3)[2]

    assert skipped["channel"] == MANAGER and "cannot be marked done" in skipped["text"]
    assert final["channel"] == MANAGER and "already dropped: that is final" in final["text"]
    (kept,) = stored(sessions)
    assert kept.status is ActionStatus.dropped


def test_a_forged_status_change_from_someone_else_is_refused(slack, fake_slack, sessions):
    action = planned_action(slack, fake_slack, sessions)
    team_with_a_closed_week(sessions, name="other-team", managers=("U0OTHER",), channel="C0OTHER")

    choose_in_home(slack, value=f"{action.id}:in_progress", user=TEAM[0])
    choose_in_home(slack, value=f"{action.id}:dropped", user="U0OTHER")  # manages another team
    dropped = drop(slack, action_id=action.id, reason="forged", user=TEAM[0])

    refusals = fake_slack.wait_for("chat.postMessage", 2)
    assert all("Only the managers of “team-pulse”" in post["text"] for post in refusals)
    assert {post["channel"] for post in refusals} == {TEAM[0], "U0OTHER"}
    assert "Only the managers of “team-pulse”" in dropped.json["errors"]["reason"]
    assert fake_slack.calls_to("views.open") == [] and fake_slack.calls_to("chat.update") == []
    (kept,) = stored(sessions)
    assert kept.status is ActionStatus.planned


def test_a_status_change_pulsebot_cannot_post_is_told_to_the_manager(slack, fake_slack, sessions):
    action = planned_action(slack, fake_slack, sessions)
    fake_slack.fail("chat.postMessage", "not_in_channel")

    choose_in_home(slack, value=f"{action.id}:in_progress")

    told = fake_slack.wait_for("chat.postMessage", 2)[1]
    assert told["channel"] == MANAGER
    assert "is now *In progress*" in told["text"] and "not a member of that channel" in told["text"]
    (kept,) = stored(sessions)
    assert kept.status is ActionStatus.in_progress
