""" "You said, we did": once a month each team's channel hears what was done in answer — its shared
actions done and the ideas shipped — and hears nothing when nothing was done. App Home shows the same
for the person's own teams."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import select

from pulsebot.slack import limits
from pulsebot.store.models import ActionStatus, FocusKind, Idea, IdeaStatus, LoopPost, Survey, TeamAction
from tests.conftest import PULSE_CHANNEL
from tests.home_steps import open_home
from tests.loop.steps import run_job
from tests.pulse_data import make_team, people, run_week
from tests.slack_limits import BROKEN_ENTITY, message_problems

pytestmark = pytest.mark.clock

TEAM = people(6)
CREATED = datetime(2026, 10, 1, 9, tzinfo=UTC)
# The team is in Berlin (UTC+1 in winter): its 1 December 09:00 is 08:00 UTC.
BEFORE_NINE = datetime(2026, 12, 1, 7, 55, tzinfo=UTC)
AFTER_NINE = datetime(2026, 12, 1, 8, 5, tzinfo=UTC)


def team_with_a_pulse(sessions) -> None:
    make_team(sessions, now=CREATED, managers=("U0BOSS",))
    run_week(sessions, survey="team-pulse", opened=CREATED, audience=TEAM)


def action(
    sessions, text: str, *, finished: datetime | None, visible=True, status=ActionStatus.done, **focus
):
    with sessions() as session:
        survey_id = session.exec(
            select(Survey.id).where(Survey.name == focus.get("survey", "team-pulse"))
        ).one()
        session.add(
            TeamAction(
                survey_id=survey_id,
                focus_kind=focus.get("kind", FocusKind.driver),
                focus_key=focus.get("key", "workload"),
                focus_label=focus.get("label", "Workload"),
                text=text,
                owner_id="U0OWNER",
                due_on=date(2026, 11, 30),
                visible=visible,
                status=status,
                created_by="U0BOSS",
                started_on=date(2026, 10, 20),
                created_at=CREATED,
                updated_at=finished or CREATED,
                finished_at=finished,
            )
        )
        session.commit()


def shipped_idea(sessions, text: str, *, on: datetime) -> None:
    with sessions() as session:
        session.add(Idea(text=text, status=IdeaStatus.done, created_at=on - timedelta(days=9), updated_at=on))
        session.commit()


def sweep(client, sessions, settings, *, at: datetime) -> None:
    run_job("post_you_said_we_did", at=at, client=client, sessions=sessions, settings=settings)


def test_the_month_that_ended_is_posted_once_on_the_first_at_nine(sessions, client, settings, fake_slack):
    team_with_a_pulse(sessions)
    action(sessions, "Weekly backlog triage", finished=datetime(2026, 11, 20, 15, tzinfo=UTC))
    action(
        sessions,
        "Quiet hours on Fridays",
        finished=datetime(2026, 11, 25, tzinfo=UTC),
        kind=FocusKind.theme,
        key="weekend shifts",
        label="weekend shifts",
    )
    action(sessions, "Managers-only plan", finished=datetime(2026, 11, 21, tzinfo=UTC), visible=False)
    action(sessions, "Dropped idea", finished=datetime(2026, 11, 22, tzinfo=UTC), status=ActionStatus.dropped)
    action(sessions, "Done in October", finished=datetime(2026, 10, 30, tzinfo=UTC))
    action(sessions, "Done today", finished=datetime(2026, 12, 1, 7, tzinfo=UTC))  # 08:00 on 1 Dec in Berlin
    shipped_idea(sessions, "Refunds in one click", on=datetime(2026, 11, 10, tzinfo=UTC))

    sweep(client, sessions, settings, at=BEFORE_NINE)
    assert fake_slack.posts_to(PULSE_CHANNEL) == []
    sweep(client, sessions, settings, at=AFTER_NINE)
    sweep(client, sessions, settings, at=AFTER_NINE + timedelta(hours=3))

    (post,) = fake_slack.posts_to(PULSE_CHANNEL)
    assert post["blocks"][0]["text"]["text"] == "You said, we did: November 2026"
    body = post["blocks"][1]["text"]["text"]
    assert body.splitlines() == [
        "• “Refunds in one click”, for idea #1, 0 votes · shipped 10 Nov",
        "• “Weekly backlog triage”, for what you said about Workload · <@U0OWNER> · done 20 Nov",
        "• “Quiet hours on Fridays”, for your comments about weekend shifts · <@U0OWNER> · done 25 Nov",
    ]
    with sessions() as session:
        (row,) = session.exec(select(LoopPost)).all()
        assert row.month == date(2026, 11, 1) and row.message_ts is not None


def test_a_month_with_nothing_done_posts_nothing(sessions, client, settings, fake_slack):
    team_with_a_pulse(sessions)
    action(sessions, "Managers-only plan", finished=datetime(2026, 11, 21, tzinfo=UTC), visible=False)
    sweep(client, sessions, settings, at=AFTER_NINE)
    sweep(client, sessions, settings, at=AFTER_NINE + timedelta(days=1))
    assert fake_slack.posts_to(PULSE_CHANNEL) == []
    with sessions() as session:
        (row,) = session.exec(select(LoopPost)).all()  # considered once, and left at that
        assert row.message_ts is None


def test_a_month_not_posted_in_its_first_week_is_not_posted_late(sessions, client, settings, fake_slack):
    team_with_a_pulse(sessions)
    action(sessions, "Weekly backlog triage", finished=datetime(2026, 11, 20, tzinfo=UTC))
    sweep(client, sessions, settings, at=AFTER_NINE + timedelta(days=8))  # pulsebot was down a week
    assert fake_slack.posts_to(PULSE_CHANNEL) == []


def test_slack_refusing_the_post_does_not_repeat_it_every_minute(sessions, client, settings, fake_slack):
    team_with_a_pulse(sessions)
    action(sessions, "Weekly backlog triage", finished=datetime(2026, 11, 20, tzinfo=UTC))
    fake_slack.fail("chat.postMessage", "not_in_channel")
    sweep(client, sessions, settings, at=AFTER_NINE)
    sweep(client, sessions, settings, at=AFTER_NINE + timedelta(minutes=1))
    assert len(fake_slack.calls_to("chat.postMessage")) == 1


def test_app_home_lists_what_the_persons_own_teams_did(sessions, slack, fake_slack):
    team_with_a_pulse(sessions)
    recently = datetime.now(UTC) - timedelta(days=3)
    action(sessions, "Weekly backlog triage", finished=recently)
    action(sessions, "Managers-only plan", finished=recently, visible=False)
    shipped_idea(sessions, "Refunds in one click", on=recently)

    member = open_home(slack, fake_slack, TEAM[0])
    said = member[member.index("You said, we did") :]
    assert "Weekly backlog triage" in said and "Weekly team pulse" in said
    assert "Refunds in one click" in said
    assert "Managers-only plan" not in member

    outsider = open_home(slack, fake_slack, "U0STRANGER")
    assert "Weekly backlog triage" not in outsider  # another team's actions are that team's business
    assert "Refunds in one click" in outsider


def test_a_long_month_is_cut_between_whole_mentions(sessions, client, settings, fake_slack):
    """Twelve done actions fill more than a section holds. Twelve teams each grow their first action by one
    more character, so one of their cuts falls inside each character of the owner's `<@U0OWNER>`."""
    names = [f"team-{number:02d}" for number in range(12)]
    for number, name in enumerate(names):
        make_team(sessions, name=name, channel=f"C0TEAM{number:02d}", now=CREATED, managers=("U0BOSS",))
        run_week(sessions, survey=name, opened=CREATED, audience=TEAM)
        for item in range(12):
            padding = "x" * (5 + (number if item == 0 else 0))
            action(
                sessions,
                f"Action {item:02d} {padding}" + " a long description" * 9,
                finished=datetime(2026, 11, 2 + item, 15, tzinfo=UTC),
                survey=name,
            )

    sweep(client, sessions, settings, at=AFTER_NINE)

    posts = fake_slack.calls_to("chat.postMessage")
    assert len(posts) == 12  # Slack took every one: none was refused as invalid_blocks
    for post in posts:
        body = post["blocks"][1]["text"]["text"]
        assert len(body) <= limits.SECTION_TEXT and body.endswith("…")
        assert message_problems(post) == []
        assert not BROKEN_ENTITY.search(body)
