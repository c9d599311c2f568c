"""Did it help? A team's digest lists its open actions with their focus's trend since each started, and
what the team said to "Is this helping?" — from figures the digests already showed, never a hidden one."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlmodel import select

from pulsebot.services.digest.digest_text import render_text
from pulsebot.services.digest.digests import build_digests
from pulsebot.slack.blocks.digest import digest_message
from pulsebot.store.models import (
    ActionCheck,
    ActionStatus,
    FocusKind,
    RunStatus,
    Survey,
    TeamAction,
)
from tests.drivers.steps import alike_for, library_run, library_team
from tests.pulse_data import alike, make_team, people, run_week, scores

TEAM = people(8)
FIRST_MONDAY = datetime(2026, 10, 5, 9, tzinfo=UTC)  # six weekly runs: 5 Oct … 9 Nov
STARTED = date(2026, 10, 21)  # a Wednesday, in the week of 19 Oct (the third run)
NOW = datetime(2026, 11, 16, 8, tzinfo=UTC)  # the digest covers the week of 9 Nov


def add_action(sessions, *, survey: str, kind: FocusKind, key: str, label: str, **extra) -> int:
    with sessions() as session:
        survey_id = session.exec(select(Survey.id).where(Survey.name == survey)).one()
        action = TeamAction(
            survey_id=survey_id,
            focus_kind=kind,
            focus_key=key,
            focus_label=label,
            text="Weekly backlog triage",
            owner_id="U0OWNER",
            due_on=extra.pop("due_on", date(2026, 12, 4)),
            status=extra.pop("status", ActionStatus.in_progress),
            created_by="U0BOSS",
            started_on=STARTED,
            created_at=NOW,
            updated_at=NOW,
            **extra,
        )
        session.add(action)
        session.commit()
        return action.id


def weeks_of_workload(sessions, values_by_week: list[list[int]], comments_by_week=None) -> None:
    make_team(sessions, now=FIRST_MONDAY)
    for number, values in enumerate(values_by_week):
        comments = (comments_by_week or {}).get(number, {})
        run_week(
            sessions,
            survey="team-pulse",
            opened=FIRST_MONDAY + timedelta(weeks=number),
            audience=TEAM,
            answers=scores(TEAM, values),
            comments=comments,
        )


def digests_now(sessions, min_group: int = 5):
    with sessions() as session:
        digests, _ = build_digests(session, now=NOW, min_group=min_group, weeks=12)
    return digests


def team_digest(sessions, min_group: int = 5):
    return digests_now(sessions, min_group)["team-pulse"]


def test_a_question_focus_shows_its_trend_since_the_action_started(sessions):
    # Two weeks at 3 before the action's week (19 Oct), then better.
    weeks_of_workload(
        sessions, [alike(3, 6), alike(3, 6), alike(3, 6), alike(4, 6), alike(4, 6), [5, 5, 4, 4, 4, 3]]
    )
    add_action(sessions, survey="team-pulse", kind=FocusKind.question, key="workload", label="workload")
    digest = team_digest(sessions)
    (action,) = digest.actions
    assert (action.trend.before, round(action.trend.now, 2), action.trend.weeks) == (3.0, 4.17, 4)
    text = render_text(digest)
    assert "“Weekly backlog triage” · about workload · in progress, due 4 Dec · owner <@U0OWNER>" in text
    assert "Since it started on 21 Oct, workload went 3.0 → 4.2 over 4 weeks." in text
    _, blocks = digest_message(digest)
    actions = next(b for b in blocks if b.get("text", {}).get("text", "").startswith("*Actions*"))
    assert "Since it started on 21 Oct, workload went 3.0 → 4.2 over 4 weeks." in actions["text"]["text"]


def test_no_trend_from_a_hidden_week_before(sessions):
    # The week before the action had only three answers: hidden, so there is nothing to compare with,
    # and neither it nor anything made from it appears.
    weeks_of_workload(sessions, [[1] * 3, [1] * 3, alike(3, 6), alike(4, 6), alike(4, 6), alike(4, 6)])
    add_action(sessions, survey="team-pulse", kind=FocusKind.question, key="workload", label="workload")
    (action,) = team_digest(sessions).actions
    assert action.trend is None
    assert action.no_trend == "no figure was shown in the weeks before it started"
    assert "1.0" not in render_text(team_digest(sessions))


def test_a_theme_focus_counts_the_comments_that_mention_it(sessions):
    backlog = {person: "The ticket backlog keeps growing" for person in TEAM[:3]}
    other = {person: "Good week overall" for person in TEAM[3:6]}
    fewer = {TEAM[0]: "Ticket backlog is smaller", **{p: "Calmer week" for p in TEAM[1:6]}}
    weeks_of_workload(
        sessions,
        [alike(3, 6)] * 6,
        comments_by_week={1: {**backlog, **other}, 5: fewer},
    )
    add_action(
        sessions, survey="team-pulse", kind=FocusKind.theme, key="ticket backlog", label="ticket backlog"
    )
    text = render_text(team_digest(sessions))
    assert (
        "Since it started on 21 Oct, comments mentioning ticket backlog went 3 of 6 comments (50%) → "
        "1 of 6 comments (17%) over 4 weeks." in text
    )


def test_a_driver_focus_compares_the_driver_windows(sessions):
    library_team(sessions, name="support", now=FIRST_MONDAY, per_pulse=4)
    members = people(6, "S")
    for number in range(8):
        value = 2 if number < 4 else 4
        library_run(
            sessions,
            survey="support",
            opened=FIRST_MONDAY - timedelta(weeks=2) + timedelta(weeks=number),
            audience=members,
            answers=lambda person, question, value=value: (
                alike_for(person, value) if question.kind.value == "scale" else 7
            ),
        )
    add_action(sessions, survey="support", kind=FocusKind.driver, key="workload", label="Workload")
    digests = digests_now(sessions)
    (action,) = digests["support"].actions
    assert action.trend is not None, action.no_trend
    assert action.trend.before < action.trend.now
    assert f"went {action.trend.before:.1f} → {action.trend.now:.1f}" in render_text(digests["support"])


def test_the_latest_round_of_is_this_helping_is_shown_only_as_counted(sessions):
    weeks_of_workload(sessions, [alike(3, 6)] * 6)
    action_id = add_action(
        sessions, survey="team-pulse", kind=FocusKind.question, key="workload", label="workload"
    )
    with sessions() as session:
        for counts, withheld in (((None, None, None, None), True), ((7, 4, 2, 1), False)):
            answered, yes, not_yet, no = counts
            session.add(
                ActionCheck(
                    action_id=action_id,
                    for_status=ActionStatus.in_progress,
                    opened_at=NOW - timedelta(days=20),
                    closes_at=NOW - timedelta(days=13),
                    status=RunStatus.closed,
                    answered=answered,
                    yes=yes,
                    not_yet=not_yet,
                    no=no,
                    withheld=withheld,
                )
            )
            session.commit()
    text = render_text(team_digest(sessions))
    assert "Is this helping? 7 answered: 4 yes, 2 not yet, 1 no." in text
    assert "stay hidden" not in text  # only the latest round is shown, never two to subtract


def test_finished_and_later_actions_are_left_out(sessions):
    weeks_of_workload(sessions, [alike(3, 6)] * 6)
    add_action(
        sessions,
        survey="team-pulse",
        kind=FocusKind.question,
        key="workload",
        label="workload",
        status=ActionStatus.done,
        finished_at=datetime(2026, 10, 30, tzinfo=UTC),
    )
    overdue = add_action(
        sessions,
        survey="team-pulse",
        kind=FocusKind.question,
        key="focus",
        label="focus",
        due_on=date(2026, 11, 10),
    )
    (action,) = team_digest(sessions).actions
    assert action.id == overdue
    assert "overdue since 10 Nov" in render_text(team_digest(sessions))
