"""Onboarding pulses: a new joiner is asked a few questions 30, 60 and 90 days after their start date.

One new joiner cannot be anonymous, so their answers are pooled with everyone who started in the same
calendar quarter (their cohort) and carry only the cohort and the milestone: no person, no start date, no
time. An answer is keyed by HMAC(PULSEBOT_ANON_KEY and the cohort's own secret, person, milestone), so a
second click replaces the first, and it waits for the mixing window (services/pulse/answer_mixer.py) like
every answer. Nothing is shown while the cohort is open. It closes once the last day-90 pulse of its
quarter can no longer be answered; then its figures are released once (`release_closed_cohorts`): for
each milestone, how many answered and each question's mean, each only when at least the minimum group
gave it. The answers, the secret and the pulses (who was asked when) are deleted in the same
transaction, so a released cohort never changes: a joiner added later (a start date imported late) is not
asked at all, and there is no "before and after" to subtract.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import delete, func, tuple_
from sqlmodel import Session, select

from pulsebot.services.errors import Closed, Invalid, NotAllowed, NotFound, Refusal
from pulsebot.services.onboarding.questions import SCALE, find, onboarding_questions
from pulsebot.services.privacy.anonymity import new_run_secret, onboarding_token
from pulsebot.services.privacy.distributions import shown_counts
from pulsebot.store.db import lock_still_open, write_lock
from pulsebot.store.models import (
    OnboardingAnswer,
    OnboardingCohort,
    OnboardingFigure,
    OnboardingPulse,
    Person,
)
from pulsebot.store.upsert import upsert

MILESTONES = (30, 60, 90)
ANSWER_DAYS = 7  # how long each pulse takes answers from the day it is due
RESPONDENTS = "respondents"  # the figure of how many answered a milestone
FEW = "few"  # why a figure is hidden: fewer than the minimum group gave it
ALIKE = "alike"  # or its answers were so alike that each of them would tell the others' answers
LATE = "This pulse closed before your answer was saved, so it was not counted."

_shuffle = random.SystemRandom().shuffle


def cohort_of(start: date) -> str:
    return f"{start.year}-Q{(start.month - 1) // 3 + 1}"


def quarter_end(start: date) -> date:
    first_of_next = date(start.year + (start.month > 9), (((start.month - 1) // 3 + 1) % 4) * 3 + 1, 1)
    return first_of_next - timedelta(days=1)


def cohort_closes_on(start: date) -> date:
    """The first day nobody of the cohort can answer any more: its quarter's last day-90 pulse is over."""
    return quarter_end(start) + timedelta(days=MILESTONES[-1] + ANSWER_DAYS)


@dataclass(frozen=True)
class DuePulse:
    id: int
    user_id: str
    milestone: int
    closes_on: date  # the first day it takes no answer


@dataclass(frozen=True)
class PendingOnboardingAnswer:
    """A checked answer waiting for its batch: cohort, milestone and token, never the person."""

    cohort_id: int
    milestone: int
    question_key: str
    respondent: str
    value: int
    closes_on: date


@dataclass(frozen=True)
class OnboardingReceipt:
    replaced: bool
    closes_on: date


def schedule_pulses(session: Session, *, today: date) -> int:
    """Owe each new joiner (a start date in the people import) their milestones still to come; drop the
    pulses not sent yet of anyone no longer listed, or whose start date moved. How many were added."""
    since = today - timedelta(days=MILESTONES[-1] + ANSWER_DAYS)
    joiners = session.exec(
        select(Person.user_id, Person.start_date).where(
            Person.start_date.is_not(None), Person.start_date > since
        )
    ).all()
    cohorts = {row.cohort: row for row in session.exec(select(OnboardingCohort)).all()}
    wanted: dict[tuple[int, str, int], date] = {}
    for user_id, start in joiners:
        cohort = _cohort(session, cohorts, start)
        if cohort.released_at is not None:
            continue  # released once and for all: nobody is added to it
        for milestone in MILESTONES:
            due = start + timedelta(days=milestone)
            if due + timedelta(days=ANSWER_DAYS) > today:
                wanted[(cohort.id, user_id, milestone)] = due
    owed = {
        (row.cohort_id, row.user_id, row.milestone): row
        for row in session.exec(select(OnboardingPulse).where(OnboardingPulse.sent_at.is_(None))).all()
    }
    with_start = {user_id for user_id, _ in joiners}
    for key, row in owed.items():
        if row.from_join:  # the join day stood in for a start date: until HR's export gives one
            if row.user_id in with_start or _closes(row) <= today:
                session.delete(row)
        elif wanted.get(key) != row.due_on:
            session.delete(row)
    session.flush()  # before any insert of the same key: the unit of work inserts first
    sent = set(
        session.exec(
            select(OnboardingPulse.cohort_id, OnboardingPulse.user_id, OnboardingPulse.milestone).where(
                OnboardingPulse.sent_at.is_not(None)
            )
        ).all()
    )
    added = 0
    for (cohort_id, user_id, milestone), due in wanted.items():
        if (cohort_id, user_id, milestone) in sent:
            continue
        row = owed.get((cohort_id, user_id, milestone))
        if row is None or row.due_on != due:
            session.add(
                OnboardingPulse(cohort_id=cohort_id, user_id=user_id, milestone=milestone, due_on=due)
            )
            added += 1
    session.flush()
    return added


def joined_workspace(session: Session, *, user_id: str, joined_on: date) -> int:
    """Slack's `team_join`: the day someone joined the workspace stands in for their start date, unless
    HR's export gives one (which then wins, at the next pass). How many pulses they are now owed."""
    if session.exec(
        select(Person.user_id).where(Person.user_id == user_id, Person.start_date.is_not(None))
    ).first():
        return 0
    cohorts = {row.cohort: row for row in session.exec(select(OnboardingCohort)).all()}
    cohort = _cohort(session, cohorts, joined_on)
    if cohort.released_at is not None:
        return 0
    owed = set(
        session.exec(
            select(OnboardingPulse.milestone).where(
                OnboardingPulse.cohort_id == cohort.id, OnboardingPulse.user_id == user_id
            )
        ).all()
    )
    added = 0
    for milestone in MILESTONES:
        if milestone not in owed:
            due = joined_on + timedelta(days=milestone)
            session.add(
                OnboardingPulse(
                    cohort_id=cohort.id, user_id=user_id, milestone=milestone, due_on=due, from_join=True
                )
            )
            added += 1
    session.flush()
    return added


def _cohort(session: Session, cohorts: dict[str, OnboardingCohort], start: date) -> OnboardingCohort:
    name = cohort_of(start)
    cohort = cohorts.get(name)
    if cohort is None:
        cohort = OnboardingCohort(cohort=name, closes_on=cohort_closes_on(start), secret=new_run_secret())
        session.add(cohort)
        session.flush()
        cohorts[name] = cohort
    return cohort


def due_pulses(session: Session, *, today: date) -> list[DuePulse]:
    rows = session.exec(
        select(OnboardingPulse)
        .where(
            OnboardingPulse.sent_at.is_(None),
            OnboardingPulse.due_on <= today,
            OnboardingPulse.due_on > today - timedelta(days=ANSWER_DAYS),
        )
        .order_by(OnboardingPulse.id)
    ).all()
    return [DuePulse(row.id, row.user_id, row.milestone, _closes(row)) for row in rows]


def mark_sent(session: Session, *, pulse_id: int, channel_id: str, message_ts: str, now: datetime) -> None:
    row = session.get(OnboardingPulse, pulse_id)
    if row is not None:
        row.sent_at, row.channel_id, row.message_ts = now, channel_id, message_ts
        session.add(row)


def prepare_onboarding_answer(
    session: Session, *, pulse_id: int, user_id: str, question_key: str, value: str, key: bytes, today: date
) -> PendingOnboardingAnswer:
    """Check one answer (read only): the person's own pulse, still open, a question and value it offers."""
    question = find(onboarding_questions(), question_key)
    answer = question.takes(value) if question is not None else None
    if answer is None:
        raise Invalid("That button is not one pulsebot recognises, so nothing was recorded.")
    pulse = session.get(OnboardingPulse, pulse_id)
    if pulse is None:
        raise Closed("This onboarding pulse has closed, so answers are no longer taken.")
    if pulse.user_id != user_id:
        raise NotAllowed("This onboarding pulse was sent to someone else, so it takes only their answers.")
    cohort = session.get(OnboardingCohort, pulse.cohort_id)
    if pulse.sent_at is None or today >= _closes(pulse) or cohort.secret is None:
        raise Closed("This onboarding pulse has closed, so answers are no longer taken.")
    respondent = onboarding_token(
        key, cohort.secret, cohort_id=cohort.id, milestone=pulse.milestone, user_id=user_id
    )
    return PendingOnboardingAnswer(
        cohort.id, pulse.milestone, question.key, respondent, answer, _closes(pulse)
    )


def write_onboarding_answers(
    session: Session, pending: Sequence[PendingOnboardingAnswer]
) -> list[OnboardingReceipt | Refusal]:
    """Write a batch shuffled, in one statement; an answer whose cohort was released while it waited is
    refused (the release takes the same lock), never counted afterwards."""
    cohorts = sorted({item.cohort_id for item in pending})
    still_open, gone = lock_still_open(
        session, OnboardingCohort.id, OnboardingCohort.released_at, cohorts, open_status=None
    )
    live = [item for item in pending if item.cohort_id in still_open]
    columns = (
        OnboardingAnswer.cohort_id,
        OnboardingAnswer.milestone,
        OnboardingAnswer.question_key,
        OnboardingAnswer.respondent,
    )
    keys = list({(i.cohort_id, i.milestone, i.question_key, i.respondent) for i in live})
    stored = set(session.exec(select(*columns).where(tuple_(*columns).in_(keys))).all()) if keys else set()
    final: dict[tuple, int] = {}
    receipts: list[OnboardingReceipt | Refusal] = []
    for item in pending:
        if item.cohort_id not in still_open:
            receipts.append(NotFound(LATE) if item.cohort_id in gone else Closed(LATE))
            continue
        key = (item.cohort_id, item.milestone, item.question_key, item.respondent)
        receipts.append(OnboardingReceipt(replaced=key in stored or key in final, closes_on=item.closes_on))
        final[key] = item.value
    rows = [
        {"cohort_id": c, "milestone": m, "question_key": q, "respondent": r, "value": v}
        for (c, m, q, r), v in final.items()
    ]
    _shuffle(rows)  # the rows' physical order must not be the order of the clicks
    upsert(
        session,
        OnboardingAnswer.__table__,
        rows,
        key=("cohort_id", "milestone", "question_key", "respondent"),
        update=("value",),
    )
    return receipts


def release_closed_cohorts(session: Session, *, today: date, now: datetime, min_group: int) -> list[str]:
    """Release each cohort whose last pulse is over: its figures stored once, under the minimum group;
    its answers, secret and pulses deleted. The cohorts released."""
    write_lock(session)
    due = session.exec(
        select(OnboardingCohort)
        .where(OnboardingCohort.released_at.is_(None), OnboardingCohort.closes_on <= today)
        .order_by(OnboardingCohort.id)
        .with_for_update(skip_locked=True)
    ).all()
    for cohort in due:
        answered = session.exec(
            select(OnboardingAnswer.milestone, func.count(func.distinct(OnboardingAnswer.respondent)))
            .where(OnboardingAnswer.cohort_id == cohort.id)
            .group_by(OnboardingAnswer.milestone)
        ).all()
        counts: dict[tuple[int, str], list[int]] = {}
        for milestone, question, value, count in session.exec(
            select(
                OnboardingAnswer.milestone,
                OnboardingAnswer.question_key,
                OnboardingAnswer.value,
                func.count(),
            )
            .where(OnboardingAnswer.cohort_id == cohort.id)
            .group_by(OnboardingAnswer.milestone, OnboardingAnswer.question_key, OnboardingAnswer.value)
        ).all():
            counts.setdefault((milestone, question), [0] * len(SCALE))[value - SCALE.start] += count
        respondents = dict(answered)
        for milestone in MILESTONES:
            people = respondents.get(milestone, 0)
            if people < min_group:  # not even how many: only that too few answered
                session.add(_hidden(cohort.id, milestone, RESPONDENTS))
                continue
            session.add(
                OnboardingFigure(
                    cohort_id=cohort.id, milestone=milestone, question_key=RESPONDENTS, answers=people
                )
            )
            for question in onboarding_questions():
                session.add(_question_figure(cohort.id, milestone, question.key, counts, min_group))
        session.exec(delete(OnboardingAnswer).where(OnboardingAnswer.cohort_id == cohort.id))
        session.exec(delete(OnboardingPulse).where(OnboardingPulse.cohort_id == cohort.id))
        cohort.secret, cohort.released_at, cohort.min_group = None, now, min_group
        session.add(cohort)
    session.flush()
    return [cohort.cohort for cohort in due]


@dataclass(frozen=True)
class MilestoneFigures:
    milestone: int
    respondents: int | None  # None: fewer than the minimum group answered, nothing shown
    means: dict[str, float | None]  # per question key; None: hidden


@dataclass(frozen=True)
class ReleasedCohort:
    cohort: str
    min_group: int
    milestones: list[MilestoneFigures]


def released_cohorts(session: Session) -> list[ReleasedCohort]:
    """What the admins' report shows: the released figures as stored, never anything recomputed."""
    cohorts = session.exec(
        select(OnboardingCohort)
        .where(OnboardingCohort.released_at.is_not(None))
        .order_by(OnboardingCohort.cohort)
    ).all()
    if not cohorts:
        return []
    figures = session.exec(
        select(OnboardingFigure).where(OnboardingFigure.cohort_id.in_([cohort.id for cohort in cohorts]))
    ).all()
    by_key = {(f.cohort_id, f.milestone, f.question_key): f for f in figures}
    released = []
    for cohort in cohorts:
        milestones = []
        for milestone in MILESTONES:
            count = by_key.get((cohort.id, milestone, RESPONDENTS))
            shown = count is not None and count.hidden is None
            means = {
                q.key: (
                    by_key[(cohort.id, milestone, q.key)].value
                    if shown and (cohort.id, milestone, q.key) in by_key
                    else None
                )
                for q in onboarding_questions()
            }
            milestones.append(MilestoneFigures(milestone, count.answers if shown else None, means))
        released.append(ReleasedCohort(cohort.cohort, cohort.min_group or 0, milestones))
    return released


def forget_pulses(session: Session, *, user_id: str) -> int:
    """Forget-me: the pulses owed or sent to them (their answers are under the cohort's tokens)."""
    return session.exec(delete(OnboardingPulse).where(OnboardingPulse.user_id == user_id)).rowcount


def _question_figure(
    cohort_id: int, milestone: int, key: str, counts: dict[tuple[int, str], list[int]], min_group: int
) -> OnboardingFigure:
    """A question's mean when at least the minimum group gave it and the rule for distributions lets
    its answers be shown (services/privacy/distributions.py: five joiners all giving 5 would each learn
    how the other four answered); otherwise hidden, with why."""
    given = counts.get((milestone, key), [0] * len(SCALE))
    answers = sum(given)
    if answers < min_group:
        return _hidden(cohort_id, milestone, key)
    if shown_counts(given) is None:
        return OnboardingFigure(cohort_id=cohort_id, milestone=milestone, question_key=key, hidden=ALIKE)
    mean = sum(value * count for value, count in zip(SCALE, given, strict=True)) / answers
    return OnboardingFigure(
        cohort_id=cohort_id, milestone=milestone, question_key=key, answers=answers, value=round(mean, 2)
    )


def _hidden(cohort_id: int, milestone: int, question_key: str) -> OnboardingFigure:
    return OnboardingFigure(cohort_id=cohort_id, milestone=milestone, question_key=question_key, hidden=FEW)


def _closes(pulse: OnboardingPulse) -> date:
    return pulse.due_on + timedelta(days=ANSWER_DAYS)
