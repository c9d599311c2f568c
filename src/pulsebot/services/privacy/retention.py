"""Retention: raw answers, comments, who-was-asked records and idea texts go after PULSEBOT_RETENTION_DAYS.

Before a team-week's answers go, its totals are kept (kept_weeks.py) when at least PULSEBOT_MIN_GROUP
answered it, so its figures stay in reports and trends; a smaller week is dropped without a trace of its
figures. Only whole ISO weeks go: everything before the Monday of the week the cutoff falls in, and only
once every run of the week has closed. Ideas older than the cutoff keep their status and votes but lose
their text and the reason given on their last status change; the job then redraws their cards in Slack.

A pause someone set on their own pulses (services/survey/snooze.py) goes the night after it ended. How
many went is said nowhere, not even in the audit log: who paused is shown to no one.

People's attributes read from Slack profile fields go once Slack has not confirmed them (by a sync or a
`user_change` event) for PULSEBOT_RETENTION_DAYS: by then the person was deactivated while pulsebot was
not listening, or the workspace stopped syncing, and what is left is stale HR data about someone. Rows
imported from a CSV are not aged: the export is the operator's, each import replaces the whole set
(removing people it no longer lists) and says so, and dropping them by age would quietly empty the next
runs' segments (docs/people.md).

The directory of a workspace's people (services/people/workspace_people.py) holds only who is in the
workspace now, kept by Slack's events and a daily read; a directory no read has confirmed for a week (the
app removed, Slack out of reach) goes whole; so do a survey channel's members
(services/survey/channel_members.py) when no read has confirmed them for a week.

Exit surveys (services/onboarding/exits.py), which are not anonymous, go whole with their answers once
sent more than PULSEBOT_RETENTION_DAYS ago. Onboarding answers need no retention of their own: they are
deleted when their cohort's figures are released, about 100 days after its quarter.

Safe to run again or on two replicas at once: a week is kept (at most once, by its primary key) before
any of its rows is deleted, readers prefer a kept week to whatever answers are left of it, deletes take
bounded batches each in its own transaction, and a run is marked purged only when all of it is gone.
Once something was removed, the tables it was removed from are scrubbed (store/db.py `scrub`), so the
deleted rows do not live on as PostgreSQL dead tuples or in the SQLite WAL.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import delete, tuple_, update
from sqlmodel import Session, select

from pulsebot.services.onboarding.exits import remove_exits_before
from pulsebot.services.people import workspace_people
from pulsebot.services.people.attributes import PROFILE
from pulsebot.services.privacy import audit
from pulsebot.services.reply.conversation_cleanup import purge_conversations
from pulsebot.services.results import analytics, kept_weeks
from pulsebot.services.segments.cells import forget_members
from pulsebot.services.survey import channel_members
from pulsebot.services.survey.leave import remove_ended_leave
from pulsebot.services.survey.snooze import remove_ended
from pulsebot.store.db import SessionFactory, engine_of, scrub, transaction
from pulsebot.store.models import (
    Answer,
    AuditAction,
    Delivery,
    Idea,
    Person,
    PulseRun,
    RunFigures,
    RunQuestionFigures,
    RunStatus,
)
from pulsebot.store.weeks import week_start

BATCH = 5000  # rows per delete; a big workspace has about a million answers
RUNS_PER_BATCH = 200
REMOVED_TEXT = "(text removed after {days} days)"
REMOVED_PREFIX = "(text removed after "
# The tables retention deletes from or blanks texts in.
PURGED_IN = (
    "answer",
    "delivery",
    "run_question_figures",
    "run_figures",
    "idea",
    "conversation",
    "conversation_message",
    "person",
    "run_member",
    "snooze",
    "directory_person",
    "channel_member",
    "exit_survey",
    "exit_answer",
)


@dataclass
class RetentionOutcome:
    weeks_kept: int = 0
    weeks_dropped: int = 0
    answers: int = 0
    deliveries: int = 0
    conversations: int = 0
    profiles: int = 0  # people's attributes from Slack profiles not confirmed since the cutoff
    directory: int = 0  # people of workspace directories no longer kept current
    channel_members: int = 0  # members of survey channels no longer kept current
    exits: int = 0  # exit surveys (not anonymous) sent before the cutoff, with their answers
    # The ideas whose text went, by workspace: their cards in Slack are redrawn without it.
    emptied_ideas: dict[str, list[int]] = field(default_factory=dict)

    @property
    def ideas(self) -> int:
        return sum(len(ids) for ids in self.emptied_ideas.values())

    @property
    def removed_anything(self) -> bool:
        return any(
            (
                self.weeks_kept,
                self.weeks_dropped,
                self.answers,
                self.deliveries,
                self.ideas,
                self.conversations,
                self.profiles,
                self.directory,
                self.exits,
            )
        )

    def describe(self, days: int) -> str:
        return (
            f"older than {days} days: {self.answers} answers and {self.deliveries} delivery records deleted, "
            f"{self.weeks_kept} weeks' figures kept, {self.weeks_dropped} small weeks dropped, "
            f"{self.ideas} idea texts removed, {self.conversations} conversations deleted"
            + (f", {self.profiles} people's profile attributes deleted" if self.profiles else "")
            + (f", {self.directory} people of unkept directories deleted" if self.directory else "")
            + (f", {self.exits} exit surveys deleted" if self.exits else "")
        )


def purge_before(day: date) -> date:
    """The first day retention keeps: the Monday of the week `day` falls in, so only whole weeks go."""
    return week_start(day)


def run_retention(
    sessions: SessionFactory, *, days: int, min_group: int, now: datetime, batch: int = BATCH
) -> RetentionOutcome:
    cutoff = now - timedelta(days=days)
    keep_from = purge_before(cutoff.date())
    outcome = RetentionOutcome()
    with transaction(sessions) as session:
        weeks = _purgeable_weeks(session, keep_from=keep_from, now=now)
    for survey_id, runs_by_week in weeks.items():
        with transaction(sessions) as session:
            _keep_survey_weeks(session, survey_id, runs_by_week, outcome, min_group=min_group, now=now)
    run_ids = sorted(
        run_id for runs_by_week in weeks.values() for ids in runs_by_week.values() for run_id in ids
    )
    for start in range(0, len(run_ids), RUNS_PER_BATCH):
        chunk = run_ids[start : start + RUNS_PER_BATCH]
        outcome.answers += _in_batches(sessions, _answer_batch(chunk, batch))
        outcome.deliveries += _in_batches(sessions, _delivery_batch(chunk, batch))
        with transaction(sessions) as session:
            # A run's own figures are finer than the week's kept totals: they go with its answers.
            session.exec(delete(RunQuestionFigures).where(RunQuestionFigures.run_id.in_(chunk)))
            session.exec(delete(RunFigures).where(RunFigures.run_id.in_(chunk)))
            forget_members(session, run_ids=chunk)  # gone with the key material, unless that outlives this
            session.exec(
                update(PulseRun)
                .where(PulseRun.id.in_(chunk))
                .values(purged_at=now)
                .execution_options(synchronize_session=False)
            )
    outcome.emptied_ideas = _remove_idea_texts(sessions, before=cutoff, days=days, batch=batch)
    with transaction(sessions) as session:
        outcome.conversations = purge_conversations(session, before=cutoff)
        outcome.profiles = _remove_stale_profiles(session, before=cutoff)
        outcome.directory = workspace_people.remove_unkept(session, now=now)
        outcome.channel_members = channel_members.remove_unkept(session, now=now)
        outcome.exits = remove_exits_before(session, before=cutoff)
        pauses = remove_ended(session, today=now.astimezone(UTC).date())
        pauses += remove_ended_leave(session, today=now.astimezone(UTC).date())
    if pauses and not outcome.removed_anything:
        scrub(engine_of(sessions), ("snooze", "leave_period"), rewrite=True)
    with transaction(sessions) as session:
        if not outcome.removed_anything:
            return outcome  # a night with nothing to remove would only crowd the admins' latest entries
        audit.record(
            session,
            actor=audit.SCHEDULER,
            action=AuditAction.retention_run,
            scope=audit.ORG_SCOPE,
            now=now,
            detail=outcome.describe(days),
        )
    scrub(engine_of(sessions), PURGED_IN, rewrite=True)
    return outcome


def _remove_stale_profiles(session: Session, *, before: datetime) -> int:
    statement = delete(Person).where(Person.source == PROFILE, Person.updated_at < before)
    return session.exec(statement.execution_options(synchronize_session=False)).rowcount


def _purgeable_weeks(session: Session, *, keep_from: date, now: datetime) -> dict[int, dict[date, list[int]]]:
    """Runs not yet purged, dated before `keep_from`, by survey and week; weeks with a run not yet closed
    wait."""
    columns = (PulseRun.id, PulseRun.survey_id, PulseRun.run_date, PulseRun.closes_at, PulseRun.status)
    rows = session.exec(
        select(*columns, RunFigures.run_id.is_not(None))
        .outerjoin(RunFigures, RunFigures.run_id == PulseRun.id)
        .where(PulseRun.run_date < keep_from, PulseRun.purged_at.is_(None))
    ).all()
    weeks: dict[int, dict[date, list[int]]] = defaultdict(lambda: defaultdict(list))
    waiting = set()
    for run_id, survey_id, run_date, closes_at, status, released in rows:
        weeks[survey_id][week_start(run_date)].append(run_id)
        # Only a released run counts (week_totals.py): a week is kept once its runs are closed and released.
        if closes_at > now or status is not RunStatus.closed or not released:
            waiting.add((survey_id, week_start(run_date)))
    for survey_id, week in waiting:
        del weeks[survey_id][week]
    return {survey_id: dict(by_week) for survey_id, by_week in weeks.items() if by_week}


def _keep_survey_weeks(
    session: Session,
    survey_id: int,
    runs_by_week: dict[date, list[int]],
    outcome: RetentionOutcome,
    *,
    min_group: int,
    now: datetime,
) -> None:
    already = kept_weeks.kept_weeks(session, survey_id=survey_id)
    first, last = min(runs_by_week), max(runs_by_week) + timedelta(days=6)
    raw = analytics.raw_totals(session, first=first, last=last, survey_ids=[survey_id], min_group=min_group)
    for week in sorted(runs_by_week):
        if week in already:
            continue
        key = (survey_id, week)
        kept = key in raw.people and kept_weeks.keep_week(
            session,
            survey_id=survey_id,
            week=week,
            people=raw.people[key],
            questions=raw.values.get(key, []),
            comments=raw.comments.get(key),
            min_group=min_group,
            now=now,
        )
        if kept:
            outcome.weeks_kept += 1
        elif key in raw.withheld:  # no closed run of it reached the minimum: nothing of it is kept
            outcome.weeks_dropped += 1


def _answer_batch(run_ids: list[int], batch: int):
    keys = (Answer.run_id, Answer.question_id, Answer.respondent)
    some = select(*keys).where(Answer.run_id.in_(run_ids)).limit(batch)
    return delete(Answer).where(tuple_(*keys).in_(some)).execution_options(synchronize_session=False)


def _delivery_batch(run_ids: list[int], batch: int):
    some = select(Delivery.id).where(Delivery.run_id.in_(run_ids)).limit(batch)
    return delete(Delivery).where(Delivery.id.in_(some)).execution_options(synchronize_session=False)


def _in_batches(sessions: SessionFactory, statement) -> int:
    """Run a statement that touches at most one batch of rows until it touches none; each its own commit."""
    deleted = 0
    while True:
        with transaction(sessions) as session:
            count = session.exec(statement).rowcount
        deleted += count
        if not count:
            return deleted


def _remove_idea_texts(
    sessions: SessionFactory, *, before: datetime, days: int, batch: int
) -> dict[str, list[int]]:
    removed: dict[str, list[int]] = defaultdict(list)
    while True:
        with transaction(sessions) as session:
            due = session.exec(
                select(Idea.id, Idea.team_id)
                .where(Idea.created_at < before, ~Idea.text.startswith(REMOVED_PREFIX))
                .order_by(Idea.id)
                .limit(batch)
            ).all()
            if not due:
                return dict(removed)
            session.exec(
                update(Idea)
                .where(Idea.id.in_([idea_id for idea_id, _ in due]))
                .values(text=REMOVED_TEXT.format(days=days), status_reason=None)
                .execution_options(synchronize_session=False)
            )
        for idea_id, team_id in due:
            removed[team_id].append(idea_id)
