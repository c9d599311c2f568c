"""Onboarding pulses: a new joiner is asked a few questions 30, 60 and 90 days after their start date.

One new joiner cannot be anonymous, so their answers are pooled with everyone who started in the same
calendar quarter (their cohort) and carry only the cohort and the milestone: no person, no start date, no
time. An answer is keyed by HMAC(PULSEBOT_ANON_KEY and the cohort's own secret, person, milestone), so a
second click replaces the first, and it waits for the mixing window (services/pulse/answer_mixer.py) like
every answer. Nothing is shown while the cohort is open. It closes once the last day-90 pulse of its
quarter can no longer be answered; then its figures are released once (`release_closed_cohorts`): for
each milestone, how many answered and each question's mean, each only when at least the minimum group
gave it (cohort_figures.py). The answers, the secret and the pulses (who was asked when) are deleted in
the same transaction, so a released cohort never changes: a joiner added later (a start date imported
late) is not asked at all, and there is no "before and after" to subtract.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import delete, tuple_
from sqlmodel import Session, select

from pulsebot.services.errors import Closed, Invalid, NotAllowed, NotFound, Refusal
from pulsebot.services.onboarding.questions import find, onboarding_questions
from pulsebot.services.privacy.anonymity import new_run_secret, onboarding_token
from pulsebot.store.db import lock_still_open
from pulsebot.store.models import (
    OnboardingAnswer,
    OnboardingCohort,
    OnboardingPulse,
    Person,
)
from pulsebot.store.upsert import upsert

MILESTONES = (30, 60, 90)
ANSWER_DAYS = 7  # how long each pulse takes answers from the day it is due
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


def forget_pulses(session: Session, *, user_id: str) -> int:
    """Forget-me: the pulses owed or sent to them (their answers are under the cohort's tokens)."""
    return session.exec(delete(OnboardingPulse).where(OnboardingPulse.user_id == user_id)).rowcount


def _closes(pulse: OnboardingPulse) -> date:
    return pulse.due_on + timedelta(days=ANSWER_DAYS)
