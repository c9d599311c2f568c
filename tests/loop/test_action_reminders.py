"""An action's owner is reminded by DM three days before its due date and on the day (in the team's time
zone, from the morning on), each once, and only while the action is planned or in progress."""

from __future__ import annotations

from datetime import date

import pytest
from freezegun import freeze_time
from sqlmodel import select

from pulsebot import scheduling
from pulsebot.services.loop.action_reminders import ReminderKind, claim_reminder
from pulsebot.services.loop.actions import change_status, create_action
from pulsebot.store.db import transaction
from pulsebot.store.models import ActionStatus, FocusKind, TeamAction
from tests.conftest import MANAGER, PULSE_CHANNEL
from tests.scheduling.conftest import apply, utc

OWNER, OTHER_OWNER = "U0ALICE", "U0BOB"
SURVEY = f"""\
name: team-pulse
title: Weekly team pulse
channel: {PULSE_CHANNEL}
timezone: Europe/Berlin
managers: [{MANAGER}]
questions: [{{key: workload, kind: scale, prompt: My workload was manageable.}}]
"""
PLANNED_ON = utc(2027, 3, 1, 10)
DUE = date(2027, 3, 10)  # a Wednesday; three days before is Sunday 7 March


def plan(sessions, *, owner: str = OWNER, due: date = DUE, text: str = "Fewer meetings") -> int:
    with freeze_time(PLANNED_ON), transaction(sessions) as session:
        action = create_action(
            session,
            survey_name="team-pulse",
            focus_kind=FocusKind.question,
            focus_key="workload",
            text=text,
            owner_id=owner,
            due_on=due,
            visible=False,
            created_by=MANAGER,
            now=PLANNED_ON,
            today=PLANNED_ON.date(),
            min_group=5,
        )
    return action.id


def reminded_at(fake_slack, moment) -> list[tuple[str, str]]:
    before = len(fake_slack.calls_to("chat.postMessage"))
    with freeze_time(moment):
        scheduling.remind_action_owners()
    return [(post["channel"], post["text"]) for post in fake_slack.calls_to("chat.postMessage")[before:]]


@pytest.fixture
def team(sessions):
    apply(sessions, SURVEY)


@pytest.mark.usefixtures("team", "jobs_runtime")
def test_the_owner_is_reminded_three_days_before_and_on_the_day_once_each(sessions, fake_slack):
    plan(sessions)

    assert reminded_at(fake_slack, utc(2027, 3, 6, 12)) == []  # four days before
    assert reminded_at(fake_slack, utc(2027, 3, 7, 6)) == []  # the day, but 7:00 in Berlin
    ((channel, text),) = reminded_at(fake_slack, utc(2027, 3, 7, 9))  # 10:00 in Berlin
    assert channel == OWNER
    assert "*Weekly team pulse* is due in 3 days, on Wednesday 10 Mar" in text and "Fewer meetings" in text
    assert reminded_at(fake_slack, utc(2027, 3, 7, 15)) == []
    assert reminded_at(fake_slack, utc(2027, 3, 9, 12)) == []
    ((channel, text),) = reminded_at(fake_slack, utc(2027, 3, 10, 8))
    assert channel == OWNER and "is due today" in text
    assert reminded_at(fake_slack, utc(2027, 3, 10, 16)) == []
    assert reminded_at(fake_slack, utc(2027, 3, 11, 9)) == []


@pytest.mark.usefixtures("team", "jobs_runtime")
def test_done_and_dropped_actions_get_no_reminder(sessions, fake_slack):
    done, dropped = plan(sessions, text="Done early"), plan(sessions, owner=OTHER_OWNER, text="Not needed")
    with transaction(sessions) as session:
        for action_id, status in ((done, ActionStatus.in_progress), (done, ActionStatus.done)):
            change_status(
                session, action_id=action_id, status=status, reason=None, actor=MANAGER, now=PLANNED_ON
            )
        change_status(
            session,
            action_id=dropped,
            status=ActionStatus.dropped,
            reason="Moot",
            actor=MANAGER,
            now=PLANNED_ON,
        )

    assert reminded_at(fake_slack, utc(2027, 3, 7, 9)) == []
    assert reminded_at(fake_slack, utc(2027, 3, 10, 9)) == []


@pytest.mark.usefixtures("team", "jobs_runtime")
def test_an_action_planned_within_three_days_of_its_date_gets_only_the_day_s_reminder(sessions, fake_slack):
    plan(sessions, due=date(2027, 3, 3))

    assert reminded_at(fake_slack, utc(2027, 3, 2, 9)) == []
    assert [channel for channel, _ in reminded_at(fake_slack, utc(2027, 3, 3, 9))] == [OWNER]


@pytest.mark.usefixtures("team", "jobs_runtime")
def test_a_reminder_another_scheduler_claimed_is_not_sent_twice(sessions, fake_slack):
    action_id = plan(sessions)
    with transaction(sessions) as session:
        assert claim_reminder(session, action_id=action_id, kind=ReminderKind.before)
    with transaction(sessions) as session:
        assert not claim_reminder(session, action_id=action_id, kind=ReminderKind.before)

    assert reminded_at(fake_slack, utc(2027, 3, 7, 9)) == []


@pytest.mark.usefixtures("team", "jobs_runtime")
def test_a_reminder_slack_refused_is_given_back_and_sent_at_the_next_sweep(sessions, fake_slack):
    action_id = plan(sessions)
    fake_slack.fail("chat.postMessage", "cannot_dm_bot")

    reminded_at(fake_slack, utc(2027, 3, 7, 9))  # Slack refuses the DM
    with sessions() as session:
        assert (
            session.exec(select(TeamAction.reminded_before).where(TeamAction.id == action_id)).one() is False
        )
    second = reminded_at(fake_slack, utc(2027, 3, 7, 10))

    assert [channel for channel, _ in second] == [OWNER]
    with sessions() as session:
        assert (
            session.exec(select(TeamAction.reminded_before).where(TeamAction.id == action_id)).one() is True
        )


def test_the_sweep_is_registered_with_the_scheduler():
    assert scheduling.SWEEPS["action-reminders"] == "pulsebot.scheduling:remind_action_owners"
