"""Retention: the daily job removes old answers, comments, delivery records and idea texts, keeps the
figures of the weeks that were shown, and changes nothing when it runs again."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from freezegun import freeze_time
from sqlalchemy import func
from sqlmodel import select
from typer.testing import CliRunner

from pulsebot import scheduling
from pulsebot.cli import cli
from pulsebot.services.idea.idea_status import change_status
from pulsebot.services.idea.ideas import idea_view, mark_idea_posted, post_idea, toggle_vote
from pulsebot.services.privacy import retention
from pulsebot.services.privacy.roles import Role
from pulsebot.services.results.analytics import team_trend
from pulsebot.store.db import transaction
from pulsebot.store.models import (
    Answer,
    AuditAction,
    AuditEntry,
    Delivery,
    Idea,
    IdeaStatus,
    KeptQuestion,
    KeptWeek,
    PulseRun,
)
from pulsebot.store.weeks import week_start
from tests.conftest import ANON_KEY, IDEAS_CHANNEL, MANAGER
from tests.pulse_data import alike, close_and_release, make_team, merge, people, run_week, scores

NOW = datetime(2027, 6, 16, 12, 0, tzinfo=UTC)  # a Wednesday
DAYS = 100
MEMBERS = people(6)
OLD_SHOWN = NOW - timedelta(weeks=20)
OLD_HIDDEN = NOW - timedelta(weeks=19)
OLD_SHOWN_TOO = NOW - timedelta(weeks=16)
RECENT = NOW - timedelta(weeks=2)


def history(sessions) -> dict[str, int]:
    """Four weeks of answers: three older than the cutoff (one of them answered by too few), one recent."""
    make_team(sessions, now=NOW - timedelta(days=400))
    runs = {}
    for label, opened, values in (
        ("old_shown", OLD_SHOWN, [4, 4, 5, 3, 4, 4]),
        ("old_hidden", OLD_HIDDEN, [1, 1, 2]),
        ("old_shown_too", OLD_SHOWN_TOO, [2, 3, 3, 2, 3, 5]),
        ("recent", RECENT, [5, 5, 4, 4, 5, 5]),
    ):
        answers = merge(scores(MEMBERS, values), scores(MEMBERS, [10, 9, 7, 3, 10, 8][: len(values)], "enps"))
        comments = {person: f"{label} remark about the rota" for person in MEMBERS[: len(values) - 1]}
        runs[label] = run_week(
            sessions, survey="team-pulse", opened=opened, audience=MEMBERS, answers=answers, comments=comments
        )
    return runs


def ideas(sessions) -> tuple[int, int]:
    key = ANON_KEY.encode()
    with transaction(sessions) as session:
        old = post_idea(
            session, user_id=MEMBERS[0], text="Old secret plan", key=key, now=NOW - timedelta(days=200)
        )
        change_status(
            session,
            idea_id=old.id,
            status=IdeaStatus.declined,
            user_id=MANAGER,
            role=Role.manager,
            now=NOW - timedelta(days=190),
            reason="Declined because of Bob's team",
        )
        for voter in MEMBERS[1:4]:
            toggle_vote(session, idea_id=old.id, user_id=voter, key=key)
        new = post_idea(
            session, user_id=MEMBERS[1], text="A fresh idea", key=key, now=NOW - timedelta(days=3)
        )
        for idea, ts in ((old, "1690000000.000100"), (new, "1699000000.000100")):
            mark_idea_posted(session, idea_id=idea.id, channel_id=IDEAS_CHANNEL, message_ts=ts)
    return old.id, new.id


def snapshot(sessions) -> dict:
    with transaction(sessions) as session:
        return {
            "answers": session.exec(
                select(Answer.run_id, Answer.question_id, Answer.value, Answer.comment)
            ).all(),
            "deliveries": session.exec(select(Delivery.run_id, Delivery.user_id)).all(),
            "kept": session.exec(select(KeptWeek)).all(),
            "kept_questions": session.exec(select(KeptQuestion)).all(),
            "ideas": session.exec(select(Idea.id, Idea.text, Idea.status, Idea.status_reason)).all(),
            "purged": session.exec(select(PulseRun.id, PulseRun.purged_at)).all(),
        }


def trend(sessions):
    with transaction(sessions) as session:
        return team_trend(
            session, survey_name="team-pulse", now=NOW, min_group=5, weeks=22, complete_only=False
        ).weeks


def run_job(sessions, client, settings) -> None:
    scheduling.install(
        scheduling.Runtime(
            client=client,
            sessions=sessions,
            settings=settings.model_copy(update={"retention_days": DAYS}),
            clock=lambda: NOW,
        )
    )
    try:
        with freeze_time(NOW):
            scheduling.purge_old_data()
    finally:
        scheduling.install(None)


def test_the_daily_job_keeps_shown_weeks_figures_and_removes_the_rest(
    sessions, client, settings, cli_env, fake_slack
):
    runs = history(sessions)
    old_idea, new_idea = ideas(sessions)
    before = trend(sessions)

    run_job(sessions, client, settings)

    with transaction(sessions) as session:
        answer_runs = set(session.exec(select(Answer.run_id)).all())
        delivery_runs = set(session.exec(select(Delivery.run_id)).all())
        kept = {week.week for week in session.exec(select(KeptWeek)).all()}
        old, new = idea_view(session, idea_id=old_idea), idea_view(session, idea_id=new_idea)
        entry = session.exec(select(AuditEntry).where(AuditEntry.action == AuditAction.retention_run)).one()
    assert answer_runs == delivery_runs == {runs["recent"]}  # old answers, comments and deliveries are gone
    assert kept == {week_start(OLD_SHOWN.date()), week_start(OLD_SHOWN_TOO.date())}  # never the small week
    assert (old.text, old.reason, old.status, old.votes) == (
        "(text removed after 100 days)",
        None,
        "declined",
        3,
    )
    assert new.text == "A fresh idea"
    (card,) = fake_slack.calls_to("chat.update")  # the old idea's card in Slack, redrawn without its text
    assert card["ts"] == "1690000000.000100" and "(text removed after 100 days)" in json.dumps(card["blocks"])
    assert "Old secret plan" not in json.dumps(card) and "Bob's team" not in json.dumps(card)
    assert (entry.actor, entry.scope) == ("scheduler", "org")
    assert "10 answers" not in entry.detail and "1 idea texts removed" in entry.detail
    assert trend(sessions) == before  # every week's figures read as before, the small one still hidden

    with freeze_time(NOW):
        report = CliRunner().invoke(
            cli, ["report", "team-pulse", "--weeks", "22"], env={**cli_env, "COLUMNS": "160"}
        )
    assert report.exit_code == 0, report.output
    lines = report.stdout.splitlines()
    old_line = next(line for line in lines if line.startswith(f"│ {week_start(OLD_SHOWN.date()):%-d %b} "))
    assert "6 of 6 (100%)" in old_line and "4.0" in old_line
    hidden_line = next(
        line for line in lines if line.startswith(f"│ {week_start(OLD_HIDDEN.date()):%-d %b} ")
    )
    assert "hidden: fewer than 5 answered" in hidden_line


def test_a_second_run_changes_nothing(sessions, client, settings):
    history(sessions)
    ideas(sessions)
    run_job(sessions, client, settings)
    first = snapshot(sessions)

    run_job(sessions, client, settings)

    assert snapshot(sessions) == first
    with transaction(sessions) as session:
        runs = session.exec(select(func.count()).where(AuditEntry.action == AuditAction.retention_run)).one()
    assert runs == 1  # a night with nothing to remove leaves no entry


@pytest.mark.parametrize("batch", [1, 7])
def test_small_batches_remove_the_same_rows_as_one_big_one(sessions, batch):
    runs = history(sessions)
    before = trend(sessions)

    outcome = retention.run_retention(sessions, days=DAYS, min_group=5, now=NOW, batch=batch)

    assert (outcome.weeks_kept, outcome.weeks_dropped) == (2, 1)
    assert outcome.deliveries == 18  # six people asked in each of three old weeks
    with transaction(sessions) as session:
        assert set(session.exec(select(Answer.run_id)).all()) == {runs["recent"]}
    assert trend(sessions) == before


def test_a_week_with_a_run_still_open_waits(sessions):
    make_team(sessions, now=NOW - timedelta(days=400))
    opened = NOW - timedelta(days=12)
    run_week(
        sessions, survey="team-pulse", opened=opened, audience=MEMBERS, answers=scores(MEMBERS, alike(4, 6))
    )
    with transaction(sessions) as session:
        session.exec(select(PulseRun)).one().closes_at = NOW + timedelta(days=1)  # a long-open run

    outcome = retention.run_retention(sessions, days=1, min_group=5, now=NOW)

    assert (outcome.answers, outcome.weeks_kept) == (0, 0)
    with transaction(sessions) as session:
        assert session.exec(select(func.count()).select_from(Answer)).one() == 6


def test_a_week_whose_run_the_close_job_has_not_closed_yet_waits_then_is_kept(sessions):
    make_team(sessions, now=NOW - timedelta(days=400))
    opened = NOW - timedelta(days=12)
    run_id = run_week(
        sessions,
        survey="team-pulse",
        opened=opened,
        audience=MEMBERS,
        answers=scores(MEMBERS, alike(4, 6)),
        close=False,  # its time is up, but pulse-close has not run yet: its answers count for nothing yet
    )

    waiting = retention.run_retention(sessions, days=1, min_group=5, now=NOW)
    with transaction(sessions) as session:
        close_and_release(session, run_id)
    kept = retention.run_retention(sessions, days=1, min_group=5, now=NOW)

    assert (waiting.answers, waiting.weeks_kept, waiting.weeks_dropped) == (0, 0, 0)
    assert (kept.answers, kept.weeks_kept) == (6, 1)
