"""The whole loop, as a team lives it: the manager gets the digest and shares it, plans an action on the
weakest driver, the team reads both in its channel, the owner is reminded, the team says whether it is
helping, the next digest shows the action's progress and its driver's trend, and the month's
"You said, we did" lists it once it is done."""

from __future__ import annotations

import time as time_module
import zoneinfo
from datetime import UTC, datetime, time, timedelta

import pytest
from freezegun import freeze_time
from sqlmodel import select

from pulsebot.services.digest.digest_text import render_text
from pulsebot.services.digest.digests import build_digests
from pulsebot.services.results.drivers import driver_scores
from pulsebot.slack.blocks.sharing import share_value
from pulsebot.store.models import ActionStatus, TeamAction
from pulsebot.store.weeks import week_start
from tests.conftest import MANAGER
from tests.drivers.steps import library_run, library_team
from tests.loop.steps import choose_in_home, run_job, submit_plan
from tests.pulse_data import people

pytestmark = pytest.mark.clock

TEAM_ZONE = zoneinfo.ZoneInfo("UTC")  # library_team's time zone
CHANNEL = "G0SUPPORT"
OWNER = "U0ALICE"
MEMBERS = people(7, "S")
WEAK = "workload"  # the driver the team rates lowest until the action


def answers_for(weak_value: int):
    # Two members answer a point apart from the rest (the same means): counts all alike would be withheld
    # by the rule for distributions, and the digest would show no driver.
    apart = {MEMBERS[0]: -1, MEMBERS[1]: 1}

    def answer(person, question):
        if question.kind.value == "enps":
            return 9 if person in apart else 8
        return (weak_value if question.driver == WEAK else 4) + apart.get(person, 0)

    return answer


def run_weeks(sessions, *, start: datetime, weeks: int, weak_value: int) -> None:
    for number in range(weeks):
        library_run(
            sessions,
            survey="support",
            opened=start + timedelta(weeks=number),
            audience=MEMBERS,
            answers=answers_for(weak_value),
        )


def channel_post(fake_slack, containing: str, timeout: float = 10.0) -> dict:
    """The team channel's post containing `containing`, once the listener (after its ack) has made it."""
    deadline = time_module.monotonic() + timeout
    while True:
        found = [post for post in fake_slack.posts_to(CHANNEL) if containing in str(post)]
        if found:
            return found[-1]
        assert time_module.monotonic() < deadline, f"no post with {containing!r} in {CHANNEL}"
        time_module.sleep(0.02)


def sweep(job, at: datetime, client, sessions, settings) -> None:
    run_job(job, at=at, client=client, sessions=sessions, settings=settings)


def test_a_digest_shared_an_action_planned_reminded_helping_tracked_and_done(
    slack, fake_slack, sessions, client, settings
):
    now = datetime.now(UTC)
    library_team(
        sessions, name="support", now=now - timedelta(weeks=12), channel=CHANNEL, managers=(MANAGER,)
    )
    # Weekly pulses over the last eight weeks (the latest one in the last complete week).
    run_weeks(sessions, start=now - timedelta(weeks=8, days=1), weeks=8, weak_value=2)

    # 1. The manager asks for the digest: it names the weakest driver and offers both buttons.
    slack.command("/pulse", "digest", user=MANAGER)
    digest = fake_slack.wait_for("chat.postMessage")[0]
    assert "Weakest: Workload" in str(digest["blocks"])
    row = next(block for block in digest["blocks"] if block.get("block_id") == "digest_loop")
    assert [button["action_id"] for button in row["elements"]] == [
        "share_results_now",
        "share_results",
        "action_plan",
    ]
    week = week_start(now.astimezone(TEAM_ZONE).date()) - timedelta(weeks=1)  # the last complete week

    # 2. One click shares it, and the team reads it in its channel.
    fake_slack.reset_calls()
    slack.click(
        action_id="share_results_now", value=share_value("support", week), user=MANAGER, channel="D0M"
    )
    shared = channel_post(fake_slack, "Shared by")
    assert "Workload" in str(shared["blocks"])

    # 3. The manager plans an action on the weakest driver, shared with the team, due in ten days.
    fake_slack.reset_calls()
    due = now.astimezone(TEAM_ZONE).date() + timedelta(days=10)
    submit_plan(
        slack, survey="support", focus=f"driver:{WEAK}", text="Weekly backlog triage", owner=OWNER, due=due
    )
    channel_post(fake_slack, "Weekly backlog triage")
    with sessions() as session:
        action = session.exec(select(TeamAction)).one()
    assert (action.focus_key, action.owner_id, action.visible) == (WEAK, OWNER, True)

    # 4. The owner is reminded three days before it is due.
    fake_slack.reset_calls()
    with freeze_time(datetime.combine(due - timedelta(days=3), time(11), tzinfo=TEAM_ZONE)):
        sweep("remind_action_owners", datetime.now(UTC), client, sessions, settings)
    (reminder,) = fake_slack.posts_to(OWNER)
    assert "Weekly backlog triage" in reminder["text"] and "due in 3 days" in reminder["text"]

    # 5. It starts; the team is asked "Is this helping?" and six of them answer.
    fake_slack.reset_calls()
    choose_in_home(slack, value=f"{action.id}:in_progress")
    fake_slack.wait_for("chat.update")
    sweep("ask_if_actions_help", now, client, sessions, settings)
    question = next(post for post in fake_slack.posts_to(CHANNEL) if "Is this helping?" in post["text"])
    check_id = question["blocks"][1]["elements"][0]["value"].split(":")[0]
    for person, choice in zip(MEMBERS, ["yes", "yes", "yes", "yes", "not_yet", "no"], strict=False):
        slack.click(
            action_id=f"action_helping_{choice}", value=f"{check_id}:{choice}", user=person, channel=CHANNEL
        )
    fake_slack.wait_for("response_url", 6)
    sweep("ask_if_actions_help", now + timedelta(days=8), client, sessions, settings)
    (closed,) = fake_slack.calls_to("chat.update")[-1:]
    assert "6 answered: 4 yes, 1 not yet, 1 no" in closed["text"]

    # 6. Three more weeks of pulses, workload better; the next digest shows the progress and the trend.
    run_weeks(sessions, start=now + timedelta(days=6), weeks=3, weak_value=4)
    later = now + timedelta(weeks=3, days=6)
    with sessions() as session:
        digests, _ = build_digests(session, now=later, min_group=settings.min_group, weeks=12)
        before = driver_scores(
            session,
            min_group=settings.min_group,
            through=week_start(action.started_on) - timedelta(days=1),
            survey_names=["support"],
        ).teams["support"]
    (progress,) = digests["support"].actions
    weak_before = next(d for d in before.drivers if d.driver == WEAK)
    assert progress.trend.before == round(weak_before.score, 1) and progress.trend.now > progress.trend.before
    text = render_text(digests["support"])
    started = f"{action.started_on.day} {action.started_on:%b}"
    assert progress.focus_label == "Workload and wellbeing"
    assert (
        f"Since it started on {started}, Workload and wellbeing went {progress.trend.before:.1f} → " in text
    )
    assert "Is this helping? 6 answered: 4 yes, 1 not yet, 1 no." in text

    # 7. It is done; the month's "You said, we did" lists it in the team's channel (on the 1st, at the
    # digest time in the team's time zone, UTC here).
    fake_slack.reset_calls()
    choose_in_home(slack, value=f"{action.id}:done")
    fake_slack.wait_for("chat.update")
    with sessions() as session:
        finished = session.get(TeamAction, action.id)
    assert finished.status is ActionStatus.done
    done_month = finished.finished_at.astimezone(TEAM_ZONE).date().replace(day=1)
    next_first = (done_month + timedelta(days=32)).replace(day=1)
    sweep(
        "post_you_said_we_did",
        datetime.combine(next_first, time(9, 5), tzinfo=UTC),
        client,
        sessions,
        settings,
    )
    (monthly,) = [post for post in fake_slack.posts_to(CHANNEL) if "You said, we did" in post["text"]]
    assert "“Weekly backlog triage”, for what you said about Workload and wellbeing" in str(monthly["blocks"])
